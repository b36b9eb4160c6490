"""Country outlines for the dashboard's map, from the TopoJSON shipped in the package
(static/world/countries-110m.json: world-atlas 2.0.2, Natural Earth 1:110m, public domain; see
static/world/NOTICE.txt). Nothing is fetched at run time: the file is read once and its arcs decoded
here (quantized, delta-encoded arcs; a negative arc index is the arc reversed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

WORLD = Path(__file__).parent / "static" / "world" / "countries-110m.json"

Ring = list[tuple[float, float]]  # (longitude, latitude)


@dataclass(frozen=True, slots=True)
class Country:
    name: str
    iso_numeric: str
    polygons: list[list[Ring]]  # each polygon: its exterior ring, then its holes
    bbox: tuple[float, float, float, float]  # west, south, east, north

    def meets(self, west: float, south: float, east: float, north: float) -> bool:
        w, s, e, n = self.bbox
        return w <= east and e >= west and s <= north and n >= south


def decode_arcs(topology: dict) -> list[Ring]:  # type: ignore[type-arg]
    """Each arc as absolute (longitude, latitude) points."""
    transform = topology.get("transform")
    out: list[Ring] = []
    for arc in topology["arcs"]:
        if transform is None:
            out.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (kx, ky), (dx, dy) = transform["scale"], transform["translate"]
        x = y = 0
        points: Ring = []
        for p in arc:
            x += p[0]
            y += p[1]
            points.append((x * kx + dx, y * ky + dy))
        out.append(points)
    return out


def _ring(indexes: list[int], arcs: list[Ring]) -> Ring:
    ring: Ring = []
    for i in indexes:
        points = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(points[1:] if ring else points)  # consecutive arcs share their end point
    return ring


@lru_cache(maxsize=1)
def countries() -> tuple[Country, ...]:
    topology = json.loads(WORLD.read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    out = []
    for g in topology["objects"]["countries"]["geometries"]:
        if g["type"] == "Polygon":
            polygons = [[_ring(r, arcs) for r in g["arcs"]]]
        elif g["type"] == "MultiPolygon":
            polygons = [[_ring(r, arcs) for r in p] for p in g["arcs"]]
        else:
            continue
        lons = [p[0] for poly in polygons for p in poly[0]]
        lats = [p[1] for poly in polygons for p in poly[0]]
        out.append(Country(g.get("properties", {}).get("name", ""), str(g.get("id", "")), polygons,
                           (min(lons), min(lats), max(lons), max(lats))))
    return tuple(out)
