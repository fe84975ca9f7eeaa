"""The one safe spreadsheet writer: typed cells, a frozen header with filters, and text a
user typed never becomes a formula, in XLSX and CSV alike."""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

from django.db import models
from openpyxl import load_workbook

from core.spreadsheets.writing import (
    DATE,
    INTEGER,
    MONEY,
    Column,
    Table,
    as_text,
    spooled,
    write_csv,
    write_csv_zip,
    write_xlsx,
)

HOSTILE = ['=HYPERLINK("http://evil.example")', "+31 6 1234", "-1+1", "@SUM(A1)", "\tx", "\rx"]


def table(rows, name="things"):
    return Table(
        name,
        "Dingen",
        [
            Column("naam", key="name"),
            Column("aantal", INTEGER, key="count"),
            Column("bedrag", MONEY, key="amount"),
            Column("datum", DATE, key="date"),
        ],
        lambda: iter(rows),
    )


ROWS = [(text, 1, Decimal("12.50"), datetime.date(2026, 12, 1)) for text in HOSTILE] + [
    ("", 0, None, None)
]


def test_as_text_escapes_every_formula_start_and_nothing_else():
    for text in HOSTILE:
        assert as_text(text) == "'" + text
    assert as_text("Gewoon") == "Gewoon"
    assert as_text(12) == 12


def test_xlsx_cells_are_typed_and_text_is_never_a_formula():
    target = spooled()
    write_xlsx([table(ROWS)], target)
    target.seek(0)
    sheet = load_workbook(target)["Dingen"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:D{len(ROWS) + 1}"
    header, *rows = list(sheet.iter_rows())
    assert [cell.value for cell in header] == ["naam", "aantal", "bedrag", "datum"]
    for (name, count, amount, date), text in zip(rows, HOSTILE, strict=False):
        # As typed (XML keeps no carriage return), and as text.
        assert name.data_type == "s" and name.value.strip() == text.strip()
        assert count.value == 1
        assert amount.value == 12.5 and "€" in amount.number_format
        assert date.value.date() == datetime.date(2026, 12, 1)
    empty = rows[-1]  # empty stays empty, never "None"
    assert [cell.value for cell in empty] == [None, 0, None, None]
    assert not any(cell.data_type == "f" for row in rows for cell in row)


def test_csv_escapes_formulas_and_writes_a_bom():
    target = io.BytesIO()
    write_csv([table(ROWS)], target)
    raw = target.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert header == ["naam", "aantal", "bedrag", "datum"]
    assert [row[0] for row in rows[: len(HOSTILE)]] == ["'" + text for text in HOSTILE]
    assert rows[0][2:] == ["12.50", "2026-12-01"]


def test_a_zip_holds_each_table_as_csv():
    target = io.BytesIO()
    write_csv_zip([table(ROWS), table([], name="empty")], target)
    with zipfile.ZipFile(target) as archive:
        assert archive.namelist() == ["things.csv", "empty.csv"]
        assert archive.read("empty.csv").decode("utf-8-sig") == "naam,aantal,bedrag,datum\r\n"
        assert len(archive.read("things.csv").decode("utf-8-sig").splitlines()) > len(ROWS)


def test_xlsx_keeps_awkward_text_as_typed_and_within_excels_limits():
    awkward = [
        ("a <b> & 'c' \"d\"",),
        ("  spaces around  ",),
        ("line\r\nbreak",),
        ("bell\x07",),  # XML holds no control character: written as Excel writes it
        ("x" * 40_000,),  # Excel holds 32,767 characters a cell
    ]
    target = io.BytesIO()
    write_xlsx([Table("t", "T", [Column("tekst")], lambda: iter(awkward))], target)
    target.seek(0)
    values = [row[0] for row in load_workbook(target)["T"].iter_rows(min_row=2, values_only=True)]
    assert values == [
        "a <b> & 'c' \"d\"",
        "  spaces around  ",
        "line\nbreak",
        "bell_x0007_",
        "x" * 32_767,
    ]


def test_xlsx_writes_every_table_as_its_own_sheet_with_labels_for_codes():
    class Colour(models.TextChoices):
        RED = "red", "rood"

    coloured = Table(
        "c", "Kleur & 'smaak'", [Column("kleur", choices=Colour)], lambda: iter([("red",)])
    )
    target = io.BytesIO()
    write_xlsx([coloured, table([], name="empty")], target)
    target.seek(0)
    book = load_workbook(target)
    assert book.sheetnames == ["Kleur & 'smaak'", "Dingen"]
    assert [row for row in book["Kleur & 'smaak'"].iter_rows(values_only=True)] == [
        ("kleur",),
        ("rood",),
    ]
    empty = book["Dingen"]
    assert empty.auto_filter.ref == "A1:D1" and empty.freeze_panes == "A2"
    assert empty.max_row == 1


def test_xlsx_dates_with_a_time_keep_it():
    moment = datetime.datetime(2026, 12, 1, 13, 30)
    target = io.BytesIO()
    write_xlsx(
        [Table("t", "T", [Column("moment", DATE)], lambda: iter([(moment,)]))],
        target,
    )
    target.seek(0)
    cell = load_workbook(target)["T"]["A2"]
    assert cell.value == moment and cell.number_format == "dd-mm-yyyy"
