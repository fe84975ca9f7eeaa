import re

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def parse_quarter(value):
    """'2024-Q3' -> (2024, 3); anything else is a clear 400."""
    match = QUARTER.match(value or "")
    if not match:
        raise ValidationError({"quarter": [_("Write a quarter as YYYY-Qn, e.g. 2024-Q3.")]})
    return int(match[1]), int(match[2])


def parse_id(value, name):
    """A row's id from a query parameter; anything else is a clear 400."""
    if not value.isdigit() or not 0 < int(value) < 2**63:
        raise ValidationError({name: [_("Give a row's id, a positive whole number.")]})
    return int(value)


class QuarterFilter(django_filters.CharFilter):
    """Filters on a quarter written as ``2024-Q3``, through ``field_name`` (a lookup
    path to a ReportingPeriod)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Quarter, written as YYYY-Qn (e.g. 2024-Q3)."))
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        year, quarter = parse_quarter(value)
        prefix = f"{self.field_name}__" if self.field_name else ""
        return queryset.filter(**{f"{prefix}year": year, f"{prefix}quarter": quarter})


def id_filter(field_name, label):
    """A filter on a related row's id that never says whether the row exists: applied
    to the user's scoped rows, an id outside the scope simply matches nothing."""
    return django_filters.NumberFilter(
        field_name=field_name, label=label, min_value=1, max_value=2**63 - 1
    )
