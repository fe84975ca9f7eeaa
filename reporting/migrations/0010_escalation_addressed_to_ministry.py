"""Escalations are addressed to a ministry row (programme.Ministry) instead of a fixed
code; step 1 of 3: keep the old code aside and add the foreign key, empty for now."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0005_seed_ministries"),
        ("reporting", "0009_exportjob"),
    ]

    operations = [
        migrations.RenameField("escalation", "addressed_to", "addressed_to_code"),
        migrations.RenameField("historicalescalation", "addressed_to", "addressed_to_code"),
        # A default, so that undoing step 3 can add the column back to a filled table.
        migrations.AlterField(
            "escalation",
            "addressed_to_code",
            models.CharField(default="", max_length=10, blank=True),
        ),
        migrations.AlterField(
            "historicalescalation",
            "addressed_to_code",
            models.CharField(default="", max_length=10, blank=True),
        ),
        migrations.AddField(
            model_name="escalation",
            name="addressed_to",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="escalations",
                to="programme.ministry",
                verbose_name="addressed to",
            ),
        ),
        migrations.AddField(
            model_name="historicalescalation",
            name="addressed_to",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="programme.ministry",
                verbose_name="addressed to",
            ),
        ),
    ]
