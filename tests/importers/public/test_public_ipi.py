"""IPI Providing for Peacekeeping: current_month.csv, data_mission.csv, missions.json."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from wam.importers.public import (
    CountryResolver,
    load_mission_hosts,
    parse_contributions,
    parse_mission_totals,
)
from wam.importers.public.geo import MISSION_HOSTS, hosts_of, inside

BAMAKO = (12.65, -8.0)
JUBA = (4.85, 31.6)
KINSHASA = (-4.325, 15.3222)

# --------------------------------------------------------------------------- excerpts


def test_contributions_excerpt(quirks: Path, quirk_countries: CountryResolver) -> None:
    path = quirks / "current_month_quirks.csv"
    assert b"\r\n" in path.read_bytes()  # CRLF kept in the excerpt
    result = parse_contributions(path, quirk_countries)
    rows = result.collect()
    assert len(rows) == 10 and result.skipped == []
    albania = rows[0]
    assert (albania.date, albania.contributor_name, albania.contributor_iso3) == (
        date(2014, 3, 31),
        "Albania",
        "ALB",
    )
    assert albania.contributor_un_bloc == "EEG"  # header "Contributor UN_Bloc"
    assert albania.mission_country == "South Sudan"  # "South Sudan'" in the file
    assert (albania.mission_hq_latitude, albania.mission_hq_longitude) == JUBA
    assert (
        albania.individual_police,
        albania.police,
        albania.troops,
        albania.experts,
        albania.total,
    ) == (1, 1, None, None, 1)
    algeria = rows[1]
    assert (algeria.experts, algeria.observers, algeria.total) == (5, 5, 5)
    assert (algeria.mission_hq_latitude, algeria.mission_hq_longitude) == KINSHASA
    mali = next(r for r in rows if r.mission == "MINUSMA")
    assert (
        mali.mission_hq_latitude,
        mali.mission_hq_longitude,
    ) == BAMAKO  # written -8.0, 12.65 here
    assert (
        mali.formed_police_units,
        mali.individual_police,
        mali.civilian_police,
        mali.police,
    ) == (177, None, 177, 177)
    notes = Counter((n.field, n.value) for n in result.notes)
    assert notes == {
        ("Mission_Country", "South Sudan'"): 3,
        ("Mission_HQ_Longitude", "-8.0,12.65"): 1,
    }
    assert {
        r.contributor_name: r.contributor_iso3
        for r in rows
        if r.contributor_name in {"Turkey", "United Kingdom", "Tanzania", "Republic of Korea"}
    } == {
        "Turkey": "TUR",
        "United Kingdom": "GBR",
        "Tanzania": "TZA",
        "Republic of Korea": "KOR",
    }
    for r in rows:
        assert r.total == (r.troops or 0) + (r.police or 0) + (r.experts or 0)


def test_contributions_with_fixed_header(tmp_path: Path, quirks: Path) -> None:
    """A corrected header (Individual_Police, Contributor_UN_Bloc) reads the same."""
    raw = (quirks / "current_month_quirks.csv").read_bytes()
    fixed = raw.replace(b"Inidividual_Police", b"Individual_Police").replace(
        b"Contributor UN_Bloc", b"Contributor_UN_Bloc"
    )
    path = tmp_path / "fixed.csv"
    path.write_bytes(fixed)
    assert (
        parse_contributions(path).collect()
        == parse_contributions(quirks / "current_month_quirks.csv").collect()
    )


def test_mission_totals_excerpt_swaps_back(quirks: Path) -> None:
    result = parse_mission_totals(quirks / "data_mission_quirks.csv")
    rows = result.collect()
    assert len(rows) == 9 and result.skipped == []
    by = {(r.mission, r.date): r for r in rows}
    onuca = by[("ONUCA", date(1990, 11, 30))]
    assert (onuca.hq, onuca.hq_latitude, onuca.hq_longitude) == ("Tegucigalpa", 14.1, -87.2167)
    assert (onuca.contributors, onuca.troops, onuca.police, onuca.observers, onuca.total) == (
        11,
        423,
        None,
        None,
        423,
    )
    jerusalem = by[("UNTSO", date(1990, 11, 30))]
    assert (jerusalem.hq_latitude, jerusalem.hq_longitude) == (31.7833, 35.2167)
    sukhumi = by[("UNOMIG", date(1993, 9, 30))]
    assert (sukhumi.hq_latitude, sukhumi.hq_longitude) == (
        43.0033,
        41.0153,
    )  # both orders fit Georgia
    # MINUSMA is written in both orders in the file; both come out as Bamako.
    assert (
        by[("MINUSMA", date(2013, 7, 31))].hq_latitude,
        by[("MINUSMA", date(2013, 7, 31))].hq_longitude,
    ) == BAMAKO
    assert (
        by[("MINUSMA", date(2014, 4, 30))].hq_latitude,
        by[("MINUSMA", date(2014, 4, 30))].hq_longitude,
    ) == BAMAKO
    assert by[("UNMISS", date(2014, 3, 31))].country == "South Sudan"
    unmc = by[("UNMC", date(2016, 7, 31))]
    assert (unmc.hq, unmc.hq_latitude, unmc.hq_longitude) == (None, None, None)
    assert [(n.line, n.value) for n in result.notes if n.field == "Mission HQ Longitude"] == [
        (7, "-8,12.65")
    ]
    for r in rows:
        assert r.total == (r.troops or 0) + (r.police or 0) + (r.observers or 0)


# --------------------------------------------------------------------------- real files


@pytest.fixture(scope="module")
def contributions(shared: Path, countries: CountryResolver):
    result = parse_contributions(shared / "ipi-ppp" / "current_month.csv", countries)
    return result.collect(), result


@pytest.fixture(scope="module")
def mission_totals(shared: Path):
    result = parse_mission_totals(shared / "ipi-ppp" / "data_mission.csv")
    return result.collect(), result


def test_real_contributions(shared: Path, contributions) -> None:
    rows, result = contributions
    raw = (shared / "ipi-ppp" / "current_month.csv").read_bytes()
    assert (
        raw.count(b"\r\n") == 574 and b"Inidividual_Police" in raw and b"Contributor UN_Bloc" in raw
    )
    assert len(rows) == 573 and result.skipped == []  # README: 573 rows
    assert {r.date for r in rows} == {date(2014, 3, 31)}
    assert len({r.contributor_iso3 for r in rows}) == 122 and len({r.mission for r in rows}) == 17
    assert sum(r.individual_police or 0 for r in rows) > 0
    for r in rows:
        assert r.total == (r.troops or 0) + (r.police or 0) + (r.experts or 0), r.line
        assert r.experts == r.observers
        assert r.police == _sum(r.formed_police_units, r.individual_police)
    assert Counter(r.mission_country for r in rows if r.mission == "UNMISS") == {"South Sudan": 67}
    notes = Counter((n.field, n.reason.split(":")[0]) for n in result.notes)
    assert notes[("Mission_Country", "stray quote removed")] == 67
    assert (
        sum(v for (f, _), v in notes.items() if f == "Mission_HQ_Longitude") == 43
    )  # the MINUSMA rows


def _sum(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def test_real_contributions_hq_positions(contributions) -> None:
    rows, _ = contributions
    hq = {r.mission: (r.mission_hq_latitude, r.mission_hq_longitude) for r in rows}
    assert hq["MINUSMA"] == BAMAKO and hq["UNMISS"] == JUBA and hq["MONUSCO"] == KINSHASA
    assert hq["UNTSO"] == (31.7833, 35.2167)
    for r in rows:
        assert r.mission_hq_latitude is not None and r.mission_hq_longitude is not None
        assert inside(
            r.mission_hq_latitude,
            r.mission_hq_longitude,
            hosts_of(r.mission, r.mission_country_iso3),
        )


def test_real_contributions_capital_of_mauritania_is_misplaced(shared: Path) -> None:
    """A quirk the README does not list: Nouakchott is given Port Louis's coordinates."""
    import csv

    bad = set()
    with (shared / "ipi-ppp" / "current_month.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            iso = row["Contributor_ISO-3"]
            lat, lon = (
                float(row["Contributor_Capital_Latitude"]),
                float(row["Contributor_Capital_Longitude"]),
            )
            if iso in {h for hs in MISSION_HOSTS.values() for h in hs} and not inside(
                lat, lon, [iso]
            ):
                bad.add((iso, row["Contributor_Capital"], lat, lon))
    assert bad == {("MRT", "Nouakchott", -20.1667, 57.5001)}


def test_real_mission_totals(mission_totals) -> None:
    rows, result = mission_totals
    assert len(rows) == 5330 and result.skipped == []  # README: 5,330 rows
    assert (min(r.date for r in rows), max(r.date for r in rows)) == (
        date(1990, 11, 30),
        date(2017, 3, 31),
    )
    assert len({r.date for r in rows}) == 316
    for r in rows:
        assert r.total == (r.troops or 0) + (r.police or 0) + (r.observers or 0), r.line
    # Only the nine MINUSMA rows written in header order are noted; all 44 come out as Bamako.
    swapped = [n for n in result.notes if n.field == "Mission HQ Longitude"]
    assert len(swapped) == 9 and all(n.value == "-8,12.65" for n in swapped)
    assert {(r.hq_latitude, r.hq_longitude) for r in rows if r.mission == "MINUSMA"} == {BAMAKO}
    assert sum(1 for r in rows if r.mission == "MINUSMA") == 44
    assert {(r.hq, r.hq_latitude, r.hq_longitude) for r in rows if r.mission == "UNMIL"} == {
        ("Monrovia", 6.3133, -10.8014)
    }
    for r in rows:
        if r.hq_latitude is not None:
            assert inside(r.hq_latitude, r.hq_longitude, hosts_of(r.mission, r.country_iso3)), (
                r.mission,
                r.line,
            )
    assert [r.mission for r in rows if r.hq_latitude is None] == ["UNMC"] * 8


def test_real_missions_json_agrees(shared: Path, mission_totals, contributions) -> None:
    hosts = load_mission_hosts(shared / "ipi-ppp" / "missions.json")
    assert len(hosts) == 78  # README: 78 missions
    assert hosts["UNMC"].latitude is None  # 0, 0 in the file
    assert hosts["UNMISS"].country == "South Sudan"  # "South Sudan'" in the file
    # Our host table agrees with IPI's for every mission.
    for key, host in hosts.items():
        assert host.country_iso3 in MISSION_HOSTS[key], key
    # data_mission.csv (swapped back) gives the same HQ as missions.json, except UNMEE, whose
    # missions.json entry is Asmara (15.33, 38.92) while data_mission.csv says 12.18, 38.84.
    rows, _ = mission_totals
    differ = {
        r.mission
        for r in rows
        if r.hq_latitude is not None
        and r.mission in hosts
        and (hosts[r.mission].latitude, hosts[r.mission].longitude)
        != (r.hq_latitude, r.hq_longitude)
    }
    assert differ == {"UNMEE"}
    contributions_rows, _ = contributions
    assert all(
        (hosts[r.mission].latitude, hosts[r.mission].longitude)
        == (r.mission_hq_latitude, r.mission_hq_longitude)
        for r in contributions_rows
    )
