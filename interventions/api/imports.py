"""Importing interventions from a sheet in the API (programme coordinators), with a
dry run that answers what would change."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import access
from core.api.permissions import WORKFLOW_PERMISSIONS
from core.api.uploads import (
    UploadSerializer,
    invalid_file,
    refuse_oversized,
    refused_file,
)
from core.spreadsheets.reading import SpreadsheetRefused
from interventions import imports
from interventions.models import Intervention


class PlannedInterventionSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text=_("The row number in the sheet."))
    code = serializers.CharField(help_text=_("The intervention's code."))
    title = serializers.CharField(help_text=_("The intervention's title."))
    action = serializers.ChoiceField(
        choices=["create", "update", "unchanged"], help_text=_("What the import does.")
    )
    changes = serializers.ListField(
        child=serializers.CharField(), help_text=_("The fields that change.")
    )
    funding_created = serializers.IntegerField(help_text=_("Funding lines added."))
    funding_changed = serializers.IntegerField(help_text=_("Funding lines changed."))
    funding_deleted = serializers.IntegerField(help_text=_("Funding lines removed."))


class InterventionImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(help_text=_("True: nothing has been saved."))
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=_("Interventions created, updated, unchanged; funding lines."),
    )
    plan = PlannedInterventionSerializer(many=True, help_text=_("Per row, what changes."))


class InterventionImportView(APIView):
    """Create or update interventions by code from a sheet, with their funding lines.
    With dry_run=true (the default) nothing is saved and the answer says what would
    change; with dry_run=false the whole file is applied, or nothing when any row is
    wrong (400 with every problem under errors.file)."""

    queryset = Intervention.objects.all()
    permission_classes = WORKFLOW_PERMISSIONS  # the service decides: coordinators only
    parser_classes = [MultiPartParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "exports"

    @extend_schema(
        operation_id="interventions_import",
        parameters=[
            OpenApiParameter(
                "dry_run",
                OpenApiTypes.BOOL,
                description="true (default): only check and preview; false: apply.",
            )
        ],
        request={"multipart/form-data": UploadSerializer},
        responses={200: InterventionImportResultSerializer},
    )
    def post(self, request):
        refuse_oversized(request)
        if not access.may_import_interventions(request.user):
            self.permission_denied(request)
        dry_run = request.query_params.get("dry_run", "true").lower() not in ("false", "0")
        serializer = UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = imports.import_interventions(
                user=request.user, upload=serializer.validated_data["file"], dry_run=dry_run
            )
        except SpreadsheetRefused as error:
            return refused_file(error)
        if not result.ok:
            return invalid_file(result.problems)
        data = {
            "dry_run": dry_run,
            "counts": result.counts(),
            "plan": [item.as_dict() for item in result.plan],
        }
        return Response(InterventionImportResultSerializer(data).data)
