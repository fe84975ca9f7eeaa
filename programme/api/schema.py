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
