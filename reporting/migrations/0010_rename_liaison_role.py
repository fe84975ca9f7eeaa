"""Rename the liaison role to its correct Dutch name, "Gemeentelijke contactpersoon".

It lives in reporting, the last app, because the earlier role migrations of accounts,
monitor and reporting find the group by its old name; this one runs after all of them.
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
        ("reporting", "0009_exportjob"),
        ("monitor", "0002_roles"),
        ("accounts", "0005_token_permissions"),
    ]

    operations = [migrations.RunPython(rename(OLD, NEW), rename(NEW, OLD))]
