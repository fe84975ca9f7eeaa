"""Finishing touches to the OpenAPI schema (a drf-spectacular postprocessing hook)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

GENERIC = {
    "id": gettext_noop("Unique id of the record."),
}


def describe_every_field(result, generator, request, public):
    """Every field gets a description: its help text where it has one, else its label
    (the model field's verbose name)."""
    for schema in result.get("components", {}).get("schemas", {}).values():
        for name, field in schema.get("properties", {}).items():
            if "description" not in field:
                field["description"] = field.get("title") or _(GENERIC.get(name, name))
    return result


ERROR_SCHEMA = {
    "type": "object",
    "description": "The one shape of every error.",
    "properties": {
        "status": {"type": "integer", "description": "The HTTP status."},
        "code": {"type": "string", "description": "A stable code, e.g. quarter_closed."},
        "detail": {"type": "string", "description": "What went wrong, for people."},
        "errors": {
            "type": "object",
            "description": "Per field, its messages (validation errors only).",
            "additionalProperties": {"type": "array", "items": {}},
        },
    },
    "required": ["status", "code", "detail", "errors"],
}
ERRORS = {
    "400": "Invalid data or filter; `errors` says per field.",
    "401": "Not signed in.",
    "403": "Your role may not do this.",
    "404": "Not found, or outside your areas.",
    "409": "A closed quarter, a submitted report or a step the state does not allow.",
    "412": "The record changed since you read it (stale If-Match).",
    "413": "The request body is too large.",
    "428": "A write without If-Match.",
    "429": "Too many requests (exports are throttled).",
}
WRITE_ONLY_ERRORS = {"409", "412", "413", "428"}


def document_errors(result, generator, request, public):
    """Every operation documents the errors it can answer, in the one error shape."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            for status, description in ERRORS.items():
                if method == "get" and status in WRITE_ONLY_ERRORS:
                    continue
                operation["responses"].setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
