"""The reporting resources' serializers: what the API shows and accepts of each row."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.base import (
    ListedListSerializer,
    RegisterSerializer,
    ScopedFieldsMixin,
)
from programme.api.fields import ministry_code_field
from programme.models import ReportingPeriod
from reporting.models import (
    AreaReport,
    Escalation,
    ExportJob,
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
    addressed_to = ministry_code_field(
        _("The code of the ministry (see /api/v1/ministries/), e.g. BZK.")
    )

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


class ExportJobSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    """A quarterly report made in the background (a job, not domain data): the export
    service makes it from these fields."""

    quarter = serializers.PrimaryKeyRelatedField(
        source="period",
        queryset=ReportingPeriod.objects.all(),
        help_text=_("The quarter's id (see /api/v1/quarters/)."),
    )
    progress = serializers.SerializerMethodField(help_text=_("How far the job is, in percent."))
    download = serializers.SerializerMethodField(
        help_text=_("Where to fetch the file once the job is done; null before and after expiry.")
    )

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "quarter",
            "area",
            "format",
            "status",
            "progress",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "file_name",
            "download",
        ]
        read_only_fields = [
            "status",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "file_name",
        ]

    def get_progress(self, job) -> int:
        return job.current_progress()

    def get_download(self, job) -> str | None:
        if job.status != ExportJob.Status.DONE or not job.file:
            return None
        return self.context["request"].build_absolute_uri(
            reverse("exportjob-download", args=[job.pk])
        )
