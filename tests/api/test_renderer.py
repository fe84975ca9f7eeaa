"""The API's JSON is written by orjson, byte for byte as DRF's own renderer writes it."""

import datetime
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.exceptions import ErrorDetail

from core.api.renderers import JSONRenderer
from reporting.models import IndicatorValue
from tests import factories
from tests.clients import api_client

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

VALUES = {
    "text": "Rotterdam-Zuid: één gebied, ‘wijken’ & <script>",
    "line separators": "regel\u2028alinea\u2029einde",
    "numbers": [0, -1, 2**63 - 1, 1.5, True, False, None],
    "decimal": Decimal("1234.50"),
    "utc time": datetime.datetime(2026, 12, 6, 17, 5, 1, 123456, tzinfo=datetime.UTC),
    "local time": datetime.datetime(2026, 6, 1, 9, 30, tzinfo=AMSTERDAM),
    "naive time": datetime.datetime(2026, 6, 1, 9, 30),
    "date": datetime.date(2026, 12, 31),
    "clock": datetime.time(23, 59, 59),
    "duration": datetime.timedelta(days=1, seconds=5),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy translation": gettext_lazy("This API token may only read."),
    "error detail": [ErrorDetail("Dit veld is verplicht.", code="required")],
    "tuple": (1, "twee"),
    "number keys": {1: "een", 2: "twee"},
    "nested": {"rows": [{"id": 1, "children": [{"id": 2}]}]},
    "empty": {"list": [], "dict": {}, "text": ""},
    "beyond 64 bits": 2**70,
}


def drf(data, accepted_media_type=None):
    return renderers.JSONRenderer().render(data, accepted_media_type)


@pytest.mark.parametrize("name", VALUES)
def test_each_kind_of_value_is_written_as_drf_writes_it(name):
    data = {name: VALUES[name]}

    assert JSONRenderer().render(data) == drf(data)


def test_line_separators_are_escaped_for_javascript():
    assert JSONRenderer().render(["a\u2028b"]) == b'["a\\u2028b"]'


def test_pretty_printed_json_is_drfs():
    data = {"rows": [1, 2]}
    media_type = "application/json; indent=2"

    assert JSONRenderer().render(data, media_type) == drf(data, media_type)
    assert b'\n  "rows"' in JSONRenderer().render(data, media_type)


def test_nothing_is_written_as_nothing_and_an_unknown_value_is_refused_as_drf_does():
    assert JSONRenderer().render(None) == b""
    with pytest.raises(TypeError):
        JSONRenderer().render({"row": object()})


@pytest.mark.parametrize("prefix", ["interventions", "progress-updates", "area-reports"])
def test_the_api_s_pages_are_drfs_bytes(prefix, area_a, coordinator):
    update = factories.ProgressUpdateFactory(
        report=factories.AreaReportFactory(area=area_a), narrative="Eerste regel\u2028tweede"
    )
    indicator = factories.IndicatorFactory(intervention=update.intervention)
    IndicatorValue.objects.create(update=update, indicator=indicator, value=Decimal("3.50"))

    response = api_client(coordinator).get(f"/api/v1/{prefix}/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json()["results"]
    assert response.content == drf(response.data)
