import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

from monitor import maps, selectors
from monitor.models import ContextMeasure
from tests import factories

# Two squares sharing an edge, in the shape cartomap/nl publishes (quantised, delta-coded).
TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.01, 0.01], "translate": [4.0, 51.5]},
    "arcs": [
        [[100, 0], [0, 100]],  # the shared edge, x=5
        [[100, 100], [-100, 0], [0, -100], [100, 0]],  # the west square's other sides
        [[100, 0], [100, 0], [0, 100], [-100, 0]],  # the east square's other sides
    ],
    "objects": {
        "gemeente_2024": {
            "type": "GeometryCollection",
            "geometries": [
                {
                    "type": "Polygon",
                    "arcs": [[0, 1]],
                    "properties": {"statcode": "GM0599", "statnaam": "Rotterdam"},
                },
                {
                    "type": "Polygon",
                    "arcs": [[2, -1]],
                    "properties": {"statcode": "GM0518", "statnaam": "'s-Gravenhage"},
                },
            ],
        }
    },
}


@pytest.fixture
def real_boundaries():
    """The simplified boundaries kept in the repository (reference_data/gemeenten_2024.json)."""
    maps.boundaries.cache_clear()
    yield maps.boundaries()
    maps.boundaries.cache_clear()


@pytest.fixture
def boundaries(tmp_path, monkeypatch):
    source = tmp_path / "gemeente_2024.topojson"
    source.write_text(json.dumps(TOPOLOGY))
    output = tmp_path / "gemeenten.json"
    call_command("build_map_boundaries", str(source), "--output", str(output), "--tolerance", "0")
    monkeypatch.setattr(maps, "BOUNDARIES", output)
    maps.boundaries.cache_clear()
    yield json.loads(output.read_text())
    maps.boundaries.cache_clear()


def test_the_boundaries_are_decoded_into_closed_rings_with_their_source(boundaries):
    rotterdam = boundaries["municipalities"]["GM0599"]
    assert rotterdam["name"] == "Rotterdam"
    ring = rotterdam["rings"][0]
    assert ring[0] == ring[-1]
    assert {tuple(p) for p in ring} == {(5.0, 51.5), (5.0, 52.5), (4.0, 52.5), (4.0, 51.5)}
    assert "CC BY 4.0" in boundaries["source"]


def test_the_map_outlines_the_programmes_municipalities_and_marks_each_area(
    boundaries, measures, coordinator, area_a
):
    area_a.municipality.cbs_code = "GM0599"
    area_a.municipality.save()
    lbm = ContextMeasure.objects.get(code="lbm")
    for year, value in ((2018, "3.9"), (2024, "4.1")):
        factories.ContextValueFactory(area=area_a, measure=lbm, year=year, value=Decimal(value))
    rows = selectors.outcomes(user=coordinator, measures=[lbm])[lbm.pk]
    chart = maps.area_map(rows, title="Kaart", ident="kaart")
    assert chart.svg.count("<polygon") == 2
    assert 'stroke="#154273"' in chart.svg  # Rotterdam outlined, The Hague not
    assert "<title>Gebied A: beter</title>" in chart.svg
    assert "1 beter" in chart.summary


def lbm_rows(coordinator, area, code):
    area.municipality.cbs_code = code
    area.municipality.save()
    lbm = ContextMeasure.objects.get(code="lbm")
    for year, value in ((2018, "3.9"), (2024, "4.1")):
        factories.ContextValueFactory(area=area, measure=lbm, year=year, value=Decimal(value))
    return selectors.outcomes(user=coordinator, measures=[lbm])[lbm.pk]


def test_the_repository_holds_every_municipality_of_2024_with_its_source(real_boundaries):
    assert len(real_boundaries) == 342
    assert real_boundaries["GM0599"]["name"] == "Rotterdam"
    assert real_boundaries["GM0518"]["name"] == "'s-Gravenhage"
    assert all(shape["rings"] for shape in real_boundaries.values())
    for shape in real_boundaries.values():
        for ring in shape["rings"]:
            assert ring[0] == ring[-1]
            # inside the Netherlands' bounding box (WGS84)
            assert all(3.3 <= lon <= 7.3 and 50.7 <= lat <= 53.6 for lon, lat in ring)
    source = json.loads(maps.BOUNDARIES.read_text(encoding="utf-8"))["source"]
    assert "CC BY 4.0" in source and "cartomap/nl" in source


def test_the_map_of_the_real_boundaries_outlines_a_programme_municipality(
    real_boundaries, measures, coordinator, area_a
):
    rows = lbm_rows(coordinator, area_a, "GM0599")
    svg = str(maps.area_map(rows, title="Kaart", ident="kaart").svg)
    polygons = svg.split("<polygon")[1:]
    assert len(polygons) == sum(len(shape["rings"]) for shape in real_boundaries.values())
    outlined = [p for p in polygons if 'stroke="#154273"' in p]
    # Rotterdam alone (one ring) is outlined, every other municipality in thin grey
    assert len(outlined) == len(real_boundaries["GM0599"]["rings"]) == 1
    assert 'fill="#e8eef5"' in outlined[0] and 'stroke-width="1.4"' in outlined[0]
    assert "The map boundaries are not available" not in svg
    assert "<title>Gebied A: beter</title>" in svg


def test_without_the_boundaries_file_the_map_says_so_and_still_marks_the_legend(
    tmp_path, monkeypatch, measures, coordinator, area_a
):
    monkeypatch.setattr(maps, "BOUNDARIES", tmp_path / "missing.json")
    maps.boundaries.cache_clear()
    rows = lbm_rows(coordinator, area_a, "GM0599")
    try:
        with translation.override("en"):
            chart = maps.area_map(rows, title="Map", ident="map")
    finally:
        maps.boundaries.cache_clear()
    assert "<polygon" not in chart.svg
    assert "The map boundaries are not available." in chart.svg
    assert "1 better" in chart.summary
