"""Give the roles their permissions on the area monitor: coordinators keep the measures,
import figures and set goals; liaisons and viewers read measures, figures and goals."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COORDINATOR = "Programmacoördinator"
LIAISON = "Gemeentelijk contactpersoon"
VIEWER = "Raadpleger"

READ = ["view_contextmeasure", "view_contextvalue", "view_areagoal"]
GRANTS = {
    COORDINATOR: [
        *READ,
        "add_contextmeasure",
        "change_contextmeasure",
        "view_contextimport",
        "import_figures",
        "add_areagoal",
        "change_areagoal",
        "delete_areagoal",
    ],
    LIAISON: READ,
    VIEWER: READ,
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("monitor")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="monitor", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="monitor"))


class Migration(migrations.Migration):
    dependencies = [
        ("monitor", "0001_initial"),
        ("accounts", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
