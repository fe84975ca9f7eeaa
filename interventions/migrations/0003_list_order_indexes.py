"""Lists of interventions are ordered by title (and id), often filtered by status: with
these indexes a page is read in order instead of sorting every matching row. The
status index is replaced by one that also serves the order."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("interventions", "0002_intervention_version"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="intervention",
            name="intervention_status_idx",
        ),
        migrations.AddIndex(
            model_name="intervention",
            index=models.Index(fields=["title", "id"], name="intervention_title_idx"),
        ),
        migrations.AddIndex(
            model_name="intervention",
            index=models.Index(
                fields=["status", "title", "id"], name="intervention_status_title_idx"
            ),
        ),
    ]
