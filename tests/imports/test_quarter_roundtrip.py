"""The quarter through Excel: template -> fill -> import -> the database equals the file."""

from decimal import Decimal

from reporting import imports
from reporting.models import IndicatorValue, ProgressUpdate
from tests.imports.helpers import as_upload, rows_of, saved, set_cell, sheet_of, template_book


def test_a_liaison_completes_a_quarter_through_excel(report_a, liaison_a):
    book = template_book(report_a, liaison_a)
    updates = sheet_of(book, imports.SHEET_UPDATES)
    for row in rows_of(updates, imports.UPDATE_COLUMNS):
        set_cell(updates, imports.UPDATE_COLUMNS, row["_row"], "light", "amber")
        set_cell(updates, imports.UPDATE_COLUMNS, row["_row"], "narrative", "Loopt goed.")
        set_cell(updates, imports.UPDATE_COLUMNS, row["_row"], "money_spent_to_date", 1250.5)
    indicators = sheet_of(book, imports.SHEET_INDICATORS)
    for row in rows_of(indicators, imports.INDICATOR_COLUMNS):
        set_cell(indicators, imports.INDICATOR_COLUMNS, row["_row"], "value", 42)
    report = sheet_of(book, imports.SHEET_REPORT)
    set_cell(report, imports.REPORT_COLUMNS, 2, "overall_light", "green")

    result = imports.import_quarter(report=report_a, user=liaison_a, upload=as_upload(saved(book)))

    assert result.problems == []
    assert result.updates_changed == 2
    assert result.values_created == 2
    for update in ProgressUpdate.objects.filter(report=report_a):
        assert (update.light, update.narrative, update.money_spent_to_date) == (
            "amber",
            "Loopt goed.",
            Decimal("1250.50"),
        )
        assert update.history.first().history_user == liaison_a
    assert list(
        IndicatorValue.objects.filter(update__report=report_a).values_list("value", flat=True)
    ) == [42, 42]
    report_a.refresh_from_db()
    assert report_a.overall_light == "green"
