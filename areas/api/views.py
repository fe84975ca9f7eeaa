import django_filters
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from areas.models import (
    Area,
    AreaDocument,
    AreaPartner,
    GovernanceArrangement,
    Municipality,
    Neighbourhood,
    Partner,
    Province,
    RegioDeal,
)
from core import documents
from core.api.base import ReadOnlyViewSet, RegisterSerializer, WritableViewSet
from core.api.filters import id_filter
from core.scoping import policy
from programme.api.fields import ministry_code_field, ministry_code_filter


class MunicipalitySerializer(RegisterSerializer):
    class Meta:
        model = Municipality
        fields = ["id", "cbs_code", "name", "province"]


class NeighbourhoodSerializer(RegisterSerializer):
    class Meta:
        model = Neighbourhood
        fields = ["id", "area", "name", "kind", "cbs_code", "cbs_year"]


class AreaSerializer(RegisterSerializer):
    municipality_name = serializers.CharField(source="municipality.name", read_only=True)
    cbs_municipality_code = serializers.CharField(source="municipality.cbs_code", read_only=True)
    province = serializers.CharField(source="municipality.province", read_only=True)
    neighbourhoods = NeighbourhoodSerializer(many=True, read_only=True)
    rijk_contact_ministry = ministry_code_field(
        _("The code of the Rijk contact's ministry, e.g. VRO."), allow_null=True, required=False
    )

    class Meta:
        model = Area
        fields = [
            "id",
            "code",
            "name",
            "aliases",
            "municipality",
            "municipality_name",
            "cbs_municipality_code",
            "province",
            "tracks",
            "woondeal_region",
            "population_thousands",
            "population_year",
            "description",
            "neighbourhoods",
            "rijk_contact_name",
            "rijk_contact_ministry",
            "rijk_contact_email",
        ]
        # Which tracks an area takes part in, and where it lies, is the ministry's call.
        read_only_fields = ["code", "municipality", "tracks"]


class PartnerSerializer(RegisterSerializer):
    ministry = ministry_code_field(
        _("The code of the ministry, e.g. VRO; only for a partner of the kind ministry."),
        allow_null=True,
        required=False,
    )

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "kind",
            "ministry",
            "website",
            "contact_name",
            "contact_role",
            "contact_email",
        ]


class AreaPartnerSerializer(RegisterSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)

    class Meta:
        model = AreaPartner
        fields = [
            "id",
            "area",
            "partner",
            "partner_name",
            "role",
            "role_description",
            "start_date",
            "end_date",
        ]


class GovernanceSerializer(RegisterSerializer):
    class Meta:
        model = GovernanceArrangement
        fields = [
            "id",
            "area",
            "kind",
            "name",
            "regio_deal",
            "chair",
            "start_date",
            "end_date",
            "description",
            "document_url",
        ]
        read_only_fields = ["regio_deal"]


class RegioDealSerializer(RegisterSerializer):
    cofinancing_warning = serializers.CharField(read_only=True)

    class Meta:
        model = RegioDeal
        fields = [
            "id",
            "name",
            "areas",
            "state_contribution",
            "regional_contribution",
            "start_year",
            "end_year",
            "cofinancing_warning",
        ]


TRACK = _("Track id.")
PROGRAMME = _("Programme code, e.g. nplv-2022.")
PROVINCE = _("Province code, e.g. ZH.")


class AreaFilter(django_filters.FilterSet):
    track = id_filter("tracks", TRACK)
    programme = django_filters.CharFilter(field_name="tracks__programme__code", label=PROGRAMME)
    municipality = django_filters.CharFilter(
        field_name="municipality__cbs_code", label=_("CBS municipality code, e.g. GM0363.")
    )
    province = django_filters.ChoiceFilter(
        field_name="municipality__province", choices=Province.choices, label=PROVINCE
    )

    class Meta:
        model = Area
        fields = ["track", "programme", "municipality", "province"]


class PartnerFilter(django_filters.FilterSet):
    ministry = ministry_code_filter()

    class Meta:
        model = Partner
        fields = ["kind", "ministry"]


class AreaRowFilter(django_filters.FilterSet):
    """For rows of one area: filter by the area's id or code."""

    area = id_filter("area", _("Area id."))
    area_code = django_filters.CharFilter(field_name="area__code", label=_("Area code."))


class NeighbourhoodFilter(AreaRowFilter):
    class Meta:
        model = Neighbourhood
        fields = ["area", "area_code", "kind"]


class AreaPartnerFilter(AreaRowFilter):
    partner = id_filter("partner", _("Partner id."))

    class Meta:
        model = AreaPartner
        fields = ["area", "area_code", "partner", "role"]


class GovernanceFilter(AreaRowFilter):
    class Meta:
        model = GovernanceArrangement
        fields = ["area", "area_code", "kind"]


class MunicipalityViewSet(ReadOnlyViewSet):
    """Municipalities with their CBS code and province."""

    queryset = Municipality.objects.all()
    serializer_class = MunicipalitySerializer
    filterset_fields = ["province"]
    search_fields = ["name", "cbs_code"]
    ordering_fields = ["name", "cbs_code"]


class AreaViewSet(WritableViewSet):
    """Areas (gebieden) with their municipality and neighbourhoods."""

    queryset = (
        Area.objects.select_related("municipality", "rijk_contact_ministry")
        .prefetch_related("tracks", "neighbourhoods")
        .order_by("name")
    )
    serializer_class = AreaSerializer
    filterset_class = AreaFilter
    search_fields = ["name", "aliases", "code", "municipality__name"]
    ordering_fields = ["name", "population_thousands"]
    http_method_names = ["get", "put", "patch", "head", "options"]
    distinct_filters = ["track", "programme"]


class NeighbourhoodViewSet(WritableViewSet):
    """Wijken and buurten of the areas."""

    queryset = Neighbourhood.objects.select_related("area")
    serializer_class = NeighbourhoodSerializer
    filterset_class = NeighbourhoodFilter
    search_fields = ["name", "cbs_code"]
    ordering_fields = ["name"]


class PartnerViewSet(WritableViewSet):
    """Partner organisations (a shared directory)."""

    queryset = Partner.objects.select_related("ministry")
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter
    search_fields = ["name"]
    ordering_fields = ["name"]


class AreaPartnerViewSet(WritableViewSet):
    """Partnerships: a partner's role in one area."""

    queryset = AreaPartner.objects.select_related("partner", "area")
    serializer_class = AreaPartnerSerializer
    filterset_class = AreaPartnerFilter
    ordering_fields = ["start_date"]


class GovernanceViewSet(WritableViewSet):
    """Governance arrangements: steering groups, covenants, Regio Deals …"""

    queryset = GovernanceArrangement.objects.select_related("area")
    serializer_class = GovernanceSerializer
    filterset_class = GovernanceFilter
    search_fields = ["name", "chair"]
    ordering_fields = ["name", "start_date"]


class RegioDealViewSet(ReadOnlyViewSet):
    """Regio Deals with their state and regional contributions."""

    queryset = RegioDeal.objects.prefetch_related("areas")
    serializer_class = RegioDealSerializer
    search_fields = ["name"]
    ordering_fields = ["name", "start_year"]


class AreaDocumentSerializer(RegisterSerializer):
    file = serializers.FileField(
        write_only=True,
        help_text=_("PDF, DOCX, XLSX or ODT, at most 20 MB; judged by its content."),
    )
    uploaded_by = serializers.StringRelatedField(read_only=True)
    download = serializers.SerializerMethodField(
        help_text=_("Where the file downloads (signed-in users of the area only).")
    )

    class Meta:
        model = AreaDocument
        fields = [
            "id",
            "area",
            "kind",
            "title",
            "file",
            "content_type",
            "uploaded_by",
            "uploaded_at",
            "download",
        ]
        read_only_fields = ["content_type", "uploaded_at"]

    def get_download(self, document) -> str:
        return reverse("areadocument-download", args=[document.pk])

    def validate(self, attrs):
        if self.instance is None or "file" in attrs:
            # Whoever sends the file uploaded it; the history keeps each earlier uploader.
            attrs = {
                **attrs,
                "uploaded_by": self.context["request"].user,
                "uploaded_at": timezone.now(),
            }
        return super().validate(attrs)


class AreaDocumentFilter(AreaRowFilter):
    class Meta:
        model = AreaDocument
        fields = ["area", "area_code", "kind"]


class AreaDocumentViewSet(WritableViewSet):
    """The documents of the areas' dossiers (covenant, analysis, MKBA, plan, decision).
    Upload with multipart/form-data; the file itself comes from download/."""

    queryset = AreaDocument.objects.select_related("uploaded_by").order_by("area_id", "pk")
    serializer_class = AreaDocumentSerializer
    filterset_class = AreaDocumentFilter
    search_fields = ["title"]
    ordering_fields = ["title", "uploaded_at"]

    @extend_schema(
        responses={
            **{(200, kind): OpenApiTypes.BINARY for kind in documents.EXTENSIONS},
            404: OpenApiTypes.OBJECT,
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None, **kwargs):
        """The document's file, as an attachment."""
        document = self.get_object()
        if not policy().may_take_document(request.user, document):
            raise Http404
        return documents.download(
            document.file, title=document.title, content_type=document.content_type
        )
