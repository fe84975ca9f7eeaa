"""Create the roles as groups with permissions (DESIGN.md section 5).

The table is frozen here, as migrations must be; later apps add their permissions
in their own migrations.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COORDINATOR = "Programmacoördinator"
LIAISON = "Gemeentelijk contactpersoon"
VIEWER = "Raadpleger"

ALL = ("add", "change", "delete", "view")
REFERENCE_MODELS = [
    "programme.programme",
    "programme.track",
    "programme.theme",
    "programme.reportingperiod",
    "areas.municipality",
    "areas.regiodeal",
    "interventions.targetgroup",
]
AREA_MODELS = [
    "areas.area",
    "areas.neighbourhood",
    "areas.partner",
    "areas.areapartner",
    "areas.governancearrangement",
    "interventions.intervention",
    "interventions.fundingline",
    "interventions.indicator",
]
ROLES = {
    COORDINATOR: [
        *[(model, action) for model in REFERENCE_MODELS + AREA_MODELS for action in ALL],
        ("accounts.user", "view"),
        ("accounts.user", "add"),
        ("accounts.user", "change"),
        *[("accounts.areamembership", action) for action in ALL],
        ("accounts.areamembership", "edit_all_areas"),
        ("accounts.areamembership", "view_all_areas"),
    ],
    LIAISON: [
        *[(model, "view") for model in REFERENCE_MODELS + AREA_MODELS if model != "areas.regiodeal"],
        ("areas.area", "change"),
        ("areas.partner", "add"),
        ("areas.partner", "change"),
        *[
            (model, action)
            for model in [
                "areas.neighbourhood",
                "areas.areapartner",
                "areas.governancearrangement",
                "interventions.fundingline",
                "interventions.indicator",
            ]
            for action in ("add", "change", "delete")
        ],
        ("interventions.intervention", "add"),
        ("interventions.intervention", "change"),
    ],
    VIEWER: [
        *[(model, "view") for model in REFERENCE_MODELS + AREA_MODELS],
        ("accounts.areamembership", "view_all_areas"),
    ],
}


def codename(model, action):
    app_label, model_name = model.split(".")
    if action in ALL:
        return app_label, f"{action}_{model_name}"
    return app_label, action


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        for model, action in grants:
            app_label, name = codename(model, action)
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=name)
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_areamembership"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("programme", "0001_initial"),
        ("areas", "0001_initial"),
        ("interventions", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
