"""The reporting resources' serializers: what the API shows and accepts of each row."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.base import (
    ListedListSerializer,
    RegisterSerializer,
)
from programme.models import ReportingPeriod
from reporting.models import (
    AreaReport,
    Escalation,
    IndicatorValue,
    ProgressUpdate,
    QuarterTransition,
    ReportTransition,
)


class QuarterSerializer(RegisterSerializer):
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    label = serializers.CharField(read_only=True, help_text=_("The quarter as YYYY-Qn."))

    class Meta:
        model = ReportingPeriod
        fields = [
            "id",
            "programme",
            "programme_code",
            "label",
            "year",
            "quarter",
            "deadline",
            "status",
        ]
        read_only_fields = ["status"]


class StepSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Why: required when returning or reopening."),
    )


class IndicatorValueSerializer(RegisterSerializer):
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)

    class Meta:
        model = IndicatorValue
        fields = ["id", "update", "indicator", "indicator_name", "value", "carried_over"]
        read_only_fields = ["carried_over"]
        list_serializer_class = ListedListSerializer


class ProgressUpdateSerializer(RegisterSerializer):
    quarter = serializers.CharField(source="period.label", read_only=True)
    indicator_values = IndicatorValueSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "intervention",
            "period",
            "quarter",
            "report",
            "light",
            "narrative",
            "results",
            "money_spent_to_date",
            "risks",
            "carried_over",
            "version",
            "indicator_values",
        ]
        read_only_fields = ["intervention", "period", "report", "carried_over", "version"]


class AreaReportSerializer(RegisterSerializer):
    quarter = serializers.CharField(source="period.label", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    is_late = serializers.BooleanField(read_only=True)

    class Meta:
        model = AreaReport
        fields = [
            "id",
            "area",
            "area_name",
            "period",
            "quarter",
            "status",
            "overall_light",
            "narrative",
            "governance_progress",
            "submitted_at",
            "reviewed_at",
            "is_late",
            "version",
        ]
        read_only_fields = ["area", "period", "version"]


class EscalationSerializer(RegisterSerializer):
    class Meta:
        model = Escalation
        fields = [
            "id",
            "report",
            "title",
            "description",
            "kind",
            "addressed_to",
            "status",
            "answer",
            "answered_at",
            "version",
        ]
        read_only_fields = ["version"]


class TransitionSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = ReportTransition
        fields = ["id", "report", "actor", "at", "from_status", "to_status", "comment"]


class QuarterTransitionSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = QuarterTransition
        fields = ["id", "period", "actor", "at", "from_status", "to_status", "comment"]
