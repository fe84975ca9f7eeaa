from core.api.base import ReadOnlyViewSet, WritableViewSet

from ..models import AreaGoal, ContextMeasure, ContextValue
from .filters import AreaGoalFilter, ContextValueFilter
from .serializers import AreaGoalSerializer, ContextMeasureSerializer, ContextValueSerializer


class ContextMeasureViewSet(ReadOnlyViewSet):
    """The area monitor's measures, each with its source and licence."""

    queryset = ContextMeasure.objects.all()
    serializer_class = ContextMeasureSerializer
    search_fields = ["code", "name_nl", "name_en"]
    ordering_fields = ["position", "code"]


class ContextValueViewSet(ReadOnlyViewSet):
    """Context figures per place and year: an area's own figures within your areas, and
    the public figures of neighbourhoods, municipalities and the Netherlands."""

    queryset = ContextValue.objects.select_related("measure").order_by(
        "measure__position", "geo_level", "geo_code", "year", "pk"
    )
    serializer_class = ContextValueSerializer
    filterset_class = ContextValueFilter
    ordering_fields = ["year", "geo_code", "value"]


class AreaGoalViewSet(WritableViewSet):
    """Goals per area and measure: a baseline and an ambition (a value, or the level of
    a reference place by a target year). Coordinators set them; liaisons read them."""

    queryset = AreaGoal.objects.select_related("area", "measure").order_by("area__name", "pk")
    serializer_class = AreaGoalSerializer
    filterset_class = AreaGoalFilter
    ordering_fields = ["target_year"]
