"""A deterministic synthetic data set at national scale, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        uv run python bench/generate.py --scale 1.0

At ``--scale 1.0``: one fictional programme ("bench-national") with 400 areas in 300
municipalities, 40,000 interventions, 40 quarters (2017-Q1 to 2026-Q4, all closed but
the last), 16,000 area reports and about 1,000,000 progress updates with about as many
indicator values. ``--scale`` multiplies everything but the quarters (``--scale 0.01``
runs in seconds). The same seed and scale always give the same rows.

All names are invented ("Gemeente Berdam"); the reference data (themes, the real
programmes) is loaded first as usual. The big tables are written with PostgreSQL
``COPY`` (psycopg), the rest with ``bulk_create``. Every quarter is inserted while it is
open and closed afterwards, so the closed-quarter trigger checks every row; the history
tables stay empty (generated rows have no editing history), and of the workflow trail
only the quarters' open/close steps are written.

It also makes three bench users (password ``bench-wachtwoord-2026``): a coordinator,
a liaison of the two busiest areas, and a viewer.
"""

import argparse
import datetime
import math
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PROGRAMME_CODE = "bench-national"
PASSWORD = "bench-wachtwoord-2026"
COORDINATOR = "bench-coordinator@example.org"
LIAISON = "bench-liaison@example.org"
VIEWER = "bench-viewer@example.org"
FIRST_YEAR = 2017
QUARTERS = 40  # 2017-Q1 .. 2026-Q4; the time axis does not scale

PROVINCES = {
    "ZH": 20, "NH": 16, "NB": 14, "GE": 12, "UT": 8, "LI": 7,
    "OV": 7, "GR": 4, "FR": 4, "DR": 3, "FL": 3, "ZE": 2,
}  # fmt: skip
PREFIXES = "Ber Hol Dren Wes Zuid Oost Noord Ven Mark Lin Gra Hoog Laag Bree Stad Heu".split()
SUFFIXES = "dam hoven wijk veen recht burg mond horst hem ingen lo stede zijl".split()
DISTRICTS = "Zuid Noord Oost West Centrum Haven Kern Veld Park Buiten".split()
PARTNER_KINDS = {
    "school": "Scholengroep", "police": "Politieteam", "housing": "Woonstichting",
    "welfare": "Welzijn", "health": "GGD-team", "business": "Ondernemersvereniging",
    "residents": "Bewonersplatform", "municipality": "Gemeente",
}  # fmt: skip
NATIONAL_PARTNERS = [
    ("ministry", "Ministerie"), ("knowledge", "Kennisinstituut"), ("justice", "Justitieteam"),
]  # fmt: skip
ACTIONS = (
    "Huiswerkbegeleiding|Wijkteam|Schuldhulp dichtbij|Buurtpreventie|Taalcoaching|"
    "Jongerenwerk|Leerwerkplekken|Gezonde school|Woningverbetering|Veilig thuis|"
    "Brede brugklas|Ondermijning aanpakken|Werkgelegenheidsoffensief|Buurtsport|"
    "Opvoedondersteuning|Voorschoolse educatie|Energiecoaches|Wijkgezondheid"
).split("|")
AUDIENCES = (
    "voor jongeren|voor gezinnen|voor ouderen|voor nieuwkomers|voor werkzoekenden|"
    "in de wijk|op school|voor ondernemers|voor huurders"
).split("|")
TARGET_GROUPS = (
    "Jongeren 12-18|Jongvolwassenen 18-27|Gezinnen met jonge kinderen|Ouderen|"
    "Werkzoekenden|Nieuwkomers|Huurders|Ondernemers|Schoolverlaters|Mantelzorgers"
).split("|")
INDICATORS = [
    ("Aantal deelnemers", "number"), ("Schoolverzuim", "percentage"),
    ("Voortijdig schoolverlaters", "percentage"), ("Huishoudens met schulden", "number"),
    ("Ervaren veiligheid", "percentage"), ("Uitstroom naar werk", "number"),
    ("Tevredenheid bewoners", "percentage"), ("Gerenoveerde woningen", "number"),
    ("Meldingen overlast", "number"), ("Bereik doelgroep", "percentage"),
]  # fmt: skip
PHRASES = (
    "De aanpak loopt volgens plan.|Er zijn nieuwe deelnemers bereikt via de scholen.|"
    "De samenwerking met de corporatie is versterkt.|Werving van personeel blijft lastig.|"
    "De eerste resultaten zijn in de stuurgroep besproken.|"
    "Door de zomerperiode lag het tempo lager.|Een tweede locatie is geopend.|"
    "De evaluatie door het kennisinstituut is gestart.|"
    "Bewoners zijn betrokken bij de keuze van activiteiten.|"
    "De financiering voor volgend jaar is rond.|Het aantal aanmeldingen steeg.|"
    "Er is een wachtlijst ontstaan.|De wijkagent sluit aan bij het overleg."
).split("|")


def scaled(full, scale, least):
    return max(least, round(full * scale))


def quarter_of(index):
    """Index 0..39 -> (year, quarter)."""
    return FIRST_YEAR + index // 4, index % 4 + 1


def first_day(index):
    year, quarter = quarter_of(index)
    return datetime.date(year, 3 * quarter - 2, 1)


def weighted(rng, weights):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def text_pool(rng, size, sentences):
    return [" ".join(rng.sample(PHRASES, sentences)) for _ in range(size)]


class Copier:
    """COPY rows into a table with explicit ids; sequences are moved on afterwards."""

    def __init__(self, connection):
        self.raw = connection.connection  # the psycopg connection, in Django's transaction

    def next_id(self, model):
        with self.raw.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
            return cursor.fetchone()[0]

    def copy(self, model, columns, rows):
        table = model._meta.db_table
        count = 0
        with self.raw.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            if "id" in columns:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
        return count


def generate(scale=1.0, seed=2026, say=print):
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts import roles
    from accounts.models import AreaMembership, User
    from areas.models import (
        Area,
        AreaPartner,
        GovernanceArrangement,
        Municipality,
        Neighbourhood,
        Partner,
    )
    from interventions.models import FundingLine, Indicator, Intervention, TargetGroup
    from programme.models import Ministry, Programme, ReportingPeriod, Theme, Track
    from reporting.models import (
        AreaReport,
        Escalation,
        IndicatorValue,
        ProgressUpdate,
        QuarterTransition,
    )

    if connection.vendor != "postgresql":
        raise SystemExit("bench/generate.py needs PostgreSQL: set DATABASE_URL.")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    marker = f"scale={scale} seed={seed}"
    existing = Programme.objects.filter(code=PROGRAMME_CODE).first()
    if existing is not None:
        if existing.description.endswith(marker):
            say(f"Already generated ({marker}); reusing it.")
            return
        raise SystemExit(
            f"This database holds bench data of another run ({existing.description}); "
            "drop and recreate it first."
        )

    rng = random.Random(seed)
    n_municipalities = scaled(300, scale, 3)
    n_areas = max(n_municipalities + 1, scaled(400, scale, 4))
    n_interventions = scaled(40_000, scale, 40)
    copier = Copier(connection)
    tz = timezone.get_current_timezone()

    with transaction.atomic():
        programme = Programme.objects.create(
            code=PROGRAMME_CODE,
            name="Landelijk programma (synthetische benchmarkgegevens)",
            start_year=FIRST_YEAR,
            description=f"Synthetic data for bench/, not real: {marker}",
        )
        track1 = Track.objects.create(programme=programme, number=1, name="Gebieden")
        track2 = Track.objects.create(programme=programme, number=2, name="Pilots en kennis")
        themes = list(Theme.objects.order_by("code"))
        groups = TargetGroup.objects.bulk_create(
            TargetGroup(name=f"{name} (bench)") for name in TARGET_GROUPS
        )

        # Municipalities and areas: the first ones are big cities with two areas each.
        used, municipalities = set(), []
        provinces = rng.choices(list(PROVINCES), list(PROVINCES.values()), k=n_municipalities)
        for index in range(n_municipalities):
            name = rng.choice(PREFIXES) + rng.choice(SUFFIXES)
            while name in used:
                name = f"{rng.choice(PREFIXES)}{rng.choice(SUFFIXES)} {rng.choice(DISTRICTS)}"
                if name in used:
                    name = f"{name} {index}"
            used.add(name)
            municipalities.append(
                Municipality(cbs_code=f"GM{5000 + index:04d}", name=name, province=provinces[index])
            )
        municipalities = Municipality.objects.bulk_create(municipalities)
        doubles = n_areas - n_municipalities
        area_municipality = [
            municipalities[i // 2] if i < 2 * doubles else municipalities[i - doubles]
            for i in range(n_areas)
        ]
        areas = Area.objects.bulk_create(
            Area(
                code=f"bench-{index:04d}",
                name=f"{municipality.name}-{DISTRICTS[index % len(DISTRICTS)]} {index}",
                municipality=municipality,
                population_thousands=rng.randint(8, 120),
                population_year=2024,
                description="Synthetisch gebied voor benchmarks.",
            )
            for index, municipality in enumerate(area_municipality)
        )
        in_track2 = [rng.random() < 0.25 for _ in areas]
        AreaTracks = Area.tracks.through
        AreaTracks.objects.bulk_create(
            [AreaTracks(area_id=a.pk, track_id=track1.pk) for a in areas]
            + [
                AreaTracks(area_id=a.pk, track_id=track2.pk)
                for a, t in zip(areas, in_track2, strict=True)
                if t
            ]
        )
        Neighbourhood.objects.bulk_create(
            Neighbourhood(area=area, name=f"Wijk {n + 1}") for area in areas for n in range(3)
        )

        # Partners: eight local ones per area and a national pool; each ministry partner
        # names its ministry (the database refuses one that does not).
        ministries = list(Ministry.objects.filter(active=True))
        national = Partner.objects.bulk_create(
            Partner(
                name=f"{label} {n + 1} (bench)",
                kind=kind,
                ministry=ministries[n % len(ministries)] if kind == "ministry" else None,
            )
            for n in range(scaled(200, scale, 6))
            for kind, label in [NATIONAL_PARTNERS[n % len(NATIONAL_PARTNERS)]]
        )
        ministry_partners = [partner for partner in national if partner.kind == "ministry"]
        local = Partner.objects.bulk_create(
            Partner(name=f"{label} {area.name}", kind=kind, contact_role="coördinator")
            for area in areas
            for kind, label in PARTNER_KINDS.items()
        )
        local_of = [
            local[i * len(PARTNER_KINDS) : (i + 1) * len(PARTNER_KINDS)] for i in range(n_areas)
        ]
        AreaPartner.objects.bulk_create(
            [
                AreaPartner(area=area, partner=partner, role=rng.choice(AreaPartner.Role.values))
                for area, partners in zip(areas, local_of, strict=True)
                for partner in partners
            ]
            + [
                AreaPartner(area=area, partner=partner, role="knowledge")
                for area in areas
                for partner in rng.sample(national, 2)
            ]
        )
        GovernanceArrangement.objects.bulk_create(
            GovernanceArrangement(
                area=area, kind=kind, name=f"{name} {area.name}", chair="de burgemeester"
            )
            for area in areas
            for kind, name in [("steering_group", "Stuurgroep"), ("covenant", "Convenant")]
        )

        # Quarters, all open while their rows go in; closed at the end.
        periods = ReportingPeriod.objects.bulk_create(
            ReportingPeriod(
                programme=programme,
                year=quarter_of(q)[0],
                quarter=quarter_of(q)[1],
                deadline=first_day(q + 1) + datetime.timedelta(days=14),
            )
            for q in range(QUARTERS)
        )

        # Interventions: areas weighted like a few big cities and a long tail.
        area_weights = [1 / (rank + 1) ** 0.6 for rank in range(n_areas)]
        intervention_id = copier.next_id(Intervention)
        plans = []  # per intervention: (id, area index or None, first quarter, quarters, status)
        rows = []
        titles = [f"{a} {b}" for a in ACTIONS for b in AUDIENCES]
        for n in range(n_interventions):
            pk = intervention_id + n
            programme_wide = rng.random() < 0.04
            area_index = None if programme_wide else rng.choices(range(n_areas), area_weights)[0]
            track = (
                track2
                if programme_wide or (in_track2[area_index] and rng.random() < 0.2)
                else track1
            )
            if rng.random() < 0.15:  # not started: no updates
                status = rng.choice(["idea", "preparing"])
                first, span = None, 0
                start = (
                    first_day(QUARTERS) + datetime.timedelta(days=rng.randint(0, 400))
                    if status == "preparing"
                    else None
                )
            else:
                span = rng.randint(20, 39)
                first = QUARTERS - span if rng.random() < 0.4 else rng.randint(0, QUARTERS - span)
                if first + span == QUARTERS:
                    status = "running"
                else:
                    status = "stopped" if rng.random() < 0.1 else "completed"
                start = first_day(first) + datetime.timedelta(days=rng.randint(0, 60))
            end = None
            if status in ("completed", "stopped"):
                end = first_day(first + span) - datetime.timedelta(days=1)
            elif start is not None and rng.random() < 0.5:
                end = start + datetime.timedelta(days=365 * rng.randint(2, 6))
            created = datetime.datetime.combine(
                start or first_day(QUARTERS - 1), datetime.time(9), tz
            )
            plans.append((pk, area_index, first, span, status))
            lead = None
            if area_index is not None and rng.random() < 0.9:
                lead = rng.choice(local_of[area_index]).pk
            rows.append(
                (
                    pk, f"BN-{n:06d}", f"{rng.choice(titles)} {n % 97 + 1}", track.pk,
                    None if area_index is None else areas[area_index].pk, status,
                    rng.choice(PHRASES), lead, rng.choice(Intervention.EvidenceLevel.values),
                    start, end, created, created, 1,
                )
            )  # fmt: skip
        copier.copy(
            Intervention,
            ["id", "code", "title", "track_id", "area_id", "status", "description",
             "lead_partner_id", "evidence_level", "start_date", "end_date", "created_at",
             "updated_at", "version"],
            rows,
        )  # fmt: skip
        del rows

        copier.copy(
            Intervention.themes.through,
            ["intervention_id", "theme_id"],
            (
                (plan[0], theme.pk)
                for plan in plans
                for theme in rng.sample(themes, rng.choice([1, 1, 2, 2, 3]))
            ),
        )
        copier.copy(
            Intervention.target_groups.through,
            ["intervention_id", "targetgroup_id"],
            ((plan[0], g.pk) for plan in plans for g in rng.sample(groups, rng.randint(0, 2))),
        )
        copier.copy(
            Intervention.partners.through,
            ["intervention_id", "partner_id"],
            (
                (plan[0], p.pk)
                for plan in plans
                if plan[1] is not None
                for p in rng.sample(local_of[plan[1]], rng.randint(0, 2))
            ),
        )

        # Money: one to three funding lines; spending follows the committed total.
        committed = []
        funding = []
        sources = {"state": 35, "municipality": 35, "housing": 10, "province": 8, "eu": 4,
                   "private": 4, "other": 4}  # fmt: skip
        for plan in plans:
            total = Decimal(0)
            for _ in range(rng.choice([1, 1, 2, 2, 3])):
                amount = Decimal(round(math.exp(rng.gauss(11.5, 1.0)), -2)).quantize(
                    Decimal("0.01")
                )
                total += amount
                source = weighted(rng, sources)
                funder = (
                    rng.choice(ministry_partners).pk
                    if source == "state" and rng.random() < 0.5
                    else None
                )
                year = rng.choice([None, None, 2020 + rng.randint(0, 7)])
                funding.append((plan[0], source, funder, year, amount, ""))
            committed.append(total)
        copier.copy(
            FundingLine,
            ["intervention_id", "source", "funder_id", "year", "amount", "note"],
            funding,
        )
        del funding

        # Indicators: none, one or two per intervention.
        indicator_id = copier.next_id(Indicator)
        indicators_of = []
        rows = []
        for plan in plans:
            mine = []
            for name, unit in rng.sample(INDICATORS, rng.choice([0, 1, 1, 2])):
                if unit == "percentage":
                    baseline = Decimal(rng.randint(5, 80))
                    target = max(Decimal(0), min(Decimal(100), baseline + rng.randint(-20, 20)))
                else:
                    baseline = Decimal(rng.randint(0, 500))
                    target = baseline + rng.randint(10, 500)
                direction = "up" if target >= baseline else "down"
                rows.append(
                    (indicator_id, plan[0], name, unit, direction, baseline, 2018, target, 2028)
                )
                mine.append((indicator_id, unit, baseline, target))
                indicator_id += 1
            indicators_of.append(mine)
        copier.copy(
            Indicator,
            ["id", "intervention_id", "name", "unit", "direction", "baseline_value",
             "baseline_year", "target_value", "target_year"],
            rows,
        )  # fmt: skip
        del rows

        # Area reports: every area, every quarter. Closed quarters are approved; the open
        # one is in every state.
        report_id = copier.next_id(AreaReport)
        narratives = text_pool(rng, 500, 3)
        open_states = {"draft": 50, "submitted": 30, "approved": 15, "returned": 5}
        report_status = {}

        def report_rows():
            for q, period in enumerate(periods):
                moment = datetime.datetime.combine(period.deadline, datetime.time(12), tz)
                for a in range(n_areas):
                    status = "approved" if q < QUARTERS - 1 else weighted(rng, open_states)
                    report_status[q, a] = status
                    sent = status in ("submitted", "approved")
                    yield (
                        report_id + q * n_areas + a, areas[a].pk, period.pk, status,
                        rng.choice(["green", "green", "amber", "red"]) if sent else "",
                        rng.choice(narratives), "", moment if sent else None,
                        moment if status in ("approved", "returned") else None, 1,
                    )  # fmt: skip

        copier.copy(
            AreaReport,
            ["id", "area_id", "period_id", "status", "overall_light", "narrative",
             "governance_progress", "submitted_at", "reviewed_at", "version"],
            report_rows(),
        )  # fmt: skip

        # Progress updates, quarter by quarter as the workflow makes them.
        active = [[] for _ in range(QUARTERS)]
        for index, (_pk, _area, first, span, _status) in enumerate(plans):
            for q in range(first or 0, (first or 0) + span):
                active[q].append(index)
        update_id = copier.next_id(ProgressUpdate)
        results = text_pool(rng, 300, 2)
        risks = text_pool(rng, 100, 1)

        def update_rows():
            pk = update_id
            for q in range(QUARTERS):
                for index in active[q]:
                    intervention, area, first, span, _status = plans[index]
                    report = None if area is None else report_id + q * n_areas + area
                    open_draft = q == QUARTERS - 1 and report_status.get((q, area)) in (
                        "draft",
                        "returned",
                        None,
                    )
                    light = (
                        ""
                        if open_draft and rng.random() < 0.3
                        else rng.choice(["green"] * 6 + ["amber"] * 3 + ["red"])
                    )
                    share = Decimal((q - first + 1) / span * rng.uniform(0.6, 1.0))
                    yield (
                        pk, intervention, periods[q].pk, report, light, rng.choice(narratives),
                        rng.choice(results), (committed[index] * share).quantize(Decimal("0.01")),
                        rng.choice(risks) if rng.random() < 0.2 else "", False, 1,
                    )  # fmt: skip
                    pk += 1

        updates = copier.copy(
            ProgressUpdate,
            ["id", "intervention_id", "period_id", "report_id", "light", "narrative",
             "results", "money_spent_to_date", "risks", "carried_over", "version"],
            update_rows(),
        )  # fmt: skip

        def value_rows():
            pk = update_id
            for q in range(QUARTERS):
                for index in active[q]:
                    _intervention, _area, first, span, _status = plans[index]
                    for indicator, unit, baseline, target in indicators_of[index]:
                        progress = Decimal((q - first + 1) / span)
                        value = baseline + (target - baseline) * progress
                        value += Decimal(rng.uniform(-3, 3))
                        if unit == "percentage":
                            value = max(Decimal(0), min(Decimal(100), value))
                        else:
                            value = max(Decimal(0), value)
                        yield (pk, indicator, value.quantize(Decimal("0.01")), False)
                    pk += 1

        values = copier.copy(
            IndicatorValue, ["update_id", "indicator_id", "value", "carried_over"], value_rows()
        )

        ministry_ids = list(
            Ministry.objects.filter(code__in=["BZK", "JenV", "OCW", "SZW", "VWS"]).values_list(
                "pk", flat=True
            )
        )
        escalations = copier.copy(
            Escalation,
            ["report_id", "title", "description", "kind", "addressed_to_id", "status", "answer",
             "answered_at", "version"],
            (
                (
                    report_id + q * n_areas + a, f"Knelpunt {rng.choice(ACTIONS).lower()}",
                    rng.choice(narratives), rng.choice(Escalation.Kind.values),
                    rng.choice(ministry_ids),
                    "open" if q >= QUARTERS - 2 else rng.choice(["resolved", "declined", "in_progress"]),
                    "" if q >= QUARTERS - 2 else "Het Rijk heeft gereageerd.",
                    None if q >= QUARTERS - 2 else first_day(q + 2), 1,
                )
                for q in range(QUARTERS)
                for a in range(n_areas)
                if rng.random() < 0.15
            ),
        )  # fmt: skip

        # Users for the timing scripts.
        coordinator = User.objects.create_user(
            COORDINATOR, PASSWORD, full_name="Bench coördinator", is_staff=True
        )
        coordinator.groups.add(Group.objects.get(name=roles.COORDINATOR))
        liaison = User.objects.create_user(
            LIAISON, PASSWORD, full_name="Bench contactpersoon", is_staff=True
        )
        liaison.groups.add(Group.objects.get(name=roles.LIAISON))
        AreaMembership.objects.bulk_create(
            AreaMembership(user=liaison, area=area) for area in areas[:2]
        )
        viewer = User.objects.create_user(VIEWER, PASSWORD, full_name="Bench raadpleger")
        viewer.groups.add(Group.objects.get(name=roles.VIEWER))

        # Close every quarter but the last, with its trail (the workflow's two steps).
        QuarterTransition.objects.bulk_create(
            QuarterTransition(period=p, actor=coordinator, from_status="", to_status="open")
            for p in periods
        )
        closing = [p.pk for p in periods[:-1]]
        ReportingPeriod.objects.filter(pk__in=closing).update(status="closed")
        QuarterTransition.objects.bulk_create(
            QuarterTransition(
                period_id=pk, actor=coordinator, from_status="open", to_status="closed"
            )
            for pk in closing
        )

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would: index-only scans need it
    say(
        f"Generated ({marker}) in {time.perf_counter() - started:.0f} s: "
        f"{n_areas} areas in {n_municipalities} municipalities, {n_interventions} interventions, "
        f"{QUARTERS} quarters, {n_areas * QUARTERS} reports, {updates} progress updates, "
        f"{values} indicator values, {escalations} escalations."
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = national scale")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    generate(scale=args.scale, seed=args.seed)


if __name__ == "__main__":
    main()
