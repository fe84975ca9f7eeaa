"""One truth for the quarter's figures: the dashboard, the PDF, the summary sheet of the
XLSX and /api/v1/quarterly-report/ show the same numbers, for a coordinator and for a
liaison on the same data (each of them their own share of it)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from interventions.models import FundingLine
from reporting import services
from reporting.exports.pdf import render_quarter_html
from reporting.exports.service import export_quarter
from reporting.models import AreaReport, Escalation, Light, ProgressUpdate
from tests import factories
from tests.pages.html import parse


def nl(text):
    with translation.override("nl"):
        return gettext(text)


def amount(text):
    """A number as the Dutch pages print it: '€ 125.000,50', '125.000,50' or '3'."""
    return Decimal(text.replace("€", "").replace(".", "").replace(",", ".").strip())


@pytest.fixture
def quarter(coordinator, track, area_a, area_b):
    """2026-Q4: area A submitted with two interventions, B a draft with one and an open
    escalation, and programme-wide work with money of its own."""
    a1 = factories.InterventionFactory(area=area_a)
    a2 = factories.InterventionFactory(area=area_a)
    b1 = factories.InterventionFactory(area=area_b)
    wide = factories.InterventionFactory(area=None, track=track)
    for intervention, money, source in [
        (a1, "125000.00", FundingLine.Source.STATE),
        (a2, "2500.50", FundingLine.Source.MUNICIPALITY),
        (b1, "40004.00", FundingLine.Source.HOUSING),
        (wide, "9000.00", FundingLine.Source.STATE),
    ]:
        factories.FundingLineFactory(
            intervention=intervention, amount=Decimal(money), source=source
        )
    period = services.quarter_open(
        programme=track.programme,
        year=2026,
        quarter=4,
        deadline=datetime.date(2099, 1, 15),
        user=coordinator,
    )
    for intervention, light, spent in [
        (a1, Light.GREEN, "30000.00"),
        (a2, Light.AMBER, "1000.25"),
        (b1, Light.RED, "5000.00"),
        (wide, Light.GREEN, "700.00"),
    ]:
        update = ProgressUpdate.objects.get(period=period, intervention=intervention)
        update.light, update.money_spent_to_date = light, Decimal(spent)
        update.save()
    report_a = AreaReport.objects.get(period=period, area=area_a)
    report_a.overall_light = Light.GREEN
    report_a.save()
    services.report_step(report=report_a, user=coordinator, step="submit")
    report_b = AreaReport.objects.get(period=period, area=area_b)
    factories.EscalationFactory(report=report_b, status=Escalation.Status.OPEN)
    factories.EscalationFactory(report=report_b, status=Escalation.Status.RESOLVED)
    return period


def per_area_from_api(client, period):
    body = client.get(reverse("quarterly-report"), {"quarter": period.label}).json()
    per_area = {
        row["area"]: (
            row["interventions"],
            Decimal(row["money_committed"]),
            Decimal(row["money_spent"]),
            row["open_escalations"],
        )
        for row in body["per_area"]
    }
    wide = body["programme_wide"]
    totals = {
        "interventions": sum(row[0] for row in per_area.values()) + wide["interventions"],
        "committed": Decimal(body["totals"]["money_committed"]) + Decimal(wide["money_committed"]),
        "spent": Decimal(body["totals"]["money_spent"]) + Decimal(wide["money_spent"]),
        "escalations": sum(row[3] for row in per_area.values()),
    }
    return per_area, totals


def figures_of_page(doc, overview):
    """The per-area rows of a table (area, …, interventions, committed, spent, open
    escalations as its last four cells) and the key figures of a page."""
    per_area = {}
    for tr in overview.one("tbody").find_all("tr"):
        cells = [cell.text for cell in tr.iter() if cell.tag in ("th", "td")]
        per_area[cells[0]] = (
            int(amount(cells[-4])),
            amount(cells[-3]),
            amount(cells[-2]),
            int(amount(cells[-1])),
        )
    shown = {
        item.one("dt").text: item.one("dd").text
        for item in doc.find("dl", class_="figures").find_all("div")  # the first: the programme
    }
    totals = {
        "interventions": int(amount(shown[nl("Interventions")])),
        "committed": amount(shown[nl("Money committed")]),
        "spent": amount(shown[nl("Money spent so far")]),
        "escalations": int(amount(shown[nl("Open escalations")])),
    }
    return per_area, totals


def per_area_from_dashboard(client, period):
    response = client.get(reverse("pages:dashboard"), {"quarter": period.pk})
    assert response.status_code == 200
    doc = parse(response.content)
    return figures_of_page(doc, doc.one("section", aria_labelledby="areas-title"))


def per_area_from_pdf(user, period):
    with translation.override("nl"):
        doc = parse(render_quarter_html(user=user, period=period))
    overview = next(
        table
        for table in doc.find_all("table")
        if table.find("caption") and table.find("caption").text.endswith(nl("Summary per area"))
    )
    return figures_of_page(doc, overview)


def per_area_from_xlsx(user, period):
    with translation.override("nl"):
        _name, exported, _type = export_quarter(user=user, period=period, fmt="xlsx", via="test")
        header = [
            nl("area"),
            nl("interventions"),
            nl("money committed (€)"),
            nl("money spent (€)"),
            nl("open escalations"),
        ]
        sheet = load_workbook(io.BytesIO(exported.read()))[nl("Summary per area")]
    names, *rows = sheet.iter_rows(values_only=True)
    where = [names.index(name) for name in header]
    return {
        row[where[0]]: (
            row[where[1]],
            Decimal(str(row[where[2]])).quantize(Decimal("0.01")),
            Decimal(str(row[where[3]])).quantize(Decimal("0.01")),
            row[where[4]],
        )
        for row in rows
    }


@pytest.mark.parametrize("persona", ["coordinator", "liaison_a"])
def test_dashboard_pdf_xlsx_and_api_show_the_same_numbers(
    request, persona, quarter, client_for, area_a, area_b
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    api_rows, api_totals = per_area_from_api(client, quarter)
    dashboard_rows, dashboard_totals = per_area_from_dashboard(client, quarter)
    pdf_rows, pdf_totals = per_area_from_pdf(user, quarter)
    xlsx_rows = per_area_from_xlsx(user, quarter)

    assert api_rows == dashboard_rows == pdf_rows == xlsx_rows
    assert api_totals == dashboard_totals == pdf_totals

    expected_areas = {area_a.name, area_b.name} if persona == "coordinator" else {area_a.name}
    assert set(api_rows) == expected_areas
    assert api_rows[area_a.name] == (2, Decimal("127500.50"), Decimal("31000.25"), 0)
    # The programme-wide work is everyone's; B's figures are the coordinator's only.
    if persona == "coordinator":
        assert api_rows[area_b.name] == (1, Decimal("40004.00"), Decimal("5000.00"), 1)
        assert api_totals == {
            "interventions": 4,
            "committed": Decimal("176504.50"),
            "spent": Decimal("36700.25"),
            "escalations": 1,
        }
    else:
        assert api_totals == {
            "interventions": 3,
            "committed": Decimal("136500.50"),
            "spent": Decimal("31700.25"),
            "escalations": 0,
        }
