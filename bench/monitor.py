"""The area monitor at national scale (DESIGN.md section 8, issue 16), on the generated
data set (``bench/generate.py``) in a scratch PostgreSQL database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench uv run python bench/monitor.py

1. Importing a national CBS file: a Kerncijfers wijken en buurten TypedDataSet made here
   in the official shape (the country, 342 municipalities, 3,300 wijken and 14,500 buurten,
   six variables with their numbered suffixes, some cells missing), once new and once
   again unchanged, through ``import_context`` as a coordinator. Every bench area gets ten
   of the file's buurt codes first, so the import also works out 400 areas' values.
2. The area page with its monitor section and ``/monitor/`` over every area, in-process
   (Django's test client), with the Leefbaarometer score of every area over five years
   and a goal per area.

The codes and figures are invented (deterministic); they never leave the scratch database.
"""

import argparse
import io
import json
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

from .common import bench_users, recorded, setup, timed

MUNICIPALITIES, WIJKEN_EACH, BUURTEN_EACH = 342, 10, 4
VARIABLES = {
    "AantalInwoners_5": (100, 20000, 0),
    "Woningvoorraad_34": (50, 9000, 0),
    "InBezitWoningcorporatie_49": (0, 90, 0),
    "Nettoarbeidsparticipatie_71": (40, 80, 1),
    "HuishoudensMetEenLaagInkomen_78": (1, 30, 1),
    "HuishOnderOfRondSociaalMinimum_79": (1, 25, 1),
}


def national_file(rng):
    """The TypedDataSet of a Kerncijfers table with every region of the country."""
    rows = []

    def row(code, kind):
        values = {}
        for key, (low, high, places) in VARIABLES.items():
            missing = rng.random() < 0.03  # CBS leaves small regions' cells empty
            values[key] = None if missing else round(rng.uniform(low, high), places)
        rows.append(
            {
                "ID": len(rows),
                "WijkenEnBuurten": code.ljust(10),
                "Gemeentenaam_1": "Bench".ljust(50),
                "SoortRegio_2": kind.ljust(10),
                "Codering_3": code.ljust(10),
                **values,
            }
        )

    row("NL00", "Land")
    for m in range(1, MUNICIPALITIES + 1):
        row(f"GM{m:04d}", "Gemeente")
        for w in range(WIJKEN_EACH):
            row(f"WK{m:04d}{w:02d}", "Wijk")
            for b in range(BUURTEN_EACH + (m % 3)):
                row(f"BU{m:04d}{w:02d}{b:02d}", "Buurt")
    link = "https://opendata.cbs.nl/ODataApi/OData/85984NED/$metadata#TypedDataSet"
    return json.dumps({"odata.metadata": link, "value": rows}).encode(), len(rows)


def give_areas_codes(areas):
    from areas.models import Neighbourhood

    Neighbourhood.objects.filter(name__startswith="bench-buurt ").delete()
    Neighbourhood.objects.bulk_create(
        Neighbourhood(
            area=area,
            name=f"bench-buurt {b}",
            kind="buurt",
            cbs_code=f"BU{index % MUNICIPALITIES + 1:04d}{b:02d}00",
            cbs_year=2024,
        )
        for index, area in enumerate(areas)
        for b in range(WIJKEN_EACH)
    )


def area_figures(areas, rng):
    from monitor.models import AreaGoal, ContextMeasure, ContextValue

    lbm = ContextMeasure.objects.get(code="lbm")
    ContextValue.objects.filter(measure=lbm).delete()
    AreaGoal.objects.filter(measure=lbm).delete()
    values = []
    for area in areas:
        level = Decimal(rng.uniform(3.6, 4.4))
        for year in (2018, 2020, 2022, 2024):
            level += Decimal(rng.uniform(-0.05, 0.08))
            values.append(
                ContextValue(
                    measure=lbm,
                    geo_level="area",
                    geo_code=area.code,
                    area=area,
                    year=year,
                    value=level.quantize(Decimal("0.0001")),
                    method="imported",
                )
            )
    for code in {area.municipality.cbs_code for area in areas} | {"NL"}:
        for year in (2018, 2020, 2022, 2024):
            values.append(
                ContextValue(
                    measure=lbm,
                    geo_level="country" if code == "NL" else "municipality",
                    geo_code=code,
                    geo_year=None if code == "NL" else year,
                    year=year,
                    value=Decimal("4.1000"),
                    method="imported",
                )
            )
    ContextValue.objects.bulk_create(values, batch_size=5000)
    AreaGoal.objects.bulk_create(
        AreaGoal(area=area, measure=lbm, target_year=2030, target_reference="NL") for area in areas
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--pages-only", action="store_true", help="skip the import")
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from areas.models import Area
    from monitor import imports, services
    from monitor.models import ContextValue

    rng = random.Random(2026)
    services.load_reference()
    users = bench_users()
    areas = list(Area.objects.select_related("municipality").order_by("pk"))
    give_areas_codes(areas)
    data, regions = national_file(rng)
    print(
        f"national file: {regions} regions, {len(data) / 2**20:.1f} MB, {len(VARIABLES)} variables"
    )
    ContextValue.objects.filter(
        year=2024, geo_level__in=["buurt", "wijk", "municipality", "country"]
    ).exclude(measure__code="lbm").delete()
    for label in () if args.pages_only else ("new", "again, unchanged"):
        start = time.perf_counter()
        result, log = recorded(
            lambda: imports.import_context(
                user=users["coordinator"],
                upload=io.BytesIO(data),
                file_name="85984NED.json",
                fmt="cbs-odata",
                dry_run=False,
            )
        )
        seconds = time.perf_counter() - start
        assert result.ok, result.problems[:5]
        print(
            f"import ({label}): {seconds:.1f} s, {len(log.queries)} queries, "
            f"{result.counts()}, {result.aggregated} area values worked out"
        )

    area_figures(areas, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE monitor_contextvalue; ANALYZE monitor_areagoal")
    client = Client(HTTP_HOST="127.0.0.1")
    for persona in ("coordinator", "liaison"):
        client.force_login(users[persona])
        own = Area.objects.for_user(users[persona]).order_by("pk").first()
        for label, url in (
            ("area page with its monitor", reverse("pages:area", args=[own.pk])),
            ("/monitor/ over every area", reverse("monitor:compare")),
            ("dashboard with the monitor", reverse("pages:dashboard")),
        ):
            response, log = recorded(lambda url=url: client.get(url))
            assert response.status_code in (200, 404), (url, response.status_code)
            samples = timed(lambda url=url: client.get(url), args.repeat)
            print(
                f"{persona:12} {label:28} median {statistics.median(samples):6.0f} ms, "
                f"p95 {sorted(samples)[int(len(samples) * 0.95) - 1]:6.0f} ms, "
                f"{len(log.queries)} queries, status {response.status_code}"
            )


if __name__ == "__main__":
    main()
