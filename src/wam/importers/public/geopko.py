"""Geo-PKO raw file (geopko/geopko.csv): deployment sites, and one row per contingent.

Each row is a site of a mission on a UN deployment map of a given month, with up to 14
troop-contributing countries in a wide layout (``name.of.TCC1``, ``No.troops.per.TCC1``, ``TCC1``
(COW code), ... ``TCC14``). :func:`parse_geopko` yields one :class:`Deployment` per row with its
non-empty slots reshaped into :class:`ContingentPresence` records; :func:`parse_geopko_contingents`
yields the contingents alone.

Quirks handled (each is a test case):

* ``NA`` anywhere → ``None``; ``No.troops``/``No.TCC``/per-TCC troops ``unknown`` (and the typo
  ``unkown``, and an empty cell) → ``None``;
* trailing spaces (``"Map no. 4309 "``, ``"Pakistan "``) trimmed;
* multi-line quoted comments (the record's first line is reported);
* a site without coordinates (one UNOCI row, location ``unclear``): kept, with latitude and
  longitude ``None`` and a :class:`~.common.Note` — a site with no coordinates is still a site;
* ``HQ`` written ``?`` → ``None`` with a note;
* a TCC slot named ``MA`` with no troops and no COW code (UNMISS, Malakal, 2017-2018) is a typo for
  ``NA``: the slot is dropped and reported as :class:`~.common.Skipped`;
* a TCC named ``unknown`` → a contingent with ``tcc_name=None`` (troops may still be known).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .common import FieldError, ParseResult, RowContext, Source, clean, parse_int
from .countries import CountryResolver
from .records import ContingentPresence, Deployment

__all__ = ["TCC_SLOTS", "iter_contingents", "parse_geopko", "parse_geopko_contingents"]

TCC_SLOTS = 14

_REQUIRED = (
    "source",
    "mission",
    "year",
    "month",
    "location",
    "country",
    "latitude",
    "longitude",
    "no_troops",
    *(f"name_of_tcc{i}" for i in range(1, TCC_SLOTS + 1)),
    *(f"no_troops_per_tcc{i}" for i in range(1, TCC_SLOTS + 1)),
)


def _required_text(ctx: RowContext, key: str) -> str:
    value = ctx.text(key)
    if value is None:
        raise ctx.fail(key, "empty", ctx.raw(key))
    return value


def _coordinates(ctx: RowContext) -> tuple[float | None, float | None]:
    lat = ctx.float("latitude", decimal_comma=False)
    lon = ctx.float("longitude", decimal_comma=False)
    if lat is None or lon is None:
        ctx.note(
            "latitude",
            "site without coordinates: kept with latitude and longitude None",
            f"{ctx.raw('latitude')},{ctx.raw('longitude')}",
        )
        return None, None
    if not -90 <= lat <= 90:
        raise ctx.fail("latitude", "latitude outside -90..90", ctx.raw("latitude"))
    if not -180 <= lon <= 180:
        raise ctx.fail("longitude", "longitude outside -180..180", ctx.raw("longitude"))
    return lat, lon


def _contingents(
    ctx: RowContext,
    countries: CountryResolver | None,
    *,
    mission: str,
    year: int,
    month: int,
    location: str,
    latitude: float | None,
    longitude: float | None,
) -> tuple[ContingentPresence, ...]:
    out: list[ContingentPresence] = []
    for slot in range(1, TCC_SLOTS + 1):
        name_key, troops_key, cow_key = (
            f"name_of_tcc{slot}",
            f"no_troops_per_tcc{slot}",
            f"tcc{slot}",
        )
        raw_name = ctx.raw(name_key)
        raw_troops = ctx.raw(troops_key)
        raw_cow = ctx.raw(cow_key)
        if raw_name == "NA" and raw_troops == "NA" and raw_cow in ("NA", None):
            continue  # empty slot (the common case: fast path)
        name = clean(raw_name)
        try:
            troops = parse_int(raw_troops, troops_key)
            cow = parse_int(raw_cow, cow_key)
        except FieldError as exc:
            ctx.skip(exc.field, f"TCC slot {slot} dropped: {exc.reason}", exc.value)
            continue
        if name is None:
            if clean(raw_troops) is not None or cow is not None:
                ctx.skip(
                    name_key, f"TCC slot {slot} has troops or a COW code but no name", raw_troops
                )
            continue
        if name == "MA" and clean(raw_troops) is None and cow is None:
            ctx.skip(
                name_key,
                f"TCC slot {slot} named 'MA' with no troops and no COW code: "
                "read as a typo for NA, slot dropped",
                raw_name,
            )
            continue
        tcc_name: str | None = name
        iso3: str | None = None
        if name.casefold() == "unknown":
            tcc_name = None
        elif countries is not None:
            how = countries.explain(name)
            iso3 = how.iso3
            if not how.ok:
                ctx.note(name_key, "TCC name not resolved to an ISO3 code", raw_name)
        out.append(
            ContingentPresence(
                mission=mission,
                year=year,
                month=month,
                location=location,
                latitude=latitude,
                longitude=longitude,
                slot=slot,
                tcc_name=tcc_name,
                tcc_iso3=iso3,
                tcc_cow=cow,
                troops=troops,
                line=ctx.line,
            )
        )
    return tuple(out)


def _deployment(ctx: RowContext, countries: CountryResolver | None) -> Deployment:
    mission = _required_text(ctx, "mission")
    year = ctx.int("year", unknown_ok=False)
    month = ctx.int("month", unknown_ok=False)
    if year is None:
        raise ctx.fail("year", "empty", ctx.raw("year"))
    if month is None or not 1 <= month <= 12:
        raise ctx.fail("month", "month outside 1..12", ctx.raw("month"))
    location = _required_text(ctx, "location")
    country = _required_text(ctx, "country")
    latitude, longitude = _coordinates(ctx)

    hq_raw = ctx.raw("hq")
    if clean(hq_raw) == "?":
        ctx.note("hq", "HQ code '?' read as None", hq_raw)
    country_iso3 = None
    if countries is not None:
        how = countries.explain(country)
        country_iso3 = how.iso3
        if not how.ok:
            ctx.note("country", "country not resolved to an ISO3 code", country)

    return Deployment(
        source_map=_required_text(ctx, "source"),
        mission=mission,
        year=year,
        month=month,
        location=location,
        country=country,
        country_iso3=country_iso3,
        latitude=latitude,
        longitude=longitude,
        troops=ctx.int("no_troops"),
        tcc_count=ctx.int("no_tcc"),
        hq=ctx.int("hq"),
        unpol=ctx.bool("unpol_dummy"),
        unmo=ctx.bool("unmo_dummy"),
        liaison_office=ctx.bool("lo"),
        reserve=ctx.bool("res"),
        reserve_troops=ctx.int("res_no"),
        force_protection=ctx.bool("fp"),
        force_protection_troops=ctx.int("fp_no"),
        regional_protection_force=ctx.bool("rpf"),
        regional_protection_force_troops=ctx.int("rpf_no"),
        comments=ctx.text("comments"),
        cow_code=ctx.int("cow_code"),
        gwno=ctx.int("gwno"),
        gw_name=ctx.text("name"),
        adm1_id=ctx.int("adm1_id"),
        adm1_name=ctx.text("adm1_name"),
        adm2_id=ctx.int("adm2_id"),
        adm2_name=ctx.text("adm2_name"),
        prio_gid=ctx.int("prioid"),
        contingents=_contingents(
            ctx,
            countries,
            mission=mission,
            year=year,
            month=month,
            location=location,
            latitude=latitude,
            longitude=longitude,
        ),
        line=ctx.line,
    )


def parse_geopko(
    source: Source, countries: CountryResolver | None = None
) -> ParseResult[Deployment]:
    """Stream geopko.csv as :class:`Deployment` records (each with its ``contingents``).

    With ``countries``, ``country_iso3`` and each contingent's ``tcc_iso3`` are filled in;
    without, they are ``None``.
    """
    return ParseResult(source, lambda ctx: _deployment(ctx, countries), required=_REQUIRED)


def parse_geopko_contingents(
    source: Source, countries: CountryResolver | None = None
) -> ParseResult[ContingentPresence]:
    """Stream geopko.csv reshaped long: one :class:`ContingentPresence` per non-empty TCC slot."""
    return ParseResult(
        source, lambda ctx: _deployment(ctx, countries).contingents, required=_REQUIRED, expand=True
    )


def iter_contingents(deployments: Iterable[Deployment]) -> Iterator[ContingentPresence]:
    """Flatten deployments already read into their contingents."""
    for deployment in deployments:
        yield from deployment.contingents
