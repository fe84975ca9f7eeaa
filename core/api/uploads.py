"""What the API's file uploads share: the upload field, the early size check and the
error body for a file with problems (the API's one error shape)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers, status
from rest_framework.response import Response

from core.spreadsheets.reading import LIMITS

from .errors import PayloadTooLarge


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=gettext_lazy("The Excel workbook (.xlsx), at most 10 MB."), required=True
    )


class ProblemSerializer(serializers.Serializer):
    sheet = serializers.CharField(help_text=gettext_lazy("The sheet, as named in the file."))
    row = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("The row number in the sheet.")
    )
    column = serializers.CharField(help_text=gettext_lazy("The column header."))
    cell = serializers.CharField(help_text=gettext_lazy("The cell, e.g. F7."))
    code = serializers.CharField(help_text=gettext_lazy("A stable code, e.g. stale or formula."))
    message = serializers.CharField(help_text=gettext_lazy("What is wrong, for people."))


def refuse_oversized(request):
    """413 before the body is parsed, when it is clearly over the cap."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > LIMITS.upload_bytes + 64 * 1024:
        raise PayloadTooLarge()


def invalid_file(problems):
    """400 in the one error shape, every problem of the file under errors.file."""
    return Response(
        {
            "status": 400,
            "code": "invalid_file",
            "detail": _("The file has %(count)d errors; nothing has been saved.")
            % {"count": len(problems)},
            "errors": {"file": [problem.as_dict() for problem in problems]},
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


def refused_file(error):
    """400 for a file that cannot be read at all (wrong type, broken, unsafe, too big)."""
    return Response(
        {
            "status": 400,
            "code": error.code,
            "detail": error.message,
            "errors": {
                "file": [
                    {
                        "sheet": "",
                        "row": None,
                        "column": "",
                        "cell": "",
                        "code": error.code,
                        "message": error.message,
                    }
                ]
            },
        },
        status=status.HTTP_400_BAD_REQUEST,
    )
