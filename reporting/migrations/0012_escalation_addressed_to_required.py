"""Step 3 of 3: every escalation now has its ministry; drop the old code."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reporting", "0011_escalation_addressed_to_copy")]

    operations = [
        migrations.RemoveField("escalation", "addressed_to_code"),
        migrations.RemoveField("historicalescalation", "addressed_to_code"),
        migrations.AlterField(
            model_name="escalation",
            name="addressed_to",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="escalations",
                to="programme.ministry",
                verbose_name="addressed to",
            ),
        ),
    ]
