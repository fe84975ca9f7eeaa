"""Load the programme's public reference data from ``areas/reference_data/``.

Idempotent: a row is written only when it is new or its facts changed, so a second
run writes nothing and leaves no history behind.
"""

import csv
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from areas.models import (
    Area,
    GovernanceArrangement,
    Municipality,
    Neighbourhood,
    Province,
    RegioDeal,
)
from programme.models import Programme, Theme, Track

DATA_DIR = Path(__file__).resolve().parents[2] / "reference_data"
PROVINCE_BY_NAME = {label: value for value, label in Province.choices}
# A neighbourhood named "stadsdeel X" is district X, and so on; without a prefix, a wijk.
KIND_PREFIXES = {
    "stadsdeel ": Neighbourhood.Kind.DISTRICT,
    "gebied ": Neighbourhood.Kind.DISTRICT,
    "buurt ": Neighbourhood.Kind.BUURT,
}


def read_csv(name):
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=2):
        # An unquoted comma splits a value and shifts the rest; refuse rather than truncate.
        if None in row or None in row.values():
            raise CommandError(f"{name}, line {number}: the number of fields is not the header's.")
    return rows


def split_list(value):
    return [item.strip() for item in value.split(";") if item.strip()]


def neighbourhood_kind(name):
    for prefix, kind in KIND_PREFIXES.items():
        if name.startswith(prefix):
            return name.removeprefix(prefix), kind
    return name, Neighbourhood.Kind.WIJK


class Sync:
    """Creates or updates rows by natural key, saving only what actually changed."""

    def __init__(self):
        self.created = 0
        self.updated = 0

    def row(self, model, lookup, values):
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            self.created += 1
            return obj
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.full_clean()
            obj.save()
            self.updated += 1
        return obj

    def add_to(self, manager, *objs):
        missing = [obj for obj in objs if not manager.filter(pk=obj.pk).exists()]
        if missing:
            manager.add(*missing)
            self.updated += 1


class Command(BaseCommand):
    help = "Load programmes, tracks, themes, municipalities, areas and Regio Deals."

    @transaction.atomic
    def handle(self, *args, **options):
        sync = Sync()
        tracks = self.load_programmes(sync)
        self.load_themes(sync)
        areas = self.load_areas(sync, tracks)
        self.load_regio_deals(sync, areas)
        self.stdout.write(
            self.style.SUCCESS(
                f"Reference data loaded: {sync.created} created, {sync.updated} updated."
            )
        )

    def load_programmes(self, sync):
        """Each row is one track (or line of action) of a programme; the programme's own
        facts repeat on its rows and must agree, else the file is refused."""
        tracks, programmes = {}, {}
        for row in read_csv("programmes.csv"):
            facts = {
                "name": row["name"],
                "start_year": int(row["start_year"]),
                "end_year": int(row["end_year"]) if row["end_year"] else None,
                "predecessor": (
                    Programme.objects.get(code=row["predecessor"]) if row["predecessor"] else None
                ),
                "sources": row["sources"],
            }
            programme = programmes.get(row["code"])
            if programme is None:
                programme = programmes[row["code"]] = sync.row(
                    Programme, {"code": row["code"]}, facts
                )
            elif any(getattr(programme, name) != value for name, value in facts.items()):
                raise CommandError(
                    f"programmes.csv: the rows of {row['code']} disagree on the programme's facts."
                )
            tracks[(row["code"], int(row["track"]))] = sync.row(
                Track,
                {"programme": programme, "number": int(row["track"])},
                {"kind": row["track_kind"], "name": row["track_name"]},
            )
        return tracks

    def load_themes(self, sync):
        for row in read_csv("themes.csv"):
            sync.row(
                Theme,
                {"code": row["code"]},
                {"name_nl": row["name_nl"], "name_en": row["name_en"], "source": row["source"]},
            )

    def load_areas(self, sync, tracks):
        areas = {}
        for row in read_csv("areas.csv"):
            municipality = sync.row(
                Municipality,
                {"cbs_code": row["cbs_municipality_code"]},
                {"name": row["municipality"], "province": PROVINCE_BY_NAME[row["province"]]},
            )
            population, year = row["population_thousands"], row["population_year"]
            area = sync.row(
                Area,
                {"code": slugify(row["area"])},
                {
                    "name": row["area"],
                    "aliases": "\n".join(split_list(row["aliases"])),
                    "municipality": municipality,
                    # woondeal_region_basis is provenance for the README, not shown.
                    "woondeal_region": row["woondeal_region"],
                    "population_thousands": int(population) if population else None,
                    "population_year": int(year) if year else None,
                    "sources": row["sources"],
                },
            )
            area_tracks = []
            if row["in_programme_2020"] == "yes":
                area_tracks.append(tracks[("ipvl-2020", 1)])
            if row["in_nplv_2022"] == "yes":
                # A focus area takes part in every line of action of the NPLV.
                area_tracks += [track for key, track in tracks.items() if key[0] == "nplv-2022"]
            sync.add_to(area.tracks, *area_tracks)
            for entry in split_list(row["neighbourhoods"]):
                name, kind = neighbourhood_kind(entry)
                sync.row(Neighbourhood, {"area": area, "name": name}, {"kind": kind})
            areas[area.name] = area
        return areas

    def load_regio_deals(self, sync, areas):
        for row in read_csv("regio_deals.csv"):
            start, _, end = row["period"].partition("-")
            regional = row["regional_contribution_eur"]
            deal = sync.row(
                RegioDeal,
                {"name": row["deal"]},
                {
                    "state_contribution": Decimal(row["state_contribution_eur"]),
                    "regional_contribution": Decimal(regional) if regional else None,
                    "start_year": int(start),
                    "end_year": int(end) if end else None,
                    "sources": row["sources"],
                },
            )
            # A deal covering several areas is linked to each of them.
            deal_areas = [areas[name] for name in split_list(row["areas"])]
            sync.add_to(deal.areas, *deal_areas)
            for area in deal_areas:
                sync.row(
                    GovernanceArrangement,
                    {"area": area, "name": deal.name},
                    {"kind": GovernanceArrangement.Kind.REGIO_DEAL, "regio_deal": deal},
                )
