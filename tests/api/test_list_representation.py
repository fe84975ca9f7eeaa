"""A list page's rows are represented by ListedListSerializer's compiled plan: the same
JSON, field for field and in the same order, as DRF's own generic path gives, for every
resource of the API, nulls and nested rows included."""

import json
from decimal import Decimal
from unittest import mock

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from config.api import router
from core.api.base import ListedListSerializer
from interventions.models import Intervention
from reporting.models import ExportJob, IndicatorValue, ProgressUpdate
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


@pytest.mark.parametrize(("prefix", "viewset"), RESOURCES, ids=[p for p, _v in RESOURCES])
def test_a_list_page_shows_each_row_as_its_detail_does(
    prefix, viewset, rows_everywhere, area_a, coordinator, client_for
):
    """Lists read rows, to-many links and nested rows as values where their fields allow
    (``ListPlan``), the detail reads them through the models: both show the same, empty
    links included."""
    update = factories.ProgressUpdateFactory(
        report=factories.AreaReportFactory(area=area_a), money_spent_to_date=Decimal("1000")
    )  # a whole number: the list and the detail both show it with its two places
    factories.FundingLineFactory(intervention=update.intervention, year=None, note="")
    indicator = factories.IndicatorFactory(intervention=update.intervention, baseline_value=None)
    IndicatorValue.objects.create(update=update, indicator=indicator, value=Decimal("3.50"))
    client = client_for(coordinator)
    listed = client.get(f"/api/v1/{prefix}/?page_size=100").json()["results"]
    assert listed, f"no {prefix} to compare"
    if viewset.list_prefetch:
        assert any(row[name] for row in listed for name in viewset.list_prefetch), (
            "no relation filled"
        )
    for row in listed:
        detail = client.get(f"/api/v1/{prefix}/{row['id']}/").json()
        assert row == detail
        assert list(row) == list(detail)
    if prefix == "progress-updates":
        shown = next(row for row in listed if row["id"] == update.pk)
        assert shown["money_spent_to_date"] == "1000.00"
        assert [value["value"] for value in shown["indicator_values"]] == ["3.50"]


@pytest.mark.parametrize(
    ("prefix", "model"),
    [("interventions", Intervention), ("progress-updates", ProgressUpdate)],
)
def test_the_busiest_lists_build_no_model_instance_of_their_rows(
    prefix, model, rows_everywhere, coordinator, client_for
):
    """The lists reporting tools read most are shown from values alone (the lever that
    keeps them near their SQL's speed): a field that would need the model instance,
    added to their serializers, makes this fail instead of slowing them silently."""
    client = client_for(coordinator)
    with mock.patch.object(model, "from_db", side_effect=AssertionError("an instance")):
        response = client.get(f"/api/v1/{prefix}/")
    assert response.status_code == 200
    assert response.json()["results"]
