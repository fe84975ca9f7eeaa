"""The quarter through Excel: template -> fill -> import -> the database equals the file,
through the same rules and locks as the forms."""

import datetime
from decimal import Decimal

import pytest

from reporting import imports, services
from reporting.models import (
    AreaReport,
    IndicatorValue,
    ProgressUpdate,
    QuarterClosedError,
    ReportLockedError,
)
from tests import factories
from tests.imports.helpers import (
    as_upload,
    rows_of,
    saved,
    set_cell,
    sheet_of,
    template_book,
)

U, IND, R = imports.UPDATE_COLUMNS, imports.INDICATOR_COLUMNS, imports.REPORT_COLUMNS


def fill(book):
    """Fill a template as a liaison would: every update, every indicator, the report."""
    updates = sheet_of(book, imports.SHEET_UPDATES)
    for index, row in enumerate(rows_of(updates, U)):
        set_cell(updates, U, row["_row"], "light", ["green", "attention"][index % 2])
        set_cell(updates, U, row["_row"], "narrative", f"Voortgang {index}: 12 scholen bereikt.")
        set_cell(updates, U, row["_row"], "results", "Convenant getekend.")
        set_cell(updates, U, row["_row"], "money_spent_to_date", 1250.5 + index)
        set_cell(updates, U, row["_row"], "risks", "Personeelstekort.")
    indicators = sheet_of(book, imports.SHEET_INDICATORS)
    for index, row in enumerate(rows_of(indicators, IND)):
        set_cell(indicators, IND, row["_row"], "value", 40 + index + 0.25)
    report = sheet_of(book, imports.SHEET_REPORT)
    set_cell(report, R, 2, "overall_light", "green")
    set_cell(report, R, 2, "narrative", "Het gebied ligt op koers.")
    set_cell(report, R, 2, "governance_progress", "Stuurgroep akkoord.")
    return book


def editable(book):
    """What the file says, per sheet, in the editable columns."""
    keys = {
        imports.SHEET_REPORT: (R, ["overall_light", "narrative", "governance_progress"]),
        imports.SHEET_UPDATES: (U, ["code", *imports.UPDATE_FIELDS]),
        imports.SHEET_INDICATORS: (IND, ["code", "indicator_id", "value"]),
    }
    result = {}
    for title, (columns, names) in keys.items():
        rows = rows_of(sheet_of(book, title), columns)
        result[str(title)] = [
            tuple(
                Decimal(str(row[name])).quantize(Decimal("0.01"))
                if isinstance(row[name], int | float | Decimal)
                else row[name]
                for name in names
            )
            for row in rows
        ]
    return result


def test_template_lists_the_running_interventions_with_ids_locked(report_a, liaison_a):
    book = template_book(report_a, liaison_a)
    updates = sheet_of(book, imports.SHEET_UPDATES)
    rows = rows_of(updates, U)
    assert sorted(row["code"] for row in rows) == sorted(
        ProgressUpdate.objects.filter(report=report_a).values_list("intervention__code", flat=True)
    )
    assert updates.protection.sheet
    columns = {cell.column: key for key, cell in zip([c.key for c in U], updates[1], strict=True)}
    for cell in updates[2]:
        key = columns[cell.column]
        assert cell.protection.locked == (key not in imports.EDITABLE), key
    hidden = {
        key
        for number, key in columns.items()
        if updates.column_dimensions[cell_letter(number)].hidden
    }
    assert hidden == {"update_id", "version"}
    light = [v for v in updates.data_validations.dataValidation if v.type == "list"]
    assert len(light) == 1


def cell_letter(number):
    from openpyxl.utils import get_column_letter

    return get_column_letter(number)


def test_round_trip_then_submit(report_a, liaison_a, area_a):
    book = fill(template_book(report_a, liaison_a))
    result = imports.import_quarter(report=report_a, user=liaison_a, upload=as_upload(saved(book)))
    assert result.problems == []
    assert result.counts() == {
        "report_changed": True,
        "updates_changed": 2,
        "values_created": 2,
        "values_changed": 0,
        "values_deleted": 0,
    }
    # A fresh template shows exactly what the file said: the database equals the file.
    report_a.refresh_from_db()
    assert editable(template_book(report_a, liaison_a)) == editable(_as_displayed(book))
    # The liaison's quarter is complete: it can be submitted.
    services.report_step(report=report_a, user=liaison_a, step="submit")
    assert AreaReport.objects.get(pk=report_a.pk).status == "submitted"


def _as_displayed(book):
    """The filled book as the template would show it: choices as their labels."""
    from django.utils.translation import gettext as _

    for title, columns, key in (
        (imports.SHEET_UPDATES, U, "light"),
        (imports.SHEET_REPORT, R, "overall_light"),
    ):
        sheet = sheet_of(book, title)
        for row in rows_of(sheet, columns):
            value = imports.xlsx.choice(imports.Light)(row[key])
            set_cell(sheet, columns, row["_row"], key, _(imports.Light(value).label))
    return book


def test_history_records_the_importer_once_per_changed_row(report_a, liaison_a):
    book = template_book(report_a, liaison_a)
    updates = sheet_of(book, imports.SHEET_UPDATES)
    first = rows_of(updates, U)[0]
    set_cell(updates, U, first["_row"], "light", "red")
    before = {u.pk: u.history.count() for u in ProgressUpdate.objects.filter(report=report_a)}
    report_history = report_a.history.count()

    imports.import_quarter(report=report_a, user=liaison_a, upload=as_upload(saved(book)))

    after = {u.pk: u.history.count() for u in ProgressUpdate.objects.filter(report=report_a)}
    changed = first["update_id"]
    assert after[changed] == before[changed] + 1
    assert all(after[pk] == before[pk] for pk in before if pk != changed)
    assert report_a.history.count() == report_history  # the report row did not change
    latest = ProgressUpdate.objects.get(pk=changed).history.first()
    assert (latest.history_user, latest.light) == (liaison_a, "red")


def test_uploading_the_same_file_twice_changes_nothing_the_second_time(report_a, liaison_a):
    data = saved(fill(template_book(report_a, liaison_a)))
    imports.import_quarter(report=report_a, user=liaison_a, upload=as_upload(data))
    counts = ProgressUpdate.history.count(), IndicatorValue.history.count()
    again = imports.import_quarter(report=report_a, user=liaison_a, upload=as_upload(data))
    assert again.ok and again.updates_changed == 0 and not again.report_changed
    assert (ProgressUpdate.history.count(), IndicatorValue.history.count()) == counts


def test_a_row_changed_since_the_download_is_an_error_and_nothing_is_saved(
    report_a, liaison_a, coordinator
):
    book = fill(template_book(report_a, liaison_a))
    first = rows_of(sheet_of(book, imports.SHEET_UPDATES), U)[0]
    meanwhile = ProgressUpdate.objects.get(pk=first["update_id"])
    meanwhile.narrative = "De coördinator schreef dit tussendoor."
    meanwhile.save()

    result = imports.import_quarter(report=report_a, user=liaison_a, upload=as_upload(saved(book)))

    assert [(p.code, p.row) for p in result.problems] == [("stale", first["_row"])]
    assert not ProgressUpdate.objects.filter(report=report_a).exclude(light="").exists()
    assert ProgressUpdate.objects.get(pk=meanwhile.pk).narrative == meanwhile.narrative
    assert not IndicatorValue.objects.exists()
    assert AreaReport.objects.get(pk=report_a.pk).overall_light == ""


def test_an_indicator_value_changed_since_the_download_is_an_error(report_a, liaison_a):
    book = fill(template_book(report_a, liaison_a))
    row = rows_of(sheet_of(book, imports.SHEET_INDICATORS), IND)[0]
    IndicatorValue.objects.create(
        update_id=row["update_id"], indicator_id=row["indicator_id"], value=7
    )
    result = imports.import_quarter(report=report_a, user=liaison_a, upload=as_upload(saved(book)))
    assert [(p.code, p.sheet, p.row) for p in result.problems] == [
        ("stale", str(imports.SHEET_INDICATORS), row["_row"])
    ]


def test_every_error_is_listed_with_its_row_and_column(report_a, liaison_a):
    book = template_book(report_a, liaison_a)
    updates = sheet_of(book, imports.SHEET_UPDATES)
    first, second = rows_of(updates, U)
    set_cell(updates, U, first["_row"], "light", "paars")
    set_cell(updates, U, second["_row"], "money_spent_to_date", -10)
    set_cell(updates, U, second["_row"], "narrative", "Prima.")
    indicators = sheet_of(book, imports.SHEET_INDICATORS)
    set_cell(indicators, IND, 2, "value", "veel")

    result = imports.import_quarter(report=report_a, user=liaison_a, upload=as_upload(saved(book)))

    found = {(p.sheet, p.row, p.code) for p in result.problems}
    assert found == {
        (str(imports.SHEET_UPDATES), first["_row"], "invalid_choice"),
        (str(imports.SHEET_UPDATES), second["_row"], "below_minimum"),
        (str(imports.SHEET_INDICATORS), 2, "not_a_number"),
    }
    assert all(p.column and p.cell and p.message for p in result.problems)
    assert ProgressUpdate.objects.filter(report=report_a, narrative="Prima.").count() == 0


def test_the_models_rules_apply(report_a, liaison_a):
    # A percentage above 100: IndicatorValue.clean says no.
    indicator = factories.IndicatorFactory(
        intervention=ProgressUpdate.objects.filter(report=report_a).first().intervention,
        unit="percentage",
        name="Aandeel",
    )
    book = template_book(report_a, liaison_a)
    indicators = sheet_of(book, imports.SHEET_INDICATORS)
    row = next(r for r in rows_of(indicators, IND) if r["indicator_id"] == indicator.pk)
    set_cell(indicators, IND, row["_row"], "value", 140)
    result = imports.import_quarter(report=report_a, user=liaison_a, upload=as_upload(saved(book)))
    assert [(p.code, p.row) for p in result.problems] == [("invalid", row["_row"])]


def test_clearing_a_value_removes_it(report_a, liaison_a):
    book = fill(template_book(report_a, liaison_a))
    imports.import_quarter(report=report_a, user=liaison_a, upload=as_upload(saved(book)))
    report_a.refresh_from_db()
    book = template_book(report_a, liaison_a)
    indicators = sheet_of(book, imports.SHEET_INDICATORS)
    set_cell(indicators, IND, 2, "value", None)
    result = imports.import_quarter(report=report_a, user=liaison_a, upload=as_upload(saved(book)))
    assert result.values_deleted == 1
    assert IndicatorValue.objects.count() == 1
    assert IndicatorValue.history.filter(history_type="-").get().history_user == liaison_a


def test_another_reports_template_is_refused(report_a, report_b, liaison_a, coordinator):
    data = saved(fill(template_book(report_b, coordinator)))
    result = imports.import_quarter(report=report_a, user=coordinator, upload=as_upload(data))
    assert "wrong_report" in {p.code for p in result.problems}
    assert not ProgressUpdate.objects.exclude(light="").exists()


def test_rows_of_another_area_are_refused(report_a, report_b, coordinator):
    """A row pasted from area B's template into area A's is not an update of A."""
    book = template_book(report_a, coordinator)
    updates = sheet_of(book, imports.SHEET_UPDATES)
    other = rows_of(sheet_of(template_book(report_b, coordinator), imports.SHEET_UPDATES), U)[0]
    updates.append([other[c.key] for c in U])
    result = imports.import_quarter(
        report=report_a, user=coordinator, upload=as_upload(saved(book))
    )
    assert [p.code for p in result.problems] == ["unknown_row"]


def test_a_submitted_report_is_locked_for_the_liaison_not_the_coordinator(
    report_a, liaison_a, coordinator
):
    data = saved(fill(template_book(report_a, liaison_a)))
    report_a.overall_light = "green"
    report_a.save()
    for update in ProgressUpdate.objects.filter(report=report_a):
        update.light = "amber"
        update.save()
    services.report_step(report=report_a, user=liaison_a, step="submit")
    report_a.refresh_from_db()
    with pytest.raises(ReportLockedError):
        imports.import_quarter(report=report_a, user=liaison_a, upload=as_upload(data))
    # The coordinator may still correct a submitted report, but the rows changed since
    # the download (the lights above), so the file is stale.
    data = saved(fill(template_book(report_a, coordinator)))
    result = imports.import_quarter(report=report_a, user=coordinator, upload=as_upload(data))
    assert result.ok, result.problems


def test_a_closed_quarter_is_locked_for_everyone(report_a, liaison_a, coordinator, quarter):
    data = saved(fill(template_book(report_a, liaison_a)))
    services.quarter_close(period=quarter, user=coordinator)
    report_a.refresh_from_db()
    for user in (liaison_a, coordinator):
        with pytest.raises(QuarterClosedError):
            imports.import_quarter(report=report_a, user=user, upload=as_upload(data))
    assert not ProgressUpdate.objects.exclude(light="").exists()


def test_english_headers_and_labels_import_too(report_a, liaison_a, settings):
    from django.utils import translation

    with translation.override("en"):
        book = template_book(report_a, liaison_a)
        updates = sheet_of(book, imports.SHEET_UPDATES)
        for row in rows_of(updates, U):
            set_cell(updates, U, row["_row"], "light", "at risk")
        data = saved(book)
    with translation.override("nl"):
        result = imports.import_quarter(report=report_a, user=liaison_a, upload=as_upload(data))
    assert result.ok
    assert set(ProgressUpdate.objects.filter(report=report_a).values_list("light", flat=True)) == {
        "red"
    }


@pytest.mark.parametrize("count", [1, 10, 50])
def test_the_import_runs_the_same_number_of_queries_however_many_rows(
    count, coordinator, liaison_a, area_a, track, django_assert_max_num_queries
):
    for index in range(count):
        intervention = factories.InterventionFactory(area=area_a, track=track, title=f"W{index}")
        factories.IndicatorFactory(intervention=intervention, name="Bereik")
    quarter = services.quarter_open(
        programme=track.programme,
        year=2027,
        quarter=1,
        deadline=datetime.date(2099, 4, 15),
        user=coordinator,
    )
    report = quarter.reports.get(area=area_a)
    upload = as_upload(saved(fill(template_book(report, liaison_a))))
    ProgressUpdate.history.all().delete()

    with django_assert_max_num_queries(26):
        result = imports.import_quarter(report=report, user=liaison_a, upload=upload)

    assert result.ok and (result.updates_changed, result.values_created) == (count, count)
    # Still one history record per changed row, by the importer.
    assert ProgressUpdate.history.filter(history_user=liaison_a).count() == count
    assert IndicatorValue.history.filter(history_user=liaison_a).count() == count
