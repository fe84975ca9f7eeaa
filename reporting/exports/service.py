"""Every download of the quarter's data goes through here, whichever door asks (admin,
pages, API, the quarterly-report endpoint, the command): it checks nothing the querysets
do not already scope, writes the file with the one safe writer, and leaves an
``ExportLog`` row."""

import logging
from typing import NamedTuple

from django.utils.text import slugify

from core.spreadsheets.writing import Table, spooled, write_csv, write_csv_zip, write_xlsx

from .. import imports
from ..models import ExportLog
from ..selectors import quarter_figures
from .tables import quarter_tables, summary_table

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "application/zip",
    "pdf": "application/pdf",
}
EXTENSIONS = {"xlsx": "xlsx", "csv": "zip", "pdf": "pdf"}
SUMMARY_CONTENT_TYPES = {"xlsx": CONTENT_TYPES["xlsx"], "csv": "text/csv; charset=utf-8"}


class Export(NamedTuple):
    name: str
    file: object  # an open binary file, at its start
    content_type: str


def export_quarter(*, user, period, fmt, area=None, via, progress=None) -> Export:
    """The quarterly report for ``period`` (or one area) as ``fmt``, holding only what
    ``user`` may see. ``progress`` (a function of a percentage) hears how far it is."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unknown export format {fmt!r}")
    progress = progress or (lambda percent: None)
    target = spooled()
    progress(5)
    if fmt == "pdf":
        from .pdf import write_pdf  # WeasyPrint is heavy: loaded only for a PDF

        write_pdf(user=user, period=period, area=area, target=target)
    else:
        tables = with_progress(quarter_tables(user=user, period=period, area=area), progress)
        (write_xlsx if fmt == "xlsx" else write_csv_zip)(tables, target)
    progress(95)
    name = f"kwartaalrapportage-{period.label}" + (f"-{slugify(area.name)}" if area else "")
    return _logged(
        Export(f"{name}.{EXTENSIONS[fmt]}", target, CONTENT_TYPES[fmt]),
        user=user,
        period=period,
        area=area,
        fmt=fmt,
        via=via,
        kind=ExportLog.Kind.REPORT,
    )


def with_progress(tables, progress):
    """The tables, each telling ``progress`` when it is written (the interventions'
    sheet, the largest, counts for most)."""
    weights = [3 if table.name == "interventions" else 1 for table in tables]
    done, total = 0, sum(weights)

    def rows_then_progress(table, weight):
        def rows():
            nonlocal done
            yield from table.rows()
            done += weight
            progress(5 + 90 * done // total)

        return rows

    return [
        Table(table.name, table.title, table.columns, rows_then_progress(table, weight))
        for table, weight in zip(tables, weights, strict=True)
    ]


def export_summary(*, user, period, fmt, via) -> Export:
    """The quarter's figures per area for reporting clients: one table headed by keys,
    as XLSX or a plain CSV."""
    if fmt not in SUMMARY_CONTENT_TYPES:
        raise ValueError(f"Unknown summary format {fmt!r}")
    table = summary_table(quarter_figures(user=user, period=period), for_machines=True)
    target = spooled()
    (write_xlsx if fmt == "xlsx" else write_csv)([table], target)
    return _logged(
        Export(f"kwartaal-{period.label}.{fmt}", target, SUMMARY_CONTENT_TYPES[fmt]),
        user=user,
        period=period,
        area=None,
        fmt=fmt,
        via=via,
        kind=ExportLog.Kind.SUMMARY,
    )


def export_template(*, user, report, via) -> Export:
    """An area's quarterly report as an Excel template to fill in offline."""
    target = spooled()
    imports.quarter_template(report=report, user=user, target=target)
    return _logged(
        Export(imports.template_name(report), target, imports.TEMPLATE_CONTENT_TYPE),
        user=user,
        period=report.period,
        area=report.area,
        fmt=ExportLog.Format.XLSX,
        via=via,
        kind=ExportLog.Kind.TEMPLATE,
    )


def _logged(export, *, user, period, area, fmt, via, kind):
    export.file.seek(0)
    ExportLog.objects.create(user=user, period=period, area=area, format=fmt, via=via, kind=kind)
    logger.info(
        "export user=%s quarter=%s area=%s format=%s kind=%s via=%s",
        user.pk,
        period.pk,
        area.pk if area else "-",
        fmt,
        kind,
        via,
    )
    return export
