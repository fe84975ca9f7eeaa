"""Load the monitor's measures (with their sources) and the areas' CBS neighbourhood
codes from ``monitor/reference_data/``. Running it again changes nothing."""

from django.core.management.base import BaseCommand

from monitor import services


class Command(BaseCommand):
    help = "Load the area monitor's measures and the neighbourhood codes of the areas."

    def handle(self, *args, **options):
        counts = services.load_reference()
        self.stdout.write(
            self.style.SUCCESS(
                f"Monitor reference data: {counts['created']} created, {counts['updated']} updated."
            )
        )
