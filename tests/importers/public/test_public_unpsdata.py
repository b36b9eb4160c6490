"""UN Peace and Security Data Hub: DPPADPOSS-PKO.csv and DPPADPOSS-FATALITIES.csv."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from wam.importers.public import CountryResolver, parse_fatalities, parse_operations
from wam.importers.public.geo import hosts_of, inside

SWAPPED_IN_PKO = {"UNOSOM II", "UNOSOM I", "UNEF", "UNAVEM II", "UNAVEM I", "MINUSMA", "UNSCOB"}

# --------------------------------------------------------------------------- excerpts


def test_operations_excerpt(quirks: Path) -> None:
    result = parse_operations(quirks / "pko_quirks.csv")
    rows = result.collect()
    assert len(rows) == 15 and result.skipped == []
    by = {o.acronym: o for o in rows}
    minusma = by["MINUSMA"]
    assert (minusma.latitude, minusma.longitude) == (12.65, -8.0)  # written "12,6500","-8,0000"
    assert (minusma.active, minusma.start, minusma.end, minusma.hq) == (
        True,
        date(2013, 4, 25),
        None,
        "Bamako",
    )
    assert (by["UNPSG"].latitude, by["UNPSG"].longitude) == (45.8167, 15.9833)  # decimal commas
    assert (by["UNOSOM II"].latitude, by["UNOSOM II"].longitude) == (
        2.0333,
        45.35,
    )  # swapped in the file
    assert (by["UNOSOM"].latitude, by["UNOSOM"].longitude) == (
        2.0333,
        45.35,
    )  # as labelled in the file
    assert (by["UNAVEM II"].latitude, by["UNAVEM II"].longitude) == (-8.8383, 13.2344)
    assert (by["UNEF"].latitude, by["UNEF"].longitude) == (31.5, 34.4667)
    assert (by["UNSCOB"].latitude, by["UNSCOB"].longitude) == (37.9669, 23.7668)
    assert (by["UNMISS"].latitude, by["UNMISS"].longitude) == (4.85, 31.6)
    assert (by["MONUSCO"].latitude, by["MONUSCO"].longitude) == (-4.325, 15.3222)
    assert by["MINUSTAH"].active is False  # "NO"
    assert (
        by["UNMOGIP"].hq == "Islamabad (Nov-Apr) and Srinagar (May-Oct)"
    )  # trailing space trimmed
    assert (
        by["UNTAES"].name
        == "United Nations Transitional Administration for Eastern Slavonia, Baranja and Western Sirmium"
    )
    assert (by["UNYOM"].hq, by["UNYOM"].latitude) == (None, None)
    assert (by["UNTSO"].hq, by["UNTSO"].latitude, by["UNTSO"].longitude) == (
        "Jerusalem",
        None,
        None,
    )
    assert (by["UNOHCI"].start, by["UNOHCI"].end) == (None, None)
    assert (by["UNSCOB"].start, by["UNSCOB"].end) == (None, date(1951, 7, 12))
    assert by["MINUSMA"].last_update == date(2024, 2, 19)
    swapped = {
        by_line.acronym for by_line in rows if by_line.line in {n.line for n in result.notes}
    }
    assert swapped == {"UNOSOM II", "UNEF", "UNAVEM II", "MINUSMA", "UNSCOB"}
    assert all(n.field == "mission_longitude" and "swapped" in n.reason for n in result.notes)


def test_fatalities_excerpt(quirks: Path, quirk_countries: CountryResolver) -> None:
    result = parse_fatalities(quirks / "fatalities_quirks.csv", quirk_countries)
    rows = result.collect()
    assert len(rows) == 15 and result.skipped == []
    first = rows[0]
    assert (first.id, first.date, first.casualty_id, first.mission) == (
        1,
        date(1948, 7, 6),
        "UNTSO-1948-07-02408",
        "UNTSO",
    )
    assert (first.nationality, first.nationality_iso3, first.nationality_m49) == (
        "France",
        "FRA",
        250,
    )  # "250.0"
    assert (first.personnel_type, first.incident_type, first.gender) == (
        "Military",
        "Malicious Act",
        "M",
    )
    by_id = {f.id: f for f in rows}
    assert by_id[134].personnel_type == "Local"  # "Local " in the file
    assert by_id[460].gender is None  # empty gender
    assert (by_id[77].nationality, by_id[77].nationality_iso3, by_id[77].nationality_m49) == (
        None,
        None,
        None,
    )  # ZZ
    assert (by_id[995].nationality, by_id[995].nationality_iso3, by_id[995].nationality_m49) == (
        "Türkiye",
        "TUR",
        792,
    )
    assert (by_id[1585].nationality_iso3, by_id[1585].nationality_m49) == (
        "CIV",
        384,
    )  # "Côte dIvoire"
    assert (by_id[4153].nationality_iso3, by_id[4182].nationality_iso3) == ("MUS", "VNM")
    assert (by_id[3479].nationality, by_id[3479].nationality_iso3) == (
        None,
        None,
    )  # empty nationality
    assert (by_id[30].nationality_iso3, by_id[30].nationality_m49) == (
        "YUG",
        890,
    )  # withdrawn code kept
    # The same casualty listed twice, as Montenegro and as Serbia and Montenegro.
    assert [(f.nationality_iso3) for f in rows if f.casualty_id == "UNMIK-2003-05-03589"] == [
        "MNE",
        "SCG",
    ]
    assert [n.value for n in result.notes] == ["Türkiye", "Côte dIvoire", "Mauritius", "Viet Nam"]
    without = parse_fatalities(quirks / "fatalities_quirks.csv").collect()
    assert [f.nationality_iso3 for f in without if f.id == 995] == [None]
    assert without[0] == first


# --------------------------------------------------------------------------- real files


@pytest.fixture(scope="module")
def operations(shared: Path):
    result = parse_operations(shared / "un-psdata" / "DPPADPOSS-PKO.csv")
    return result.collect(), result


def test_real_operations(operations) -> None:
    rows, result = operations
    assert len(rows) == 81 and result.skipped == []  # README: 81 rows
    by = {o.acronym: o for o in rows}
    assert (by["MINUSMA"].latitude, by["MINUSMA"].longitude) == (12.65, -8.0)
    assert {by[a].line for a in SWAPPED_IN_PKO} == {n.line for n in result.notes}
    assert Counter(o.active for o in rows) == {False: 69, True: 12}
    assert by["MINUSTAH"].active is False
    assert sorted(o.acronym for o in rows if o.active) == sorted(
        [
            "MINURSO",
            "MINUSCA",
            "MINUSMA",
            "MONUSCO",
            "UNDOF",
            "UNFICYP",
            "UNIFIL",
            "UNISFA",
            "UNMIK",
            "UNMISS",
            "UNMOGIP",
            "UNTSO",
        ]
    )
    for o in rows:
        assert o.acronym == o.acronym.strip() and (o.hq is None or o.hq == o.hq.strip())
        if o.latitude is not None:
            assert inside(o.latitude, o.longitude, hosts_of(o.acronym)), o.acronym
    assert sum(o.latitude is None for o in rows) == 11


def test_real_fatalities(shared: Path, countries: CountryResolver) -> None:
    result = parse_fatalities(shared / "un-psdata" / "DPPADPOSS-FATALITIES.csv", countries)
    rows = result.collect()
    assert len(rows) == 4429 and result.skipped == []  # README: 4,429 rows
    assert (min(f.date for f in rows).year, max(f.date for f in rows).year) == (1948, 2025)
    assert Counter(f.personnel_type for f in rows)["Local"] == 557
    assert "Local " not in {f.personnel_type for f in rows}
    assert Counter(f.gender for f in rows) == {"M": 4205, None: 151, "F": 73}
    assert Counter(f.incident_type for f in rows)["Malicious Act"] == 1134
    assert sum(f.nationality_iso3 is None for f in rows) == 15  # 14 "ZZ [Undetermined]" + 1 empty
    assert len(result.notes) == 37  # 52 rows without isocode3, 37 resolved by name
    assert all(f.nationality_m49 is not None for f in rows if f.nationality_iso3 not in {None})
    assert Counter(f.nationality_iso3 for f in rows if f.nationality_iso3 in {"YUG", "SCG"}) == {
        "YUG": 14,
        "SCG": 6,
    }
    duplicated = {cid for cid, n in Counter(f.casualty_id for f in rows).items() if n > 1}
    assert len(duplicated) == 6  # listed under Montenegro and Serbia and Montenegro
    assert sum(1 for f in rows if f.mission == "MINUSMA") == 311
