"""The one safe spreadsheet writer: tables as XLSX (one sheet per table) or CSV (a zip).

A table is a title, typed columns and an iterator of rows. Both formats stream:
openpyxl's write-only mode and the csv module write row by row into a temporary file,
so memory stays flat however many rows there are. Text a user typed is never written
as a formula (CSV injection): see ``as_text`` and ``text_cell``.
"""

import csv
import io
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

TEXT, INTEGER, MONEY, NUMBER, DATE = "text", "integer", "money", "number", "date"
# Characters that make a spreadsheet treat typed text as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value):
    """Text a user typed, made safe for a spreadsheet: a leading formula character is
    escaped with a quote, so the cell shows the text and never runs it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def text_cell(cell, value):
    """Put ``value`` into an openpyxl cell as text: typed text stays text, never a formula."""
    cell.value = value
    cell.data_type = "s"
    return cell


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: int = 18
    choices: type | None = None  # TextChoices whose labels replace the stored codes
    key: str = ""  # the column's name for code that reads the rows back, and for machines

    def display(self, value):
        if self.choices is not None and value not in ("", None):
            return str(self.choices(value).label)
        return value


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: Callable[[], Iterable[tuple]]


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
    if value is None or value == "":
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
    """Each table as a CSV file (UTF-8 with a BOM, so Excel reads the accents) in a zip."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            with archive.open(f"{table.name}.csv", "w") as raw:
                _write_csv_table(table, raw)


def write_csv(tables, target):
    """One table as a plain CSV file (UTF-8 with a BOM)."""
    (table,) = tables
    _write_csv_table(table, target)


def _write_csv_table(table, raw):
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([str(column.header) for column in table.columns])
    for row in table.rows():
        writer.writerow(
            [_csv_value(column, value) for column, value in zip(table.columns, row, strict=True)]
        )
    text.flush()
    text.detach()  # the caller closes the file it gave


def _csv_value(column, value):
    value = column.display(value)
    if isinstance(value, date):
        return value.isoformat()
    return as_text(value) if isinstance(value, str) else value


def spooled():
    """A temporary file that stays in memory while small and moves to disk when large."""
    return tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
