"""UN Peace and Security Data Hub files: the list of peace operations and peacekeeper fatalities.

``parse_operations`` reads un-psdata/DPPADPOSS-PKO.csv; ``parse_fatalities`` reads
un-psdata/DPPADPOSS-FATALITIES.csv.

Quirks handled (each is a test case):

* DPPADPOSS-PKO.csv: decimal commas in quoted coordinates (``"15,9833"``); longitude and latitude
  swapped in some rows (MINUSMA's Bamako ``"12,6500","-8,0000"``, UNOSOM I/II's Mogadishu,
  UNAVEM I/II's Luanda, UNEF's Gaza, UNSCOB's Athens), detected with the host country's box
  (:func:`~.geo.place`) and put back, with a note; ``mission_isactive`` in mixed case (``NO``);
  empty start dates and coordinates; trailing spaces in ``mission_location``.
* DPPADPOSS-FATALITIES.csv: ``"Local "`` with a trailing space; empty gender; ``m49_code``
  written as a float (``250.0``); rows with no ``isocode3`` (nationality ``Côte dIvoire``,
  ``Türkiye``, ``Viet Nam``, ``Mauritius``: resolved from the name when a
  :class:`~.countries.CountryResolver` is given; ``ZZ [Undetermined]`` and empty: ``None``);
  withdrawn codes ``YUG`` and ``SCG`` kept as written.
"""

from __future__ import annotations

from .common import ParseResult, RowContext, Source
from .countries import UNKNOWN_NAMES, CountryResolver, name_key
from .geo import hosts_of, place
from .records import Fatality, Operation

__all__ = ["parse_fatalities", "parse_operations"]


def _coordinates(ctx: RowContext, acronym: str) -> tuple[float | None, float | None]:
    lon = ctx.float("mission_longitude")
    lat = ctx.float("mission_latitude")
    pair = f"{ctx.raw('mission_longitude')},{ctx.raw('mission_latitude')}"
    if lat is None and lon is None:
        return None, None
    if lat is None or lon is None:
        ctx.note("mission_latitude", "only one coordinate given: both set to None", pair)
        return None, None
    try:
        placed = place(lat, lon, hosts_of(acronym))
    except ValueError as exc:
        raise ctx.fail("mission_latitude", str(exc), pair) from None
    if placed.how == "swapped":
        ctx.note("mission_longitude", "longitude and latitude swapped in this row: put back", pair)
    elif placed.how == "outside":
        ctx.note(
            "mission_latitude",
            "coordinates outside the host country box in either order; kept as read",
            pair,
        )
    return placed.latitude, placed.longitude


def parse_operations(source: Source) -> ParseResult[Operation]:
    """Stream DPPADPOSS-PKO.csv as :class:`Operation` records."""

    def row(ctx: RowContext) -> Operation:
        ident = ctx.int("id", unknown_ok=False)
        if ident is None:
            raise ctx.fail("id", "empty")
        acronym = ctx.text("mission_acronym")
        if acronym is None:
            raise ctx.fail("mission_acronym", "empty")
        name = ctx.text("mission_name")
        if name is None:
            raise ctx.fail("mission_name", "empty")
        lat, lon = _coordinates(ctx, acronym)
        return Operation(
            id=ident,
            acronym=acronym,
            name=name,
            lead_department=ctx.text("lead_department"),
            active=ctx.bool("mission_isactive"),
            start=ctx.date("start_date"),
            end=ctx.date("end_date"),
            hq=ctx.text("mission_location"),
            latitude=lat,
            longitude=lon,
            last_update=ctx.date("last_update"),
            line=ctx.line,
        )

    return ParseResult(
        source,
        row,
        required=(
            "id",
            "mission_acronym",
            "mission_name",
            "mission_isactive",
            "start_date",
            "end_date",
            "mission_location",
            "mission_longitude",
            "mission_latitude",
        ),
    )


def parse_fatalities(
    source: Source, countries: CountryResolver | None = None
) -> ParseResult[Fatality]:
    """Stream DPPADPOSS-FATALITIES.csv as :class:`Fatality` records.

    With ``countries``, an empty ``isocode3`` is filled from ``casualty_nationality`` (and an
    empty ``m49_code`` from the country codes), each with a note.
    """

    def row(ctx: RowContext) -> Fatality:
        ident = ctx.int("id", unknown_ok=False)
        if ident is None:
            raise ctx.fail("id", "empty")
        when = ctx.date("incident_date")
        if when is None:
            raise ctx.fail("incident_date", "empty")
        mission = ctx.text("mission_acronym")
        if mission is None:
            raise ctx.fail("mission_acronym", "empty")
        casualty_id = ctx.text("casualty_id")
        if casualty_id is None:
            raise ctx.fail("casualty_id", "empty")
        nationality = ctx.text("casualty_nationality")
        if nationality is not None and name_key(nationality) in UNKNOWN_NAMES:
            nationality = None
        iso3 = ctx.text("isocode3")
        m49 = ctx.int("m49_code", unknown_ok=False)
        if iso3 is None and nationality is not None and countries is not None:
            how = countries.explain(nationality)
            if how.iso3 is not None:
                iso3 = how.iso3
                ctx.note("isocode3", "empty: resolved from casualty_nationality", nationality)
                country = countries.country(iso3)
                if m49 is None and country is not None and country.m49 is not None:
                    m49 = country.m49
            elif not how.ok:
                ctx.note(
                    "casualty_nationality", "nationality not resolved to an ISO3 code", nationality
                )
        return Fatality(
            id=ident,
            date=when,
            casualty_id=casualty_id,
            mission=mission,
            casualty_type=ctx.text("type_of_casualty"),
            gender=ctx.text("gender"),
            nationality=nationality,
            nationality_iso3=iso3,
            nationality_m49=m49,
            personnel_type=ctx.text("casualty_personnel_type"),
            incident_type=ctx.text("type_of_incident"),
            last_update=ctx.date("last_update"),
            line=ctx.line,
        )

    return ParseResult(
        source,
        row,
        required=(
            "id",
            "incident_date",
            "casualty_id",
            "mission_acronym",
            "casualty_nationality",
            "casualty_personnel_type",
            "type_of_incident",
            "m49_code",
            "isocode3",
        ),
    )
