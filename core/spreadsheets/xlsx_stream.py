"""A streaming XLSX writer for the exports' plain tables: the sheets' XML written row by
row straight into the zip, in flat memory.

Written by hand because the national export is 1.3 million cells and both libraries
spend their time per cell (bench/exports.py, bench/results.md: XlsxWriter's
``constant_memory`` mode needs about 8 µs a cell before a single row is read, openpyxl
several times that); here a cell is one formatted string. It writes only what the
exports need, as XlsxWriter writes it: inline strings, numbers and dates with a
style, a bold frozen header row, column widths and a filter over the columns. Text
is always an inline string, so it is never parsed as a formula, a link or a number.
"""

import re
import zipfile
from datetime import date, datetime
from xml.sax.saxutils import escape, quoteattr

BOLD = 1  # the header's style; 0 is the default, the number formats follow
FIRST_OWN_FORMAT = 164  # number format ids below are Excel's built-in ones
MAX_TEXT = 32767  # Excel's limit for one cell; a longer text makes Excel repair the file
# Control characters XML cannot hold, written the way Excel writes them (_xHHHH_).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NEEDS_WORK = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f]")
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()

_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def xml_text(value):
    """``value`` as text for a cell's XML: escaped, control characters as Excel writes
    them, a carriage return as the line break readers show, at most Excel's length."""
    text = str(value)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
    if _NEEDS_WORK.search(text) is None:
        return text
    text = escape(text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", text)


def column_letter(index):
    """The letters of the 0-based column ``index``: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def excel_serial(value):
    """A date (or date and time) as Excel's day number."""
    serial = value.toordinal() - _EXCEL_EPOCH
    if isinstance(value, datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return serial + seconds / 86400
    return serial


def text_cells(letter, labels=None):
    """A writer of one column's cells as inline strings (never a formula)."""
    labels = labels or {}

    def cell(row, value):
        text = xml_text(labels.get(value, value))
        return f'<c r="{letter}{row}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'

    return cell


def typed_cells(letter, style):
    """A writer of one column's numbers or dates, in ``style``; text still as text."""
    as_text = text_cells(letter)

    def cell(row, value):
        if isinstance(value, str):
            return as_text(row, value)
        if isinstance(value, date):
            value = excel_serial(value)
        return f'<c r="{letter}{row}" s="{style}"><v>{value}</v></c>'

    return cell


class Workbook:
    """Sheets added one after another, each streamed from its rows; ``close`` writes the
    parts that name them."""

    def __init__(self, target, number_formats=(), compresslevel=1):
        # Level 1: the XML compresses almost as well and several times faster.
        self.archive = zipfile.ZipFile(
            target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel
        )
        self.sheets = []  # (name, filter range)
        self.number_formats = list(number_formats)

    def style(self, number_format):
        """The style of cells shown in ``number_format`` (one of those given)."""
        return BOLD + 1 + self.number_formats.index(number_format)

    def add_sheet(self, name, headers, widths, writers, rows):
        """Write one sheet: a bold frozen ``headers`` row, then one row per item of
        ``rows`` with ``writers[i](row_number, value)`` per non-empty value."""
        number = len(self.sheets) + 1
        last = column_letter(len(headers) - 1)
        cols = "".join(
            f'<col min="{index}" max="{index}" width="{width + 0.7109375}" customWidth="1"/>'
            for index, width in enumerate(widths, start=1)
        )
        selected = ' tabSelected="1"' if number == 1 else ""
        header = "".join(
            f'<c r="{column_letter(index)}1" s="{BOLD}" t="inlineStr"><is><t>{xml_text(text)}'
            "</t></is></c>"
            for index, text in enumerate(headers)
        )
        with self.archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as raw:
            raw.write(
                (
                    f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews>'
                    f'<sheetView{selected} workbookViewId="0">'
                    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                    '<selection pane="bottomLeft"/></sheetView></sheetViews>'
                    f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
                    f'<sheetData><row r="1">{header}</row>'
                ).encode()
            )
            count = 1
            parts = []
            for count, row in enumerate(rows, start=2):
                parts.append(f'<row r="{count}">')
                parts.extend(
                    write(count, value)
                    for write, value in zip(writers, row, strict=True)
                    if value is not None and value != ""
                )
                parts.append("</row>")
                if len(parts) > 2048:
                    raw.write("".join(parts).encode())
                    parts = []
            parts.append(f'</sheetData><autoFilter ref="A1:{last}{count}"/>')
            parts.append(
                '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3"'
                ' footer="0.3"/></worksheet>'
            )
            raw.write("".join(parts).encode())
        self.sheets.append((name, f"$A$1:${last}${count}"))

    def close(self):
        names = [name for name, _range in self.sheets]
        sheets = "".join(
            f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>'
            for n, name in enumerate(names, start=1)
        )
        filters = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
            f"{escape(_quoted(name))}!{cells}</definedName>"
            for n, (name, cells) in enumerate(self.sheets)
        )
        self._write(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/></bookViews>'
            f"<sheets>{sheets}</sheets><definedNames>{filters}</definedNames></workbook>",
        )
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_SHEET_TYPE}"/>'
            for n in range(1, len(names) + 1)
        )
        self._write(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )
        self._write(
            "_rels/.rels",
            f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_REL}/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        relations = "".join(
            f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(names) + 1)
        )
        self._write(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_PKG_REL}">{relations}<Relationship'
            f' Id="rId{len(names) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        self._write("xl/styles.xml", _styles(self.number_formats))
        self.archive.close()

    def _write(self, name, xml):
        self.archive.writestr(name, _HEAD + xml)


def _quoted(sheet_name):
    """A sheet's name as a formula names it."""
    return "'" + sheet_name.replace("'", "''") + "'"


def _styles(number_formats):
    ids = range(FIRST_OWN_FORMAT, FIRST_OWN_FORMAT + len(number_formats))
    own = "".join(
        f'<numFmt numFmtId="{number}" formatCode={quoteattr(code)}/>'
        for number, code in zip(ids, number_formats, strict=True)
    )
    formats = "".join(
        f'<xf numFmtId="{number}" fontId="0" fillId="0" borderId="0" xfId="0"'
        ' applyNumberFormat="1"/>'
        for number in ids
    )
    font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
    return (
        f'<styleSheet xmlns="{_MAIN}"><numFmts count="{len(ids)}">{own}</numFmts>'
        f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
        '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0"'
        f' borderId="0"/></cellStyleXfs><cellXfs count="{2 + len(ids)}">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        f'{formats}</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0"'
        ' builtinId="0"/></cellStyles></styleSheet>'
    )
