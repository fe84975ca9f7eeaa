"""Request ids and structured logs: who (actor) did what (action) to which object
(object), with what result, under which request id. Never a body, a cookie, a header
value or a query string: those are where passwords, tokens and reset links travel.

``RequestIdMiddleware`` takes the proxy's ``X-Request-ID`` when it is well formed (so
the reverse proxy's log and ours share one id) or makes one, returns it in the
response, and puts it on every log record written while the request runs. It also
gives API clients a 500 in the API's one error shape instead of an HTML page.
"""

import contextvars
import json
import logging
import re
import time
import uuid

from django.http import JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

REQUEST_ID_HEADER = "X-Request-ID"
_WELL_FORMED_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Keys that never reach a log line, whatever a caller passes in ``extra``.
SECRET_WORDS = ("password", "secret", "token", "key", "authorization", "cookie", "session")

request_id_var = contextvars.ContextVar("request_id", default="-")
actor_var = contextvars.ContextVar("actor", default="-")

access_log = logging.getLogger("register.access")


def actor_of(user):
    """A user as logs name them: the numeric id, never the e-mail address."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    return f"user:{user.pk}"


def _object_of(match):
    ids = [str(value) for name, value in match.kwargs.items() if name in ("pk", "object_id")]
    ids += [str(value) for value in match.args[:1]]
    return ids[0] if ids else "-"


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.id = incoming if _WELL_FORMED_ID.match(incoming) else uuid.uuid4().hex
        id_token = request_id_var.set(request.id)
        actor_token = actor_var.set("anonymous")
        started = time.monotonic()
        try:
            response = self.get_response(request)
            if response.status_code == 500 and request.path.startswith("/api/"):
                logged = getattr(response, "_has_been_logged", False)
                response = JsonResponse(
                    {
                        "status": 500,
                        "code": "server_error",
                        "detail": _("Something went wrong on our side. Try again later."),
                        "errors": {},
                    },
                    status=500,
                )
                response._has_been_logged = logged  # Django logged the error once already
            response[REQUEST_ID_HEADER] = request.id
            self.log(request, response, started)
            return response
        finally:
            request_id_var.reset(id_token)
            actor_var.reset(actor_token)

    def log(self, request, response, started):
        # The handler's own match when it got that far (resolving again costs half a
        # millisecond a request); a page that was not found has none.
        match = getattr(request, "resolver_match", None)
        try:
            match = match or resolve(request.path_info)
            view, obj = match.view_name or match.route, _object_of(match)
        except Resolver404:
            view, obj = "-", "-"
        status = response.status_code
        level = logging.ERROR if status >= 500 else logging.INFO
        # The user at the end of the request: whoever just signed in, or out.
        actor_var.set(actor_of(getattr(request, "user", None)))
        access_log.log(
            level,
            "%s %s %s",
            request.method,
            view,
            status,
            extra={
                "action": f"{request.method} {view}",
                "object": obj,
                "result": status,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
            },
        )


class ActorMiddleware:
    """After authentication: the signed-in user is the actor of every log line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        actor_var.set(actor_of(getattr(request, "user", None)))
        return self.get_response(request)


STANDARD = set(vars(logging.makeLogRecord({}))) - {"request_id", "actor"}
STANDARD |= {"message", "asctime", "request"}


_default_factory = logging.getLogRecordFactory()


def _record_with_context(*args, **kwargs):
    """Every record, whichever handler sees it, knows its request id and actor."""
    record = _default_factory(*args, **kwargs)
    record.request_id = request_id_var.get()
    record.actor = actor_var.get()
    return record


logging.setLogRecordFactory(_record_with_context)


class RequestContextFilter(logging.Filter):
    """Drops secrets from what callers pass in ``extra``."""

    def filter(self, record):
        for name in list(vars(record)):
            if name not in STANDARD and any(word in name.lower() for word in SECRET_WORDS):
                setattr(record, name, "[redacted]")
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for the log shipper."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in STANDARD and not name.startswith("_"):
                entry[name] = value if isinstance(value, int | float | bool) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
