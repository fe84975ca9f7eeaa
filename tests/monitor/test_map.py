import json
from decimal import Decimal

import pytest
from django.core.management import call_command

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
