"""Time and peak memory of the quarterly XLSX and CSV exports on the generated data,
the XLSX writer against openpyxl's write-only mode side by side, and CSV against
PostgreSQL's own COPY of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench uv run python bench/exports.py

Exports the generated programme's open quarter (every intervention of the programme,
with its update of that quarter) as the bench coordinator. Peak memory is the Python
heap's peak during the export (tracemalloc, in a second run: tracing slows Python
down), so a streamed export stays flat as the data grows; the same export of one area
shows whether it does.

The exports write XLSX with ``core.spreadsheets.xlsx_stream``; the two libraries it is
measured against write the same tables, typed cells, bold frozen header and filters:
``openpyxl_write_only`` (the first writer) and ``xlsxwriter_constant_memory`` (the
second), so all three write the same workbook.
"""

import argparse
import csv
import io
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

from .common import bench_users, open_quarter, setup


def openpyxl_write_only(tables, target):
    """The national XLSX as openpyxl's write-only mode writes it (the former writer)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from core.spreadsheets.writing import FORMATS, TEXT

    bold = Font(bold=True)
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(str(table.title)[:31])
        for index, column in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=str(column.header))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        count = 0
        for row in table.rows():
            cells = []
            for column, value in zip(table.columns, row, strict=True):
                value = column.display(value)
                if value is None or value == "":
                    cells.append(None)
                    continue
                cell = WriteOnlyCell(sheet, value=str(value) if column.kind == TEXT else value)
                if column.kind == TEXT or isinstance(value, str):
                    cell.data_type = "s"
                elif column.kind in FORMATS:
                    cell.number_format = FORMATS[column.kind]
                cells.append(cell)
            sheet.append(cells)
            count += 1
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{count + 1}"
    workbook.save(target)


def xlsxwriter_constant_memory(tables, target):
    """The national XLSX as XlsxWriter's ``constant_memory`` mode writes it (the second
    writer): every row goes to a temporary file as it is written."""
    import xlsxwriter

    from core.spreadsheets.writing import FORMATS, TEXT

    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    formats = {kind: workbook.add_format({"num_format": code}) for kind, code in FORMATS.items()}
    for table in tables:
        sheet = workbook.add_worksheet(str(table.title)[:31])
        for index, column in enumerate(table.columns):
            sheet.set_column(index, index, column.width)
            sheet.write_string(0, index, str(column.header), bold)
        sheet.freeze_panes(1, 0)
        number = 0
        for number, row in enumerate(table.rows(), start=1):
            for index, (column, value) in enumerate(zip(table.columns, row, strict=True)):
                value = column.display(value)
                if value is None or value == "":
                    continue
                if column.kind == TEXT or isinstance(value, str):
                    sheet.write_string(number, index, str(value))
                elif hasattr(value, "toordinal"):
                    sheet.write_datetime(number, index, value, formats[column.kind])
                else:
                    sheet.write_number(number, index, value, formats[column.kind])
        sheet.autofilter(0, 0, number, len(table.columns) - 1)
    workbook.close()


def measure(run, trace=True):
    start = time.perf_counter()
    size = run()
    elapsed = time.perf_counter() - start
    peak = 0
    if trace:
        tracemalloc.start()
        run()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {"seconds": elapsed, "peak_mib": peak / 2**20, "size_mib": size / 2**20}


def run(say=print, only=None, trace=True):
    setup()
    from django.db import connection

    from core.spreadsheets.writing import write_csv_zip, write_xlsx
    from interventions.models import Intervention
    from reporting.exports.tables import quarter_tables

    coordinator = bench_users()["coordinator"]
    period = open_quarter()
    interventions = Intervention.objects.filter(track__programme_id=period.programme_id)
    one_area = interventions.exclude(area=None).values("area").order_by("area")[:1]
    from areas.models import Area

    area = Area.objects.get(pk=one_area[0]["area"])

    def export(writer, area=None):
        def go():
            # A file on disk: the exports' spooled file keeps up to 8 MiB in memory, which
            # would count as the writer's peak.
            target = tempfile.TemporaryFile()
            writer(quarter_tables(user=coordinator, period=period, area=area), target)
            return target.tell()

        return go

    # Made once: making the tables computes the summary's figures, which COPY does not.
    interventions_table = next(
        t for t in quarter_tables(user=coordinator, period=period) if t.name == "interventions"
    )

    def csv_interventions_only():
        out = io.StringIO()
        writer = csv.writer(out)
        for row in interventions_table.rows():
            writer.writerow(row)
        return len(out.getvalue())

    def copy_interventions():
        sql = f"""COPY (
            SELECT i.code, i.title, a.name, t.number, i.status, p.name, i.start_date, i.end_date,
                   u.light, u.narrative, u.results, u.money_spent_to_date, u.risks
            FROM interventions_intervention i
            JOIN programme_track t ON t.id = i.track_id
            LEFT JOIN areas_area a ON a.id = i.area_id
            LEFT JOIN areas_partner p ON p.id = i.lead_partner_id
            LEFT JOIN reporting_progressupdate u
                ON u.intervention_id = i.id AND u.period_id = {period.pk}
            WHERE t.programme_id = {period.programme_id}
            ORDER BY a.name, i.title, i.id) TO STDOUT WITH CSV"""
        size = 0
        connection.ensure_connection()
        with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
            for block in copy:
                size += len(block)
        return size

    count = interventions.count()
    updates = period.updates.count()
    say(f"{count} interventions, {updates} updates in quarter {period.label}")
    figures = {"interventions": count, "updates": updates, "quarter": period.label}
    for name, go in [
        ("xlsx", export(write_xlsx)),
        ("xlsx_xlsxwriter", export(xlsxwriter_constant_memory)),
        ("xlsx_openpyxl", export(openpyxl_write_only)),
        ("xlsx_one_area", export(write_xlsx, area)),
        ("csv_zip", export(write_csv_zip)),
        ("csv_interventions", csv_interventions_only),
        ("copy_interventions", copy_interventions),
    ]:
        if only and name not in only:
            continue
        figures[name] = measure(go, trace=trace)
        f = figures[name]
        say(
            f"{name:<22} {f['seconds']:7.2f} s   peak {f['peak_mib']:6.1f} MiB"
            f"   {f['size_mib']:6.1f} MiB"
        )
    figures["area"] = area.name
    figures["area_interventions"] = interventions.filter(area=area).count()
    if "csv_interventions" in figures and "copy_interventions" in figures:
        # Both take well under a second, so one run each swings with the machine: the
        # median of five, taken in turn.
        csv_s, copy_s = [], []
        for _ in range(5):
            csv_s.append(measure(csv_interventions_only, trace=False)["seconds"])
            copy_s.append(measure(copy_interventions, trace=False)["seconds"])
        figures["ratio"] = statistics.median(csv_s) / statistics.median(copy_s)
        say(
            f"CSV / COPY ratio: {figures['ratio']:.1f} (medians of five: "
            f"{statistics.median(csv_s):.2f} s and {statistics.median(copy_s):.2f} s)"
        )
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="e.g. xlsx xlsx_openpyxl")
    parser.add_argument(
        "--no-trace", action="store_true", help="time only (the traced run doubles the time)"
    )
    args = parser.parse_args()
    run(only=args.only, trace=not args.no_trace)


if __name__ == "__main__":
    main()
