"""The quarter in Excel: a template for one area's report, and importing it back.

The template has a row per update of the report (every running intervention) and per
indicator, with the identifiers and each row's version hidden and locked, the fields a
liaison fills unlocked, and drop-down lists for the lights. The import reads the whole
file first (core/spreadsheets/reading.py: capped, streamed, defusedxml, no formulas),
then, in one transaction with the report and its rows locked, checks every row against
the stored rows (still in this report, unchanged since the download, within the user's
scope and locks) and the models' own rules. Only when nothing is wrong does it save,
one row at a time through the models (history, versions, the closed-quarter lock), and
only the rows that changed.
"""

import copy
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from simple_history.utils import bulk_create_with_history

from accounts import access
from core.constraints import full_clean_in_bulk
from core.jobs import JobFailed
from core.spreadsheets import reading as xlsx
from core.spreadsheets.reading import Column, Problem, SpreadsheetRefused
from core.spreadsheets.writing import FORMATS, NUMBER, text_cell
from core.versioning import loaded_under_lock
from interventions.models import Indicator

from .models import (
    AreaReport,
    IndicatorValue,
    Light,
    ProgressUpdate,
    QuarterImportJob,
    quarter_status_read_once,
)

logger = logging.getLogger(__name__)

TEMPLATE_CONTENT_TYPE = xlsx.XLSX_CONTENT_TYPE

SHEET_INSTRUCTIONS = gettext_lazy("Instructions")
SHEET_REPORT = gettext_lazy("Report")
SHEET_UPDATES = gettext_lazy("Progress")
SHEET_INDICATORS = gettext_lazy("Indicators")
SHEET_LISTS = gettext_lazy("Lists")

MONEY = xlsx.decimal(places=2, minimum=Decimal(0))


def _label(model, name):
    return model._meta.get_field(name).verbose_name


REPORT_COLUMNS = [
    Column("report_id", gettext_lazy("report id"), xlsx.integer(minimum=1), required=True),
    Column("version", _label(AreaReport, "version"), xlsx.integer(minimum=1), required=True),
    Column("area", _label(AreaReport, "area"), needed=False),
    Column("quarter", _label(AreaReport, "period"), needed=False),
    Column("overall_light", _label(AreaReport, "overall_light"), xlsx.choice(Light)),
    Column("narrative", _label(AreaReport, "narrative")),
    Column("governance_progress", _label(AreaReport, "governance_progress")),
]
UPDATE_COLUMNS = [
    Column("update_id", gettext_lazy("update id"), xlsx.integer(minimum=1), required=True),
    Column("version", _label(ProgressUpdate, "version"), xlsx.integer(minimum=1), required=True),
    Column("code", gettext_lazy("intervention code"), xlsx.text(30), required=True),
    Column("intervention", _label(ProgressUpdate, "intervention"), needed=False),
    Column("light", _label(ProgressUpdate, "light"), xlsx.choice(Light)),
    Column("narrative", _label(ProgressUpdate, "narrative")),
    Column("results", _label(ProgressUpdate, "results")),
    Column("money_spent_to_date", _label(ProgressUpdate, "money_spent_to_date"), MONEY),
    Column("risks", _label(ProgressUpdate, "risks")),
]
INDICATOR_COLUMNS = [
    Column("update_id", gettext_lazy("update id"), xlsx.integer(minimum=1), required=True),
    Column("indicator_id", gettext_lazy("indicator id"), xlsx.integer(minimum=1), required=True),
    Column("downloaded", gettext_lazy("value at download"), xlsx.decimal(places=2)),
    Column("code", gettext_lazy("intervention code"), xlsx.text(30), required=True),
    Column("indicator", _label(Indicator, "name"), needed=False),
    Column("unit", _label(Indicator, "unit"), needed=False),
    Column("baseline", _label(Indicator, "baseline_value"), needed=False),
    Column("target", _label(Indicator, "target_value"), needed=False),
    Column("value", _label(IndicatorValue, "value"), xlsx.decimal(places=2)),
]
REPORT_FIELDS = ["overall_light", "narrative", "governance_progress"]
UPDATE_FIELDS = ["light", "narrative", "results", "money_spent_to_date", "risks"]
IMPORTED_FIELDS = {
    AreaReport: REPORT_FIELDS,
    ProgressUpdate: UPDATE_FIELDS,
    IndicatorValue: ["value"],
}
# Columns a person fills in; all others are locked, the technical ones also hidden.
EDITABLE = {"overall_light", "narrative", "governance_progress", *UPDATE_FIELDS, "value"}
HIDDEN = {"report_id", "update_id", "indicator_id", "version", "downloaded"}
WIDE = {"narrative", "governance_progress", "results", "risks", "intervention", "indicator"}


# --- the template


def template_name(report):
    return f"kwartaal-{report.period.label}-{slugify(report.area.name)}.xlsx"


def quarter_template(*, report: AreaReport, user, target) -> None:
    """Write the XLSX template of ``report`` to ``target``: what ``user`` may see of it."""
    updates = list(
        ProgressUpdate.objects.for_user(user)
        .filter(report=report)
        .select_related("intervention")
        .order_by("intervention__title", "pk")
    )
    values = {
        (value.update_id, value.indicator_id): value.value
        for value in IndicatorValue.objects.for_user(user).filter(update__report=report)
    }
    indicators = (
        Indicator.objects.for_user(user)
        .filter(intervention__updates__report=report)
        .select_related("intervention")
        .order_by("intervention__title", "name", "pk")
    )
    update_of = {update.intervention_id: update for update in updates}

    book = Workbook()
    instructions = book.active
    instructions.title = str(SHEET_INSTRUCTIONS)[:31]
    _write_instructions(instructions, report)
    lists = book.create_sheet(str(SHEET_LISTS)[:31])
    lights = xlsx.choice_labels(Light)
    for index, label in enumerate(lights, start=1):
        lists.cell(row=index, column=1, value=label)
    lists.sheet_state = "hidden"
    light_list = f"{quote_sheetname(lists.title)}!$A$1:$A${len(lights)}"

    _write_sheet(
        book,
        SHEET_REPORT,
        REPORT_COLUMNS,
        [
            {
                "report_id": report.pk,
                "version": report.version,
                "area": report.area.name,
                "quarter": report.period.label,
                "overall_light": report.get_overall_light_display(),
                "narrative": report.narrative,
                "governance_progress": report.governance_progress,
            }
        ],
        {"overall_light": light_list},
    )
    _write_sheet(
        book,
        SHEET_UPDATES,
        UPDATE_COLUMNS,
        (
            {
                "update_id": update.pk,
                "version": update.version,
                "code": update.intervention.code,
                "intervention": update.intervention.title,
                "light": update.get_light_display(),
                "narrative": update.narrative,
                "results": update.results,
                "money_spent_to_date": update.money_spent_to_date,
                "risks": update.risks,
            }
            for update in updates
        ),
        {"light": light_list},
    )
    _write_sheet(
        book,
        SHEET_INDICATORS,
        INDICATOR_COLUMNS,
        (
            {
                "update_id": update_of[indicator.intervention_id].pk,
                "indicator_id": indicator.pk,
                "downloaded": values.get((update_of[indicator.intervention_id].pk, indicator.pk)),
                "code": indicator.intervention.code,
                "indicator": indicator.name,
                "unit": indicator.get_unit_display(),
                "baseline": indicator.baseline_value,
                "target": indicator.target_value,
                "value": values.get((update_of[indicator.intervention_id].pk, indicator.pk)),
            }
            for indicator in indicators
            if indicator.intervention_id in update_of
        ),
        {},
    )
    book.move_sheet(lists, offset=len(book.sheetnames))
    book.save(target)


def _write_instructions(sheet, report):
    lines = [
        _("Quarterly report %(report)s") % {"report": report},
        "",
        _("Fill in the white columns of the sheets Report, Progress and Indicators."),
        _("Choose the lights from the drop-down lists. Amounts in euros, e.g. 1250.50."),
        _("Do not add, remove or reorder columns, and do not use formulas."),
        _("Upload the file on the report's page. Nothing is saved unless every row is valid."),
        _("Someone who changed a row after your download makes that row an error."),
        _("About the work, never about individual residents: no names or case details."),
    ]
    for index, line in enumerate(lines, start=1):
        text_cell(sheet.cell(row=index, column=1), line)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 100


HEADER_FONT = Font(bold=True)
LOCKED_FILL = PatternFill("solid", start_color="FFE7E6E6")
EDITABLE_CELL = Protection(locked=False)
WRAP = Alignment(wrap_text=True, vertical="top")


def _write_sheet(book, title, columns, rows, drop_downs):
    sheet = book.create_sheet(str(title)[:31])
    keys = [column.key for column in columns]
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=str(column.header))
        cell.font = HEADER_FONT
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 45 if column.key in WIDE else 16
        if column.key in HIDDEN:
            sheet.column_dimensions[letter].hidden = True
    count = 0
    for count, row in enumerate(rows, start=1):
        for index, key in enumerate(keys, start=1):
            value = row.get(key)
            cell = sheet.cell(row=count + 1, column=index, value=None if value == "" else value)
            if isinstance(value, str) and value:
                text_cell(cell, value)
            if isinstance(value, Decimal):
                cell.number_format = FORMATS[NUMBER]
            if key in EDITABLE:
                cell.protection = EDITABLE_CELL
                cell.alignment = WRAP
            else:
                cell.fill = LOCKED_FILL
    last = count + 1
    for key, source in drop_downs.items():
        validation = DataValidation(
            type="list",
            formula1=source,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=str(_("Choose from the list")),
            error=str(_("Choose a value from the drop-down list.")),
        )
        letter = get_column_letter(keys.index(key) + 1)
        validation.add(f"{letter}2:{letter}{max(last, 2)}")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    protection = sheet.protection
    protection.sheet = True
    # Locked cells cannot change; widths, heights, sorting and filters still may.
    protection.formatColumns = protection.formatRows = False
    protection.sort = protection.autoFilter = False
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    return sheet


# --- the import


@dataclass
class QuarterImport:
    """What an import did or would do: the problems (nothing saved when there are any)
    and how many rows changed."""

    problems: list[Problem] = field(default_factory=list)
    report_changed: bool = False
    updates_changed: int = 0
    values_created: int = 0
    values_changed: int = 0
    values_deleted: int = 0

    @property
    def ok(self):
        return not self.problems

    def counts(self):
        return {
            "report_changed": self.report_changed,
            "updates_changed": self.updates_changed,
            "values_created": self.values_created,
            "values_changed": self.values_changed,
            "values_deleted": self.values_deleted,
        }


def _may_import(user, report):
    refusal = access.report_import_refusal(user, report)
    if refusal is not None:
        raise refusal  # PermissionDenied, or a lock with its code and reason


@dataclass
class _Parsed:
    report: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    indicators: list = field(default_factory=list)


def _read(upload, problems):
    parsed = _Parsed()
    with xlsx.open_xlsx(upload) as book:
        for attribute, title, columns in (
            ("report", SHEET_REPORT, REPORT_COLUMNS),
            ("updates", SHEET_UPDATES, UPDATE_COLUMNS),
            ("indicators", SHEET_INDICATORS, INDICATOR_COLUMNS),
        ):
            sheet = book.sheet(title)
            if sheet is None:
                problems.append(
                    Problem(
                        str(title),
                        None,
                        "",
                        _("The sheet '%(sheet)s' is missing: use the template.") % {"sheet": title},
                        "missing_sheet",
                    )
                )
                continue
            getattr(parsed, attribute).extend(sheet.rows(columns, problems))
    return parsed


def import_quarter(*, report: AreaReport, user, upload, progress=None) -> QuarterImport:
    """Import a filled template into ``report``. Everything or nothing: when any row is
    wrong, nothing is saved and ``problems`` lists every error. Raises
    SpreadsheetRefused for a file that cannot be read, PermissionDenied when ``user``
    may not change the report and QuarterClosedError/ReportLockedError when it is locked.
    ``progress`` (a function of a percentage) hears how far it is.
    """
    progress = progress or (lambda percent: None)
    _may_import(user, report)
    result = QuarterImport()
    parsed = _read(upload, result.problems)
    progress(40)
    with transaction.atomic():
        report = (
            AreaReport.objects.select_for_update()
            .select_related("period", "area")
            .get(pk=report.pk)
        )
        _may_import(user, report)  # the state may have changed while the file was read
        writes = _check(report, user, parsed, result)
        if result.problems:
            return result
        progress(70)
        _write(writes, user)
    logger.info(
        "quarter import user=%s report=%s %s",
        user.pk,
        report.pk,
        " ".join(f"{k}={v}" for k, v in result.counts().items()),
    )
    return result


def _write(writes, user):
    """The checked changes, a few statements for all rows (history, versions and the
    closed-quarter lock kept: ``save_changed``). A cleared indicator value is deleted
    one by one: simple-history records a deletion per row."""
    for model in (AreaReport, ProgressUpdate, IndicatorValue):
        changed = [obj for action, obj in writes if action == "save" and type(obj) is model]
        model.objects.save_changed(
            [obj for obj in changed if obj.pk], IMPORTED_FIELDS[model], user=user
        )
        created = [obj for obj in changed if not obj.pk]
        if created:
            bulk_create_with_history(created, model, default_user=user)
    for action, obj in writes:
        if action == "delete":
            obj._history_user = user
            obj.delete()


def start_quarter_import(*, report: AreaReport, user, upload) -> QuarterImportJob:
    """Hand a large import to a worker: the file kept privately, the job queued once
    this transaction commits. The same checks as ``import_quarter`` run there."""
    _may_import(user, report)
    job = QuarterImportJob(report=report, user=user, areas=access.scope_of(user, report.area))
    job.upload.save(upload.name, upload, save=False)
    job.save()
    job.enqueue()
    return job


def run_quarter_import(job):
    """The worker's side of ``start_quarter_import``: the result (counts or problems)
    kept on the job for its page."""
    if not access.may_use_job(job.user, job):
        raise JobFailed(_("You may no longer change this report."))
    report = AreaReport.objects.select_related("area", "period").get(pk=job.report_id)
    try:
        with job.upload.open("rb") as upload:
            result = import_quarter(
                report=report, user=job.user, upload=upload, progress=job.set_progress
            )
    except SpreadsheetRefused as error:
        raise JobFailed(error.message) from error
    except PermissionDenied as error:
        raise JobFailed(_("You may no longer change this report.")) from error
    job.result = {
        "ok": result.ok,
        "counts": result.counts(),
        "problems": [problem.as_dict() for problem in result.problems],
    }


def _stale(row, key="version"):
    row.problem(
        key,
        _(
            "Someone changed this row after you downloaded the template: download it "
            "again and copy your changes into it."
        ),
        "stale",
    )


def _validated(row, obj, fields, user):
    """Run the model's rules and the access policy on a changed row; record problems.
    As a model form does, the fields a person cannot change here are left out of the
    field and constraint checks (they are as stored); clean() always runs."""
    others = [f.name for f in obj._meta.fields if f.name not in fields]
    try:
        full_clean_in_bulk(obj, exclude=others)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            key = name if name in fields else next(iter(fields))
            for message in messages:
                row.problem(key, message, "invalid")
        return False
    if not access.can(user, "change" if obj.pk else "add", obj):
        row.problem(next(iter(fields)), _("You cannot change this row."), "forbidden")
        return False
    return True


def _duplicate(row, key, first):
    row.problem(key, _("This row repeats row %(row)d.") % {"row": first.number}, "duplicate_row")


def _check(report, user, parsed, result):
    """Compare the file with the stored rows, read at once and locked; returns the
    writes to make. Each changed row is checked by its model's rules and the access
    policy, without a query per row: the quarter's status is read once, and the versions
    are those loaded under lock."""
    updates = {
        update.pk: update
        for update in ProgressUpdate.objects.for_user(user)
        .filter(report=report)
        .select_for_update(of=("self",))
        .select_related("intervention", "period", "report")
    }
    stored = {
        (value.update_id, value.indicator_id): value
        for value in IndicatorValue.objects.filter(update__report=report)
        .select_for_update(of=("self",))
        .select_related("update__intervention", "update__report", "update__period", "indicator")
    }
    indicators = {
        indicator.pk: indicator
        for indicator in Indicator.objects.for_user(user).filter(
            intervention__updates__report=report
        )
    }
    with quarter_status_read_once(), loaded_under_lock([report, *updates.values()]):
        return _compare(report, user, parsed, result, updates, stored, indicators)


def _compare(report, user, parsed, result, updates, stored, indicators):
    writes = []
    # The report itself: exactly one row, of this report.
    rows = [row for row in parsed.report if "report_id" in row.values]
    if len(parsed.report) > 1:
        _duplicate(parsed.report[1], "report_id", parsed.report[0])
    for row in rows[:1]:
        if row.get("report_id") != report.pk:
            row.problem(
                "report_id",
                _("This file is the template of another report: download this report's."),
                "wrong_report",
            )
            return writes
        candidate = _changed_copy(report, row, REPORT_FIELDS)
        # A row that asks for no change needs no version: uploading twice is harmless.
        if candidate is not None and row.get("version") != report.version:
            _stale(row)
        elif candidate is not None and _validated(row, candidate, REPORT_FIELDS, user):
            writes.append(("save", candidate))
            result.report_changed = True

    seen = {}
    for row in parsed.updates:
        update = updates.get(row.get("update_id"))
        if not _known(row, "update_id", update, seen):
            continue
        if row.get("code") is not None and xlsx.folded(row.get("code")) != xlsx.folded(
            update.intervention.code
        ):
            row.problem("code", _("The code does not belong to this row's update."), "mismatch")
            continue
        candidate = _changed_copy(update, row, UPDATE_FIELDS)
        if candidate is not None and row.get("version") != update.version:
            _stale(row)
            continue
        if candidate is not None and _validated(row, candidate, UPDATE_FIELDS, user):
            writes.append(("save", candidate))
            result.updates_changed += 1

    seen = {}
    for row in parsed.indicators:
        update = updates.get(row.get("update_id"))
        indicator = indicators.get(row.get("indicator_id"))
        if (
            update is None
            or indicator is None
            or indicator.intervention_id != update.intervention_id
        ):
            row.problem(
                "indicator_id",
                _("This row is not an indicator of this report: use the template's rows."),
                "unknown_row",
            )
            continue
        key = (update.pk, indicator.pk)
        if key in seen:
            _duplicate(row, "indicator_id", seen[key])
            continue
        seen[key] = row
        existing = stored.get(key)
        new = row.get("value")
        if "value" not in row.values or new == (existing.value if existing else None):
            continue  # a problem in the cell, or no change
        if row.get("downloaded") != (existing.value if existing else None):
            _stale(row, "value")
            continue
        if existing is not None and new is None:
            if access.can(user, "delete", existing):
                writes.append(("delete", existing))
                result.values_deleted += 1
            else:
                row.problem("value", _("You cannot change this row."), "forbidden")
            continue
        candidate = (
            copy.copy(existing) if existing else IndicatorValue(update=update, indicator=indicator)
        )
        candidate.value = new
        if _validated(row, candidate, ["value"], user):
            writes.append(("save", candidate))
            if existing:
                result.values_changed += 1
            else:
                result.values_created += 1
    return writes


def _known(row, key, obj, seen):
    if obj is None:
        row.problem(
            key,
            _("This row is not an update of this report: use the template's rows."),
            "unknown_row",
        )
        return False
    if obj.pk in seen:
        _duplicate(row, key, seen[obj.pk])
        return False
    seen[obj.pk] = row
    return True


def _changed_copy(obj, row, fields):
    """A copy of ``obj`` with the row's values, or None when nothing changed."""
    candidate = copy.copy(obj)
    changed = False
    for name in fields:
        if name not in row.values:
            continue  # the cell had a problem, or the column is absent
        value = row.values[name]
        if value is None and obj._meta.get_field(name).null is False:
            value = ""
        if getattr(obj, name) != value:
            setattr(candidate, name, value)
            changed = True
    return candidate if changed else None
