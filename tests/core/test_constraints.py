"""core/constraints.py decides every check constraint of the register in Python exactly
as the database does (Django's Q.check), NULLs included."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import CheckConstraint, F, Q
from django.test.utils import CaptureQueriesContext

from core.constraints import full_clean_in_bulk, holds
from interventions.models import Intervention

CHECKS = [
    (model, constraint)
    for model in apps.get_models()
    for constraint in model._meta.constraints
    if isinstance(constraint, CheckConstraint)
]
DATES = [None, datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)]
NUMBERS = [None, Decimal("-0.01"), Decimal(0), Decimal(50), Decimal("100.01")]
INTEGERS = [None, 0, 1, 4, 5, 2000, 2101]
TEXTS = ["", "GM0363", "WK036301", "BU03630101", "x"]


def leaves(condition):
    for child in condition.children:
        if isinstance(child, Q):
            yield from leaves(child)
        else:
            yield child[0].split("__")[0]
            if isinstance(child[1], F):
                yield child[1].name


def values_for(field):
    if isinstance(field, models.ForeignKey):
        return [None, 1]
    if isinstance(field, models.DateField):
        return DATES
    if isinstance(field, models.DecimalField):
        return NUMBERS
    if isinstance(field, models.IntegerField):
        return INTEGERS
    if field.choices:
        return ["", *[value for value, _label in field.choices]]
    return TEXTS


def candidates(model, constraint):
    """Rows with every combination of values for the fields the constraint reads."""
    fields = [model._meta.get_field(name) for name in dict.fromkeys(leaves(constraint.condition))]
    for combination in itertools.product(*(values_for(field) for field in fields)):
        obj = model()
        for field, value in zip(fields, combination, strict=True):
            setattr(obj, field.attname, value)
        yield obj


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "constraint"), CHECKS, ids=[c.name for _m, c in CHECKS])
def test_python_and_the_database_agree(model, constraint):
    for obj in candidates(model, constraint):
        try:
            constraint.validate(model, obj)
            by_database = True
        except ValidationError:
            by_database = False
        assert holds(constraint, obj) == by_database, (constraint.name, vars(obj))


@pytest.mark.django_db
def test_a_condition_python_cannot_decide_is_asked_of_the_database():
    odd = CheckConstraint(condition=Q(title__startswith="A"), name="odd")
    with CaptureQueriesContext(connection) as queries:
        assert holds(odd, Intervention(title="Aap")) is True
        assert holds(odd, Intervention(title="Noot")) is False
    assert len(queries) >= 2


def test_deciding_the_register_s_constraints_asks_nothing_of_the_database():
    # No database in this test: a query would fail it.
    intervention = Intervention(start_date=DATES[2], end_date=DATES[1])
    with pytest.raises(ValidationError) as error:
        full_clean_in_bulk(
            intervention,
            exclude=[f.name for f in Intervention._meta.fields if "date" not in f.name],
        )
    order = next(c for c in Intervention._meta.constraints if c.name.endswith("before_start"))
    assert error.value.messages == [str(order.violation_error_message)]


def test_unknown_comparisons_pass_as_in_sql():
    constraint = CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="order")
    assert holds(constraint, Intervention(start_date=None, end_date=DATES[1]))
    assert not holds(constraint, Intervention(start_date=DATES[2], end_date=DATES[1]))
    negated = CheckConstraint(condition=~Q(end_date__gte=F("start_date")), name="negated")
    assert holds(negated, Intervention(start_date=None, end_date=DATES[1]))
