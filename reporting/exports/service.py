import logging

from django.utils.text import slugify

from core.spreadsheets.writing import spooled, write_csv_zip, write_xlsx

from ..models import ExportLog
from .tables import quarter_tables

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "application/zip",
    "pdf": "application/pdf",
}
EXTENSIONS = {"xlsx": "xlsx", "csv": "zip", "pdf": "pdf"}


def export_quarter(*, user, period, fmt, area=None, via):
    """The quarterly report for ``period`` (or one area) as ``fmt``, holding only what
    ``user`` may see; logged. Returns (file name, open binary file, content type)."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unknown export format {fmt!r}")
    target = spooled()
    if fmt == "pdf":
        from .pdf import write_pdf

        write_pdf(user=user, period=period, area=area, target=target)
    else:
        tables = quarter_tables(user=user, period=period, area=area)
        (write_xlsx if fmt == "xlsx" else write_csv_zip)(tables, target)
    target.seek(0)
    ExportLog.objects.create(user=user, period=period, area=area, format=fmt, via=via)
    logger.info(
        "export user=%s quarter=%s area=%s format=%s via=%s",
        user.pk,
        period.pk,
        area.pk if area else "-",
        fmt,
        via,
    )
    name = f"kwartaalrapportage-{period.label}" + (f"-{slugify(area.name)}" if area else "")
    return f"{name}.{EXTENSIONS[fmt]}", target, CONTENT_TYPES[fmt]
