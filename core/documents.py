"""Uploaded documents (an area's covenant, analysis, MKBA …): which files are accepted,
where they are kept and how they are handed out.

A file is accepted for what it *is*, not for its name: a PDF starts with ``%PDF-``;
DOCX and XLSX are zip packages with ``[Content_Types].xml`` and a ``word/`` or ``xl/``
part; an ODT is a zip whose ``mimetype`` entry says so. Anything else (a renamed
program, a script) is refused, as is a file over the size cap. The check runs as a
model field validator, so the admin and the API refuse the same files before anything
is written to the storage. Files live in the private storage (``STORAGES["private"]``),
never under a public URL: they leave only through a view that asked
``accounts/access.py``.
"""

import uuid
import zipfile

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
EXTENSIONS = {PDF: "pdf", DOCX: "docx", XLSX: "xlsx", ODT: "odt"}

REFUSED = _("Only PDF, Word (DOCX), Excel (XLSX) and OpenDocument text (ODT) files are accepted.")
TOO_LARGE = _("The file is larger than 20 MB.")
EMPTY = _("The file is empty.")


def _zip_kind(file):
    try:
        with zipfile.ZipFile(file) as package:
            names = set(package.namelist())
            if "mimetype" in names:
                # Read only the first bytes: a forged entry may claim to be huge.
                with package.open("mimetype") as entry:
                    if entry.read(len(ODT) + 1).strip() == ODT.encode():
                        return ODT
            if "[Content_Types].xml" in names:
                if any(name.startswith("word/") for name in names):
                    return DOCX
                if any(name.startswith("xl/") for name in names):
                    return XLSX
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return None
    return None


def sniff(file):
    """The content type of ``file`` judged by its content, or None when it is none of
    the accepted kinds. Leaves the file at its start."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"PK\x03\x04"):
            return _zip_kind(file)
        return None
    finally:
        file.seek(0)


def validate_document(file):
    """Refuse a file that is empty, over 20 MB, or not a PDF, DOCX, XLSX or ODT."""
    if file.size == 0:
        raise ValidationError(EMPTY, code="empty")
    if file.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(TOO_LARGE, code="too_large")
    if sniff(file) is None:
        raise ValidationError(REFUSED, code="file_type")


def document_path(document, filename):
    # A random name with the extension of what the file is: nothing can be guessed from
    # its path, and the name the uploader gave never reaches the file system.
    kind = sniff(document.file) if document.file else None
    return f"documents/{uuid.uuid4().hex}.{EXTENSIONS.get(kind, 'bin')}"


def download(file, *, title, content_type):
    """The stored ``file`` as an attachment named after ``title``; browsers are told not
    to guess another type than the one checked at upload."""
    extension = EXTENSIONS.get(content_type, "bin")
    name = f"{slugify(title) or 'document'}.{extension}"
    try:
        handle = file.open("rb")
    except FileNotFoundError as missing:  # lost from the storage: say so, not a 500
        raise Http404 from missing
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
