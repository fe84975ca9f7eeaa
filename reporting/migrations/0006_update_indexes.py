"""Progress updates at scale (a million over forty quarters): a quarter's updates in
intervention order, newest quarter first, so the admin change list reads a page without
sorting them all; and, per report, the few updates still without a light (counted on
every row of the reports' change list and when a report is submitted)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0005_export_permissions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="progressupdate",
            index=models.Index(
                fields=["-period", "intervention"], name="update_period_intervention_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="progressupdate",
            index=models.Index(
                condition=models.Q(("light", "")),
                fields=["report"],
                name="update_without_light_idx",
            ),
        ),
    ]
