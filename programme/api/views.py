import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.base import ReadOnlyViewSet, RegisterSerializer
from programme.models import Ministry, Programme, Theme, Track


class ProgrammeTrackSerializer(RegisterSerializer):
    class Meta:
        model = Track
        fields = ["id", "kind", "number", "name"]


class ProgrammeSerializer(RegisterSerializer):
    tracks = ProgrammeTrackSerializer(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "code",
            "name",
            "start_year",
            "end_year",
            "predecessor",
            "description",
            "tracks",
        ]


class TrackSerializer(RegisterSerializer):
    programme_code = serializers.CharField(source="programme.code", read_only=True)

    class Meta:
        model = Track
        fields = ["id", "programme", "programme_code", "kind", "number", "name", "description"]


class ThemeSerializer(RegisterSerializer):
    class Meta:
        model = Theme
        fields = ["id", "code", "name_nl", "name_en"]


class TrackFilter(django_filters.FilterSet):
    programme = django_filters.CharFilter(
        field_name="programme__code", label=_("Programme code, e.g. nplv-2022.")
    )
    number = django_filters.NumberFilter(label=_("Track number, e.g. 1 for spoor 1."))

    class Meta:
        model = Track
        fields = ["programme", "kind", "number"]


class ProgrammeViewSet(ReadOnlyViewSet):
    """The programmes: the 2020 programme and its successors."""

    queryset = Programme.objects.prefetch_related("tracks")
    serializer_class = ProgrammeSerializer
    ordering_fields = ["start_year", "code"]
    search_fields = ["name", "code"]


class TrackViewSet(ReadOnlyViewSet):
    """The tracks (sporen) of the 2020 programme and the NPLV's lines of action."""

    queryset = Track.objects.select_related("programme")
    serializer_class = TrackSerializer
    filterset_class = TrackFilter
    ordering_fields = ["number"]


class ThemeViewSet(ReadOnlyViewSet):
    """The themes (opgaven): education, work, safety, housing, health, youth …"""

    queryset = Theme.objects.all()
    serializer_class = ThemeSerializer
    search_fields = ["name_nl", "name_en", "code"]
    ordering_fields = ["name_nl", "code"]


class MinistrySerializer(RegisterSerializer):
    class Meta:
        model = Ministry
        fields = ["id", "code", "abbreviation", "name_nl", "name_en", "active"]


class MinistryFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter(label=_("Only active (true) or inactive (false)."))

    class Meta:
        model = Ministry
        fields = ["active"]


class MinistryViewSet(ReadOnlyViewSet):
    """The ministries of the Rijk: escalations name theirs by its code."""

    queryset = Ministry.objects.all()
    serializer_class = MinistrySerializer
    filterset_class = MinistryFilter
    search_fields = ["code", "abbreviation", "name_nl", "name_en"]
    ordering_fields = ["ordering", "code"]
