"""One error shape for the whole API, and the HTTP statuses of the domain's errors."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from core.versioning import ConcurrentEditError


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _("Send the ETag of the record you changed in an If-Match header.")
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The record changed since you read it: read it again, then retry.")
    default_code = "precondition_failed"


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = _("This file has expired and has been removed.")
    default_code = "expired"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "payload_too_large"


# Domain errors that mean "not in this state", answered with 409 Conflict.
CONFLICT_CODES = {"quarter_closed", "report_locked", "step_not_allowed"}


def exception_handler(exc, context):
    """One error shape for the whole API:
    ``{"status": 400, "code": "invalid", "detail": "...", "errors": {"field": ["..."]}}``.
    """
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, ConcurrentEditError):
        exc = PreconditionFailed()
    elif isinstance(exc, ProtectedError):
        exc = Conflict(
            detail=_("Other records still depend on this one; it cannot be deleted."),
            code="protected",
        )
    elif isinstance(exc, DjangoValidationError):
        if getattr(exc, "code", None) in CONFLICT_CODES:
            exc = Conflict(detail=exc.messages[0], code=exc.code)
        elif hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(
                {
                    ("non_field_errors" if field == "__all__" else field): messages
                    for field, messages in exc.message_dict.items()
                }
            )
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = {
            "status": response.status_code,
            "code": "invalid",
            "detail": str(_("The request contains invalid data.")),
            "errors": errors,
        }
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        body = {
            "status": response.status_code,
            "code": getattr(detail, "code", None) or getattr(exc, "default_code", "error"),
            "detail": str(detail),
            "errors": {},
        }
    response.data = body
    return response
