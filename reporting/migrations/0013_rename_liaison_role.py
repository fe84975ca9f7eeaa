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
        Group = apps.get_model("auth", "Group")
        old_group = Group.objects.filter(name=old).first()
        if old_group is None:
            return
        new_group = Group.objects.filter(name=new).first()
        if new_group is None:
            old_group.name = new
            old_group.save()
            return
        # Both exist (a database that ran an earlier order of these migrations): one role.
        new_group.permissions.add(*old_group.permissions.all())
        new_group.user_set.add(*old_group.user_set.all())
        old_group.delete()

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0012_escalation_addressed_to_required"),
        ("monitor", "0002_roles"),
        ("accounts", "0007_area_dossier_roles"),
        ("interventions", "0006_knowledge_item_roles"),
    ]

    operations = [migrations.RunPython(rename(OLD, NEW), rename(NEW, OLD))]
