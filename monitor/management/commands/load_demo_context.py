"""Demo figures for ``make run``: clearly fictional values, stored as *demo* (the pages
say so beside every figure), for the areas, their municipalities and the Netherlands,
and a goal per area. Refuses to run in production; real imports replace demo values."""

import random
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from areas.models import Area
from monitor.models import AreaGoal, ContextMeasure, ContextValue

# Fictional levels to walk from, per measure: (start, yearly step range).
LEVELS = {
    "lbm": (Decimal("3.90"), Decimal("0.04")),
    "nplv-low-income": (Decimal("14.0"), Decimal("0.6")),
    "nplv-work": (Decimal("58.0"), Decimal("0.8")),
}
YEARS = range(2018, 2025)


class Command(BaseCommand):
    help = "Add demo context figures (marked as demo) and goals for the demo."

    @transaction.atomic
    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo figures are never loaded in production.")
        measures = {m.code: m for m in ContextMeasure.objects.filter(code__in=LEVELS)}
        if not measures:
            raise CommandError("Load the measures first: manage.py load_monitor_reference.")
        rng = random.Random(2018)
        created = 0
        places = [("country", "NL", None)]
        for area in Area.objects.select_related("municipality"):
            places.append(("area", area.code, area))
            places.append(("municipality", area.municipality.cbs_code, None))
        for code, measure in measures.items():
            start, step = LEVELS[code]
            for level, geo_code, area in dict.fromkeys(places):
                value = start + Decimal(rng.uniform(-3, 3)) * step
                for year in YEARS:
                    value += Decimal(rng.uniform(-1, 1.5)) * step
                    _obj, made = ContextValue.objects.get_or_create(
                        measure=measure,
                        geo_level=level,
                        geo_code=geo_code,
                        year=year,
                        defaults={
                            "area": area,
                            "geo_year": year if level == "municipality" else None,
                            "value": value.quantize(Decimal("0.0001")),
                            "method": ContextValue.Method.DEMO,
                        },
                    )
                    created += made
        lbm = measures.get("lbm")
        if lbm is not None:
            for area in Area.objects.all():
                AreaGoal.objects.get_or_create(
                    area=area,
                    measure=lbm,
                    defaults={"baseline_year": 2018, "target_year": 2030, "target_reference": "NL"},
                )
        self.stdout.write(self.style.SUCCESS(f"Demo figures: {created} values (marked as demo)."))
