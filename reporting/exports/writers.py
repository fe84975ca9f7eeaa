"""Write the quarterly report's tables as XLSX (one sheet per table) or CSV (a zip).

Both stream: openpyxl's write-only mode and the csv module write row by row into a
temporary file, so memory stays flat however many interventions there are.
"""

import csv
import io
import tempfile
import zipfile
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .cells import as_text
from .tables import DATE, INTEGER, MONEY, NUMBER, TEXT

FORMATS = {MONEY: "€ #,##0.00", NUMBER: "#,##0.00", INTEGER: "0", DATE: "dd-mm-yyyy"}
BOLD = Font(bold=True)


def write_xlsx(tables, target):
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(str(table.title)[:31])
        for index, column in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        last_column = get_column_letter(len(table.columns))
        count = 0
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=str(column.header))
            cell.font = BOLD
            header.append(cell)
        sheet.append(header)
        for row in table.rows():
            sheet.append(
                [
                    _xlsx_cell(sheet, column, value)
                    for column, value in zip(table.columns, row, strict=True)
                ]
            )
            count += 1
        sheet.auto_filter.ref = f"A1:{last_column}{count + 1}"
    workbook.save(target)


def _xlsx_cell(sheet, column, value):
    value = column.display(value)
    if value == "":
        return None
    if column.kind == TEXT or isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=str(value))
        cell.data_type = "s"  # typed text stays text, never a formula
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if column.kind in FORMATS:
        cell.number_format = FORMATS[column.kind]
    return cell


def write_csv_zip(tables, target):
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            with archive.open(f"{table.name}.csv", "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                writer = csv.writer(text)
                writer.writerow([str(column.header) for column in table.columns])
                for row in table.rows():
                    writer.writerow(
                        [
                            _csv_value(column, value)
                            for column, value in zip(table.columns, row, strict=True)
                        ]
                    )
                text.flush()
                text.detach()


def _csv_value(column, value):
    value = column.display(value)
    if isinstance(value, date):
        return value.isoformat()
    return as_text(value) if isinstance(value, str) else value


def spooled():
    """A temporary file that stays in memory while small and moves to disk when large."""
    return tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
