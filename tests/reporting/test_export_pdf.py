"""The quarterly report as PDF, and the SVG charts in it."""

import datetime
import io
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.utils import translation
from pypdf import PdfReader

from core import charts
from interventions.models import FundingLine
from reporting import services
from reporting.exports.pdf import euro, write_pdf
from reporting.models import AreaReport, Light, ProgressUpdate
from tests import factories

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> =1+1 @SUM(A1) & "quotes"'


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


@pytest.fixture
def quarter(coordinator, track, area_a, area_b):
    """A quarter with interventions, updates with lights and money, and an escalation."""
    theme = factories.ThemeFactory(name_nl="Veiligheid")
    a1 = factories.InterventionFactory(area=area_a, title="Buurtcoaches", themes=[theme])
    a2 = factories.InterventionFactory(area=area_a, title="Schoolmaatschappelijk werk")
    b1 = factories.InterventionFactory(area=area_b, title="Jongerenwerk B")
    factories.FundingLineFactory(intervention=a1, amount=Decimal("125000.00"))
    factories.FundingLineFactory(
        intervention=a2, amount=Decimal("2500.50"), source=FundingLine.Source.MUNICIPALITY
    )
    factories.FundingLineFactory(
        intervention=b1, amount=Decimal("40000.00"), source=FundingLine.Source.HOUSING
    )
    period = services.quarter_open(
        programme=track.programme,
        year=2026,
        quarter=4,
        deadline=datetime.date(2027, 1, 15),
        user=coordinator,
    )
    for intervention, light, spent in [
        (a1, Light.GREEN, "30000.00"),
        (a2, Light.AMBER, "1000.25"),
        (b1, Light.RED, "5000.00"),
    ]:
        update = ProgressUpdate.objects.get(period=period, intervention=intervention)
        update.light = light
        update.money_spent_to_date = Decimal(spent)
        update.save()
    report_a = AreaReport.objects.get(period=period, area=area_a)
    report_a.overall_light = Light.GREEN
    report_a.narrative = "Het gaat goed in Gebied A.\n\n" + HOSTILE
    report_a.save()
    report_b = AreaReport.objects.get(period=period, area=area_b)
    report_b.overall_light = Light.RED
    report_b.save()
    factories.EscalationFactory(report=report_b, title="Regels jeugdhulp knellen")
    return period


def pdf_text(*, user, period, area=None):
    target = io.BytesIO()
    write_pdf(user=user, period=period, area=area, target=target)
    data = target.getvalue()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    pages = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    return pages


def test_the_pdf_has_a_cover_a_summary_and_a_page_per_area(coordinator, quarter):
    pages = pdf_text(user=coordinator, period=quarter)
    assert quarter.label in pages[0]
    assert quarter.programme.name in pages[0]
    assert "Kwartaalrapportage" in pages[0] or "Quarterly report" in pages[0]
    assert str(coordinator) in pages[0]
    area_pages = [p for p in pages if p.startswith(("Gebied A", "Gebied B"))]
    assert [p.split()[:2] for p in area_pages] == [["Gebied", "A"], ["Gebied", "B"]]
    assert "Buurtcoaches" in area_pages[0]
    assert "Jongerenwerk B" in area_pages[1]
    assert "Regels jeugdhulp knellen" in area_pages[1]
    # Every page after the cover has its number in the footer.
    assert all(re.search(rf"\b{n} \w+ {len(pages)}\b", p) for n, p in enumerate(pages[1:], 2))


def test_the_money_totals_printed_match_the_database(coordinator, quarter, area_a):
    text = " ".join(pdf_text(user=coordinator, period=quarter))
    committed = FundingLine.objects.aggregate(total=Sum("amount"))["total"]
    committed_a = FundingLine.objects.filter(intervention__area=area_a).aggregate(
        total=Sum("amount")
    )["total"]
    spent = ProgressUpdate.objects.filter(period=quarter).aggregate(
        total=Sum("money_spent_to_date")
    )["total"]
    assert euro(committed) == "€ 167.500,50"
    for amount in (committed, committed_a, spent, Decimal("125000.00"), Decimal("1000.25")):
        assert euro(amount) in text


def test_a_liaison_of_area_a_never_sees_area_b(liaison_a, quarter, area_a):
    for area in (None, area_a):
        text = " ".join(pdf_text(user=liaison_a, period=quarter, area=area))
        assert "Gebied A" in text
        assert "Gebied B" not in text
        assert "Jongerenwerk B" not in text
        assert "Regels jeugdhulp knellen" not in text
        assert euro(Decimal("40000.00")) not in text


def test_asking_for_an_area_one_may_not_see_is_refused(liaison_a, quarter, area_b):
    with pytest.raises(PermissionDenied):
        write_pdf(user=liaison_a, period=quarter, area=area_b, target=io.BytesIO())


def test_one_area_only(coordinator, quarter, area_b):
    text = " ".join(pdf_text(user=coordinator, period=quarter, area=area_b))
    assert "Jongerenwerk B" in text
    assert "Buurtcoaches" not in text
    assert "Het gaat goed in Gebied A" not in text


def test_hostile_text_is_printed_as_text(coordinator, quarter):
    text = " ".join(pdf_text(user=coordinator, period=quarter))
    assert '<script>alert("x")</script>' in text
    assert '=1+1 @SUM(A1) & "quotes"' in text
    assert "&lt;" not in text and "&amp;" not in text


def test_an_empty_quarter_still_makes_a_valid_pdf(coordinator, track, area_a):
    period = services.quarter_open(
        programme=track.programme,
        year=2026,
        quarter=1,
        deadline=datetime.date(2026, 4, 15),
        user=coordinator,
    )
    pages = pdf_text(user=coordinator, period=period)
    assert period.label in pages[0]
    assert any(p.startswith("Gebied A") for p in pages)
    assert euro(0) in " ".join(pages)


def test_a_quarter_without_any_report_for_a_viewer(viewer, track):
    period = factories.ReportingPeriodFactory(programme=track.programme)
    pages = pdf_text(user=viewer, period=period)
    assert period.label in pages[0]


def test_the_document_is_dutch_and_tagged(coordinator, quarter):
    target = io.BytesIO()
    write_pdf(user=coordinator, period=quarter, target=target)
    reader = PdfReader(io.BytesIO(target.getvalue()))
    assert reader.trailer["/Root"].get("/Lang") == "nl"
    assert quarter.label in reader.metadata.title


# --- charts ---------------------------------------------------------------------------


def parse(chart):
    root = ET.fromstring(str(chart.svg))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text
    assert desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def texts(root):
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_bar_chart():
    chart = charts.bar_chart([("Noord", 3), ("Zuid", 7), ("Oost", 0)], title="Per gebied")
    root = parse(chart)
    assert root.find(f"{SVG}title").text == "Per gebied"
    assert chart.summary == "Per gebied: 10 in total; highest: Zuid (7)." or chart.summary == (
        "Per gebied: 10 in totaal; hoogste: Zuid (7)."
    )
    assert {"Noord", "Zuid", "Oost", "3", "7", "0"} <= set(texts(root))
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]
    assert len(widths) == 2 and widths[1] == pytest.approx(widths[0] * 7 / 3, rel=1e-3)


def test_bar_chart_formats_money_in_dutch():
    chart = charts.bar_chart([("rijk", Decimal("1250000.50"))], title="Geld", value_format=euro)
    assert "€ 1.250.000,50" in texts(parse(chart))
    assert "€ 1.250.000,50" in chart.summary


def test_stacked_bar_chart_for_lights():
    series = [("green", "op schema"), ("amber", "aandacht"), ("red", "risico")]
    chart = charts.stacked_bar_chart(
        [("Gebied A", {"green": 5, "amber": 2}), ("Gebied B", {"red": 1, "green": 1})],
        series=series,
        title="Lichten",
    )
    root = parse(chart)
    words = texts(root)
    # A legend in words, not colour alone, and the totals per bar.
    assert {"op schema", "aandacht", "risico", "Gebied A", "Gebied B", "7", "2"} <= set(words)
    assert "op schema 6, aandacht 2, risico 1" in chart.summary
    # Amber and red carry a pattern as well as a colour.
    patterns = {p.get("id") for p in root.iter(f"{SVG}pattern")}
    assert patterns == {"chart-amber", "chart-red"}


def test_charts_escape_their_text():
    hostile = '<script>alert(1)</script>&"'
    bar = charts.bar_chart([(hostile, 1)], title=hostile, description=hostile)
    stacked = charts.stacked_bar_chart(
        [(hostile, {"a": 1})], series=[("a", hostile)], title=hostile, ident='x"y'
    )
    for chart in (bar, stacked):
        root = parse(chart)
        assert "<script>" not in str(chart.svg)
        assert root.find(f"{SVG}title").text == hostile
        assert root.find(f"{SVG}script") is None


def test_charts_without_data():
    bar = charts.bar_chart([], title="Leeg")
    stacked = charts.stacked_bar_chart([], series=[("green", "op schema")], title="Leeg")
    for chart in (bar, stacked):
        parse(chart)
        assert chart.summary.startswith("Leeg:")
    zeros = charts.bar_chart([("a", 0), ("b", 0)], title="Nul")
    parse(zeros)
