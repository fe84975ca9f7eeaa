"""Ministries are reference data: coordinators keep the list, every role reads it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COORDINATOR = "Programmacoördinator"
LIAISON = "Gemeentelijk contactpersoon"
VIEWER = "Raadpleger"

GRANTS = {
    COORDINATOR: ["add_ministry", "change_ministry", "delete_ministry", "view_ministry"],
    LIAISON: ["view_ministry"],
    VIEWER: ["view_ministry"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("programme")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="programme", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    ministry = Permission.objects.filter(
        content_type__app_label="programme", content_type__model="ministry"
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*ministry)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_token_permissions"),
        ("programme", "0004_ministry"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
