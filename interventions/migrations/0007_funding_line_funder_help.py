"""The funder's help text says what the model now checks: state money comes from a
partner of the kind ministry (areas 0006)."""

import django.db.models.deletion
from django.db import migrations, models

HELP = (
    "The organisation that pays, e.g. a housing corporation; for state money a partner of "
    "the kind ministry."
)


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0006_partner_ministry_required"),
        ("interventions", "0006_knowledge_item_roles"),
    ]

    operations = [
        migrations.AlterField(
            model_name="fundingline",
            name="funder",
            field=models.ForeignKey(
                blank=True,
                help_text=HELP,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="funding_lines",
                to="areas.partner",
                verbose_name="funder",
            ),
        ),
        migrations.AlterField(
            model_name="historicalfundingline",
            name="funder",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text=HELP,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="areas.partner",
                verbose_name="funder",
            ),
        ),
    ]
