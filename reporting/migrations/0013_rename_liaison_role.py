"""Rename the liaison role to its correct Dutch name, "Gemeentelijke contactpersoon".

It lives in reporting, the last app, because the earlier role migrations of accounts,
interventions, monitor and reporting find the group by its old name (and would make it
again): this one runs after all of them. A later role migration uses the new name.
"""

from django.db import migrations

OLD = "Gemeentelijk contactpersoon"
NEW = "Gemeentelijke contactpersoon"


def rename(old, new):
    def run(apps, schema_editor):
        apps.get_model("auth", "Group").objects.filter(name=old).update(name=new)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0012_escalation_addressed_to_required"),
        ("monitor", "0002_roles"),
        ("accounts", "0007_area_dossier_roles"),
        ("interventions", "0006_knowledge_item_roles"),
    ]

    operations = [migrations.RunPython(rename(OLD, NEW), rename(NEW, OLD))]
