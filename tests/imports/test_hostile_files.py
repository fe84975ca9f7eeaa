"""Hostile and odd files: each gets a clear error, in bounded time and memory, and
nothing is written."""

import io
import re
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from core.spreadsheets import reading as xlsx
from reporting import imports
from reporting.models import ProgressUpdate
from tests.imports.helpers import (
    as_upload,
    rezip,
    rows_of,
    saved,
    set_cell,
    sheet_of,
    template_book,
)

PROGRESS = "xl/worksheets/sheet3.xml"  # Instructions, Report, Progress, Indicators, Lists
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>"
)


@pytest.fixture
def template(report_a, liaison_a):
    """The report's template with every light filled in: a valid import."""
    book = template_book(report_a, liaison_a)
    sheet = sheet_of(book, imports.SHEET_UPDATES)
    for row in rows_of(sheet, imports.UPDATE_COLUMNS):
        set_cell(sheet, imports.UPDATE_COLUMNS, row["_row"], "light", "green")
    return saved(book)


def refused(report, user, data, code):
    """Import ``data``: it must be refused with ``code`` and nothing written."""
    before = list(ProgressUpdate.history.values_list("pk", flat=True))
    with pytest.raises(xlsx.SpreadsheetRefused) as refusal:
        imports.import_quarter(report=report, user=user, upload=as_upload(data))
    assert refusal.value.code == code, refusal.value.message
    assert refusal.value.message
    assert list(ProgressUpdate.history.values_list("pk", flat=True)) == before
    assert not ProgressUpdate.objects.filter(report=report).exclude(light="").exists()


def problems_of(report, user, data):
    result = imports.import_quarter(report=report, user=user, upload=as_upload(data))
    assert not ProgressUpdate.objects.filter(report=report).exclude(light="").exists()
    return result.problems


def test_openpyxl_parses_with_defusedxml():
    import openpyxl
    from openpyxl.xml import functions

    assert openpyxl.DEFUSEDXML is True
    assert functions.iterparse.__module__.startswith("defusedxml")


def test_the_valid_template_imports(report_a, liaison_a, template):
    result = imports.import_quarter(report=report_a, user=liaison_a, upload=as_upload(template))
    assert result.ok and result.updates_changed == 2


@pytest.mark.parametrize(
    "data",
    [
        b"code;licht\nIV-1;groen\n",  # a CSV
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b"",
        "gebied;licht\r\nZuid;groen".encode("utf-16"),
    ],
    ids=["csv", "pdf", "empty", "utf16-text"],
)
def test_a_file_that_is_no_workbook(data, report_a, liaison_a):
    refused(report_a, liaison_a, data, "wrong_type")


def test_an_old_xls_or_a_password_protected_workbook(report_a, liaison_a):
    refused(report_a, liaison_a, xlsx.OLE_MAGIC + b"\x00" * 4096, "wrong_type")


def test_an_encrypted_zip_member(report_a, liaison_a, template):
    data = bytearray(template)
    start = data.find(b"PK\x01\x02")  # the first entry of the central directory
    data[start + 8] |= 0x1  # its "encrypted" flag
    refused(report_a, liaison_a, bytes(data), "wrong_type")


def test_a_truncated_file(report_a, liaison_a, template):
    refused(report_a, liaison_a, template[: len(template) // 2], "broken_file")


def test_a_corrupt_member(report_a, liaison_a, template):
    # Damage the packed bytes of the Progress sheet, keeping the zip's directory intact.
    info = zipfile.ZipFile(io.BytesIO(template)).getinfo(PROGRESS)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray(template)
    for offset in range(start + 10, start + min(info.compress_size, 200)):
        data[offset] ^= 0x5A
    refused(report_a, liaison_a, bytes(data), "broken_file")


def test_a_zip_that_is_no_workbook(report_a, liaison_a):
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("foto.jpg", b"\xff\xd8\xff")
    refused(report_a, liaison_a, target.getvalue(), "wrong_type")


def test_a_workbook_with_macros(report_a, liaison_a, template):
    target = io.BytesIO(template)
    with zipfile.ZipFile(target, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    refused(report_a, liaison_a, target.getvalue(), "macros")


def test_an_xml_bomb(report_a, liaison_a, template):
    def bomb(name, content):
        if name == PROGRESS:
            return BILLION_LAUGHS + content.split(b"?>", 1)[-1].replace(
                b"<sheetData>",
                b"<sheetData><row r='99'><c r='A99' t='inlineStr'><is><t>&lol9;</t></is></c></row>",
                1,
            )
        return content

    refused(report_a, liaison_a, rezip(template, bomb), "unsafe_xml")  # warm up
    tracemalloc.start()
    refused(report_a, liaison_a, rezip(template, bomb), "unsafe_xml")
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 50 * 2**20


def test_an_xml_bomb_in_the_workbook_part(report_a, liaison_a, template):
    def bomb(name, content):
        if name == "xl/workbook.xml":
            return BILLION_LAUGHS + content.split(b"?>", 1)[-1]
        return content

    refused(report_a, liaison_a, rezip(template, bomb), "unsafe_xml")


def test_an_external_entity(report_a, liaison_a, template):
    def xxe(name, content):
        if name == PROGRESS:
            body = content.split(b"?>", 1)[-1]
            return (
                b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                + body.replace(
                    b"<sheetData>",
                    b"<sheetData><row r='99'><c r='A99' t='inlineStr'><is><t>&xxe;</t></is></c></row>",
                    1,
                )
            )
        return content

    refused(report_a, liaison_a, rezip(template, xxe), "unsafe_xml")


def test_a_zip_bomb(report_a, liaison_a, template):
    target = io.BytesIO(template)
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/bom.bin", b"\0" * (15 * 2**20))
    assert len(target.getvalue()) < 200_000
    refused(report_a, liaison_a, target.getvalue(), "zip_bomb")  # warm up (translations)
    tracemalloc.start()
    refused(report_a, liaison_a, target.getvalue(), "zip_bomb")
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 10 * 2**20  # refused from the zip's directory, nothing unpacked


def test_too_much_unpacked(template):
    # Parts that unpack beyond the cap, each at an innocent ratio (a smaller cap here).
    target = io.BytesIO(template)
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/foto.bin", bytes(range(256)) * 1000)
    with pytest.raises(xlsx.SpreadsheetRefused) as refusal:
        xlsx.check_archive(target, xlsx.Limits(unpacked_bytes=200_000))
    assert refusal.value.code == "too_large_unpacked"


def test_too_many_parts(report_a, liaison_a, template):
    target = io.BytesIO(template)
    with zipfile.ZipFile(target, "a") as archive:
        for index in range(300):
            archive.writestr(f"xl/media/{index}.bin", b"x")
    refused(report_a, liaison_a, target.getvalue(), "too_many_parts")


def test_a_file_over_the_upload_cap(report_a, liaison_a):
    refused(report_a, liaison_a, xlsx.ZIP_MAGIC + b"\0" * (11 * 2**20), "file_too_large")


def test_a_sheet_over_the_row_cap(report_a, liaison_a, template):
    book = template_book(report_a, liaison_a)
    sheet = sheet_of(book, imports.SHEET_UPDATES)
    first = [cell.value for cell in sheet[2]]
    for _ in range(xlsx.LIMITS.rows):
        sheet.append(first)
    refused(report_a, liaison_a, saved(book), "too_many_rows")


def test_rows_far_down_and_far_right_are_read_in_bounded_time(report_a, liaison_a, template):
    # One cell at the last row and column Excel has, and a row number beyond it: the
    # reader neither pads a million rows nor sixteen thousand columns into memory.
    def far(name, content):
        if name == PROGRESS:
            return content.replace(
                b"</sheetData>",
                b"<row r='1048576'><c r='XFD1048576' t='inlineStr'><is><t>x</t></is></c></row>"
                b"<row r='99999999999'><c r='A99999999999' t='inlineStr'><is><t>y</t></is></c></row>"
                b"</sheetData>",
            )
        return content

    tracemalloc.start()
    result = imports.import_quarter(
        report=report_a, user=liaison_a, upload=as_upload(rezip(template, far))
    )
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 50 * 2**20
    # The stray cell lies outside the template's columns, the stray row beyond any sheet:
    # neither is read, and the template's rows import.
    assert result.ok
    assert result.updates_changed == 2


@pytest.mark.parametrize(
    "formula",
    [
        "<f>1+1</f><v>2</v>",
        '<f t="shared" ref="F2:F3" si="0">SUM(A1:A2)</f><v>3</v>',
        '<f t="array" ref="F2">SUM(A1:A2*B1:B2)</f><v>3</v>',
    ],
    ids=["plain", "shared", "array"],
)
def test_formulas_are_refused_not_evaluated(formula, report_a, liaison_a, template):
    def with_formula(name, content):
        if name == PROGRESS:
            # The first update's "money spent" cell (column H) becomes a formula.
            cell = re.compile(rb'<c r="H2"[^>]*?(/>|>.*?</c>)', re.DOTALL)
            return cell.sub(f'<c r="H2">{formula}</c>'.encode(), content, count=1)
        return content

    problems = problems_of(report_a, liaison_a, rezip(template, with_formula))
    assert [(p.code, p.cell) for p in problems] == [("formula", "H2")]


def test_text_that_starts_with_an_equals_sign_is_refused(report_a, liaison_a):
    book = template_book(report_a, liaison_a)
    sheet = sheet_of(book, imports.SHEET_UPDATES)
    set_cell(sheet, imports.UPDATE_COLUMNS, 2, "narrative", '=HYPERLINK("http://x")')
    problems = problems_of(report_a, liaison_a, saved(book))
    assert [p.code for p in problems] == ["formula"]


def test_odd_encodings_read_as_meant(report_a, liaison_a):
    """A UTF-16 sheet part, a decomposed é, non-breaking and zero-width spaces and a
    byte-order mark around a choice."""
    book = template_book(report_a, liaison_a)
    sheet = sheet_of(book, imports.SHEET_UPDATES)
    set_cell(sheet, imports.UPDATE_COLUMNS, 2, "narrative", "Cafe\u0301 in de wijk")
    set_cell(sheet, imports.UPDATE_COLUMNS, 2, "light", "\ufeff\u00a0GREEN\u200b ")
    set_cell(sheet, imports.UPDATE_COLUMNS, 3, "light", "amber")

    def utf16(name, content):
        if name == PROGRESS:
            body = content.split(b"?>", 1)[-1] if content.startswith(b"<?xml") else content
            return (
                '<?xml version="1.0" encoding="UTF-16"?>'.encode("utf-16")
                + body.decode().encode("utf-16")[2:]
            )
        return content

    result = imports.import_quarter(
        report=report_a, user=liaison_a, upload=as_upload(rezip(saved(book), utf16))
    )
    assert result.problems == []
    updates = ProgressUpdate.objects.filter(report=report_a).order_by("intervention__title")
    assert [u.light for u in updates] == ["green", "amber"]
    assert updates[0].narrative == "Café in de wijk"
    assert len(updates[0].narrative) == len("Café in de wijk")


@pytest.mark.parametrize(
    ("typed", "code", "stored"),
    [
        ("1.250,50", None, "1250.50"),
        ("€ 1.250.000", None, "1250000.00"),
        ("1,250.50", None, "1250.50"),
        ("1250,5", None, "1250.50"),
        ("1.250", "ambiguous_number", None),
        ("12,345", "ambiguous_number", None),
        ("1250.555", "too_many_decimals", None),
        ("-5", "below_minimum", None),
        ("veel", "not_a_number", None),
    ],
)
def test_amounts_typed_as_text(typed, code, stored, report_a, liaison_a):
    book = template_book(report_a, liaison_a)
    sheet = sheet_of(book, imports.SHEET_UPDATES)
    set_cell(sheet, imports.UPDATE_COLUMNS, 2, "money_spent_to_date", typed)
    result = imports.import_quarter(report=report_a, user=liaison_a, upload=as_upload(saved(book)))
    assert [p.code for p in result.problems] == ([code] if code else [])
    if stored:
        assert (
            str(
                ProgressUpdate.objects.filter(report=report_a)
                .order_by("intervention__title")
                .first()
                .money_spent_to_date
            )
            == stored
        )


def test_duplicate_rows(report_a, liaison_a):
    book = template_book(report_a, liaison_a)
    sheet = sheet_of(book, imports.SHEET_UPDATES)
    sheet.append([cell.value for cell in sheet[2]])
    problems = problems_of(report_a, liaison_a, saved(book))
    assert [(p.code, p.row) for p in problems] == [("duplicate_row", 4)]


def test_a_workbook_of_something_else(report_a, liaison_a):
    book = Workbook()
    book.active.append(["naam", "adres"])
    problems = problems_of(report_a, liaison_a, saved(book))
    assert {p.code for p in problems} == {"missing_sheet"}
