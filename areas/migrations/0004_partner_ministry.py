"""A partner of the kind ministry names its ministry (programme.Ministry); step 1 of 3:
the foreign key, empty for now."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0003_area_dossier"),
        ("programme", "0005_seed_ministries"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalpartner",
            name="ministry",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="Which ministry this is; only for a partner of the kind ministry.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="programme.ministry",
                verbose_name="ministry",
            ),
        ),
        migrations.AddField(
            model_name="partner",
            name="ministry",
            field=models.ForeignKey(
                blank=True,
                help_text="Which ministry this is; only for a partner of the kind ministry.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="partners",
                to="programme.ministry",
                verbose_name="ministry",
            ),
        ),
    ]
