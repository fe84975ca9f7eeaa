from rest_framework import serializers

from core.api.base import RegisterSerializer

from ..models import AreaGoal, ContextMeasure, ContextValue


class ContextMeasureSerializer(RegisterSerializer):
    class Meta:
        model = ContextMeasure
        fields = [
            "id",
            "code",
            "name_nl",
            "name_en",
            "definition",
            "unit",
            "decimals",
            "direction",
            "aggregation",
            "source_kind",
            "source",
            "cbs_variable",
            "leefbaarometer_column",
            "licence",
            "classes",
        ]


class ContextValueSerializer(RegisterSerializer):
    measure = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ContextValue
        fields = [
            "id",
            "measure",
            "geo_level",
            "geo_code",
            "geo_year",
            "area",
            "year",
            "value",
            "status",
            "method",
            "source_import",
        ]


class AreaGoalSerializer(RegisterSerializer):
    class Meta:
        model = AreaGoal
        fields = [
            "id",
            "area",
            "measure",
            "baseline_year",
            "baseline_value",
            "target_year",
            "target_value",
            "target_reference",
            "note",
            "version",
        ]
        read_only_fields = ["version"]
