"""The one safe spreadsheet writer: tables as XLSX (one sheet per table) or CSV (a zip).

A table is a title, typed columns and an iterator of rows. Both formats stream: the
XLSX through XlsxWriter in its ``constant_memory`` mode (each row goes to a temporary
file as it is written; bench/exports.py measured it about five times as fast as
openpyxl's write-only mode on the national export), the CSV through the csv module, so
memory stays flat however many rows there are. Text a user typed is never written as a
formula (CSV injection): XLSX text cells are written as strings, never parsed (see
``write_xlsx``); CSV text gets ``as_text``. openpyxl stays for reading and for the
import templates, which need cell protection and drop-down lists.
"""

import csv
import io
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import xlsxwriter

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

    def labels(self):
        """The choices' labels in the active language, looked up once per table."""
        if self.choices is None:
            return {}
        return {value: str(label) for value, label in self.choices.choices}


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: Callable[[], Iterable[tuple]]


FORMATS = {MONEY: "€ #,##0.00", NUMBER: "#,##0.00", INTEGER: "0", DATE: "dd-mm-yyyy"}
# Nothing a cell holds is turned into a formula, a link or a number behind our back.
XLSX_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def write_xlsx(tables, target):
    """Write ``tables`` as an XLSX workbook into ``target`` (a binary file object):
    typed cells, a bold frozen header row and a filter over every column."""
    workbook = xlsxwriter.Workbook(target, XLSX_OPTIONS)
    bold = workbook.add_format({"bold": True})
    formats = {kind: workbook.add_format({"num_format": code}) for kind, code in FORMATS.items()}
    for table in tables:
        sheet = workbook.add_worksheet(str(table.title)[:31])
        for index, column in enumerate(table.columns):
            sheet.set_column(index, index, column.width)
        sheet.freeze_panes(1, 0)
        for index, column in enumerate(table.columns):
            sheet.write_string(0, index, str(column.header), bold)
        writers = [
            _cell_writer(sheet, column, formats.get(column.kind)) for column in table.columns
        ]
        number = 0
        for number, row in enumerate(table.rows(), start=1):
            for index, (write, value) in enumerate(zip(writers, row, strict=True)):
                if value is not None and value != "":
                    write(number, index, value)
        sheet.autofilter(0, 0, number, len(table.columns) - 1)
    workbook.close()


def _cell_writer(sheet, column, number_format):
    """How to write one column's values: text as text, numbers and dates typed."""
    labels = column.labels()

    def text(row, col, value):
        text = str(labels.get(value, value))
        if "\r" in text:
            # XML keeps no carriage return: a line break, as openpyxl's cells had it,
            # rather than XlsxWriter's escape (_x000D_) that readers show as typed.
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        sheet.write_string(row, col, text)

    if column.kind == TEXT or labels:
        return text

    def typed(row, col, value):
        if isinstance(value, str):
            text(row, col, value)
        elif isinstance(value, date):
            sheet.write_datetime(row, col, value, number_format)
        else:
            sheet.write_number(row, col, value, number_format)

    return typed


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
