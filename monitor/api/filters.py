import django_filters
from django.utils.translation import gettext_lazy as _

from core.api.filters import id_filter

from ..models import AreaGoal, ContextValue


class ContextValueFilter(django_filters.FilterSet):
    measure = django_filters.CharFilter(field_name="measure__code", label=_("Measure code."))
    area = id_filter("area", _("Area id: the area's own values."))
    geo_level = django_filters.ChoiceFilter(choices=ContextValue.GeoLevel.choices)
    geo_code = django_filters.CharFilter(label=_("Place code: BU…, WK…, GM…, NL or an area code."))
    year_min = django_filters.NumberFilter(
        field_name="year", lookup_expr="gte", min_value=1990, max_value=2100, label=_("From year.")
    )
    year_max = django_filters.NumberFilter(
        field_name="year", lookup_expr="lte", min_value=1990, max_value=2100, label=_("Up to year.")
    )

    class Meta:
        model = ContextValue
        fields = ["measure", "area", "geo_level", "geo_code", "year_min", "year_max", "status"]


class AreaGoalFilter(django_filters.FilterSet):
    area = id_filter("area", _("Area id."))
    measure = django_filters.CharFilter(field_name="measure__code", label=_("Measure code."))

    class Meta:
        model = AreaGoal
        fields = ["area", "measure"]
