"""The quarterly report as XLSX and CSV: read back, the figures equal the database."""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from interventions.models import FundingLine
from reporting import services
from reporting.exports.service import export_quarter
from reporting.models import ExportLog, ProgressUpdate
from tests import factories


@pytest.fixture
def quarter(coordinator, track, area_a, area_b):
    return open_quarter_with_work(coordinator, track, area_a, area_b)


def open_quarter_with_work(coordinator, track, area_a, area_b):
    for area, amount in ((area_a, "1000.50"), (area_b, "2000.00")):
        intervention = factories.InterventionFactory(area=area, title=f"Werk in {area.name}")
        factories.FundingLineFactory(intervention=intervention, amount=Decimal(amount))
        factories.IndicatorFactory(intervention=intervention, name=f"Bereik {area.name}")
    hostile = factories.InterventionFactory(area=area_a, title='=HYPERLINK("http://x")')
    factories.FundingLineFactory(intervention=hostile, amount=Decimal("5.00"))
    period = services.quarter_open(
        programme=track.programme,
        year=2026,
        quarter=4,
        deadline=datetime.date(2099, 1, 15),
        user=coordinator,
    )
    for update in ProgressUpdate.objects.filter(period=period):
        update.light = "green"
        update.money_spent_to_date = (
            Decimal("250.25") if update.intervention.area == area_a else Decimal("10.00")
        )
        update.risks = "+31 6 bellen voor risico" if update.intervention == hostile else ""
        update.save()
    return period


def xlsx_of(user, period, area=None):
    _name, exported, _type = export_quarter(
        user=user, period=period, fmt="xlsx", area=area, via="test"
    )
    return load_workbook(io.BytesIO(exported.read()))


def rows_of(sheet):
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_xlsx_totals_equal_the_database(coordinator, quarter, area_a):
    workbook = xlsx_of(coordinator, quarter)
    assert workbook.sheetnames == [
        "Samenvatting per gebied",
        "Interventies",
        "Indicatoren",
        "Geld per bron",
        "Knelpunten",
        "Bestuurlijke afspraken",
        "Ontwikkeling gebieden",
    ]
    summary = {row["gebied"]: row for row in rows_of(workbook["Samenvatting per gebied"])}
    committed_a = sum(
        FundingLine.objects.filter(intervention__area=area_a).values_list("amount", flat=True)
    )
    assert Decimal(str(summary[area_a.name]["geld toegezegd (€)"])) == committed_a
    money = rows_of(workbook["Geld per bron"])
    assert sum(Decimal(str(row["toegezegd bedrag (€)"])) for row in money) == sum(
        FundingLine.objects.values_list("amount", flat=True)
    )
    interventions = rows_of(workbook["Interventies"])
    assert {row["stoplicht"] for row in interventions} == {"op koers"}


def test_xlsx_cells_are_typed_with_a_frozen_header_and_filter(coordinator, quarter):
    sheet = xlsx_of(coordinator, quarter)["Geld per bron"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    amount = sheet.cell(row=2, column=6)
    assert isinstance(amount.value, (int, float)) and "€" in amount.number_format


def test_hostile_values_stay_text(coordinator, quarter):
    interventions = xlsx_of(coordinator, quarter)["Interventies"]
    cells = [cell for row in interventions.iter_rows(min_row=2) for cell in row]
    hostile = [
        cell for cell in cells if isinstance(cell.value, str) and cell.value.startswith(("=", "+"))
    ]
    assert hostile, "the hostile values are in the sheet"
    assert all(cell.data_type == "s" for cell in hostile)

    _name, exported, _type = export_quarter(user=coordinator, period=quarter, fmt="csv", via="test")
    with zipfile.ZipFile(exported) as archive:
        text = archive.read("interventions.csv").decode("utf-8-sig")
    values = [value for row in csv.reader(io.StringIO(text)) for value in row]
    assert '\'=HYPERLINK("http://x")' in values
    assert "'+31 6 bellen voor risico" in values


def test_a_liaison_exports_only_their_own_area(liaison_a, quarter, area_b):
    workbook = xlsx_of(liaison_a, quarter)
    text = " ".join(
        str(value)
        for sheet in workbook
        for row in sheet.iter_rows(values_only=True)
        for value in row
    )
    assert area_b.name not in text
    assert "Werk in Gebied A" in text


def test_csv_zip_has_every_table_with_a_bom(coordinator, quarter):
    _name, exported, content_type = export_quarter(
        user=coordinator, period=quarter, fmt="csv", via="test"
    )
    assert content_type == "application/zip"
    with zipfile.ZipFile(exported) as archive:
        assert sorted(archive.namelist()) == sorted(
            f"{name}.csv"
            for name in (
                "summary",
                "interventions",
                "indicators",
                "money",
                "escalations",
                "governance",
                "development",
            )
        )
        raw = archive.read("summary.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {row["gebied"] for row in rows} == {"Gebied A", "Gebied B"}


def test_an_empty_quarter_gives_valid_files_with_headers(coordinator, track):
    period = services.quarter_open(
        programme=track.programme,
        year=2027,
        quarter=1,
        deadline=datetime.date(2099, 4, 15),
        user=coordinator,
    )
    workbook = xlsx_of(coordinator, period)
    for sheet in workbook:
        header = next(sheet.iter_rows(values_only=True))
        assert all(header)


def test_every_export_is_logged(coordinator, quarter, area_a):
    export_quarter(user=coordinator, period=quarter, fmt="xlsx", area=area_a, via="test")
    log = ExportLog.objects.get()
    assert (log.user, log.period, log.area, log.format) == (coordinator, quarter, area_a, "xlsx")


@pytest.mark.parametrize(("fmt", "magic"), [("xlsx", b"PK"), ("csv", b"PK"), ("pdf", b"%PDF")])
def test_admin_download_buttons(
    fmt, magic, coordinator, liaison_a, quarter, area_a, area_b, client_for
):
    client = client_for(coordinator)
    url = reverse("admin:programme_reportingperiod_export", args=[quarter.pk, fmt])
    # One area's file is made while you wait; the whole quarter's is a background job
    # (tests/reporting/test_export_jobs.py).
    response = client.get(url, {"area": area_a.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(magic)
    liaison = client_for(liaison_a)
    assert liaison.get(url, {"area": area_b.pk}).status_code == 404


def test_api_export_for_an_analyst_token(quarter, area_b):
    from rest_framework.test import APIClient

    from accounts import roles
    from accounts.models import ApiToken
    from tests.conftest import make_user

    analyst = make_user("analist@example.org", roles.VIEWER)
    _token, key = ApiToken.objects.create(user=analyst, name="Excel")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    url = f"/api/v1/quarters/{quarter.pk}/export/"
    response = client.get(url, {"filetype": "csv", "area": area_b.pk})
    assert response.status_code == 200
    assert client.get(url, {"filetype": "doc"}).status_code == 400
    # The whole quarter is made in the background (POST /api/v1/export-jobs/).
    whole = client.get(url, {"filetype": "csv"})
    assert whole.status_code == 400
    assert "export-jobs" in whole.json()["errors"]["area"][0]


def test_command_writes_the_file(coordinator, quarter, tmp_path):
    target = tmp_path / "kwartaal.xlsx"
    call_command(
        "export_quarter",
        "2026-Q4",
        "--format",
        "xlsx",
        "-o",
        str(target),
        "--user",
        coordinator.email,
    )
    assert load_workbook(target).sheetnames[0] == "Samenvatting per gebied"
