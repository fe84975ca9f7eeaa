"""Making, filling and reading workbooks for the import tests."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from core.spreadsheets.reading import XLSX_CONTENT_TYPE, folded
from reporting import imports


def as_upload(data, name="kwartaal.xlsx", content_type=XLSX_CONTENT_TYPE):
    return SimpleUploadedFile(name, data, content_type=content_type)


def template_book(report, user):
    buffer = io.BytesIO()
    imports.quarter_template(report=report, user=user, target=buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def saved(book):
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_of(book, title):
    for name in book.sheetnames:
        if folded(name) == folded(str(title)):
            return book[name]
    raise KeyError(title)


def positions(sheet, columns):
    """key -> column number, found as the import finds them (any language)."""
    found = {}
    for cell in sheet[1]:
        for column in columns:
            if cell.value is not None and folded(cell.value) in column.names():
                found[column.key] = cell.column
    return found


def rows_of(sheet, columns):
    """The data rows as dicts of key -> value, with their row number under '_row'."""
    where = positions(sheet, columns)
    rows = []
    for number in range(2, sheet.max_row + 1):
        row = {key: sheet.cell(row=number, column=col).value for key, col in where.items()}
        row["_row"] = number
        rows.append(row)
    return rows


def set_cell(sheet, columns, row_number, key, value):
    # (sheet.cell(..., value=None) would leave the cell as it was.)
    sheet.cell(row=row_number, column=positions(sheet, columns)[key]).value = value


def workbook_with(sheets):
    """A workbook from {title: [header, *rows]}."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(str(title))
        for row in rows:
            sheet.append(row)
    return saved(book)


def rezip(data, change):
    """The XLSX ``data`` with its members passed through ``change(name, bytes)``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = change(info.filename, source.read(info.filename))
            if content is not None:
                archive.writestr(info.filename, content)
    return target.getvalue()
