"""The area dossier: liaisons keep their own areas' documents and studies (upload,
replace), coordinators all of them, and only coordinators delete a document; viewers
read."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COORDINATOR = "Programmacoördinator"
LIAISON = "Gemeentelijk contactpersoon"
VIEWER = "Raadpleger"

GRANTS = {
    COORDINATOR: [
        *[f"{action}_areadocument" for action in ("add", "change", "delete", "view")],
        *[f"{action}_areastudy" for action in ("add", "change", "delete", "view")],
    ],
    LIAISON: [
        "add_areadocument",
        "change_areadocument",
        "view_areadocument",
        "add_areastudy",
        "change_areastudy",
        "view_areastudy",
    ],
    VIEWER: ["view_areadocument", "view_areastudy"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("areas")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="areas", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    dossier = Permission.objects.filter(
        content_type__app_label="areas", content_type__model__in=["areadocument", "areastudy"]
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*dossier)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_ministry_roles"),
        ("areas", "0003_area_dossier"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
