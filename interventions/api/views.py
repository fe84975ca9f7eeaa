import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from areas.models import Area, Partner, Province
from core.api.base import (
    ListedListSerializer,
    ListedPrimaryKeyRelatedField,
    ReadOnlyViewSet,
    RegisterSerializer,
    WritableViewSet,
)
from core.api.filters import id_filter
from interventions.models import (
    EvidenceLevel,
    FundingLine,
    Indicator,
    Intervention,
    KnowledgeItem,
    TargetGroup,
)
from programme.models import Theme


class FundingLineSerializer(RegisterSerializer):
    class Meta:
        model = FundingLine
        fields = ["id", "intervention", "source", "funder", "year", "amount", "note"]
        list_serializer_class = ListedListSerializer


class IndicatorSerializer(RegisterSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id",
            "intervention",
            "name",
            "unit",
            "direction",
            "baseline_value",
            "baseline_year",
            "target_value",
            "target_year",
        ]
        list_serializer_class = ListedListSerializer


class InterventionSerializer(RegisterSerializer):
    serializer_related_field = ListedPrimaryKeyRelatedField
    funding_lines = FundingLineSerializer(many=True, read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)
    area_name = serializers.CharField(
        source="area.name",
        read_only=True,
        default=None,
        allow_null=True,
        help_text=_("The area's name; empty for programme-wide work."),
    )

    class Meta:
        model = Intervention
        fields = [
            "id",
            "code",
            "title",
            "track",
            "area",
            "area_name",
            "status",
            "description",
            "themes",
            "lead_partner",
            "partners",
            "target_groups",
            "evidence_level",
            "start_date",
            "end_date",
            "version",
            "funding_lines",
            "indicators",
            "updated_at",
        ]
        read_only_fields = ["version", "updated_at"]

    def validate_themes(self, themes):
        try:
            Intervention.validate_themes(themes)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return themes


class TargetGroupSerializer(RegisterSerializer):
    class Meta:
        model = TargetGroup
        fields = ["id", "name"]


class InterventionFilter(django_filters.FilterSet):
    track = id_filter("track", _("Track id."))
    programme = django_filters.CharFilter(
        field_name="track__programme__code", label=_("Programme code, e.g. nplv-2022.")
    )
    theme = django_filters.CharFilter(
        field_name="themes__code", method="filter_theme", label=_("Theme code, e.g. youth.")
    )
    area = id_filter("area", _("Area id."))
    area_code = django_filters.CharFilter(field_name="area__code", label=_("Area code."))
    programme_wide = django_filters.BooleanFilter(
        field_name="area", lookup_expr="isnull", label=_("Only programme-wide work (no area).")
    )
    municipality = django_filters.CharFilter(
        field_name="area__municipality__cbs_code", label=_("CBS municipality code, e.g. GM0363.")
    )
    province = django_filters.ChoiceFilter(
        field_name="area__municipality__province",
        choices=Province.choices,
        label=_("Province code, e.g. ZH."),
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Intervention.Status.choices,
        label=_("Status; repeat for several."),
        distinct=False,  # a column of the row itself: no repeated rows to remove
    )
    started_from = django_filters.DateFilter(
        field_name="start_date", lookup_expr="gte", label=_("Started on or after.")
    )
    started_until = django_filters.DateFilter(
        field_name="start_date", lookup_expr="lte", label=_("Started on or before.")
    )

    class Meta:
        model = Intervention
        fields = ["evidence_level"]

    def filter_theme(self, queryset, name, value):
        # A subquery, not a join: no repeated rows, so no DISTINCT over every column.
        return queryset.filter(pk__in=with_theme(value))


def with_theme(code):
    """The ids of the interventions with the theme ``code``."""
    return Intervention.themes.through.objects.filter(theme__code=code).values("intervention_id")


class InterventionViewSet(WritableViewSet):
    """Interventions with their themes, funding lines and indicators."""

    queryset = (
        Intervention.objects.select_related("area", "track")
        .prefetch_related("themes", "partners", "target_groups", "funding_lines", "indicators")
        .order_by("title", "pk")
    )
    serializer_class = InterventionSerializer
    filterset_class = InterventionFilter
    search_fields = ["title", "code", "description"]
    ordering_fields = ["title", "code", "start_date", "status", "updated_at"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    list_select_related = ["area"]  # for area_name; the track is shown by its id
    list_prefetch = {
        "themes": Theme.objects.only("pk"),
        "partners": Partner.objects.only("pk"),
        "target_groups": TargetGroup.objects.only("pk"),
        "funding_lines": FundingLine.objects.all(),
        "indicators": Indicator.objects.all(),
    }


class InterventionRowFilter(django_filters.FilterSet):
    intervention = id_filter("intervention", _("Intervention id."))
    area = id_filter("intervention__area", _("Area id."))


class FundingLineFilter(InterventionRowFilter):
    year = django_filters.NumberFilter(label=_("The year the amount is for."))

    class Meta:
        model = FundingLine
        fields = ["intervention", "area", "source", "year"]


class IndicatorFilter(InterventionRowFilter):
    class Meta:
        model = Indicator
        fields = ["intervention", "area", "unit"]


class FundingLineViewSet(WritableViewSet):
    """Money committed to interventions, per source."""

    queryset = FundingLine.objects.select_related("intervention")
    serializer_class = FundingLineSerializer
    filterset_class = FundingLineFilter
    ordering_fields = ["amount", "year"]


class IndicatorViewSet(WritableViewSet):
    """What interventions measure, with baseline and target."""

    queryset = Indicator.objects.select_related("intervention")
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    search_fields = ["name"]
    ordering_fields = ["name"]


class TargetGroupViewSet(ReadOnlyViewSet):
    """Target groups of interventions."""

    queryset = TargetGroup.objects.all()
    serializer_class = TargetGroupSerializer
    search_fields = ["name"]


class KnowledgeItemSerializer(RegisterSerializer):
    serializer_related_field = ListedPrimaryKeyRelatedField

    class Meta:
        model = KnowledgeItem
        fields = [
            "id",
            "title",
            "kind",
            "summary",
            "evidence_level",
            "source",
            "published_on",
            "interventions",
            "areas",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.instance
        areas = attrs.get("areas", instance.areas.all() if instance else [])
        interventions = attrs.get("interventions", instance.interventions.all() if instance else [])
        try:
            KnowledgeItem.validate_links(areas, interventions)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"interventions": error.messages}) from error
        return attrs


class KnowledgeItemFilter(django_filters.FilterSet):
    # One id of a many-to-many link matches one link row at most: no repeated rows.
    intervention = id_filter("interventions", _("Intervention id."))
    area = id_filter("areas", _("Area id."))
    evidence_level = django_filters.MultipleChoiceFilter(
        choices=EvidenceLevel.choices,
        label=_("Evidence level; repeat for several."),
        distinct=False,  # a column of the row itself
    )

    class Meta:
        model = KnowledgeItem
        fields = ["kind", "evidence_level"]


class KnowledgeItemViewSet(WritableViewSet):
    """Spoor 2's knowledge: studies and lessons learned about what works, with their
    evidence level (the recognition levels of the Erkenningscommissie Interventies)."""

    queryset = KnowledgeItem.objects.prefetch_related("interventions", "areas").order_by(
        "title", "pk"
    )
    serializer_class = KnowledgeItemSerializer
    filterset_class = KnowledgeItemFilter
    search_fields = ["title", "summary", "source"]
    ordering_fields = ["title", "published_on", "evidence_level", "updated_at"]
    list_prefetch = {
        "interventions": Intervention.objects.only("pk"),
        "areas": Area.objects.only("pk"),
    }
