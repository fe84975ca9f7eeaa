"""A model's check constraints, checked in Python when many rows are checked at once.

``full_clean()`` checks each ``CheckConstraint`` with a query (Django's ``Q.check``):
one per constraint per row, thousands for an import. The conditions here are plain
comparisons of a row's fields, which Python decides as the database would, NULL
included (an unknown comparison passes, as in SQL). A condition with anything else in
it is left to Django's query.
"""

import operator

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import CheckConstraint, F, Q

COMPARISONS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


class Undecided(Exception):
    """A condition this module does not decide: Django's query does."""


def _value(obj, value):
    if isinstance(value, F):
        if "__" in value.name:
            raise Undecided
        return getattr(obj, obj._meta.get_field(value.name).attname)
    if hasattr(value, "resolve_expression"):
        raise Undecided
    return value


def _lookup(obj, key, value):
    name, _sep, lookup = key.partition("__")
    lookup = lookup or "exact"
    if "__" in lookup:
        raise Undecided
    field = obj._meta.get_field(name)
    actual = getattr(obj, field.attname)
    expected = _value(obj, value)
    if lookup == "isnull":
        return (actual is None) == bool(expected)
    if lookup == "in":
        return None if actual is None else actual in expected
    if lookup not in COMPARISONS:
        raise Undecided
    if expected is None and lookup == "exact":
        return actual is None
    if actual is None or expected is None:
        return None  # SQL's unknown
    return COMPARISONS[lookup](field.to_python(actual), field.to_python(expected))


def _decide(obj, condition):
    """True, False or None (unknown), in SQL's three-valued logic."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(_decide(obj, child))
        elif isinstance(child, tuple):
            results.append(_lookup(obj, *child))
        else:
            raise Undecided
    if condition.connector == Q.AND:
        result = False if False in results else (None if None in results else True)
    elif condition.connector == Q.OR:
        result = True if True in results else (None if None in results else False)
    else:
        raise Undecided
    if condition.negated:
        result = None if result is None else not result
    return result


def holds(constraint, obj):
    """Whether ``obj`` satisfies the check constraint, as the database would judge it."""
    try:
        return _decide(obj, constraint.condition) is not False
    except Undecided:
        try:
            constraint.validate(type(obj), obj)
        except ValidationError:
            return False
        return True


def validate_check_constraints(obj, exclude=()):
    """Raise the ValidationError ``full_clean()`` would raise for ``obj``'s check
    constraints; those naming an excluded field are skipped, as Django skips them."""
    errors = []
    for constraint in obj._meta.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue
        names = {child[0].split("__")[0] for child in _leaves(constraint.condition)}
        if names & set(exclude):
            continue
        if not holds(constraint, obj):
            errors.append(
                ValidationError(
                    constraint.get_violation_error_message(),
                    code=constraint.violation_error_code,
                )
            )
    if errors:
        raise ValidationError({NON_FIELD_ERRORS: errors})


def _leaves(condition):
    for child in condition.children:
        if isinstance(child, Q):
            yield from _leaves(child)
        elif isinstance(child, tuple):
            yield child
            if isinstance(child[1], F):
                yield (child[1].name, None)


def full_clean_in_bulk(obj, exclude=(), validate_unique=True):
    """``full_clean()`` for one of many rows being checked: the same field checks,
    ``clean()`` and check constraints, the constraints decided in Python where they can
    be. Unique constraints are the caller's, who checks them for all rows at once."""
    errors = {}
    try:
        obj.full_clean(exclude=exclude, validate_unique=validate_unique, validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        validate_check_constraints(obj, exclude)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
