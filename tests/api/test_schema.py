from pathlib import Path

import yaml
from django.conf import settings

SCHEMA = yaml.safe_load((Path(settings.BASE_DIR) / "openapi.yaml").read_text())


def test_every_field_in_the_schema_is_described():
    undescribed = [
        f"{name}.{field}"
        for name, schema in SCHEMA["components"]["schemas"].items()
        for field, spec in schema.get("properties", {}).items()
        if not spec.get("description")
    ]
    assert undescribed == []


def test_every_filter_in_the_schema_is_described():
    undescribed = [
        f"{method.upper()} {path} ?{parameter['name']}"
        for path, operations in SCHEMA["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if not parameter.get("description")
    ]
    assert undescribed == []


def test_schema_and_docs_are_public_and_hold_no_data(client, db):
    """Like Open Zaak's: the schema describes the API, it does not contain rows."""
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
