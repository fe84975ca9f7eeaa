"""The reporting resources' filters: whitelisted query parameters, never ORM lookups."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.api.filters import QuarterFilter, id_filter
from interventions.api.views import with_theme
from programme.api.fields import ministry_code_filter
from programme.models import ReportingPeriod
from reporting.models import (
    AreaReport,
    Escalation,
    IndicatorValue,
    Light,
    ProgressUpdate,
    QuarterTransition,
    ReportTransition,
)


class QuarterFilterSet(django_filters.FilterSet):
    programme = django_filters.CharFilter(
        field_name="programme__code", label=_("Programme code, e.g. nplv-2022.")
    )
    quarter = QuarterFilter(field_name="")
    year = django_filters.NumberFilter(label=_("Year."))

    class Meta:
        model = ReportingPeriod
        fields = ["programme", "status", "year"]


class ReportFilter(django_filters.FilterSet):
    quarter = QuarterFilter(field_name="period")
    area = id_filter("area", _("Area id."))
    programme = django_filters.CharFilter(
        field_name="period__programme__code", label=_("Programme code, e.g. nplv-2022.")
    )
    light = django_filters.ChoiceFilter(
        field_name="overall_light", choices=Light.choices, label=_("Overall light.")
    )

    class Meta:
        model = AreaReport
        fields = ["quarter", "area", "programme", "status", "light"]


class UpdateFilter(django_filters.FilterSet):
    quarter = QuarterFilter(field_name="period")
    area = id_filter("intervention__area", _("Area id."))
    intervention = id_filter("intervention", _("Intervention id."))
    report = id_filter("report", _("Report id."))
    theme = django_filters.CharFilter(
        field_name="intervention__themes__code",
        method="filter_theme",
        label=_("Theme code, e.g. youth."),
    )
    carried_over = django_filters.BooleanFilter(
        label=_("Only updates still as carried over from the previous quarter (or not).")
    )

    class Meta:
        model = ProgressUpdate
        fields = ["quarter", "area", "intervention", "report", "light", "carried_over"]

    def filter_theme(self, queryset, name, value):
        # A subquery, not a join: no repeated rows, so no DISTINCT over every column.
        return queryset.filter(intervention__in=with_theme(value))


class IndicatorValueFilter(django_filters.FilterSet):
    quarter = QuarterFilter(field_name="update__period")
    update = id_filter("update", _("Progress update id."))
    indicator = id_filter("indicator", _("Indicator id."))

    class Meta:
        model = IndicatorValue
        fields = ["quarter", "update", "indicator"]


class EscalationFilter(django_filters.FilterSet):
    quarter = QuarterFilter(field_name="report__period")
    area = id_filter("report__area", _("Area id."))
    addressed_to = ministry_code_filter()

    class Meta:
        model = Escalation
        fields = ["quarter", "area", "status", "kind", "addressed_to"]


class TransitionFilter(django_filters.FilterSet):
    to_status = django_filters.CharFilter(label=_("The state the step led to."))


class ReportTransitionFilter(TransitionFilter):
    report = id_filter("report", _("Report id."))

    class Meta:
        model = ReportTransition
        fields = ["report", "to_status"]


class QuarterTransitionFilter(TransitionFilter):
    period = id_filter("period", _("Quarter id."))

    class Meta:
        model = QuarterTransition
        fields = ["period", "to_status"]
