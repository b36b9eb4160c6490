"""The demo's packaged extract (wam/demo/data): it parses cleanly and is byte-identical to upstream."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path

import pytest

from wam.importers.public import (
    CountryResolver,
    iter_contingents,
    parse_contributions,
    parse_countries,
    parse_geopko,
    parse_operations,
)
from wam.importers.public.geo import hosts_of, inside

DATA = resources.files("wam.demo") / "data"
GEOPKO = "geopko-monusco-2017-2018.csv"
IPI = "ipi-current_month-monusco.csv"
PKO = "DPPADPOSS-PKO-monusco.csv"
COUNTRIES = "country-codes-monusco.csv"
LICENCE = "LICENSE.GPL-2.0.txt"


@pytest.fixture(scope="module")
def demo_countries() -> CountryResolver:
    with (DATA / COUNTRIES).open("rb") as handle:
        return CountryResolver.from_csv(handle)


def test_files_are_packaged() -> None:
    names = {p.name for p in DATA.iterdir()}
    assert {GEOPKO, IPI, PKO, COUNTRIES, LICENCE, "SOURCES.md"} <= names
    sources = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    for name in (GEOPKO, IPI, PKO, COUNTRIES, LICENCE):
        assert f"`{name}`" in sources
    for commit in ("ead7782fb7b6", "2653920af58e", "e6130e8619cb", "caa72d1e0e5a"):
        assert commit in sources
    assert "GNU GENERAL PUBLIC LICENSE" in (DATA / LICENCE).read_text(encoding="utf-8")
    assert "Version 2, June 1991" in (DATA / LICENCE).read_text(encoding="utf-8")


def test_demo_geopko_parses_cleanly(demo_countries: CountryResolver) -> None:
    with (DATA / GEOPKO).open("rb") as handle:
        result = parse_geopko(handle, demo_countries)
        sites = result.collect()
    # No documented exception: nothing skipped, nothing repaired.
    assert result.skipped == [] and result.notes == []
    assert len(sites) == 266
    assert {s.mission for s in sites} == {"MONUSCO"}
    # Sites in the DR Congo, plus liaison sites in Kampala and Kigali.
    assert {s.country_iso3 for s in sites} == {"COD", "UGA", "RWA"}
    assert len({s.location for s in sites}) == 44
    assert sorted({(s.year, s.month) for s in sites}) == [
        (2017, 2),
        (2017, 6),
        (2017, 9),
        (2017, 12),
        (2018, 3),
        (2018, 4),
        (2018, 6),
        (2018, 9),
        (2018, 12),
    ]
    contingents = list(iter_contingents(sites))
    assert len(contingents) == 486
    assert all(c.tcc_iso3 for c in contingents)  # every TCC is in the packaged country codes
    assert len({c.tcc_iso3 for c in contingents}) == 17
    assert all(s.troops is not None for s in sites)
    assert all(
        s.latitude is not None
        and inside(s.latitude, s.longitude, hosts_of("MONUSCO", s.country_iso3))
        for s in sites
    )


def test_demo_ipi_and_operations_parse_cleanly(demo_countries: CountryResolver) -> None:
    with (DATA / IPI).open("rb") as handle:
        result = parse_contributions(handle, demo_countries)
        rows = result.collect()
    assert result.skipped == [] and result.notes == []
    assert len(rows) == 57 and {r.mission for r in rows} == {"MONUSCO"}
    assert all(demo_countries.resolve(r.contributor_name) == r.contributor_iso3 for r in rows)
    assert {(r.mission_hq_latitude, r.mission_hq_longitude) for r in rows} == {(-4.325, 15.3222)}
    with (DATA / PKO).open("rb") as handle:
        ops = parse_operations(handle)
        (monusco,) = ops.collect()
    assert ops.skipped == [] and ops.notes == []
    assert (monusco.acronym, monusco.hq, monusco.latitude, monusco.longitude, monusco.active) == (
        "MONUSCO",
        "Kinshasa",
        -4.325,
        15.3222,
        True,
    )


def test_demo_country_codes_cover_exactly_what_is_needed(demo_countries: CountryResolver) -> None:
    with (DATA / COUNTRIES).open("rb") as handle:
        result = parse_countries(handle)
        rows = result.collect()
    assert result.skipped == [] and len(rows) == 60
    with (DATA / GEOPKO).open("rb") as handle:
        sites = parse_geopko(handle, demo_countries).collect()
    needed = {s.country_iso3 for s in sites} | {c.tcc_iso3 for c in iter_contingents(sites)}
    with (DATA / IPI).open("rb") as handle:
        needed |= {r.contributor_iso3 for r in parse_contributions(handle)}
    assert {c.iso3 for c in rows} == needed


# --------------------------------------------------------------------------- against upstream


def _records(data: bytes) -> Iterator[tuple[bytes, list[str]]]:
    """(raw bytes, fields) of each CSV record, multi-line records included."""
    lines = data.splitlines(keepends=True)
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    previous = 0
    for fields in reader:
        yield b"".join(lines[previous : reader.line_num]), fields
        previous = reader.line_num


def _rebuild(original: Path, keep: Callable[[dict[str, str]], bool]) -> bytes:
    records = _records(original.read_bytes())
    header_raw, header = next(records)
    return header_raw + b"".join(raw for raw, fields in records if keep(dict(zip(header, fields, strict=True))))


@pytest.mark.parametrize(
    ("name", "upstream", "keep"),
    [
        (
            GEOPKO,
            "geopko/geopko.csv",
            lambda r: r["Mission"] == "MONUSCO" and 2017 <= int(r["year"]) <= 2018,
        ),
        (IPI, "ipi-ppp/current_month.csv", lambda r: r["Mission"] == "MONUSCO"),
        (PKO, "un-psdata/DPPADPOSS-PKO.csv", lambda r: r["mission_acronym"] == "MONUSCO"),
    ],
)
def test_extract_is_the_documented_filter_of_upstream_bytes(
    shared: Path, name: str, upstream: str, keep: Callable[[dict[str, str]], bool]
) -> None:
    packaged = (DATA / name).read_bytes()
    assert packaged == _rebuild(shared / upstream, keep)
    original_lines = set((shared / upstream).read_bytes().splitlines(keepends=True))
    assert all(line in original_lines for line in packaged.splitlines(keepends=True))


def test_country_extract_is_upstream_bytes(shared: Path) -> None:
    packaged = (DATA / COUNTRIES).read_bytes()
    with (DATA / COUNTRIES).open("rb") as handle:
        codes = {c.iso3 for c in parse_countries(handle)}
    assert packaged == _rebuild(
        shared / "country-codes" / "country-codes.csv", lambda r: r["ISO3166-1-Alpha-3"] in codes
    )


def test_licence_is_the_upstream_text(shared: Path) -> None:
    assert (DATA / LICENCE).read_bytes() == (shared / "geopko" / "LICENSE.GPL-2.0.txt").read_bytes()


def test_quirk_excerpts_are_upstream_lines(shared: Path, quirks: Path) -> None:
    """The small test excerpts are real lines too (header first, then lines of the original)."""
    pairs = {
        "geopko_quirks.csv": "geopko/geopko.csv",
        "current_month_quirks.csv": "ipi-ppp/current_month.csv",
        "data_mission_quirks.csv": "ipi-ppp/data_mission.csv",
        "pko_quirks.csv": "un-psdata/DPPADPOSS-PKO.csv",
        "fatalities_quirks.csv": "un-psdata/DPPADPOSS-FATALITIES.csv",
        "country_codes_quirks.csv": "country-codes/country-codes.csv",
    }
    for excerpt, upstream in pairs.items():
        original = (shared / upstream).read_bytes()
        mine = (quirks / excerpt).read_bytes()
        assert mine.splitlines(keepends=True)[0] == original.splitlines(keepends=True)[0], excerpt
        original_records = {raw for raw, _ in _records(original)}
        assert all(raw in original_records for raw, _ in _records(mine)), excerpt
