"""Writes of the area monitor that touch many rows: the reference data of the measures,
and an area's values worked out from its neighbourhoods."""

import csv
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from pathlib import Path

from django.db import transaction

from areas.models import Area, Neighbourhood
from core.history import create_with_history, update_with_history

from .models import ContextMeasure, ContextValue

DATA_DIR = Path(__file__).resolve().parent / "reference_data"
FOUR_PLACES = Decimal("0.0001")
WEIGHT = "inhabitants"  # the measure that weighs a mean of neighbourhoods
MEASURE_FIELDS = [
    "position",
    "name_nl",
    "name_en",
    "unit",
    "decimals",
    "direction",
    "aggregation",
    "source_kind",
    "cbs_variable",
    "leefbaarometer_column",
    "source",
    "licence",
    "definition",
]


def read_csv(name):
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@cache
def cbs_table_years():
    """CBS table id -> the year of its Kerncijfers wijken en buurten."""
    return {row["table_id"]: int(row["year"]) for row in read_csv("cbs_tables.csv")}


@transaction.atomic
def load_reference(*, user=None) -> dict:
    """Create or update the measures and the areas' neighbourhood codes from
    ``reference_data/``; a second run writes nothing."""
    counts = {"created": 0, "updated": 0}
    classes = [
        {"number": int(row["class"]), "name_nl": row["name_nl"]}
        for row in read_csv("leefbaarometer_classes.csv")
    ]
    for row in read_csv("measures.csv"):
        values = {name: row[name] for name in MEASURE_FIELDS}
        values["position"] = int(values["position"])
        values["decimals"] = int(values["decimals"])
        values["classes"] = classes if row["code"] == "lbm" else []
        _sync(ContextMeasure, {"code": row["code"]}, values, counts, user)
    for row in read_csv("area_neighbourhood_codes.csv"):
        area = Area.objects.get(name=row["area"])
        _sync(
            Neighbourhood,
            {"area": area, "name": row["name"]},
            {"kind": row["kind"], "cbs_code": row["cbs_code"], "cbs_year": int(row["cbs_year"])},
            counts,
            user,
        )
    return counts


def _sync(model, lookup, values, counts, user):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        counts["created"] += 1
    elif any(getattr(obj, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(obj, name, value)
        counts["updated"] += 1
    else:
        return
    obj.full_clean()
    obj._history_user = user
    obj.save()


def aggregate_areas(*, user, years, measures) -> int:
    """Work out the values of areas whose neighbourhoods have CBS codes, for ``years`` and
    the measures (ids) that add up, by each measure's rule. An area value is worked out
    only when every one of its neighbourhoods has a figure (and, for a mean, an
    inhabitants figure) of the same year; an imported area value is never overwritten.
    Returns the number of values created or changed."""
    measures = list(
        ContextMeasure.objects.filter(pk__in=measures).exclude(
            aggregation=ContextMeasure.Aggregation.NONE
        )
    )
    if not measures or not years:
        return 0
    codes_of = defaultdict(list)
    for area_id, code in Neighbourhood.objects.exclude(cbs_code="").values_list(
        "area_id", "cbs_code"
    ):
        codes_of[area_id].append(code)
    if not codes_of:
        return 0
    every_code = {code for codes in codes_of.values() for code in codes}
    weight = ContextMeasure.objects.filter(code=WEIGHT).first()
    wanted = {m.pk for m in measures} | ({weight.pk} if weight else set())
    figures = {
        (measure_id, code, year): value
        for measure_id, code, year, value in ContextValue.objects.filter(
            geo_level__in=["buurt", "wijk"],
            geo_code__in=every_code,
            year__in=years,
            measure_id__in=wanted,
        ).values_list("measure_id", "geo_code", "year", "value")
    }
    stored = {
        (v.area_id, v.measure_id, v.year): v
        for v in ContextValue.objects.filter(
            geo_level=ContextValue.GeoLevel.AREA,
            area_id__in=codes_of,
            measure__in=measures,
            year__in=years,
        ).select_for_update()
    }
    areas = {area.pk: area for area in Area.objects.filter(pk__in=codes_of)}
    creates, updates = [], []
    for area_id, codes in codes_of.items():
        for measure in measures:
            for year in years:
                value = _combine(measure, codes, year, figures, weight)
                if value is None:
                    continue
                existing = stored.get((area_id, measure.pk, year))
                if existing is None:
                    creates.append(
                        ContextValue(
                            measure=measure,
                            geo_level=ContextValue.GeoLevel.AREA,
                            geo_code=areas[area_id].code,
                            area_id=area_id,
                            year=year,
                            value=value,
                            method=ContextValue.Method.AGGREGATED,
                        )
                    )
                elif existing.method == ContextValue.Method.AGGREGATED and existing.value != value:
                    existing.value = value
                    updates.append(existing)
    create_with_history(ContextValue, creates, user=user)
    update_with_history(ContextValue, updates, ["value"], user=user)
    return len(creates) + len(updates)


def _combine(measure, codes, year, figures, weight):
    values = [figures.get((measure.pk, code, year)) for code in codes]
    if any(value is None for value in values):
        return None
    if measure.aggregation == ContextMeasure.Aggregation.SUM:
        total = sum(values, Decimal(0))
    else:
        if weight is None:
            return None
        weights = [figures.get((weight.pk, code, year)) for code in codes]
        if any(w is None for w in weights) or not sum(weights):
            return None
        total = sum((v * w for v, w in zip(values, weights, strict=True)), Decimal(0)) / sum(
            weights
        )
    return total.quantize(FOUR_PLACES, rounding=ROUND_HALF_EVEN)
