"""Give the roles their permissions on knowledge items: coordinators keep them (spoor 2's
knowledge work is the programme's); liaisons and viewers read them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COORDINATOR = "Programmacoördinator"
LIAISON = "Gemeentelijk contactpersoon"
VIEWER = "Raadpleger"

READ = ["view_knowledgeitem"]
GRANTS = {
    COORDINATOR: [*READ, "add_knowledgeitem", "change_knowledgeitem", "delete_knowledgeitem"],
    LIAISON: READ,
    VIEWER: READ,
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("interventions")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="interventions", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="interventions", codename__endswith="_knowledgeitem"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("interventions", "0005_knowledge_items_and_recognition_levels"),
        ("accounts", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
