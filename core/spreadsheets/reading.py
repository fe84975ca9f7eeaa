"""Reading uploaded XLSX files safely, and only that: no domain knowledge lives here.

An upload is hostile until proven otherwise. Before openpyxl sees it, the file is
checked as a zip: its type, its size, the number of its members, their unpacked size
and compression ratio (a zip bomb), the members an XLSX must have and no macros. Then
openpyxl reads it in read-only mode, which streams the sheets row by row and parses
the XML with defusedxml (entity expansion and external entities refused). Rows are
capped while streaming; formulas are refused, never evaluated; every cell problem is
collected, so the person uploading sees all of them at once.

Why not django-import-export: it loads whole workbooks through tablib and saves row by
row through its own resources, which fits neither the caps above nor a whole-file
validation that goes through our services, locks and access rules.
"""

import datetime
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import openpyxl
from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

# openpyxl parses with defusedxml only when it is installed: refuse to run without it.
if not openpyxl.DEFUSEDXML:  # pragma: no cover - guarded by a test as well
    raise ImportError("defusedxml must be installed: openpyxl would parse uploads unsafely.")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or an encrypted .xlsx
REQUIRED_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")
EXCEL_LAST_ROW = 1_048_576


@dataclass(frozen=True)
class Limits:
    upload_bytes: int = 10 * 1024 * 1024
    unpacked_bytes: int = 20 * 1024 * 1024
    members: int = 250
    # A member this much smaller packed than unpacked is a bomb, once it is big enough
    # to matter (spreadsheet XML compresses well, but not a thousandfold).
    ratio: int = 200
    ratio_from_bytes: int = 1024 * 1024
    rows: int = 5000
    columns: int = 60


LIMITS = Limits()


class SpreadsheetRefused(Exception):
    """The file as a whole cannot be read: wrong type, broken, unsafe or too large."""

    def __init__(self, message, code):
        super().__init__(message)
        self.message = str(message)
        self.code = code


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the upload, where a person can find it."""

    sheet: str
    row: int | None
    column: str
    message: str
    code: str
    cell: str = ""

    def as_dict(self):
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "code": self.code,
            "message": self.message,
        }


class CellError(ValueError):
    def __init__(self, message, code="invalid"):
        super().__init__(message)
        self.message = str(message)
        self.code = code


# --- cell parsers: raw value -> Python value, or CellError. None means an empty cell.


def clean_text(value):
    """Text as people mean it: NFC-normalised (a decomposed é is é), no byte-order marks
    or zero-width characters, non-breaking spaces as spaces, trimmed."""
    text = unicodedata.normalize("NFC", str(value))
    text = text.replace("\ufeff", "").replace("\u200b", "").replace("\u00a0", " ")
    return text.strip()


def text(max_length=None):
    def parse(value):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, datetime.datetime | datetime.date):
            raise CellError(_("Expected text, found a date."), "not_text")
        result = clean_text(value)
        if max_length is not None and len(result) > max_length:
            raise CellError(
                _("At most %(max)d characters (this has %(length)d).")
                % {"max": max_length, "length": len(result)},
                "too_long",
            )
        return result

    return parse


def integer(minimum=None, maximum=None):
    def parse(value):
        if isinstance(value, bool) or isinstance(value, datetime.date):
            raise CellError(_("Expected a whole number."), "not_integer")
        if isinstance(value, float):
            if not value.is_integer():
                raise CellError(_("Expected a whole number."), "not_integer")
            value = int(value)
        if isinstance(value, str):
            cleaned = clean_text(value)
            if not re.fullmatch(r"[+-]?\d{1,12}", cleaned):
                raise CellError(_("Expected a whole number."), "not_integer")
            value = int(cleaned)
        if minimum is not None and value < minimum or maximum is not None and value > maximum:
            raise CellError(
                _("Expected a number from %(min)s to %(max)s.") % {"min": minimum, "max": maximum},
                "out_of_range",
            )
        return value

    return parse


AMBIGUOUS_THOUSANDS = re.compile(r"\d{1,3}[.,]\d{3}")


def parse_decimal_text(raw):
    """A number typed as text, the Dutch way (1.234,56) or the English way (1,234.56).
    '1.234' or '1,234' alone could be either, so it is refused rather than guessed."""
    cleaned = clean_text(raw).replace("€", "").replace(" ", "").replace("'", "")
    if not re.fullmatch(r"[+-]?[\d.,]+", cleaned) or not re.search(r"\d", cleaned):
        raise CellError(_("Expected a number."), "not_a_number")
    if "," in cleaned and "." in cleaned:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
    elif "," in cleaned or "." in cleaned:
        mark = "," if "," in cleaned else "."
        if cleaned.count(mark) > 1:
            decimal_mark = "." if mark == "," else ","  # only thousands separators
        elif AMBIGUOUS_THOUSANDS.fullmatch(cleaned.lstrip("+-")):
            raise CellError(
                _("'%(value)s' is ambiguous: type the number without a thousands separator.")
                % {"value": clean_text(raw)},
                "ambiguous_number",
            )
        else:
            decimal_mark = mark
    else:
        decimal_mark = "."
    thousands = "." if decimal_mark == "," else ","
    cleaned = cleaned.replace(thousands, "").replace(decimal_mark, ".")
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:
        raise CellError(_("Expected a number."), "not_a_number") from error


def decimal(places=2, minimum=None, maximum=Decimal("999999999999.99")):
    def parse(value):
        if isinstance(value, bool) or isinstance(value, datetime.date):
            raise CellError(_("Expected a number."), "not_a_number")
        if isinstance(value, str):
            number = parse_decimal_text(value)
        else:
            # Excel stores numbers as binary floats: 1234.56 comes as 1234.5599999…;
            # its shortest representation is what the person typed.
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise CellError(_("Expected a number."), "not_a_number")
        rounded = number.quantize(Decimal(1).scaleb(-places))
        if rounded != number:
            raise CellError(
                _("At most %(places)d decimals.") % {"places": places}, "too_many_decimals"
            )
        if minimum is not None and rounded < minimum:
            raise CellError(_("Must be at least %(min)s.") % {"min": minimum}, "below_minimum")
        if maximum is not None and rounded > maximum:
            raise CellError(_("Must be at most %(max)s.") % {"max": maximum}, "above_maximum")
        return rounded

    return parse


DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")


def date(earliest=datetime.date(1990, 1, 1), latest=datetime.date(2100, 12, 31)):
    """A date cell, an ISO date, a Dutch day-month-year (31-12-2026, 31/12/2026,
    31.12.2026) or an Excel day number. Two-digit years and month-first dates are refused:
    they cannot be read without guessing."""

    def parse(value):
        if isinstance(value, datetime.datetime):
            if value.time() != datetime.time(0):
                raise CellError(_("Expected a date without a time."), "not_a_date")
            result = value.date()
        elif isinstance(value, datetime.date):
            result = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            # A day number whose date format got lost (a pasted or CSV-converted cell).
            if not float(value).is_integer() or not 32874 <= value <= 73415:  # 1990..2100
                raise CellError(_("Expected a date, e.g. 31-12-2026."), "not_a_date")
            result = from_excel(value).date()
        else:
            cleaned = clean_text(value)
            for pattern in DATE_FORMATS:
                try:
                    result = datetime.datetime.strptime(cleaned, pattern).date()
                    break
                except ValueError:
                    continue
            else:
                raise CellError(
                    _("'%(value)s' is not a date: write it as 31-12-2026.") % {"value": cleaned},
                    "not_a_date",
                )
        if not earliest <= result <= latest:
            raise CellError(
                _("Expected a date from %(earliest)s to %(latest)s.")
                % {"earliest": earliest.year, "latest": latest.year},
                "out_of_range",
            )
        return result

    return parse


def in_every_language(label):
    """A lazy label as it reads in each language of the site."""
    names = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(str(label))
    return names


def folded(value):
    return " ".join(clean_text(value).split()).casefold()


def choice(choices):
    """A value of ``choices`` (TextChoices), by its label in any language or by its code:
    a template made in Dutch still reads when uploaded with English chosen."""
    lookup = {}
    for value, label in choices.choices:
        lookup[folded(value)] = value
        for name in in_every_language(label):
            lookup.setdefault(folded(name), value)

    def parse(raw):
        key = folded(raw)
        if key not in lookup:
            options = ", ".join(str(label) for _value, label in choices.choices)
            raise CellError(
                _("'%(value)s' is not one of: %(options)s.")
                % {"value": clean_text(raw), "options": options},
                "invalid_choice",
            )
        return lookup[key]

    return parse


def choice_labels(choices):
    """The labels of ``choices`` in the active language, for a drop-down list."""
    return [str(label) for _value, label in choices.choices]


def listed(separator=";"):
    """Several values in one cell, separated by ';' (or ','), without duplicates."""

    def parse(value):
        parts = re.split(rf"[{re.escape(separator)},\n]", clean_text(value))
        result = []
        for part in parts:
            part = part.strip()
            if part and part not in result:
                result.append(part)
        return result

    return parse


# --- columns, rows and sheets


@dataclass(frozen=True)
class Column:
    """A column of an uploaded sheet: found by its key or its header in any language."""

    key: str
    header: Any  # a lazy translated label
    parse: Callable[[Any], Any] = field(default=text())
    required: bool = False  # a value is required in every row
    needed: bool = True  # the column itself must be present

    def names(self):
        return {folded(self.key), *(folded(name) for name in in_every_language(self.header))}


@dataclass
class Row:
    sheet: str
    number: int
    values: dict
    headers: dict  # key -> header as written in the file
    positions: dict  # key -> column letter
    problems: list
    failed: bool = False  # whether any of this row's cells had a problem

    def problem(self, key, message, code):
        self.failed = True
        self.problems.append(
            Problem(
                sheet=self.sheet,
                row=self.number,
                column=str(self.headers.get(key, key)),
                message=str(message),
                code=code,
                cell=f"{self.positions[key]}{self.number}" if key in self.positions else "",
            )
        )

    def get(self, key, default=None):
        return self.values.get(key, default)

    def __contains__(self, key):
        return key in self.values


SAFE_TYPES = (str, int, float, Decimal, datetime.datetime, datetime.date, datetime.time, bool)


class Sheet:
    def __init__(self, worksheet, title, limits):
        self.worksheet = worksheet
        self.title = title
        self.limits = limits

    def rows(self, columns: list[Column], problems: list) -> Iterator[Row]:
        """The sheet's rows after its header row, each with its cells parsed by
        ``columns``; problems go to ``problems``. Blank rows are skipped; a sheet with
        more than the row cap is refused as a whole."""
        stream = self._stream()
        header = next(stream, None)
        positions = {}
        headers = {}
        if header is not None:
            wanted = {name: column for column in columns for name in column.names()}
            for index, raw in enumerate(header):
                if raw is None:
                    continue
                column = wanted.get(folded(raw)) if isinstance(raw, str | int) else None
                if column is None:
                    continue
                if column.key in positions:
                    problems.append(
                        Problem(
                            self.title,
                            1,
                            str(raw),
                            _("This column appears twice."),
                            "duplicate_column",
                        )
                    )
                    continue
                positions[column.key] = index
                headers[column.key] = clean_text(raw)
        missing = [c for c in columns if c.needed and c.key not in positions]
        for column in missing:
            problems.append(
                Problem(
                    self.title,
                    1,
                    str(column.header),
                    _("The column '%(column)s' is missing.") % {"column": column.header},
                    "missing_column",
                )
            )
        if missing:
            return
        letters = {key: get_column_letter(index + 1) for key, index in positions.items()}
        counted = 0
        blank = None
        for number, cells in enumerate(stream, start=2):
            # openpyxl fills a gap between rows with one and the same empty tuple.
            if cells is blank:
                continue
            if all(value is None or value == "" for value in cells):
                blank = cells
                continue
            counted += 1
            if counted > self.limits.rows:
                raise SpreadsheetRefused(
                    _("The sheet '%(sheet)s' has more than %(max)d rows; split the file.")
                    % {"sheet": self.title, "max": self.limits.rows},
                    "too_many_rows",
                )
            row = Row(self.title, number, {}, headers, letters, problems)
            for column in columns:
                if column.key not in positions:
                    continue
                index = positions[column.key]
                raw = cells[index] if index < len(cells) else None
                self._parse_cell(row, column, raw)
            yield row

    def _parse_cell(self, row, column, raw):
        if isinstance(raw, ArrayFormula | DataTableFormula) or (
            isinstance(raw, str) and raw.lstrip().startswith("=")
        ):
            row.problem(
                column.key, _("Formulas are not accepted: type the value itself."), "formula"
            )
            return
        if not isinstance(raw, SAFE_TYPES) and raw is not None:
            row.problem(column.key, _("This cell's content cannot be read."), "unreadable")
            return
        if raw is None or (isinstance(raw, str) and clean_text(raw) == ""):
            if column.required:
                row.problem(column.key, _("This cell is required."), "required")
                return
            row.values[column.key] = None
            return
        try:
            row.values[column.key] = column.parse(raw)
        except CellError as error:
            row.problem(column.key, error.message, error.code)

    def _stream(self):
        rows = self.worksheet.iter_rows(
            max_row=EXCEL_LAST_ROW, max_col=self.limits.columns, values_only=True
        )
        with refusing_broken_files():
            yield from rows


@contextmanager
def refusing_broken_files():
    """What openpyxl and the XML parser raise on a broken or unsafe file, as a refusal."""
    try:
        yield
    except SpreadsheetRefused:
        raise
    except Exception as error:  # openpyxl raises anything from KeyError to zlib.error
        if _caused_by(error, DefusedXmlException):  # openpyxl wraps it in a ValueError
            raise SpreadsheetRefused(
                _("The file contains XML constructs that are not allowed (entities or a DTD)."),
                "unsafe_xml",
            ) from error
        raise SpreadsheetRefused(
            _("The file is damaged or is not an Excel workbook (.xlsx)."), "broken_file"
        ) from error


def _caused_by(error, kind):
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


class Workbook:
    def __init__(self, workbook, limits):
        self.workbook = workbook
        self.limits = limits

    @property
    def sheet_titles(self):
        return list(self.workbook.sheetnames)

    def sheet(self, *names) -> Sheet | None:
        """The sheet called by one of ``names`` (keys or lazy labels, any language)."""
        wanted = set()
        for name in names:
            wanted |= {folded(name), *(folded(n) for n in in_every_language(name))}
        for title in self.workbook.sheetnames:
            if folded(title) in wanted:
                with refusing_broken_files():
                    return Sheet(self.workbook[title], title, self.limits)
        return None


def check_archive(upload, limits=LIMITS):
    """Refuse what is not a plausible, bounded XLSX before any XML is parsed."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    upload.seek(0)
    if size > limits.upload_bytes:
        raise SpreadsheetRefused(
            _("The file is larger than %(max)d MB.") % {"max": limits.upload_bytes // 2**20},
            "file_too_large",
        )
    start = upload.read(8)
    upload.seek(0)
    if start == OLE_MAGIC:
        raise SpreadsheetRefused(
            _(
                "This is an old Excel file (.xls) or a password-protected workbook: save it "
                "as .xlsx without a password."
            ),
            "wrong_type",
        )
    if not start.startswith(ZIP_MAGIC):
        raise SpreadsheetRefused(
            _("This is not an Excel workbook (.xlsx). Upload the template as .xlsx."),
            "wrong_type",
        )
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        raise SpreadsheetRefused(
            _("The file is damaged: it cannot be unpacked."), "broken_file"
        ) from error
    finally:
        upload.seek(0)
    if len(members) > limits.members:
        raise SpreadsheetRefused(
            _("The file holds too many parts to be a spreadsheet."), "too_many_parts"
        )
    total = 0
    names = set()
    for member in members:
        names.add(member.filename)
        if member.flag_bits & 0x1:
            raise SpreadsheetRefused(
                _("The file is encrypted: save it without a password."), "wrong_type"
            )
        total += member.file_size
        if member.file_size > limits.ratio_from_bytes and member.file_size > limits.ratio * max(
            member.compress_size, 1
        ):
            raise SpreadsheetRefused(
                _("The file unpacks to far more than its size: it is refused as unsafe."),
                "zip_bomb",
            )
    if total > limits.unpacked_bytes:
        raise SpreadsheetRefused(
            _("The file unpacks to more than %(max)d MB: split it into smaller files.")
            % {"max": limits.unpacked_bytes // 2**20},
            "too_large_unpacked",
        )
    if not all(name in names for name in REQUIRED_MEMBERS):
        raise SpreadsheetRefused(
            _("This is not an Excel workbook (.xlsx). Upload the template as .xlsx."),
            "wrong_type",
        )
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise SpreadsheetRefused(
            _("Workbooks with macros are not accepted: save it as .xlsx."), "macros"
        )


@contextmanager
def open_xlsx(upload, limits=LIMITS):
    """The uploaded workbook, checked and opened read-only (streaming, defusedxml).
    Raises SpreadsheetRefused for a file that cannot be read safely."""
    check_archive(upload, limits)
    with refusing_broken_files():
        workbook = openpyxl.load_workbook(upload, read_only=True, data_only=False, keep_links=False)
    try:
        yield Workbook(workbook, limits)
    finally:
        workbook.close()
