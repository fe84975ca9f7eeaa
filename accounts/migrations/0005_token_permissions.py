"""Coordinators make and revoke API tokens for reporting clients."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COORDINATOR = "Programmacoördinator"
CODENAMES = ["add_apitoken", "view_apitoken", "delete_apitoken"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("accounts")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=COORDINATOR)
    group.permissions.add(
        *apps.get_model("auth", "Permission").objects.filter(
            content_type__app_label="accounts", codename__in=CODENAMES
        )
    )


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=COORDINATOR).first()
    if group:
        group.permissions.remove(
            *apps.get_model("auth", "Permission").objects.filter(
                content_type__app_label="accounts", codename__in=CODENAMES
            )
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_api_token")]

    operations = [migrations.RunPython(grant, revoke)]
