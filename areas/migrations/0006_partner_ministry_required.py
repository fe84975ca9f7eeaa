"""Step 3 of 3: every partner of the kind ministry now names its ministry; from here the
database holds it, both ways."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("areas", "0005_partner_ministry_link")]

    operations = [
        migrations.AddConstraint(
            model_name="partner",
            constraint=models.CheckConstraint(
                condition=~models.Q(kind="ministry") | models.Q(ministry__isnull=False),
                name="partner_ministry_named",
                violation_error_message="Choose which ministry this partner is.",
            ),
        ),
        migrations.AddConstraint(
            model_name="partner",
            constraint=models.CheckConstraint(
                condition=models.Q(kind="ministry") | models.Q(ministry__isnull=True),
                name="partner_ministry_only_for_that_kind",
                violation_error_message="Only a partner of the kind ministry names a ministry.",
            ),
        ),
    ]
