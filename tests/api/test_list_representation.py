"""A list page's rows are represented by ListedListSerializer's compiled plan: the same
JSON, field for field and in the same order, as DRF's own generic path gives, for every
resource of the API, nulls and nested rows included."""

import json
from unittest import mock

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from config.api import router
from core.api.base import ListedListSerializer
from reporting.models import ExportJob
from tests import factories
from tests.doors import CATEGORY, reference_row, row_in

RESOURCES = [
    (prefix, viewset) for prefix, viewset, _basename in router.registry if hasattr(viewset, "list")
]


@pytest.fixture
def rows_everywhere(area_a, coordinator):
    """Rows of every model, with their relations, and a few with empty links."""
    for model, category in CATEGORY.items():
        if category in ("area", "shared", "deal"):
            row_in(model, area_a)
        elif model is not ExportJob:
            reference_row(model)
    factories.InterventionFactory(area=None, lead_partner=None, end_date=None)
    update = factories.ProgressUpdateFactory(report=factories.AreaReportFactory(area=area_a))
    factories.IndicatorFactory(intervention=update.intervention)


def as_json(data):
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


@pytest.mark.parametrize(("prefix", "viewset"), RESOURCES, ids=[p for p, _v in RESOURCES])
def test_the_compiled_rows_equal_drf_s_own(prefix, viewset, rows_everywhere, coordinator):
    request = Request(APIRequestFactory().get(f"/api/v1/{prefix}/"))
    request.user = coordinator
    serializer_class = viewset.serializer_class
    rows = list(viewset.queryset.for_user(coordinator)[:50])
    assert rows, f"no {prefix} to compare"
    context = {"request": request}

    compiled = serializer_class(rows, many=True, context=context).data
    with mock.patch.object(
        ListedListSerializer, "to_representation", serializers.ListSerializer.to_representation
    ):
        generic = serializer_class(rows, many=True, context=context).data

    assert as_json(compiled) == as_json(generic)
    assert [list(row) for row in compiled] == [list(row) for row in generic]  # field order
