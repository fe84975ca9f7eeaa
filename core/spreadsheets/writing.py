"""The one safe spreadsheet writer: tables as XLSX (one sheet per table) or CSV (a zip).

A table is a title, typed columns and an iterator of rows. Both formats stream: the
XLSX through ``xlsx_stream`` (row by row into the zip; see there why not a library),
the CSV through the csv module, so memory stays flat however many rows there are. Text
a user typed is never written as a formula (CSV injection): XLSX text cells are inline
strings, never parsed; CSV text gets ``as_text``. openpyxl stays for reading and for the
import templates, which need cell protection and drop-down lists.
"""

import csv
import io
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from . import xlsx_stream

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


def write_xlsx(tables, target):
    """Write ``tables`` as an XLSX workbook into ``target`` (a binary file object):
    typed cells, a bold frozen header row and a filter over every column."""
    workbook = xlsx_stream.Workbook(target, number_formats=FORMATS.values())
    for table in tables:
        workbook.add_sheet(
            str(table.title)[:31],
            headers=[str(column.header) for column in table.columns],
            widths=[column.width for column in table.columns],
            writers=[
                _cell_writer(workbook, index, column) for index, column in enumerate(table.columns)
            ],
            rows=table.rows(),
        )
    workbook.close()


def _cell_writer(workbook, index, column):
    """How to write one column's values: text as text, numbers and dates typed."""
    letter = xlsx_stream.column_letter(index)
    labels = column.labels()
    if column.kind == TEXT or labels:
        return xlsx_stream.text_cells(letter, labels)
    return xlsx_stream.typed_cells(letter, workbook.style(FORMATS[column.kind]))


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
