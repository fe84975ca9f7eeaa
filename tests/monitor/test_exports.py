import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from reporting.exports.pdf import render_quarter_html
from reporting.exports.service import export_quarter
from tests import factories

pytestmark = pytest.mark.usefixtures("measures")


@pytest.fixture
def quarter(track, area_a, area_b):
    from monitor.models import ContextMeasure

    lbm = ContextMeasure.objects.get(code="lbm")
    for area, (before, after) in ((area_a, ("3.90", "4.02")), (area_b, ("4.10", "4.00"))):
        factories.ContextValueFactory(area=area, measure=lbm, year=2018, value=Decimal(before))
        factories.ContextValueFactory(area=area, measure=lbm, year=2024, value=Decimal(after))
    factories.AreaGoalFactory(area=area_a, measure=lbm, target_value=Decimal("4.10"))
    return factories.ReportingPeriodFactory(programme=track.programme)


def test_the_xlsx_has_the_development_of_the_areas(coordinator, quarter):
    _name, target, _type = export_quarter(user=coordinator, period=quarter, fmt="xlsx", via="test")
    sheet = openpyxl.load_workbook(target)["Ontwikkeling gebieden"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:8] == (
        "gebied",
        "maat",
        "eenheid",
        "jaar nulmeting",
        "nulmeting",
        "laatste jaar",
        "laatste",
        "verandering",
    )
    by_area = {row[0]: row for row in rows[1:]}
    assert by_area["Gebied A"][4:11] == (3.9, 2024, 4.02, 0.12, "beter", 2030, 4.1)
    assert by_area["Gebied B"][8] == "slechter"


def test_the_csv_and_the_pdf_hold_only_what_the_liaison_may_see(liaison_a, quarter):
    _name, target, _type = export_quarter(user=liaison_a, period=quarter, fmt="csv", via="test")
    with zipfile.ZipFile(io.BytesIO(target.read())) as archive:
        text = archive.read("development.csv").decode("utf-8-sig")
    assert "Gebied A" in text and "Gebied B" not in text
    html = render_quarter_html(user=liaison_a, period=quarter)
    assert "Ontwikkeling gebieden" in html and "Gebied B" not in html
