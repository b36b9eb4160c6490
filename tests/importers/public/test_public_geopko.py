"""Geo-PKO (geopko.csv): deployments and the reshaped contingents."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from wam.importers.public import (
    CountryResolver,
    Deployment,
    ParseResult,
    iter_contingents,
    parse_geopko,
    parse_geopko_contingents,
)
from wam.importers.public.geo import hosts_of, inside

# --------------------------------------------------------------------------- excerpt
# tests/importers/public/data/geopko_quirks.csv holds 20 real records of geopko.csv (original
# lines 2, 4, 7, 75, 1036, 1949, 1954, 2634, 6024, 6983, 8178, 8341, 8342-8343, 9211, 9323, 9929,
# 10074, 10260, 10296, 11111); below, line numbers are those of the excerpt.


def _excerpt(
    quirks: Path, countries: CountryResolver | None
) -> tuple[dict[int, Deployment], ParseResult[Deployment]]:
    result = parse_geopko(quirks / "geopko_quirks.csv", countries)
    return {d.line: d for d in result}, result


def test_excerpt_rows_skips_and_notes(quirks: Path, quirk_countries: CountryResolver) -> None:
    by_line, result = _excerpt(quirks, quirk_countries)
    assert len(by_line) == 20 and result.rows == 20
    assert [(s.line, s.field, s.value) for s in result.skipped] == [(21, "name.of.TCC8", "MA")]
    assert "typo for NA" in result.skipped[0].reason
    assert [(n.line, n.field, n.value) for n in result.notes] == [
        (17, "HQ", "?"),
        (22, "latitude", "NA,NA"),
    ]


def test_excerpt_trailing_spaces_and_names(quirks: Path, quirk_countries: CountryResolver) -> None:
    by_line, _ = _excerpt(quirks, quirk_countries)
    first = by_line[2]
    assert first.source_map == "Map no. 4309"  # "Map no. 4309 " in the file
    assert (first.mission, first.year, first.month, first.location) == (
        "BINUB",
        2007,
        3,
        "Bujumbura",
    )
    assert first.troops == 0 and first.contingents == () and first.comments is None
    assert (first.latitude, first.longitude) == (-3.3822, 29.3644)
    abidjan = by_line[3]
    assert (abidjan.country, abidjan.gw_name) == ("Ivory Coast", "Cote D’Ivoire")
    assert abidjan.country_iso3 == "CIV"
    assert abidjan.comments == "MINUCI HQ; Also ECOWAS main HQ; France HQ"
    assert by_line[7].country == "DRC" and by_line[7].country_iso3 == "COD"
    assert by_line[8].gw_name == "Zimbabwe (Rhodesia)" and by_line[8].country_iso3 == "ZWE"
    harbel = by_line[16]
    assert [c.tcc_name for c in harbel.contingents] == [
        "Nigeria",
        "Pakistan",
        "Ukraine",
    ]  # "Pakistan "
    assert harbel.contingents[1].tcc_iso3 == "PAK"


def test_excerpt_wide_tcc_layout_reshaped(quirks: Path, quirk_countries: CountryResolver) -> None:
    by_line, _ = _excerpt(quirks, quirk_countries)
    bangui = by_line[4]  # MINURCA 1998-06, nine TCCs
    assert bangui.tcc_count == 9 and len(bangui.contingents) == 9
    assert [c.slot for c in bangui.contingents] == list(range(1, 10))
    assert [(c.tcc_name, c.tcc_iso3, c.tcc_cow, c.troops) for c in bangui.contingents][:4] == [
        ("France", "FRA", 220, 150),
        ("Chad", "TCD", 483, 150),
        ("Canada", "CAN", 20, 35),
        ("Cote D'ivoire", "CIV", 437, 300),
    ]
    assert sum(c.troops or 0 for c in bangui.contingents) == bangui.troops == 1385
    c0 = bangui.contingents[0]
    assert (c0.mission, c0.year, c0.month, c0.location, c0.latitude, c0.longitude, c0.line) == (
        "MINURCA",
        1998,
        6,
        "Bangui",
        bangui.latitude,
        bangui.longitude,
        4,
    )
    full = by_line[6]  # every one of the 14 slots used
    assert full.tcc_count == 14 and [c.slot for c in full.contingents] == list(range(1, 15))


def test_excerpt_unknown_values(quirks: Path, quirk_countries: CountryResolver) -> None:
    by_line, _ = _excerpt(quirks, quirk_countries)
    assert by_line[5].troops is None  # No.troops = unknown
    unknown_tcc = next(c for c in by_line[9].contingents if c.slot == 7)
    assert (unknown_tcc.tcc_name, unknown_tcc.tcc_iso3, unknown_tcc.troops) == (None, None, None)
    australia = next(c for c in by_line[10].contingents if c.tcc_name == "Australia")
    assert australia.troops is None and australia.tcc_iso3 == "AUS"  # empty cell
    aweil = next(c for c in by_line[19].contingents if c.tcc_name == "China")
    assert aweil.troops is None  # "unkown" (sic)
    assert [c.tcc_iso3 for c in by_line[11].contingents if c.tcc_name == "Korea"] == ["KOR"]
    assert [c.tcc_iso3 for c in by_line[18].contingents if c.tcc_name == "Korea (ROK)"] == ["KOR"]
    assert [c.tcc_iso3 for c in by_line[20].contingents if c.tcc_name == "U.K."] == ["GBR"]
    ireland = by_line[12].contingents[0]
    assert (ireland.tcc_name, ireland.tcc_iso3, ireland.tcc_cow, ireland.troops) == (
        "Ireland and Scotland",
        "IRL",
        205,
        650,
    )
    assert by_line[17].hq is None  # "?"


def test_excerpt_multiline_record_and_ma_typo(
    quirks: Path, quirk_countries: CountryResolver
) -> None:
    by_line, _ = _excerpt(quirks, quirk_countries)
    monrovia = by_line[14]  # spans excerpt lines 14-15
    assert monrovia.location == "Monrovia" and (monrovia.year, monrovia.month) == (2006, 3)
    assert monrovia.comments is not None and "\n1 inf comp, TCC Mongolia" in monrovia.comments
    assert monrovia.contingents[-1].tcc_name == "Mongolia"
    assert 15 not in by_line and 16 in by_line  # the next record starts on line 16
    malakal = by_line[21]
    assert [c.tcc_name for c in malakal.contingents] == [
        "Rwanda",
        "Ethiopia",
        "India",
        "U.K.",
        "Bangladesh",
        "Cambodia",
    ]
    assert [c.troops for c in malakal.contingents] == [800, 150, 950, 150, None, None]
    assert malakal.tcc_count == 6


def test_excerpt_site_without_coordinates_is_kept(
    quirks: Path, quirk_countries: CountryResolver
) -> None:
    by_line, _ = _excerpt(quirks, quirk_countries)
    unclear = by_line[22]
    assert (unclear.mission, unclear.location, unclear.latitude, unclear.longitude) == (
        "UNOCI",
        "unclear",
        None,
        None,
    )
    assert unclear.troops == 150 and unclear.contingents[0].latitude is None
    assert unclear.adm1_id is None and unclear.prio_gid is None


def test_excerpt_contingents_stream_and_no_resolver(
    quirks: Path, quirk_countries: CountryResolver
) -> None:
    by_line, _ = _excerpt(quirks, quirk_countries)
    flat = parse_geopko_contingents(quirks / "geopko_quirks.csv", quirk_countries)
    rows = flat.collect()
    assert rows == list(iter_contingents(by_line.values()))
    assert len(rows) == 86 and len(flat.skipped) == 1
    bare = parse_geopko(quirks / "geopko_quirks.csv").collect()
    assert all(d.country_iso3 is None for d in bare)
    assert all(c.tcc_iso3 is None for c in iter_contingents(bare))
    assert [d.troops for d in bare] == [d.troops for d in by_line.values()]


# --------------------------------------------------------------------------- real file


def test_real_counts(geopko_full: tuple[list[Deployment], ParseResult[Deployment]]) -> None:
    deployments, result = geopko_full
    assert len(deployments) == result.rows == 12190  # README: 12,190 rows
    assert len({d.mission for d in deployments}) == 27  # README: 27 missions
    assert (min(d.year for d in deployments), max(d.year for d in deployments)) == (1994, 2018)
    assert sum(d.troops is None for d in deployments) == 120  # No.troops = unknown
    assert sum(len(d.contingents) for d in deployments) == 14429
    assert sum(c.tcc_name is None for c in iter_contingents(deployments)) == 197  # TCC "unknown"


def test_real_skips_and_notes(
    geopko_full: tuple[list[Deployment], ParseResult[Deployment]],
) -> None:
    _, result = geopko_full
    assert [(s.line, s.field, s.value) for s in result.skipped] == [
        (line, "name.of.TCC8", "MA") for line in (10296, 10313, 10330, 10348, 10366, 10383)
    ]
    assert Counter((n.field, n.value) for n in result.notes) == {
        ("HQ", "?"): 6,
        ("latitude", "NA,NA"): 1,
    }
    assert [n.line for n in result.notes if n.field == "latitude"] == [11111]


def test_real_multiline_records_numbered_by_first_line(
    shared: Path, geopko_full: tuple[list[Deployment], ParseResult[Deployment]]
) -> None:
    deployments, _ = geopko_full
    multi = [d for d in deployments if d.comments and "\n" in d.comments]
    assert len(multi) == 21
    assert multi[0].line == 8342 and multi[0].location == "Monrovia"
    raw_lines = (shared / "geopko" / "geopko.csv").read_bytes().splitlines()
    for d in multi:
        assert raw_lines[d.line - 1].startswith(d.source_map.encode()), d.line
    # Physical lines = header + records + the line breaks inside quoted comments.
    extra = sum(d.comments.count("\n") for d in multi)
    assert len(raw_lines) == 1 + 12190 + extra == deployments[-1].line


def test_real_trimmed_and_resolved(
    geopko_full: tuple[list[Deployment], ParseResult[Deployment]],
) -> None:
    deployments, _ = geopko_full
    texts = [d.source_map for d in deployments] + [
        c.tcc_name for c in iter_contingents(deployments) if c.tcc_name
    ]
    assert all(t == t.strip() for t in texts)
    assert all(d.country_iso3 for d in deployments)
    assert all(c.tcc_iso3 for c in iter_contingents(deployments) if c.tcc_name)
    assert Counter(d.country for d in deployments if d.country_iso3 == "CIV") == {
        "Ivory Coast": 1628
    }


def test_real_sites_lie_in_their_host_countries(
    geopko_full: tuple[list[Deployment], ParseResult[Deployment]],
) -> None:
    """Every site with coordinates falls in the box of its country or of the mission's hosts
    (UNMIS sites in today's South Sudan are labelled Sudan, as they were at the time)."""
    deployments, _ = geopko_full
    outside = [
        d.line
        for d in deployments
        if d.latitude is not None
        and not inside(d.latitude, d.longitude, hosts_of(d.mission, d.country_iso3))
    ]
    assert outside == []
