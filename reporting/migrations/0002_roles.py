"""Give the roles their permissions on the quarterly reporting models."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COORDINATOR = "Programmacoördinator"
LIAISON = "Gemeentelijk contactpersoon"
VIEWER = "Raadpleger"

MODELS = [
    "areareport",
    "progressupdate",
    "indicatorvalue",
    "escalation",
    "reporttransition",
    "quartertransition",
]
GRANTS = {
    COORDINATOR: [
        *[f"view_{model}" for model in MODELS],
        "change_areareport",
        "submit_areareport",
        "review_areareport",
        "change_progressupdate",
        "add_indicatorvalue",
        "change_indicatorvalue",
        "delete_indicatorvalue",
        "add_escalation",
        "change_escalation",
        "delete_escalation",
    ],
    LIAISON: [
        "view_areareport",
        "change_areareport",
        "submit_areareport",
        "view_progressupdate",
        "change_progressupdate",
        "view_indicatorvalue",
        "add_indicatorvalue",
        "change_indicatorvalue",
        "delete_indicatorvalue",
        "view_escalation",
        "add_escalation",
        "change_escalation",
        "delete_escalation",
        "view_reporttransition",
        "view_quartertransition",
    ],
    VIEWER: [f"view_{model}" for model in MODELS],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("reporting")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="reporting", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="reporting"))


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_initial"),
        ("accounts", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
