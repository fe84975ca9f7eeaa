"""The quarterly report endpoint: figures equal the database, only what the user may
see, CSV and XLSX safe against formula injection, clear errors, and a throttle."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db.models import Sum
from openpyxl import load_workbook
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from accounts import roles
from accounts.models import ApiToken
from interventions.models import FundingLine, Intervention
from reporting.exports.tables import SUMMARY_KEYS as SUMMARY_COLUMNS
from reporting.models import AreaReport, Escalation, Light, ProgressUpdate
from tests import factories
from tests.clients import api_client
from tests.conftest import make_user

URL = "/api/v1/quarterly-report/"
ERROR_KEYS = {"status", "code", "detail", "errors"}
HOSTILE = ['=HYPERLINK("http://evil.example","klik")', "+31-6-1234", "@SUM(A1:A9)"]


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The export throttle counts in the cache: every test starts with a clean count."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def analyst(db):
    """A reporting client: a viewer's read-only token."""
    user = make_user("analist@example.org", roles.VIEWER)
    _token, key = ApiToken.objects.create(user=user, name="Power BI", can_write=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def assert_error(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["status"] == status
    return body


def money(value):
    """A money figure from the JSON, exactly as a Decimal (whether sent as a string or
    a number)."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.fixture
def programme(track):
    return track.programme


@pytest.fixture
def data(programme, track, area_a, area_b):
    """Two areas in 2026-Q4: A submitted, B still a draft; programme-wide work; and an
    earlier quarter whose figures must not count."""
    period = factories.ReportingPeriodFactory(programme=programme, year=2026, quarter=4)
    earlier = factories.ReportingPeriodFactory(programme=programme, year=2026, quarter=3)
    youth = factories.ThemeFactory(code="jeugd", name_nl="Jeugd", name_en="Youth")
    safety = factories.ThemeFactory(code="veiligheid", name_nl="Veiligheid", name_en="Safety")

    a_running = factories.InterventionFactory(area=area_a, themes=[youth])
    a_preparing = factories.InterventionFactory(
        area=area_a, themes=[youth, safety], status=Intervention.Status.PREPARING
    )
    b_running = factories.InterventionFactory(area=area_b, themes=[safety])
    wide = factories.InterventionFactory(area=None, track=track, themes=[youth])

    for intervention, amounts in [
        (a_running, ["1000.00", "250.50"]),
        (a_preparing, ["300.00"]),
        (b_running, ["777777.77"]),
        (wide, ["5000.00"]),
    ]:
        for amount in amounts:
            factories.FundingLineFactory(intervention=intervention, amount=Decimal(amount))

    report_a = factories.AreaReportFactory(area=area_a, period=period, overall_light=Light.GREEN)
    report_a.status = AreaReport.Status.SUBMITTED
    report_a.save()
    report_b = factories.AreaReportFactory(area=area_b, period=period)
    factories.ProgressUpdateFactory(
        report=report_a, intervention=a_running, light=Light.GREEN, money_spent_to_date="400.25"
    )
    factories.ProgressUpdateFactory(
        report=report_a, intervention=a_preparing, light=Light.AMBER, money_spent_to_date="100.00"
    )
    factories.ProgressUpdateFactory(
        report=report_b, intervention=b_running, light=Light.RED, money_spent_to_date="333333.33"
    )
    factories.ProgressUpdateFactory(
        report=None,
        intervention=wide,
        period=period,
        light=Light.GREEN,
        money_spent_to_date="50.00",
    )
    factories.EscalationFactory(report=report_b)
    factories.EscalationFactory(report=report_b, status=Escalation.Status.RESOLVED)

    earlier_a = factories.AreaReportFactory(area=area_a, period=earlier)
    factories.ProgressUpdateFactory(
        report=earlier_a, intervention=a_running, light=Light.RED, money_spent_to_date="99999.00"
    )
    return period


def expected_row(area, period):
    interventions = Intervention.objects.filter(area=area, track__programme=period.programme)
    updates = ProgressUpdate.objects.filter(period=period, intervention__area=area)
    committed = FundingLine.objects.filter(intervention__in=interventions).aggregate(
        total=Sum("amount")
    )["total"]
    spent = updates.aggregate(total=Sum("money_spent_to_date"))["total"]
    report = AreaReport.objects.get(area=area, period=period)
    return {
        "area": area.name,
        "report_status": report.status,
        "overall_light": report.overall_light or None,
        "interventions": interventions.count(),
        **{
            f"interventions_{status}": interventions.filter(status=status).count()
            for status in Intervention.Status.values
        },
        **{f"updates_{light}": updates.filter(light=light).count() for light in Light.values},
        "money_committed": committed or Decimal("0.00"),
        "money_spent": spent or Decimal("0.00"),
        "open_escalations": Escalation.objects.filter(report=report)
        .exclude(status__in=[Escalation.Status.RESOLVED, Escalation.Status.DECLINED])
        .count(),
    }


def comparable(row):
    return {
        key: money(value) if key.startswith("money_") else value
        for key, value in row.items()
        if key != "area_id"
    }


def test_an_analysts_token_reads_figures_equal_to_the_database(analyst, data, area_a, area_b):
    response = analyst.get(URL, {"quarter": "2026-Q4"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["quarter"] == "2026-Q4"
    assert body["programme"] == data.programme.code

    rows = {row["area"]: row for row in body["per_area"]}
    assert set(rows) == {area_a.name, area_b.name}
    for area in (area_a, area_b):
        assert comparable(rows[area.name]) == expected_row(area, data), area.name
        assert rows[area.name]["area_id"] == area.pk

    # Spot checks against the fixture, so a shared mistake cannot hide.
    assert money(rows[area_a.name]["money_committed"]) == Decimal("1550.50")
    assert money(rows[area_a.name]["money_spent"]) == Decimal("500.25")  # not Q3's 99999
    assert (rows[area_a.name]["updates_green"], rows[area_a.name]["updates_amber"]) == (1, 1)
    assert rows[area_b.name]["updates_red"] == 1
    assert rows[area_b.name]["open_escalations"] == 1
    assert body["not_submitted"] == [area_b.name]

    themes = {row["theme"]: row["interventions"] for row in body["per_theme"]}
    assert themes == {"jeugd": 3, "veiligheid": 2}
    tracks = body["per_track"]
    assert len(tracks) == 1
    assert tracks[0]["interventions"] == Intervention.objects.count() == 4
    assert (
        money(tracks[0]["money_committed"]) == FundingLine.objects.aggregate(t=Sum("amount"))["t"]
    )

    wide = body["programme_wide"]
    assert wide["interventions"] == 1
    assert money(wide["money_committed"]) == Decimal("5000.00")
    assert money(wide["money_spent"]) == Decimal("50.00")

    totals = body["totals"]
    for key in ("money_committed", "money_spent"):
        assert money(totals[key]) == sum(money(r[key]) for r in body["per_area"])
    for light in Light.values:
        key = f"updates_{light}"
        assert totals[key] == sum(r[key] for r in body["per_area"])


def test_a_returned_report_counts_as_not_submitted(analyst, data, area_a):
    report = AreaReport.objects.get(area=area_a, period=data)
    report.status = AreaReport.Status.RETURNED
    report.save()
    body = analyst.get(URL, {"quarter": "2026-Q4"}).json()
    assert sorted(body["not_submitted"]) == sorted(r["area"] for r in body["per_area"])


def test_a_programme_code_picks_the_programme(analyst, data):
    ok = analyst.get(URL, {"quarter": "2026-Q4", "programme": data.programme.code})
    assert ok.status_code == 200
    assert ok.json()["programme"] == data.programme.code
    assert_error(analyst.get(URL, {"quarter": "2026-Q4", "programme": "bestaat-niet"}), 404)


def test_a_liaison_sees_only_their_own_area(liaison_a, data, area_a, area_b):
    client = api_client(liaison_a)
    for params in (
        {"quarter": "2026-Q4"},
        {"quarter": "2026-Q4", "download": "csv"},
        {"quarter": "2026-Q4", "download": "xlsx"},
    ):
        response = client.get(URL, params)
        assert response.status_code == 200, (params, response.content)
        if "download" in params:
            continue
        text = response.content.decode()
        body = response.json()
        assert [row["area"] for row in body["per_area"]] == [area_a.name]
        assert area_b.name not in text
        for secret in ("777777.77", "777777", "333333.33", "333333"):
            assert secret not in text
        assert body["not_submitted"] == []
        # The programme-wide work is everyone's.
        assert body["programme_wide"]["interventions"] == 1
        assert money(body["programme_wide"]["money_committed"]) == Decimal("5000.00")
        # Per theme and track: only A's and the programme-wide work.
        themes = {row["theme"]: row["interventions"] for row in body["per_theme"]}
        assert themes == {"jeugd": 3, "veiligheid": 1}
        assert body["per_track"][0]["interventions"] == 3
        assert money(body["per_track"][0]["money_committed"]) == Decimal("6550.50")
        assert money(body["totals"]["money_committed"]) == Decimal("1550.50")

    csv_text = client.get(URL, {"quarter": "2026-Q4", "download": "csv"}).content.decode("utf-8")
    assert area_b.name not in csv_text and "777777" not in csv_text
    workbook = load_workbook(
        io.BytesIO(client.get(URL, {"quarter": "2026-Q4", "download": "xlsx"}).content)
    )
    cells = [v for row in workbook.active.iter_rows(values_only=True) for v in row]
    assert area_b.name not in cells
    assert not any(isinstance(v, str) and "777777" in v for v in cells)
    assert not any(isinstance(v, (int, float, Decimal)) and v > 700000 for v in cells)


def hostile_areas(track, period):
    areas = []
    for name in HOSTILE:
        area = factories.AreaFactory(name=name, tracks=[track])
        factories.AreaReportFactory(area=area, period=period)
        areas.append(area)
    return areas


def text_of(name):
    """How a typed name is written to a spreadsheet: as text, never as a formula."""
    return "'" + name if name[:1] in "=+-@\t\r" else name


def comparable_csv(row):
    return {c: str(money(v)) if c.startswith("money_") else v for c, v in row.items()}


def as_csv(column, value):
    if column == "area":
        return text_of(value)
    if column.startswith("money_"):
        return str(money(value))
    return "" if value is None else str(value)


def test_the_csv_download(analyst, data, track, area_a, area_b):
    hostile_areas(track, data)
    response = analyst.get(URL, {"quarter": "2026-Q4", "download": "csv"})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    assert "utf-8" in response["Content-Type"].lower()
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, *body = rows
    assert header == SUMMARY_COLUMNS
    by_area = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert len(body) == len(by_area) == AreaReport.objects.filter(period=data).count() == 5
    assert {area_a.name, area_b.name} <= set(by_area)
    for name in HOSTILE:
        assert name not in by_area  # never written as it was typed
        assert "'" + name in by_area
    row_a = by_area[area_a.name]
    assert money(row_a["money_committed"]) == Decimal("1550.50")
    assert money(row_a["money_spent"]) == Decimal("500.25")
    assert row_a["report_status"] == "submitted"
    # The same rows as the JSON, cell by cell (money compared as amounts).
    assert {name: comparable_csv(row) for name, row in by_area.items()} == {
        text_of(row["area"]): comparable_csv({c: as_csv(c, row[c]) for c in SUMMARY_COLUMNS})
        for row in analyst.get(URL, {"quarter": "2026-Q4"}).json()["per_area"]
    }


def test_csv_money_has_two_decimals(analyst, data):
    response = analyst.get(URL, {"quarter": "2026-Q4", "download": "csv"})
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    amounts = [row[c] for row in reader for c in ("money_committed", "money_spent")]
    assert amounts
    assert all(re.fullmatch(r"\d+\.\d\d", amount) for amount in amounts), amounts


def test_json_money_is_a_two_place_decimal_string(analyst, data):
    body = analyst.get(URL, {"quarter": "2026-Q4"}).json()
    amounts = [row[c] for row in body["per_area"] for c in ("money_committed", "money_spent")]
    amounts += [body["totals"]["money_committed"], body["programme_wide"]["money_committed"]]
    amounts += [row["money_committed"] for row in body["per_track"]]
    assert all(isinstance(a, str) and re.fullmatch(r"\d+\.\d\d", a) for a in amounts), amounts


def test_the_xlsx_download(analyst, data, track, area_a, area_b):
    hostile_areas(track, data)
    response = analyst.get(URL, {"quarter": "2026-Q4", "download": "xlsx"})
    assert response.status_code == 200, response.content
    assert "spreadsheetml" in response["Content-Type"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    header, *rows = list(sheet.iter_rows())
    assert [cell.value for cell in header] == SUMMARY_COLUMNS
    assert len(rows) == 5
    names = {}
    for row in rows:
        first = row[0]
        assert first.data_type == "s", first.value  # text, never a formula
        names[first.value] = {c: cell.value for c, cell in zip(SUMMARY_COLUMNS, row, strict=True)}
    for name in HOSTILE:
        assert name in names  # as typed, in a text cell
    assert not any(cell.data_type == "f" for row in rows for cell in row)
    row_a = names[area_a.name]
    assert money(row_a["money_committed"]) == Decimal("1550.50")
    assert money(row_a["money_spent"]) == Decimal("500.25")
    assert row_a["updates_green"] == 1
    # The same rows as the JSON, cell by cell; money as numbers, not text.
    for row in analyst.get(URL, {"quarter": "2026-Q4"}).json()["per_area"]:
        cells = names[row["area"]]
        for column in SUMMARY_COLUMNS:
            if column.startswith("money_"):
                assert isinstance(cells[column], (int, float, Decimal)), column
                assert money(cells[column]) == money(row[column])
            elif column != "area":
                assert cells[column] == row[column], column


def test_an_unknown_quarter_is_404(analyst, data):
    body = assert_error(analyst.get(URL, {"quarter": "2031-Q1"}), 404)
    assert body["code"] == "not_found"


@pytest.mark.parametrize("value", ["2026-Q7", "2026Q4", "Q4-2026", "", "2026-Q4; DROP"])
def test_a_malformed_quarter_is_400(analyst, data, value):
    body = assert_error(analyst.get(URL, {"quarter": value}), 400)
    assert body["code"] == "invalid"
    assert "quarter" in body["errors"]


def test_a_missing_quarter_is_400(analyst, data):
    assert "quarter" in assert_error(analyst.get(URL), 400)["errors"]


def test_anonymous_gets_nothing(data):
    response = APIClient().get(URL, {"quarter": "2026-Q4"})
    assert response.status_code in (401, 403)
    assert_error(response, response.status_code)
    response = APIClient().get(URL, {"quarter": "2026-Q4", "download": "csv"})
    assert response.status_code in (401, 403)


def test_exports_are_throttled(monkeypatch, analyst, data):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"exports": "3/hour"})
    for download in ("csv", "xlsx", None):
        params = {"quarter": "2026-Q4"} | ({"download": download} if download else {})
        assert analyst.get(URL, params).status_code == 200
    response = analyst.get(URL, {"quarter": "2026-Q4", "download": "csv"})
    body = assert_error(response, 429)
    assert body["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
