"""The quarter through Excel in the API: the template of an area's report, and its
import (multipart). Access, locks and every rule are the import service's."""

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.api.permissions import WORKFLOW_PERMISSIONS
from core.api.uploads import (
    UploadSerializer,
    invalid_file,
    refuse_oversized,
    refused_file,
)
from core.spreadsheets.reading import SpreadsheetRefused
from reporting import imports
from reporting.exports.service import export_template
from reporting.models import AreaReport

REPORT_ID = OpenApiParameter(
    "id", int, location=OpenApiParameter.PATH, description="The area report's id."
)


class QuarterImportResultSerializer(serializers.Serializer):
    report_changed = serializers.BooleanField(
        help_text=_("Whether the report's own fields changed.")
    )
    updates_changed = serializers.IntegerField(help_text=_("Progress updates changed."))
    values_created = serializers.IntegerField(help_text=_("Indicator values added."))
    values_changed = serializers.IntegerField(help_text=_("Indicator values changed."))
    values_deleted = serializers.IntegerField(help_text=_("Indicator values removed."))


def _report(request, pk):
    return get_object_or_404(
        AreaReport.objects.for_user(request.user).select_related("area", "period"), pk=pk
    )


class QuarterTemplateView(APIView):
    """An area's quarterly report as an Excel template to fill in offline."""

    queryset = AreaReport.objects.all()  # the model whose permissions the role needs

    @extend_schema(
        operation_id="area_reports_template",
        parameters=[REPORT_ID],
        responses={(200, imports.TEMPLATE_CONTENT_TYPE): OpenApiTypes.BINARY},
    )
    def get(self, request, pk):
        name, exported, content_type = export_template(
            user=request.user, report=_report(request, pk), via="api"
        )
        return FileResponse(exported, as_attachment=True, filename=name, content_type=content_type)


class QuarterImportView(APIView):
    """Import a filled-in template into an area's report: validated as a whole, saved
    only when every row is valid; otherwise 400 with every problem under errors.file
    (sheet, row, column, cell, code, message). A closed quarter or a submitted report
    answers 409."""

    queryset = AreaReport.objects.all()
    permission_classes = WORKFLOW_PERMISSIONS  # the service decides who may import
    parser_classes = [MultiPartParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "exports"  # heavy requests share the exports' budget

    @extend_schema(
        operation_id="area_reports_import",
        parameters=[REPORT_ID],
        request={"multipart/form-data": UploadSerializer},
        responses={200: QuarterImportResultSerializer},
    )
    def post(self, request, pk):
        refuse_oversized(request)
        report = _report(request, pk)
        serializer = UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = imports.import_quarter(
                report=report, user=request.user, upload=serializer.validated_data["file"]
            )
        except SpreadsheetRefused as error:
            return refused_file(error)
        if not result.ok:
            return invalid_file(result.problems)
        return Response(QuarterImportResultSerializer(result.counts()).data)
