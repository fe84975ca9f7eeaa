"""Step 2 of 3: point every escalation (and its history) at the ministry its old code
named. The old "other" has no ministry of its own: rows that used it get an inactive
"other ministry" row, so nothing is lost and a coordinator can choose the right one.

Escalations of a closed quarter may not change (a trigger on PostgreSQL); this is the
same fact in a new shape, so the trigger is off for the copy only. Bulk updates are
fine here: the historical rows are copied alongside, not written by the app."""

from django.db import migrations

OTHER = {
    "abbreviation": "overig",
    "name_nl": "Ander ministerie",
    "name_en": "Another ministry",
    "active": False,
    "ordering": 1000,
}


def _trigger(schema_editor, state):
    if schema_editor.connection.vendor == "postgresql":
        # The new keys' deferred checks must run first: a table with pending trigger
        # events cannot be altered.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        table, name = "reporting_escalation", "escalation_closed_quarter"
        schema_editor.execute(f"ALTER TABLE {table} {state} TRIGGER {name}")


def copy_codes(apps, schema_editor):
    Ministry = apps.get_model("programme", "Ministry")
    models = [apps.get_model("reporting", name) for name in ("Escalation", "HistoricalEscalation")]
    codes = set()
    for model in models:
        codes |= set(model.objects.values_list("addressed_to_code", flat=True).distinct())
    if "other" in codes:
        Ministry.objects.get_or_create(code="other", defaults=OTHER)
    ministries = {ministry.code: ministry for ministry in Ministry.objects.all()}
    unknown = codes - set(ministries)
    if unknown:
        raise RuntimeError(f"Escalations name ministries that do not exist: {sorted(unknown)}")
    _trigger(schema_editor, "DISABLE")
    for model in models:
        for code in codes:
            model.objects.filter(addressed_to_code=code).update(addressed_to=ministries[code])
    _trigger(schema_editor, "ENABLE")


def copy_back(apps, schema_editor):
    _trigger(schema_editor, "DISABLE")
    for name in ("Escalation", "HistoricalEscalation"):
        model = apps.get_model("reporting", name)
        for ministry in apps.get_model("programme", "Ministry").objects.all():
            model.objects.filter(addressed_to=ministry).update(addressed_to_code=ministry.code)
    _trigger(schema_editor, "ENABLE")


class Migration(migrations.Migration):
    dependencies = [("reporting", "0010_escalation_addressed_to_ministry")]

    operations = [migrations.RunPython(copy_codes, copy_back)]
