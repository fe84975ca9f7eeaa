import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import access
from areas.models import Area
from core.api.base import (
    ReadOnlyViewSet,
    ScopedViewSet,
    WritableViewSet,
    etag_of,
)
from core.api.errors import Conflict, Gone
from core.api.filters import parse_id, parse_quarter
from core.api.permissions import WORKFLOW_PERMISSIONS
from programme.models import ReportingPeriod
from reporting import services
from reporting.exports.jobs import made_in_the_request, start_export
from reporting.exports.service import (
    CONTENT_TYPES,
    SUMMARY_CONTENT_TYPES,
    export_quarter,
    export_summary,
)
from reporting.models import (
    AreaReport,
    Escalation,
    ExportJob,
    IndicatorValue,
    ProgressUpdate,
    QuarterTransition,
    ReportTransition,
)
from reporting.selectors import (
    interventions_per_theme,
    interventions_per_track,
    quarter_figures,
)

from .filters import (
    EscalationFilter,
    IndicatorValueFilter,
    QuarterFilterSet,
    QuarterTransitionFilter,
    ReportFilter,
    ReportTransitionFilter,
    UpdateFilter,
)
from .serializers import (
    AreaReportSerializer,
    EscalationSerializer,
    ExportJobSerializer,
    IndicatorValueSerializer,
    ProgressUpdateSerializer,
    QuarterSerializer,
    QuarterTransitionSerializer,
    StepSerializer,
    TransitionSerializer,
)


class QuarterViewSet(WritableViewSet):
    """Quarters. A coordinator opens one (POST), closes and reopens it."""

    queryset = ReportingPeriod.objects.select_related("programme")
    serializer_class = QuarterSerializer
    filterset_class = QuarterFilterSet
    ordering_fields = ["year", "quarter", "deadline"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    throttle_scope = "exports"  # for the export action, the only one throttled

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        period = services.quarter_open(user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(period).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "filetype",
                str,
                enum=sorted(CONTENT_TYPES),
                required=True,
                description="The file type.",
            ),
            OpenApiParameter("area", int, description="An area's id: export only that area."),
        ],
        responses={
            (200, content_type): OpenApiTypes.BINARY for content_type in CONTENT_TYPES.values()
        },
    )
    @action(detail=True, methods=["get"], throttle_classes=[ScopedRateThrottle])
    def export(self, request, pk=None, **kwargs):
        """One area's quarterly report of this quarter as XLSX, CSV (zip) or PDF, made
        while you wait. The whole quarter (or a very large area) is a background job:
        POST /api/v1/export-jobs/."""
        period = self.get_object()
        filetype = request.query_params.get("filetype")
        if filetype not in CONTENT_TYPES:
            raise ValidationError({"filetype": [_("Choose xlsx, csv or pdf.")]})
        area = None
        if request.query_params.get("area"):
            area = (
                Area.objects.for_user(request.user)
                .filter(pk=parse_id(request.query_params["area"], "area"))
                .first()
            )
            if area is None:
                raise NotFound()
        if not made_in_the_request(user=request.user, period=period, area=area):
            raise ValidationError(
                {
                    "area": [
                        _(
                            "The whole quarter, or an area this large, is made in the "
                            "background: POST /api/v1/export-jobs/."
                        )
                    ]
                },
                code="use_export_jobs",
            )
        name, exported, content_type = export_quarter(
            user=request.user, period=period, fmt=filetype, area=area, via="api"
        )
        return FileResponse(exported, as_attachment=True, filename=name, content_type=content_type)

    @extend_schema(request=None, responses=QuarterSerializer)
    @action(detail=True, methods=["post"], permission_classes=WORKFLOW_PERMISSIONS)
    def close(self, request, pk=None, **kwargs):
        period = services.quarter_close(period=self.get_object(), user=request.user)
        return Response(self.get_serializer(period).data)

    @extend_schema(request=StepSerializer, responses=QuarterSerializer)
    @action(detail=True, methods=["post"], permission_classes=WORKFLOW_PERMISSIONS)
    def reopen(self, request, pk=None, **kwargs):
        serializer = StepSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        period = services.quarter_reopen(
            period=self.get_object(),
            user=request.user,
            reason=serializer.validated_data.get("comment", ""),
        )
        return Response(self.get_serializer(period).data)


class AreaReportViewSet(WritableViewSet):
    """Quarterly reports per area, with the workflow steps as actions."""

    queryset = AreaReport.objects.select_related("area", "period").order_by(
        "-period__year", "-period__quarter", "area__name"
    )
    serializer_class = AreaReportSerializer
    filterset_class = ReportFilter
    ordering_fields = ["submitted_at", "status"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @extend_schema(exclude=True)
    def create(self, request, *args, **kwargs):
        self.permission_denied(request, message=_("Reports are made when a quarter opens."))

    def _step(self, request, step):
        serializer = StepSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.report_step(
            report=self.get_object(),
            user=request.user,
            step=step,
            comment=serializer.validated_data.get("comment", ""),
        )
        data = self.get_serializer(report).data
        return Response(data, headers={"ETag": etag_of(data)})

    @extend_schema(request=StepSerializer, responses=AreaReportSerializer)
    @action(detail=True, methods=["post"], permission_classes=WORKFLOW_PERMISSIONS)
    def submit(self, request, pk=None, **kwargs):
        return self._step(request, "submit")

    @extend_schema(request=StepSerializer, responses=AreaReportSerializer)
    @action(detail=True, methods=["post"], permission_classes=WORKFLOW_PERMISSIONS)
    def approve(self, request, pk=None, **kwargs):
        return self._step(request, "approve")

    @extend_schema(
        request=StepSerializer, responses=AreaReportSerializer, operation_id="area_reports_return"
    )
    @action(
        detail=True, methods=["post"], url_path="return", permission_classes=WORKFLOW_PERMISSIONS
    )
    def return_(self, request, pk=None, **kwargs):
        return self._step(request, "return")

    @extend_schema(request=StepSerializer, responses=AreaReportSerializer)
    @action(detail=True, methods=["post"], permission_classes=WORKFLOW_PERMISSIONS)
    def reopen(self, request, pk=None, **kwargs):
        return self._step(request, "reopen")


class ProgressUpdateViewSet(WritableViewSet):
    """Each intervention's update per quarter, with its indicator values."""

    queryset = (
        ProgressUpdate.objects.select_related("period", "intervention")
        .prefetch_related("indicator_values__indicator")
        .order_by("-period__year", "-period__quarter", "intervention_id")
    )
    serializer_class = ProgressUpdateSerializer
    filterset_class = UpdateFilter
    ordering_fields = ["light", "money_spent_to_date"]
    http_method_names = ["get", "put", "patch", "head", "options"]
    list_select_related = ["period"]  # for quarter; the intervention is shown by its id
    list_prefetch = {"indicator_values": IndicatorValue.objects.select_related("indicator")}


class IndicatorValueViewSet(WritableViewSet):
    """Indicator values in the quarterly updates."""

    queryset = IndicatorValue.objects.select_related("indicator", "update")
    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilter


class EscalationViewSet(WritableViewSet):
    """Knelpunten raised to the Rijk, and the Rijk's answers."""

    queryset = Escalation.objects.select_related("report", "addressed_to").order_by(
        "-report__period__year", "pk"
    )
    serializer_class = EscalationSerializer
    filterset_class = EscalationFilter
    search_fields = ["title", "description", "answer"]
    ordering_fields = ["status", "answered_at"]


class ReportTransitionViewSet(ReadOnlyViewSet):
    """The append-only trail of report workflow steps."""

    queryset = ReportTransition.objects.select_related("actor")
    serializer_class = TransitionSerializer
    filterset_class = ReportTransitionFilter


class QuarterTransitionViewSet(ReadOnlyViewSet):
    """The append-only trail of quarters opened, closed and reopened."""

    queryset = QuarterTransition.objects.select_related("actor")
    serializer_class = QuarterTransitionSerializer
    filterset_class = QuarterTransitionFilter


class QuarterlyReportView(APIView):
    """The quarterly report: per area, theme and track, as JSON, CSV or XLSX."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "exports"
    # The report reads areas through the scoped selector; reading reports is enough.
    queryset = AreaReport.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("quarter", str, required=True, description="YYYY-Qn, e.g. 2024-Q3."),
            OpenApiParameter(
                "programme", str, description="Programme code; the latest if left out."
            ),
            OpenApiParameter(
                "download",
                str,
                enum=sorted(SUMMARY_CONTENT_TYPES),
                description="A file instead of JSON.",
            ),
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, SUMMARY_CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
        },
    )
    def get(self, request):
        year, quarter = parse_quarter(request.query_params.get("quarter"))
        periods = ReportingPeriod.objects.filter(year=year, quarter=quarter).order_by(
            "-programme__start_year"
        )
        if request.query_params.get("programme"):
            periods = periods.filter(programme__code=request.query_params["programme"])
        period = get_object_or_404(periods[:1])
        download = request.query_params.get("download")
        if download in SUMMARY_CONTENT_TYPES:
            name, exported, content_type = export_summary(
                user=request.user, period=period, fmt=download, via="api"
            )
            # One row per area: small enough to send whole rather than stream.
            response = HttpResponse(exported.read(), content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        figures = quarter_figures(user=request.user, period=period)
        body = {
            **figures.as_dict(),
            "per_theme": interventions_per_theme(user=request.user, period=period),
            "per_track": interventions_per_track(user=request.user, period=period),
        }
        # Money as strings with two decimals ("1550.50"), as everywhere in the API.
        return Response(json.loads(json.dumps(body, cls=DjangoJSONEncoder)))


class MayRequestExports(permissions.BasePermission):
    def has_permission(self, request, view):
        return access.may_request_exports(request.user)


class ExportJobViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The quarterly report as a file made in the background: POST asks for it (202),
    the job shows its status and progress, and once done its file downloads. A job is
    its requester's alone, and only while they may still see every area it holds."""

    queryset = ExportJob.objects.select_related("period", "area")
    serializer_class = ExportJobSerializer
    permission_classes = [permissions.IsAuthenticated, MayRequestExports]
    throttle_scope = "exports"
    filter_backends = []

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.action == "create" else []

    def get_object(self):
        job = super().get_object()
        if not access.may_use_job(self.request.user, job):
            raise NotFound()
        return job

    @extend_schema(responses={202: ExportJobSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = start_export(
            user=request.user,
            period=data["period"],
            fmt=data["format"],
            area=data.get("area"),
            via="api",
            page_url=lambda job: request.build_absolute_uri(
                reverse("pages:export-job", args=[job.pk])
            ),
        )
        job.refresh_from_db()  # as the worker left it, when it ran in-process
        body = self.get_serializer(job).data
        location = request.build_absolute_uri(reverse("exportjob-detail", args=[job.pk]))
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})

    @extend_schema(
        request=None,
        responses={
            **{(200, content_type): OpenApiTypes.BINARY for content_type in CONTENT_TYPES.values()},
            409: OpenApiTypes.OBJECT,
            410: OpenApiTypes.OBJECT,
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None, **kwargs):
        """The job's file, once it is done (409 before, 410 after it expired)."""
        job = self.get_object()
        if job.status != ExportJob.Status.DONE:
            raise Conflict(detail=_("The file is not ready yet."), code="not_ready")
        if not job.file:
            raise Gone()
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=job.file_name,
            content_type=job.content_type,
        )

    @extend_schema(request=None, responses={202: ExportJobSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None, **kwargs):
        """Try a failed job again (409 for a job that did not fail)."""
        job = self.get_object()
        try:
            job.retry()
        except DjangoValidationError as error:
            raise Conflict(detail=error.messages[0], code="not_failed") from error
        job.refresh_from_db()
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)
