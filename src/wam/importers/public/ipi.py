"""IPI Providing for Peacekeeping files: contributions by contributor and mission, mission totals.

``parse_contributions`` reads ipi-ppp/current_month.csv (one row per contributor and mission,
snapshot 2014-03-31); ``parse_mission_totals`` reads ipi-ppp/data_mission.csv (monthly totals per
mission, 1990-11 to 2017-03). ``load_mission_hosts`` reads ipi-ppp/missions.json.

Quirks handled (each is a test case):

* CRLF line endings (read through :mod:`csv` with ``newline=""``); ``NA`` → ``None``;
* header typo ``Inidividual_Police`` and header with a space ``Contributor UN_Bloc`` (columns
  are looked up by normalised name, so a corrected header works too);
* a stray apostrophe in ``South Sudan'`` (removed, with a note);
* HQ coordinates: the columns are labelled ``..._Longitude, ..._Latitude`` but nearly every row
  holds latitude, longitude; a few rows (MINUSMA's Bamako) hold them as labelled. Each pair is
  checked against the host country (:func:`~.geo.place`); rows that depart from the file's usual
  order are put right and noted.

In current_month.csv ``Civilian_Police`` = ``Formed_Police_Units`` + ``Inidividual_Police``,
``Observers`` repeats ``Experts_on_Mission``, and ``Total`` = troops + police + experts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass

from .common import ParseResult, RowContext, Source
from .countries import CountryResolver
from .geo import hosts_of, place
from .records import Contribution, MissionTotal

__all__ = ["MissionHost", "load_mission_hosts", "parse_contributions", "parse_mission_totals"]


def _strip_stray_quotes(ctx: RowContext, key: str) -> str | None:
    value = ctx.text(key)
    if value is None:
        return None
    fixed = value.strip("'’\"").strip()
    if fixed != value:
        ctx.note(key, "stray quote removed", value)
    return fixed or None


def _hq_coordinates(
    ctx: RowContext, first_key: str, second_key: str, mission: str, iso3: str | None
) -> tuple[float | None, float | None]:
    """Read an HQ pair whose columns are labelled (lon, lat) but usually hold (lat, lon)."""
    lat = ctx.float(first_key, decimal_comma=False)  # labelled Longitude, usually a latitude
    lon = ctx.float(second_key, decimal_comma=False)  # labelled Latitude, usually a longitude
    if lat is None or lon is None:
        return None, None
    try:
        placed = place(lat, lon, hosts_of(mission, iso3))
    except ValueError as exc:
        raise ctx.fail(first_key, str(exc), f"{ctx.raw(first_key)},{ctx.raw(second_key)}") from None
    pair = f"{ctx.raw(first_key)},{ctx.raw(second_key)}"
    if placed.how == "swapped":
        ctx.note(
            first_key,
            "coordinates in header order (longitude, latitude) in this row, "
            "unlike the rest of the file: read accordingly",
            pair,
        )
    elif placed.how == "outside":
        ctx.note(
            first_key,
            "HQ coordinates outside the host country box in either order; kept as read",
            pair,
        )
    return placed.latitude, placed.longitude


def _sum(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def parse_contributions(
    source: Source, countries: CountryResolver | None = None
) -> ParseResult[Contribution]:
    """Stream ipi-ppp/current_month.csv as :class:`Contribution` records.

    ``contributor_iso3`` is the file's ``Contributor_ISO-3``; when that is empty and
    ``countries`` is given, it is resolved from the name; a row with neither is skipped.
    """

    def row(ctx: RowContext) -> Contribution:
        when = ctx.date("date")
        if when is None:
            raise ctx.fail("date", "empty")
        name = ctx.text("contributor")
        if name is None:
            raise ctx.fail("contributor", "empty")
        iso3 = ctx.text("contributor_iso_3")
        if iso3 is None and countries is not None:
            iso3 = countries.resolve(name)
            if iso3 is not None:
                ctx.note("contributor_iso_3", "empty: resolved from the contributor name", name)
        if iso3 is None:
            raise ctx.fail("contributor_iso_3", "no ISO3 code and the name does not resolve", name)
        mission = ctx.text("mission")
        if mission is None:
            raise ctx.fail("mission", "empty")
        mission_iso3 = ctx.text("mission_country_iso_3")
        lat, lon = _hq_coordinates(
            ctx, "mission_hq_longitude", "mission_hq_latitude", mission, mission_iso3
        )
        fpu = ctx.int("formed_police_units")
        individual = ctx.int("individual_police")
        civilian = ctx.int("civilian_police")
        return Contribution(
            date=when,
            contributor_name=name,
            contributor_iso3=iso3,
            contributor_region=ctx.text("contributor_region"),
            contributor_un_bloc=ctx.text("contributor_un_bloc"),
            mission=mission,
            mission_country=_strip_stray_quotes(ctx, "mission_country"),
            mission_country_iso3=mission_iso3,
            mission_hq=ctx.text("mission_hq"),
            mission_hq_latitude=lat,
            mission_hq_longitude=lon,
            troops=ctx.int("troops"),
            police=civilian if civilian is not None else _sum(fpu, individual),
            formed_police_units=fpu,
            individual_police=individual,
            civilian_police=civilian,
            experts=ctx.int("experts_on_mission"),
            observers=ctx.int("observers"),
            total=ctx.int("total"),
            line=ctx.line,
        )

    return ParseResult(
        source,
        row,
        required=(
            "date",
            "contributor",
            "contributor_iso_3",
            "mission",
            "mission_country_iso_3",
            "mission_hq_longitude",
            "mission_hq_latitude",
            "troops",
            "formed_police_units",
            "individual_police",
            "experts_on_mission",
            "total",
        ),
    )


def parse_mission_totals(source: Source) -> ParseResult[MissionTotal]:
    """Stream ipi-ppp/data_mission.csv as :class:`MissionTotal` records.

    The columns ``Mission HQ Longitude, Mission HQ Latitude`` hold latitude, longitude; they are
    swapped back (and the few rows written in header order are detected and read as such).
    """

    def row(ctx: RowContext) -> MissionTotal:
        when = ctx.date("date")
        if when is None:
            raise ctx.fail("date", "empty")
        mission = ctx.text("mission")
        if mission is None:
            raise ctx.fail("mission", "empty")
        iso3 = ctx.text("country_of_mission_iso_3")
        lat, lon = _hq_coordinates(
            ctx, "mission_hq_longitude", "mission_hq_latitude", mission, iso3
        )
        return MissionTotal(
            date=when,
            mission=mission,
            country=_strip_stray_quotes(ctx, "country_of_mission"),
            country_iso3=iso3,
            hq=ctx.text("mission_hq"),
            hq_latitude=lat,
            hq_longitude=lon,
            continent=ctx.text("mission_continent"),
            region=ctx.text("mission_region"),
            contributors=ctx.int("number_of_contributors"),
            troops=ctx.int("troops"),
            police=ctx.int("police"),
            observers=ctx.int("observers"),
            total=ctx.int("total"),
            line=ctx.line,
        )

    return ParseResult(
        source,
        row,
        required=(
            "date",
            "mission",
            "country_of_mission_iso_3",
            "mission_hq_longitude",
            "mission_hq_latitude",
            "troops",
            "police",
            "observers",
            "total",
        ),
    )


@dataclass(frozen=True, slots=True)
class MissionHost:
    """One entry of ipi-ppp/missions.json (``mission_loc`` y = latitude, x = longitude)."""

    mission: str
    country: str | None
    country_iso3: str | None
    hq: str | None
    latitude: float | None  #: ``None`` where the file has 0, 0 (UNMC)
    longitude: float | None


def load_mission_hosts(source: str | os.PathLike[str]) -> dict[str, MissionHost]:
    """Read missions.json (a small JSON object, read whole) into ``{acronym: MissionHost}``."""
    with open(source, encoding="utf-8") as handle:
        data: Mapping[str, Mapping[str, object]] = json.load(handle)
    out: dict[str, MissionHost] = {}
    for key, entry in data.items():
        loc = entry.get("mission_loc") or {}
        y, x = (loc.get("y"), loc.get("x")) if isinstance(loc, Mapping) else (None, None)
        lat = float(y) if isinstance(y, (int, float)) else None
        lon = float(x) if isinstance(x, (int, float)) else None
        if lat == 0 and lon == 0:
            lat = lon = None
        country = str(entry.get("country") or "").strip().strip("'’") or None
        out[key] = MissionHost(
            mission=str(entry.get("mission") or key),
            country=country,
            country_iso3=str(entry.get("country_id") or "") or None,
            hq=str(entry.get("hq") or "") or None,
            latitude=lat,
            longitude=lon,
        )
    return out
