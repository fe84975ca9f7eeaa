"""Importing context figures from the official files, for coordinators.

Four formats, one parser each, all turning a file into the same records (a place, a
year, a measure and a value, with the row it came from):

- ``cbs-odata``: the JSON of a CBS StatLine "Kerncijfers wijken en buurten" table's
  TypedDataSet (``{"value": [{"WijkenEnBuurten": "BU00030000  ", "SoortRegio_2":
  "Buurt     ", "AantalInwoners_5": 1234, ...}]}``);
- ``cbs-csv``: the same table as a semicolon-separated CSV with the same keys as headers;
- ``leefbaarometer``: the Leefbaarometer 3.x open-data CSV (a geography code column
  such as ``bu_code``, ``jaar``, and the scores ``lbm``, ``fys``, ``onv``, ``soc``,
  ``vrz``, ``won``);
- ``tidy``: ``geo_code,year,measure,value`` (optional ``status``, ``geo_year``, ``source``).

CBS numbers its variables per table (``AantalInwoners_5``; ``InBezitWoningcorporatie_42``
in one year's table, ``_49`` in another), so a column is matched to a measure by its key
without the suffix. A Kerncijfers table holds one year and does not say which: that is
``year`` (or the table id in the OData metadata link, for the tables in
``reference_data/cbs_tables.csv``).

The whole file is read and checked before anything is written; every problem is listed
with its row. CBS's ``.`` and empty cells are missing, never zero. Then everything is
written in one transaction through the models' bulk paths with history: each created or
changed value gets exactly one history record under the importing user; importing the
same file again changes nothing. After the write, areas whose neighbourhoods have codes
get their values worked out again (services.aggregate_areas).

An upload is hostile until proven otherwise: its size is capped before it is read, a zip
must hold exactly one file and may not unpack to more than it plausibly can (a zip bomb),
XML is refused unread (only JSON is parsed), text must be UTF-8 (or Windows-1252) without
NUL bytes, JSON nesting and row counts are capped.
"""

import csv
import hashlib
import io
import json
import logging
import re
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import access
from areas.models import Area, Neighbourhood
from core.history import create_with_history, update_with_history

from . import services
from .models import GEO_CODE_PATTERNS, ContextImport, ContextMeasure, ContextValue

logger = logging.getLogger(__name__)

FORMATS = [choice for choice, _label in ContextImport.Format.choices]
FOUR_PLACES = Decimal("0.0001")
LARGEST = Decimal("999999999999.9999")
MISSING = {"", "."}
LEVEL_OF_PREFIX = {"BU": "buurt", "WK": "wijk", "GM": "municipality", "NL": "country"}
CBS_REGION_KINDS = {"buurt": "buurt", "wijk": "wijk", "gemeente": "municipality", "land": "country"}
LBM_CODE_COLUMNS = ("bu_code", "wk_code", "gm_code")
SUFFIX = re.compile(r"_\d+$")
TABLE_ID = re.compile(r"/(\d{5}[A-Z]{3})/")


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 60 * 1024 * 1024
    unpacked_bytes: int = 200 * 1024 * 1024
    ratio: int = 100  # a member this much larger unpacked than packed is a bomb
    rows: int = 250_000
    json_depth: int = 20


LIMITS = Limits()


class ImportRefused(Exception):
    """The file as a whole cannot be read: wrong type, broken, unsafe or too large."""

    def __init__(self, message, code):
        super().__init__(message)
        self.message = str(message)
        self.code = code


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str
    message: str
    code: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class Record:
    """One cell of the file: what place, year and measure it is about, and its value
    (None when the source marks it missing)."""

    row: int
    column: str
    geo_level: str
    geo_code: str
    geo_year: int | None
    year: int
    measure: ContextMeasure
    value: Decimal | None
    status: str = ContextValue.Status.FINAL
    area: Area | None = None


@dataclass
class ImportResult:
    format: str
    dry_run: bool = True
    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    missing: int = 0
    aggregated: int = 0
    years: list = field(default_factory=list)
    measures: list = field(default_factory=list)
    sha256: str = ""
    record: ContextImport | None = None

    @property
    def ok(self):
        return not self.problems

    def counts(self):
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "missing": self.missing,
        }

    def fingerprint(self):
        """The file and what it would change: a confirmation applies what was previewed."""
        digest = json.dumps([self.sha256, self.counts()], sort_keys=True)
        return hashlib.sha256(digest.encode()).hexdigest()


def import_context(
    *,
    user,
    upload,
    file_name: str,
    fmt: str,
    year: int | None = None,
    provisional: bool = False,
    source: str = "",
    dry_run: bool = True,
    expected: str = "",
    limits: Limits = LIMITS,
) -> ImportResult:
    """Check the file and, unless ``dry_run``, write it. With ``expected`` (a preview's
    fingerprint) it is written only when it would still change what was previewed.
    Raises ImportRefused for a file that cannot be read, PermissionDenied for anyone
    but a coordinator."""
    if not access.may_import_figures(user):
        raise PermissionDenied
    if fmt not in FORMATS:
        raise ImportRefused(_("Unknown format '%(format)s'.") % {"format": fmt}, "unknown_format")
    data = read_upload(upload, limits)
    result = ImportResult(format=fmt, dry_run=dry_run, sha256=hashlib.sha256(data).hexdigest())
    context = _Context(user=user, year=year, provisional=provisional, limits=limits)
    records, sources = PARSERS[fmt](data, context, result.problems)
    source = source.strip() or "; ".join(sorted(sources))
    if fmt == ContextImport.Format.TIDY and not source and records:
        result.problems.append(
            Problem(
                None,
                "source",
                _("Name the source of these figures: a 'source' column or the source field."),
                "no_source",
            )
        )
    with transaction.atomic():
        creates, updates = _plan(records, result, context)
        if result.problems or dry_run:
            return result
        if expected and expected != result.fingerprint():
            result.problems.append(
                Problem(
                    None,
                    "",
                    _("The figures changed since your preview: check the new preview."),
                    "plan_changed",
                )
            )
            return result
        result.record = ContextImport.objects.create(
            user=user,
            format=fmt,
            file_name=file_name[:255],
            sha256=result.sha256,
            source=source,
            **result.counts(),
        )
        for value in (*creates, *updates):
            value.source_import = result.record
        create_with_history(ContextValue, creates, user=user)
        update_with_history(
            ContextValue,
            updates,
            ["value", "status", "method", "geo_year", "source_import"],
            user=user,
        )
        result.aggregated = services.aggregate_areas(
            user=user, years=result.years, measures=result.measures
        )
    logger.info(
        "context import user=%s format=%s file=%s %s",
        user.pk,
        fmt,
        result.sha256[:12],
        " ".join(f"{key}={value}" for key, value in result.counts().items()),
    )
    return result


# --- reading the bytes safely


def read_upload(upload, limits=LIMITS) -> bytes:
    """The file's bytes (the one file inside a zip), refused when it is too large,
    broken, XML, or a zip bomb."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    upload.seek(0)
    if size > limits.file_bytes:
        raise ImportRefused(
            _("The file is larger than %(max)d MB.") % {"max": limits.file_bytes // 2**20},
            "file_too_large",
        )
    data = upload.read(limits.file_bytes + 1)
    upload.seek(0)
    if data.startswith(b"PK\x03\x04"):
        data = _unzip(data, limits)
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        raise ImportRefused(
            _("XML is not accepted: download the table as JSON ($format=json) or CSV."),
            "xml_refused",
        )
    if b"\x00" in data[:65536]:
        raise ImportRefused(_("This is not a text file (JSON or CSV)."), "wrong_type")
    return data


def _unzip(data, limits):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise ImportRefused(
                    _("A zip file must hold exactly one file (the table)."), "zip_members"
                )
            member = members[0]
            if member.flag_bits & 0x1:
                raise ImportRefused(_("The zip file is encrypted."), "wrong_type")
            if member.file_size > limits.unpacked_bytes or member.file_size > limits.ratio * max(
                member.compress_size, 1
            ):
                raise ImportRefused(
                    _("The file unpacks to far more than its size: it is refused as unsafe."),
                    "zip_bomb",
                )
            with archive.open(member) as inner:
                # Read no more than promised: a forged header cannot smuggle more in.
                content = inner.read(member.file_size + 1)
    except ImportRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        raise ImportRefused(_("The zip file is damaged."), "broken_file") from error
    if len(content) > member.file_size:
        raise ImportRefused(_("The zip file is damaged."), "broken_file")
    return content


def decode_text(data) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # StatLine and spreadsheet programs on Windows still write Windows-1252.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise ImportRefused(
                _("The file's characters cannot be read: save it as UTF-8."), "encoding"
            ) from error


# --- what the parsers share


@dataclass
class _Context:
    user: object
    year: int | None
    provisional: bool
    limits: Limits
    _measures: dict | None = None

    @property
    def status(self):
        return ContextValue.Status.PROVISIONAL if self.provisional else ContextValue.Status.FINAL

    @property
    def measures(self):
        if self._measures is None:
            self._measures = {measure.code: measure for measure in ContextMeasure.objects.all()}
        return self._measures


def parse_number(raw):
    """A figure as CBS and the Leefbaarometer write it: a decimal point or a decimal
    comma, no thousands separators. Returns None for a missing cell."""
    text = str(raw).strip().strip('"').strip()
    if text in MISSING:
        return None
    if re.fullmatch(r"[+-]?\d+([.,]\d+)?([eE][+-]?\d+)?", text) is None:
        raise ValueError(text)
    number = Decimal(text.replace(",", "."))
    if not number.is_finite() or abs(number) > LARGEST:
        raise ValueError(text)
    return number.quantize(FOUR_PLACES, rounding=ROUND_HALF_EVEN)


def _value(raw, row, column, problems):
    """The cell's number, None when missing, or ValueError after noting the problem."""
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        problems.append(Problem(row, column, _("Expected a number."), "not_a_number"))
        return ValueError
    if isinstance(raw, float):
        raw = repr(raw)  # the shortest form of the number as written, not its binary noise
    try:
        return parse_number(raw)
    except (ValueError, InvalidOperation):
        problems.append(
            Problem(
                row,
                column,
                _("'%(value)s' is text where a number belongs.") % {"value": str(raw)[:40]},
                "not_a_number",
            )
        )
        return ValueError


def place_of(raw_code):
    """(level, code) of a CBS code as the files write it (padded, NL00 for the country),
    or None when it is no CBS code."""
    code = str(raw_code or "").strip().upper()
    if code in ("NL", "NL00", "NL01"):
        return "country", "NL"
    level = LEVEL_OF_PREFIX.get(code[:2])
    if level and re.match(GEO_CODE_PATTERNS[level], code):
        return level, code
    return None


def _year(raw):
    try:
        year = int(str(raw).strip())
    except ValueError:
        return None
    return year if 1990 <= year <= 2100 else None


def _csv_rows(data, context, problems, delimiters=";,\t"):
    """The rows of a CSV as dicts, the header cleaned; the delimiter is found."""
    text = decode_text(data)
    first = text.split("\n", 1)[0]
    delimiter = max(delimiters, key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise ImportRefused(_("The file is empty."), "empty")
    header = [name.strip().strip('"').strip() for name in header]
    rows = []
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= context.limits.rows:
                raise ImportRefused(
                    _("The file has more than %(max)d rows; split it.")
                    % {"max": context.limits.rows},
                    "too_many_rows",
                )
            if any(cell.strip() for cell in cells[len(header) :]):
                # A separator inside an unquoted value (a decimal comma) shifts the cells.
                problems.append(
                    Problem(
                        number,
                        "",
                        _("This row has more cells than the header has columns."),
                        "too_many_cells",
                    )
                )
                continue
            rows.append((number, dict(zip(header, cells, strict=False))))
    except csv.Error as error:
        raise ImportRefused(
            _("The CSV cannot be read: %(error)s") % {"error": error}, "broken_file"
        ) from error
    return header, rows


# --- CBS StatLine


def _cbs_columns(header, context, problems):
    """The measures of the table's columns: key without its numbered suffix."""
    by_variable = {
        m.cbs_variable.casefold(): m for m in context.measures.values() if m.cbs_variable
    }
    columns = {}
    for key in header:
        measure = by_variable.get(SUFFIX.sub("", key).casefold())
        if measure is not None:
            columns[key] = measure
    if not columns:
        problems.append(
            Problem(
                None,
                "",
                _("None of the measures' CBS variables (%(names)s) is in this file.")
                % {"names": ", ".join(sorted(m.cbs_variable for m in by_variable.values()))},
                "no_measures",
            )
        )
    return columns


def _cbs_records(rows, year, context, problems):
    """Records of a Kerncijfers table's rows (dicts keyed by the OData keys)."""
    records = []
    if not rows:
        return records
    header = list(rows[0][1])
    columns = _cbs_columns(header, context, problems)
    code_key = next((k for k in header if k == "WijkenEnBuurten"), None) or next(
        (k for k in header if SUFFIX.sub("", k) == "Codering"), None
    )
    if code_key is None:
        problems.append(
            Problem(
                None,
                "WijkenEnBuurten",
                _("The column of region codes is missing."),
                "missing_column",
            )
        )
        return records
    kind_key = next((k for k in header if SUFFIX.sub("", k) == "SoortRegio"), None)
    if year is None:
        problems.append(
            Problem(
                None,
                "",
                _("This table does not say its year: give it (--year)."),
                "no_year",
            )
        )
        return records
    for number, row in rows:
        place = place_of(row.get(code_key))
        if place is None:
            problems.append(
                Problem(
                    number,
                    code_key,
                    _("'%(code)s' is not a CBS region code.")
                    % {"code": str(row.get(code_key))[:20]},
                    "unknown_code",
                )
            )
            continue
        level, code = place
        if kind_key is not None and row.get(kind_key) not in (None, ""):
            kind = CBS_REGION_KINDS.get(str(row.get(kind_key)).strip().casefold())
            if kind != level:
                problems.append(
                    Problem(
                        number,
                        kind_key,
                        _("The kind of region '%(kind)s' does not fit the code %(code)s.")
                        % {"kind": str(row.get(kind_key)).strip()[:20], "code": code},
                        "kind_mismatch",
                    )
                )
                continue
        geo_year = year if level in ("buurt", "wijk", "municipality") else None
        for key, measure in columns.items():
            value = _value(row.get(key), number, key, problems)
            if value is ValueError:
                continue
            records.append(
                Record(number, key, level, code, geo_year, year, measure, value, context.status)
            )
    return records


def parse_cbs_odata(data, context, problems):
    try:
        document = json.loads(decode_text(data))
    except RecursionError as error:
        raise ImportRefused(_("The JSON is nested too deeply."), "unsafe_json") from error
    except ValueError as error:
        raise ImportRefused(
            _("This is not JSON: %(error)s") % {"error": str(error)[:120]}, "broken_file"
        ) from error
    if _depth(document, context.limits.json_depth) > context.limits.json_depth:
        raise ImportRefused(_("The JSON is nested too deeply."), "unsafe_json")
    rows = document.get("value") if isinstance(document, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ImportRefused(
            _("This is not a CBS OData data set: it has no list 'value' of rows."), "wrong_shape"
        )
    if len(rows) > context.limits.rows:
        raise ImportRefused(
            _("The file has more than %(max)d rows; split it.") % {"max": context.limits.rows},
            "too_many_rows",
        )
    year = context.year or _table_year(document.get("odata.metadata", ""))
    # Row numbers count the rows of 'value' from 1, as a person reading the file would.
    return _cbs_records(list(enumerate(rows, start=1)), year, context, problems), set()


def _depth(node, limit, level=0):
    if level > limit:
        return level
    if isinstance(node, dict):
        return max((_depth(v, limit, level + 1) for v in node.values()), default=level + 1)
    if isinstance(node, list):
        # Rows are alike: the first few tell the depth without walking 100,000 of them.
        return max((_depth(v, limit, level + 1) for v in node[:50]), default=level + 1)
    return level


def _table_year(link):
    match = TABLE_ID.search(str(link))
    if not match:
        return None
    return services.cbs_table_years().get(match[1])


def parse_cbs_csv(data, context, problems):
    _header, rows = _csv_rows(data, context, problems, delimiters=";")
    cleaned = [
        (number, {key: (value.strip().strip('"').strip()) for key, value in row.items()})
        for number, row in rows
    ]
    return _cbs_records(cleaned, context.year, context, problems), set()


# --- Leefbaarometer


def parse_leefbaarometer(data, context, problems):
    header, rows = _csv_rows(data, context, problems)
    folded = {name.casefold(): name for name in header}
    code_column = next((folded[c] for c in LBM_CODE_COLUMNS if c in folded), None)
    columns = {
        folded[m.leefbaarometer_column]: m
        for m in context.measures.values()
        if m.leefbaarometer_column and m.leefbaarometer_column in folded
    }
    missing = [name for name in (code_column, folded.get("jaar")) if name is None]
    if code_column is None:
        problems.append(
            Problem(
                1,
                "bu_code",
                _("The column of region codes (bu_code, wk_code or gm_code) is missing."),
                "missing_column",
            )
        )
    if "jaar" not in folded:
        problems.append(Problem(1, "jaar", _("The column 'jaar' is missing."), "missing_column"))
    if not columns:
        problems.append(
            Problem(
                1,
                "lbm",
                _("None of the score columns (lbm, won, fys, vrz, soc, onv) is in this file."),
                "no_measures",
            )
        )
    if missing or not columns:
        return [], set()
    years = [_year(row.get(folded["jaar"])) for _number, row in rows]
    # The open data of an edition puts every year on that edition's buurt map.
    classification = context.year or max((y for y in years if y), default=None)
    records = []
    for (number, row), year in zip(rows, years, strict=True):
        if year is None:
            problems.append(
                Problem(
                    number, "jaar", _("The year must be between 1990 and 2100."), "invalid_year"
                )
            )
            continue
        place = place_of(row.get(code_column))
        if place is None:
            problems.append(
                Problem(
                    number,
                    code_column,
                    _("'%(code)s' is not a CBS region code.")
                    % {"code": str(row.get(code_column))[:20]},
                    "unknown_code",
                )
            )
            continue
        level, code = place
        geo_year = classification if level != "country" else None
        for column, measure in columns.items():
            value = _value(row.get(column), number, column, problems)
            if value is ValueError:
                continue
            records.append(
                Record(number, column, level, code, geo_year, year, measure, value, context.status)
            )
    return records, set()


# --- tidy CSV


def parse_tidy(data, context, problems):
    header, rows = _csv_rows(data, context, problems)
    folded = {name.casefold(): name for name in header}
    for needed in ("geo_code", "year", "measure", "value"):
        if needed not in folded:
            problems.append(
                Problem(
                    1,
                    needed,
                    _("The column '%(column)s' is missing.") % {"column": needed},
                    "missing_column",
                )
            )
    if any(needed not in folded for needed in ("geo_code", "year", "measure", "value")):
        return [], set()
    # An area's own code names it; the user's scope decides which areas exist for them.
    areas = {area.code.casefold(): area for area in Area.objects.for_user(context.user)}
    statuses = {s.value: s.value for s in ContextValue.Status} | {
        str(s.label).casefold(): s.value for s in ContextValue.Status
    }
    records, sources = [], set()
    for number, row in rows:
        get = lambda name, row=row: (row.get(folded.get(name, ""), "") or "").strip()  # noqa: E731
        year = _year(get("year"))
        if year is None:
            problems.append(
                Problem(
                    number, "year", _("The year must be between 1990 and 2100."), "invalid_year"
                )
            )
        measure = context.measures.get(get("measure").casefold())
        if measure is None:
            problems.append(
                Problem(
                    number,
                    "measure",
                    _("There is no measure '%(measure)s'.") % {"measure": get("measure")[:60]},
                    "unknown_measure",
                )
            )
        raw_code = get("geo_code")
        area = areas.get(raw_code.casefold())
        place = ("area", area.code) if area is not None else place_of(raw_code)
        if place is None:
            problems.append(
                Problem(
                    number,
                    "geo_code",
                    _("'%(code)s' is neither a CBS code, NL, nor the code of an area.")
                    % {"code": raw_code[:60]},
                    "unknown_code",
                )
            )
        status = context.status
        if get("status"):
            status = statuses.get(get("status").casefold())
            if status is None:
                problems.append(
                    Problem(
                        number,
                        "status",
                        _("The status is 'provisional' or 'final'."),
                        "invalid_status",
                    )
                )
        geo_year = None
        if place is not None and place[0] in ("buurt", "wijk", "municipality"):
            geo_year = _year(get("geo_year")) if get("geo_year") else year
            if get("geo_year") and geo_year is None:
                problems.append(
                    Problem(
                        number,
                        "geo_year",
                        _("The year must be between 1990 and 2100."),
                        "invalid_year",
                    )
                )
        value = _value(get("value"), number, "value", problems)
        if None in (year, measure, place, status) or value is ValueError:
            continue
        if get("source"):
            sources.add(get("source")[:500])
        records.append(
            Record(
                number, "value", place[0], place[1], geo_year, year, measure, value, status, area
            )
        )
    return records, sources


PARSERS = {
    ContextImport.Format.CBS_ODATA: parse_cbs_odata,
    ContextImport.Format.CBS_CSV: parse_cbs_csv,
    ContextImport.Format.LEEFBAAROMETER: parse_leefbaarometer,
    ContextImport.Format.TIDY: parse_tidy,
}


# --- checking the whole file against the register, and planning the writes


def _plan(records, result, context):
    """Check duplicates and classification years; compare with what is stored. Returns
    the values to create and to update."""
    registered = dict(
        Neighbourhood.objects.exclude(cbs_code="").values_list("cbs_code", "cbs_year")
    )
    seen = {}
    wanted = []
    for record in records:
        key = (record.measure.pk, record.geo_level, record.geo_code, record.year)
        if key in seen:
            result.problems.append(
                Problem(
                    record.row,
                    record.column,
                    _("Row %(row)d already gives %(measure)s of %(code)s in %(year)d.")
                    % {
                        "row": seen[key],
                        "measure": record.measure.code,
                        "code": record.geo_code,
                        "year": record.year,
                    },
                    "duplicate",
                )
            )
            continue
        seen[key] = record.row
        known_year = registered.get(record.geo_code)
        if known_year and record.geo_year and known_year != record.geo_year:
            result.problems.append(
                Problem(
                    record.row,
                    record.column,
                    _(
                        "%(code)s is registered for an area with the CBS classification of "
                        "%(known)d; this file uses the classification of %(year)d. Check that "
                        "the code still means the same neighbourhood, then change its year on "
                        "the area, or import a file of the %(known)d classification."
                    )
                    % {"code": record.geo_code, "known": known_year, "year": record.geo_year},
                    "other_classification",
                )
            )
            continue
        if record.value is None:
            result.missing += 1
            continue
        wanted.append(record)
    if result.problems:
        return [], []

    result.years = sorted({r.year for r in wanted})
    result.measures = sorted({r.measure.pk for r in wanted})
    stored = {
        (v.measure_id, v.geo_level, v.geo_code, v.year): v
        for v in ContextValue.objects.filter(
            measure_id__in=result.measures,
            year__in=result.years,
            geo_level__in={r.geo_level for r in wanted},
        )
        .select_for_update()
        .only(
            "id",
            "measure_id",
            "geo_level",
            "geo_code",
            "year",
            "value",
            "status",
            "method",
            "geo_year",
            "area_id",
        )
    }
    creates, updates = [], []
    for record in wanted:
        existing = stored.get((record.measure.pk, record.geo_level, record.geo_code, record.year))
        if existing is None:
            creates.append(
                ContextValue(
                    measure=record.measure,
                    geo_level=record.geo_level,
                    geo_code=record.geo_code,
                    geo_year=record.geo_year,
                    area=record.area,
                    year=record.year,
                    value=record.value,
                    status=record.status,
                    method=ContextValue.Method.IMPORTED,
                )
            )
        elif (
            existing.value != record.value
            or existing.status != record.status
            or existing.method != ContextValue.Method.IMPORTED
            or existing.geo_year != record.geo_year
        ):
            existing.value, existing.status = record.value, record.status
            existing.method, existing.geo_year = ContextValue.Method.IMPORTED, record.geo_year
            updates.append(existing)
        else:
            result.unchanged += 1
    result.created, result.updated = len(creates), len(updates)
    return creates, updates
