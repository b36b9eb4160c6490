"""Small charts drawn on the server as inline SVG (no script, no network, no style attribute:
colours come from classes in wam.css, which the strict CSP allows). Each function returns the
geometry a template draws; the numbers also appear in a table beside each chart."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from . import geo


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


def bars(rows: Sequence[tuple[str, int]], *, width: float = 360, row: float = 20, label_width: float = 150) -> \
        tuple[list[Bar], float]:
    """Horizontal bars (largest first as given); returns the bars and the chart's height."""
    top = max((v for _, v in rows), default=0) or 1
    span = width - label_width - 60
    out = [Bar(label, value, label_width, n * row + 2, max(1.0, span * value / top), row - 6)
           for n, (label, value) in enumerate(rows)]
    return out, len(rows) * row + 4


@dataclass(frozen=True, slots=True)
class Column:
    day: date
    value: int
    x: float
    y: float
    width: float
    height: float


def columns(rows: Sequence[tuple[date, int]], *, width: float = 360, height: float = 110) -> \
        tuple[list[Column], int]:
    """Vertical columns, one per day; returns the columns and the top of the scale."""
    top = max((v for _, v in rows), default=0)
    scale = _nice(top)
    step = width / max(1, len(rows))
    plot = height - 16
    out = [Column(day, value, n * step + 1, plot - plot * value / scale, max(1.0, step - 2), plot * value / scale)
           for n, (day, value) in enumerate(rows)]
    return out, scale


def _nice(top: int) -> int:
    """A round number at or above ``top`` for a scale (1, 2, 5 x 10^n)."""
    if top <= 0:
        return 1
    power = 10 ** math.floor(math.log10(top))
    for m in (1, 2, 5, 10):
        if top <= m * power:
            return m * power
    return 10 * power


@dataclass(frozen=True, slots=True)
class Point:
    code: str
    name: str
    x: float
    y: float
    r: float
    weapons: int
    labelled: bool


@dataclass(frozen=True, slots=True)
class Map:
    points: list[Point]
    meridians: list[tuple[float, str]]  # x, label
    parallels: list[tuple[float, str]]  # y, label
    width: float
    height: float
    missing: int  # sites without coordinates
    countries: list[tuple[str, str]] = field(default_factory=list)  # name, SVG path: the outlines in view


def site_map(sites: Sequence[object], *, width: float = 560, height: float = 380, labels: int = 10) -> Map:
    """Sites at their coordinates (equirectangular, scaled by the cosine of the middle latitude),
    each a circle whose area follows the weapons held there; a graticule every few degrees."""
    placed = [s for s in sites
              if getattr(s, "latitude", None) is not None and getattr(s, "longitude", None) is not None]
    missing = len(sites) - len(placed)
    if not placed:
        return Map([], [], [], width, height, missing)
    lats = [float(s.latitude) for s in placed]  # type: ignore[attr-defined]
    lons = [float(s.longitude) for s in placed]  # type: ignore[attr-defined]
    pad = 0.6
    south, north, west, east = min(lats) - pad, max(lats) + pad, min(lons) - pad, max(lons) + pad
    squeeze = math.cos(math.radians((south + north) / 2))
    span_x, span_y = (east - west) * squeeze, north - south
    scale = min((width - 40) / span_x, (height - 30) / span_y)
    off_x = (width - span_x * scale) / 2
    off_y = (height - span_y * scale) / 2

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return off_x + (lon - west) * squeeze * scale, off_y + (north - lat) * scale

    most = max((s.weapons for s in placed), default=0) or 1  # type: ignore[attr-defined]
    named: set[str] = set()  # the largest sites get a label, unless it would overlap one already placed
    boxes: list[tuple[float, float]] = []
    for s in sorted(placed, key=lambda s: -s.weapons):  # type: ignore[attr-defined]
        if len(named) >= labels:
            break
        x, y = xy(float(s.latitude), float(s.longitude))  # type: ignore[attr-defined]
        if all(abs(y - by) > 12 or abs(x - bx) > 90 for bx, by in boxes):
            named.add(s.code)  # type: ignore[attr-defined]
            boxes.append((x, y))
    points = []
    for s in placed:
        x, y = xy(float(s.latitude), float(s.longitude))  # type: ignore[attr-defined]
        r = 3 + 15 * math.sqrt(s.weapons / most)  # type: ignore[attr-defined]
        points.append(Point(s.code, s.name, round(x, 1), round(y, 1), round(r, 1),  # type: ignore[attr-defined]
                            s.weapons, s.code in named))  # type: ignore[attr-defined]
    step = next(d for d in (1, 2, 5, 10, 20, 30) if max(east - west, north - south) / d <= 8)
    meridians = [(round(xy(0, lon)[0], 1), f"{abs(lon)}°{'E' if lon >= 0 else 'W'}")
                 for lon in range(math.ceil(west / step) * step, math.floor(east) + 1, step)]
    parallels = [(round(xy(lat, 0)[1], 1), f"{abs(lat)}°{'N' if lat >= 0 else 'S'}")
                 for lat in range(math.ceil(south / step) * step, math.floor(north) + 1, step)]
    # the view's own extent (wider than the sites' box on one axis), for choosing the outlines to draw
    view_w, view_e = west - off_x / (squeeze * scale), west + (width - off_x) / (squeeze * scale)
    view_n, view_s = north + off_y / scale, north - (height - off_y) / scale
    outlines = [(c.name, d) for c in geo.countries() if c.meets(view_w, view_s, view_e, view_n)
                for d in [_outline(c, xy, (view_w, view_s, view_e, view_n))] if d]
    return Map(sorted(points, key=lambda p: -p.r), meridians, parallels, width, height, missing, outlines)


def _outline(country: geo.Country, xy: Callable[[float, float], tuple[float, float]],
             view: tuple[float, float, float, float]) -> str:
    """One SVG path for a country's rings that reach the view, in whole tenths of a pixel, repeated points
    dropped (the 1:110m outlines are coarse: a few hundred points for a country)."""
    west, south, east, north = view
    parts = []
    for polygon in country.polygons:
        for ring in polygon:
            lons, lats = [p[0] for p in ring], [p[1] for p in ring]
            if min(lons) > east or max(lons) < west or min(lats) > north or max(lats) < south:
                continue
            last = None
            points = []
            for lon, lat in ring:
                x, y = xy(lat, lon)
                here = f"{x:.1f} {y:.1f}".replace(".0 ", " ").removesuffix(".0")
                if here != last:
                    points.append(here)
                    last = here
            if len(points) >= 3:
                parts.append("M" + "L".join(points) + "Z")
    return "".join(parts)
