"""Coordinators read the export log."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COORDINATOR = "Programmacoördinator"


def grant(apps, schema_editor):
    app_config = apps.get_app_config("reporting")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=COORDINATOR)
    group.permissions.add(
        apps.get_model("auth", "Permission").objects.get(
            content_type__app_label="reporting", codename="view_exportlog"
        )
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name=COORDINATOR):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="reporting", codename="view_exportlog")
        )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0004_export_log")]

    operations = [migrations.RunPython(grant, revoke)]
