"""The area monitor's figures, for its own pages and for reporting's dashboard, area page
and exports (which read them only through this module).

Every function asks ``for_user`` querysets, so a liaison gets the figures and goals of
their own areas and the public reference figures (municipalities, the Netherlands), and
runs a fixed number of queries whatever the number of areas, years or measures.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.translation import gettext as _

from areas.models import Area
from core.charts import bar_chart, line_chart
from core.money import format_number

from . import maps
from .models import G4, AreaGoal, ContextMeasure, ContextValue

BASELINE_YEAR = 2018  # the NPLV's baseline
HEADLINE = "lbm"  # the Leefbaarometer score: the programme is judged on it
BETTER, SAME, WORSE = "better", "same", "worse"
REFERENCE_LEVELS = ["municipality", "country"]


@dataclass
class Outcome:
    """One area on one measure: from its baseline to its latest figure, and its goal."""

    area: Area
    measure: ContextMeasure
    baseline_year: int
    baseline: Decimal | None = None
    latest_year: int | None = None
    latest: Decimal | None = None
    goal: AreaGoal | None = None
    target_year: int | None = None
    target: Decimal | None = None
    demo: bool = False
    series: dict = field(default_factory=dict)  # year -> value

    @property
    def change(self):
        if self.baseline is None or self.latest is None or self.latest_year == self.baseline_year:
            return None
        return self.latest - self.baseline

    @property
    def verdict(self):
        """Better, the same or worse since the baseline, by the measure's direction: the
        same when the change rounds to zero at the decimals the measure is shown with."""
        change = self.change
        direction = self.measure.direction
        if change is None or direction == ContextMeasure.Direction.NEUTRAL:
            return None
        rounded = self.measure.rounded(change)
        if rounded == 0:
            return SAME
        up = rounded > 0
        return BETTER if up == (direction == ContextMeasure.Direction.HIGHER_IS_BETTER) else WORSE

    @property
    def to_go(self):
        if self.target is None or self.latest is None:
            return None
        return self.target - self.latest


def verdict_label(verdict):
    return {BETTER: _("better"), SAME: _("the same"), WORSE: _("worse")}.get(verdict, _("unknown"))


def number(measure, value):
    """A figure with the measure's decimals, in the active language's notation."""
    if value is None:
        return "–"
    return format_number(measure.rounded(value).quantize(Decimal(1).scaleb(-measure.decimals)))


def fast_number(measure):
    """``number`` for many figures of one measure: the language's separators are looked
    up once (Django's number_format does so for every figure, a third of /monitor/)."""
    decimal_mark = get_format("DECIMAL_SEPARATOR")
    grouping = get_format("THOUSAND_SEPARATOR")
    places = measure.decimals

    def shown(value):
        if value is None:
            return "–"
        text = f"{abs(value):,.{places}f}".replace(",", "\0").replace(".", decimal_mark)
        return ("-" if value < 0 else "") + text.replace("\0", grouping)

    return shown


def signed(measure, value):
    if value is None:
        return "–"
    text = number(measure, value)
    return text if value < 0 else "+" + text


def measures():
    return list(ContextMeasure.objects.all())


def measure_by_code(code):
    return ContextMeasure.objects.filter(code=code).first()


def outcomes(*, user, measures, year=None, areas=None) -> dict:
    """measure id -> the outcomes of the areas ``user`` sees (or of ``areas``), at ``year``
    or at each area's latest figure. Five queries, whatever the numbers."""
    area_list = list(
        (areas if areas is not None else Area.objects.all())
        .for_user(user)
        .select_related("municipality")
        .order_by("name")
    )
    measure_ids = [m.pk for m in measures]
    goals = {
        (goal.area_id, goal.measure_id): goal
        for goal in AreaGoal.objects.for_user(user).filter(
            measure_id__in=measure_ids, area__in=area_list
        )
    }
    series = defaultdict(dict)
    demo = set()
    for area_id, measure_id, value_year, value, method in (
        ContextValue.objects.for_user(user)
        .filter(measure_id__in=measure_ids, geo_level="area", area__in=area_list)
        .values_list("area_id", "measure_id", "year", "value", "method")
    ):
        series[(area_id, measure_id)][value_year] = value
        if method == ContextValue.Method.DEMO:
            demo.add((area_id, measure_id))
    references = reference_values(
        user=user,
        measure_ids=measure_ids,
        codes={area.municipality.cbs_code for area in area_list},
        with_g4=any(goal.target_reference == "G4" for goal in goals.values()),
    )
    result = {}
    for measure in measures:
        rows = []
        for area in area_list:
            values = series.get((area.pk, measure.pk), {})
            goal = goals.get((area.pk, measure.pk))
            outcome = Outcome(
                area=area,
                measure=measure,
                baseline_year=goal.baseline_year if goal else BASELINE_YEAR,
                goal=goal,
                demo=(area.pk, measure.pk) in demo,
                series=values,
            )
            outcome.baseline = (
                goal.baseline_value
                if goal and goal.baseline_value is not None
                else values.get(outcome.baseline_year)
            )
            if year is not None:
                outcome.latest_year, outcome.latest = year, values.get(year)
            elif values:
                outcome.latest_year = max(values)
                outcome.latest = values[outcome.latest_year]
            if goal:
                outcome.target_year = goal.target_year
                outcome.target = target_of(goal, area, measure, references, outcome.latest_year)
            rows.append(outcome)
        result[measure.pk] = rows
    return result


def reference_values(*, user, measure_ids, codes, with_g4=False) -> dict:
    """(measure id, place code) -> {year: value} for municipalities, the Netherlands and,
    when asked, the G4's level (their mean weighted by inhabitants)."""
    codes = set(codes) | {"NL"} | (set(G4) if with_g4 else set())
    found = defaultdict(dict)
    for measure_id, code, value_year, value in (
        ContextValue.objects.for_user(user)
        .filter(
            Q(geo_level="municipality", geo_code__in=codes) | Q(geo_level="country"),
            measure_id__in=measure_ids,
        )
        .values_list("measure_id", "geo_code", "year", "value")
    ):
        found[(measure_id, code)][value_year] = value
    if with_g4:
        weights = defaultdict(dict)
        for code, value_year, value in (
            ContextValue.objects.for_user(user)
            .filter(measure__code="inhabitants", geo_level="municipality", geo_code__in=G4)
            .values_list("geo_code", "year", "value")
        ):
            weights[code][value_year] = value
        for measure_id in measure_ids:
            years = set.intersection(
                *(set(found[(measure_id, code)]) & set(weights[code]) for code in G4)
            )
            for value_year in years:
                total = sum(weights[code][value_year] for code in G4)
                if total:
                    found[(measure_id, "G4")][value_year] = (
                        sum(found[(measure_id, c)][value_year] * weights[c][value_year] for c in G4)
                        / total
                    )
    return found


def target_of(goal, area, measure, references, year):
    """The goal's target: its value, or the reference place's level in ``year`` (or its
    latest level when that year has none)."""
    if not goal.target_reference:
        return goal.target_value
    code = {"municipality": area.municipality.cbs_code}.get(
        goal.target_reference, goal.target_reference
    )
    levels = references.get((measure.pk, code), {})
    if not levels:
        return None
    return levels.get(year, levels[max(levels)])


def reference_label(goal, area):
    if goal.target_reference == "municipality":
        return area.municipality.name
    return {"NL": _("the Netherlands"), "G4": _("the G4")}.get(goal.target_reference, "")


# --- the area page


def area_development(*, user, area) -> dict:
    """Per measure with figures or a goal: the area, its municipality and the Netherlands
    over the years, the goal, one sentence and the data table."""
    all_measures = measures()
    rows = outcomes(user=user, measures=all_measures, areas=Area.objects.filter(pk=area.pk))
    municipality = area.municipality
    references = reference_values(
        user=user,
        measure_ids=[m.pk for m in all_measures],
        codes={municipality.cbs_code},
    )
    panels = []
    for measure in all_measures:
        outcome = rows[measure.pk][0] if rows[measure.pk] else None
        if outcome is None or not (outcome.series or outcome.goal):
            continue
        local = references.get((measure.pk, municipality.cbs_code), {})
        national = references.get((measure.pk, "NL"), {})
        first = min([outcome.baseline_year, *outcome.series])
        last = max([*outcome.series, *local, *national, outcome.baseline_year])
        years = [y for y in sorted({*outcome.series, *local, *national}) if first <= y <= last]
        lines = [
            (area.name, [(y, outcome.series.get(y)) for y in years]),
            (municipality.name, [(y, local.get(y)) for y in years]),
            (_("the Netherlands"), [(y, national.get(y)) for y in years]),
        ]
        goal = (
            (outcome.target_year, outcome.target)
            if outcome.target is not None and outcome.target_year
            else None
        )
        title = f"{measure.name} ({measure.get_unit_display()})"
        chart = line_chart(
            lines,
            title=title,
            ident=f"chart-monitor-{measure.code}",
            value_format=lambda value, m=measure: number(m, value),
            goal=goal,
            goal_label=_("goal %(year)s") % {"year": outcome.target_year} if goal else "",
        )
        panels.append(
            {
                "measure": measure,
                "outcome": outcome,
                "title": title,
                "chart": chart,
                "sentence": sentence(outcome),
                "table": _series_table(measure, years, lines, outcome),
                "demo": outcome.demo,
            }
        )
    return {"panels": panels, "baseline_year": BASELINE_YEAR}


def sentence(outcome):
    """One sentence on the change since the baseline and the distance to the goal."""
    measure = outcome.measure
    parts = []
    if outcome.latest is None:
        parts.append(_("There are no figures for this area yet."))
    elif outcome.change is None:
        parts.append(
            _("In %(year)s: %(value)s; there is no figure of the baseline year %(baseline)s.")
            % {
                "year": outcome.latest_year,
                "value": number(measure, outcome.latest),
                "baseline": outcome.baseline_year,
            }
        )
    else:
        parts.append(
            _("Since %(baseline_year)s from %(baseline)s to %(latest)s in %(year)s (%(change)s)")
            % {
                "baseline_year": outcome.baseline_year,
                "baseline": number(measure, outcome.baseline),
                "latest": number(measure, outcome.latest),
                "year": outcome.latest_year,
                "change": signed(measure, outcome.change),
            }
            + (": " + verdict_label(outcome.verdict) + "." if outcome.verdict else ".")
        )
    goal = outcome.goal
    if goal is not None:
        if outcome.target is None:
            parts.append(
                _(
                    "The goal for %(year)s is to reach the level of %(place)s, for which there are no figures yet."
                )
                % {"year": goal.target_year, "place": reference_label(goal, outcome.area)}
            )
        elif outcome.to_go is None:
            parts.append(
                _("The goal for %(year)s is %(target)s.")
                % {"year": goal.target_year, "target": number(measure, outcome.target)}
            )
        else:
            reached = measure.rounded(outcome.to_go) == 0 or (
                (outcome.to_go < 0)
                == (measure.direction == ContextMeasure.Direction.HIGHER_IS_BETTER)
            )
            text = (
                _("The goal for %(year)s (%(target)s) has been reached.")
                if reached
                else _("The goal for %(year)s is %(target)s: %(distance)s to go.")
            )
            parts.append(
                text
                % {
                    "year": goal.target_year,
                    "target": number(measure, outcome.target),
                    "distance": number(measure, abs(outcome.to_go)),
                }
            )
    return " ".join(parts)


def _series_table(measure, years, lines, outcome):
    headers = [(_("year"), False), *[(label, True) for label, _points in lines]]
    rows = []
    for index, year in enumerate(years):
        rows.append(
            [
                (str(year), False),
                *[(number(measure, points[index][1]), True) for _l, points in lines],
            ]
        )
    if outcome.goal is not None and outcome.target is not None:
        rows.append(
            [
                (_("goal %(year)s") % {"year": outcome.target_year}, False),
                (number(measure, outcome.target), True),
                ("", True),
                ("", True),
            ]
        )
    return {"caption": f"{measure.name}", "headers": headers, "rows": rows, "total": None}


# --- the compare page and the dashboard


def years_of(*, user, measure):
    return sorted(
        ContextValue.objects.for_user(user)
        .filter(measure=measure, geo_level="area")
        .values_list("year", flat=True)
        .distinct()
        .order_by()
    )


def compare(*, user, measure, year) -> dict:
    """Every area the user may see on one measure in one year: sorted bar chart, table
    (baseline, latest, change, goal) and the map of the change since the baseline."""
    rows = outcomes(user=user, measures=[measure], year=year)[measure.pk]
    shown = sorted(
        (row for row in rows if row.latest is not None),
        key=lambda row: (-row.latest, row.area.name),
    )
    if measure.direction == ContextMeasure.Direction.LOWER_IS_BETTER:
        shown.reverse()
    title = _("%(measure)s per area in %(year)s") % {"measure": measure.name, "year": year}
    figure, link = fast_number(measure), reverse("pages:area", args=[0])
    chart = bar_chart(
        [(row.area.name, row.latest) for row in shown],
        title=title,
        ident="chart-compare",
        value_format=figure,
    )
    without = [row for row in rows if row.latest is None]
    map_title = _("Change since the baseline: %(measure)s") % {"measure": measure.name}
    return {
        "rows": rows,
        "title": title,
        "chart": chart,
        "counts": tally(rows),
        "table_rows": [table_row(row, figure, link) for row in (*shown, *without)],
        "map": maps.area_map(rows, title=map_title, ident="map-compare"),
        "map_title": map_title,
        "demo": any(row.demo for row in rows),
    }


def table_row(row, shown, link):
    change = row.change
    return {
        "area": row.area,
        "link": link.replace("/0/", f"/{row.area.pk}/"),
        "baseline": shown(row.baseline),
        "baseline_year": row.baseline_year,
        "latest": shown(row.latest),
        "change": "–" if change is None else ("" if change < 0 else "+") + shown(change),
        "verdict": verdict_label(row.verdict) if row.verdict else "–",
        "goal": goal_text(row),
        "demo": row.demo,
    }


def goal_text(row):
    goal = row.goal
    if goal is None:
        return "–"
    if goal.target_reference:
        text = _("the level of %(place)s") % {"place": reference_label(goal, row.area)}
        if row.target is not None:
            text += f" ({number(row.measure, row.target)})"
    else:
        text = number(row.measure, row.target)
    return f"{text}, {goal.target_year}"


def map_rows(rows):
    return [
        {
            "area": row.area,
            "label": verdict_label(row.verdict) if row.verdict else _("no figures"),
            "demo": row.demo,
        }
        for row in rows
    ]


def tally(rows):
    counts = {BETTER: 0, SAME: 0, WORSE: 0, None: 0}
    for row in rows:
        counts[row.verdict] += 1
    return {
        "better": counts[BETTER],
        "same": counts[SAME],
        "worse": counts[WORSE],
        "unknown": counts[None],
    }


def dashboard(*, user, lights=None) -> dict:
    """The Leefbaarometer since the baseline: how many areas are better, the same or
    worse, and the map, coloured by that change and by the quarter's report light
    (``lights``: area id -> light, from reporting)."""
    measure = measure_by_code(HEADLINE)
    if measure is None:
        return {"measure": None}
    rows = outcomes(user=user, measures=[measure])[measure.pk]
    map_title = _("Change since the baseline: %(measure)s") % {"measure": measure.name}
    result = {
        "measure": measure,
        "rows": rows,
        "counts": tally(rows),
        "baseline_year": BASELINE_YEAR,
        "map": maps.area_map(rows, title=map_title, ident="map-dashboard"),
        "map_rows": map_rows(rows),
        "map_title": map_title,
        "demo": any(row.demo for row in rows),
    }
    if lights is not None:
        light_title = _("Overall light of the report per area")
        result["light_map"] = maps.light_map(rows, lights, title=light_title, ident="map-lights")
        result["light_title"] = light_title
        result["light_rows"] = [
            {
                "area": row.area,
                "label": maps.light_label(lights.get(row.area.pk) or ""),
                "demo": False,
            }
            for row in rows
        ]
    return result


def development_rows(*, user, area=None):
    """For the exports: per area and measure with a figure or a goal, the baseline, the
    latest figure, the change and the goal."""
    all_measures = measures()
    areas = Area.objects.filter(pk=area.pk) if area is not None else None
    by_measure = outcomes(user=user, measures=all_measures, areas=areas)
    for measure in all_measures:
        for row in by_measure[measure.pk]:
            if not (row.series or row.goal):
                continue
            yield (
                row.area.name,
                measure.name,
                measure.get_unit_display(),
                row.baseline_year,
                _blank(row.baseline),
                row.latest_year or "",
                _blank(row.latest),
                _blank(row.change),
                verdict_label(row.verdict) if row.verdict else "",
                row.target_year or "",
                _blank(row.target),
                _("demo (not a real figure)") if row.demo else "",
            )


def _blank(value):
    return "" if value is None else value
