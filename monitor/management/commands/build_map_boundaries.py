"""Simplify the municipality boundaries for the map: ``manage.py build_map_boundaries
gemeente_2024.topojson`` reads a TopoJSON of CBS/Kadaster's municipalities (as the public
``cartomap/nl`` repository publishes them: ``wgs84/gemeente_2024.topojson``, CC BY 4.0),
decodes its quantised arcs, simplifies every ring (Douglas-Peucker) and writes
``monitor/reference_data/gemeenten_2024.json`` with the source beside the shapes."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monitor.maps import BOUNDARIES

SOURCE = (
    "CBS/Kadaster, Wijk- en buurtkaart 2024 (gemeenten, generalised), CC BY 4.0, via "
    "https://github.com/cartomap/nl wgs84/gemeente_2024.topojson"
)


def decode_arcs(topology):
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)
    return arcs


def ring_of(indexes, arcs):
    points = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def simplify(points, tolerance):
    """Douglas-Peucker: keep the points that stray more than ``tolerance`` from the line."""
    if len(points) < 3:
        return points
    (x1, y1), (x2, y2) = points[0], points[-1]
    length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 or 1e-12
    index, largest = 0, 0.0
    for i, (x, y) in enumerate(points[1:-1], start=1):
        distance = abs((y2 - y1) * x - (x2 - x1) * y + x2 * y1 - y2 * x1) / length
        if distance > largest:
            index, largest = i, distance
    if largest <= tolerance:
        return [points[0], points[-1]]
    return simplify(points[: index + 1], tolerance)[:-1] + simplify(points[index:], tolerance)


def simplify_ring(points, tolerance):
    """A closed ring: split at the point farthest from its start, or every point would lie
    on the (zero-length) line from the start to the end, which is the same point."""
    x0, y0 = points[0]
    far = max(range(len(points)), key=lambda i: (points[i][0] - x0) ** 2 + (points[i][1] - y0) ** 2)
    return simplify(points[: far + 1], tolerance)[:-1] + simplify(points[far:], tolerance)


class Command(BaseCommand):
    help = "Simplify a municipality TopoJSON into the map's reference data."

    def add_arguments(self, parser):
        parser.add_argument("topojson")
        parser.add_argument("--tolerance", type=float, default=0.004, help="In degrees.")
        parser.add_argument("--output", default=str(BOUNDARIES))

    def handle(self, *args, **options):
        path = Path(options["topojson"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        topology = json.loads(path.read_text(encoding="utf-8"))
        arcs = decode_arcs(topology)
        municipalities = {}
        for collection in topology["objects"].values():
            for geometry in collection["geometries"]:
                polygons = (
                    geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
                )
                rings = []
                for polygon in polygons:
                    outer = simplify_ring(ring_of(polygon[0], arcs), options["tolerance"])
                    if len(outer) >= 4:
                        rings.append([[round(x, 4), round(y, 4)] for x, y in outer])
                properties = geometry["properties"]
                municipalities[properties["statcode"]] = {
                    "name": properties["statnaam"],
                    "rings": rings,
                }
        Path(options["output"]).write_text(
            json.dumps({"source": SOURCE, "municipalities": municipalities}, ensure_ascii=False),
            encoding="utf-8",
        )
        self.stdout.write(f"{len(municipalities)} municipalities written to {options['output']}.")
