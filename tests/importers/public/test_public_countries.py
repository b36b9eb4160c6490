"""Country codes and the name resolver, on the excerpt and on every name in the real files."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from wam.importers.public import CountryResolver, parse_countries
from wam.importers.public.countries import ALIASES, name_key

# --------------------------------------------------------------------------- excerpt


def test_excerpt_parses_with_namibia_iso2(quirks: Path) -> None:
    result = parse_countries(quirks / "country_codes_quirks.csv")
    rows = result.collect()
    assert result.skipped == [] and result.notes == []
    assert len(rows) == 72
    by = {c.iso3: c for c in rows}
    assert by["NAM"].iso2 == "NA"  # not read as a missing value
    assert by["FRA"].m49 == 250
    assert by["CIV"].official_name == "Ivory Coast"  # sic, in the file
    assert by["CIV"].name == "Côte d’Ivoire"  # CLDR display name, curly apostrophe
    assert by["CIV"].unterm_short is None  # empty in the file
    assert by["GBR"].name == "UK"
    assert by["COD"].unterm_short == "Democratic Republic of the Congo (the)"
    assert by["ESH"].independent is False and by["ESH"].status == "In contention"
    assert by["FRA"].independent is True


@pytest.mark.parametrize(
    ("text", "iso3", "how"),
    [
        ("Ivory Coast", "CIV", "name"),  # geopko country column
        ("Cote D’Ivoire", "CIV", "name"),  # geopko name column, curly apostrophe
        ("Cote D'ivoire", "CIV", "name"),  # geopko TCC
        ("Cote d'Ivoire", "CIV", "name"),
        ("Cote d Ivoire", "CIV", "name"),  # IPI
        ("Côte dIvoire", "CIV", "name"),  # fatalities, apostrophe lost
        ("CIV", "CIV", "iso3"),
        ("DR Congo", "COD", "alias"),
        ("DRC", "COD", "alias"),
        ("Democratic Republic of Congo", "COD", "alias"),
        ("Congo, Democratic Republic of (Zaire)", "COD", "alias"),
        ("Democratic Republic of the Congo", "COD", "name"),
        ("Congo", "COG", "name"),
        ("South Sudan'", "SSD", "name"),  # stray apostrophe
        ("Tanzania", "TZA", "name"),
        ("United Republic of Tanzania", "TZA", "name"),
        ("U.K.", "GBR", "name"),
        ("United Kingdom", "GBR", "alias"),
        ("Korea (ROK)", "KOR", "alias"),
        ("Korea", "KOR", "alias"),
        ("Republic of Korea", "KOR", "name"),
        ("Zimbabwe (Rhodesia)", "ZWE", "name-no-parentheses"),
        ("Russia", "RUS", "name"),
        ("Russian Federation", "RUS", "name"),
        ("Türkiye", "TUR", "name"),
        ("Turkey", "TUR", "alias"),
        ("The former Yugoslav Republic of Macedonia", "MKD", "alias"),
        ("Macedonia", "MKD", "alias"),
        ("Czech Republic", "CZE", "name"),  # UNTERM formal "the Czech Republic"
        ("Viet Nam", "VNM", "name"),
        ("Western Sahara", "ESH", "name"),
        ("Ireland and Scotland", "IRL", "alias"),
        ("Yugoslavia", "YUG", "alias"),
        ("Serbia and Montenegro", "SCG", "alias"),
        ("Benin ", "BEN", "name"),  # trailing space in geopko
        ("unknown", None, "unknown"),
        ("ZZ [Undetermined]", None, "unknown"),
        ("NA", None, "empty"),
        ("", None, "empty"),
        (None, None, "empty"),
        ("MA", None, "unresolved"),  # geopko typo for NA; ISO2 codes are not names
        ("Atlantis", None, "unresolved"),
    ],
)
def test_resolver_on_names_as_written(
    full_or_quirk: CountryResolver, text: str | None, iso3: str | None, how: str
) -> None:
    got = full_or_quirk.explain(text)
    assert (got.iso3, got.how) == (iso3, how)
    assert full_or_quirk.resolve(text) == iso3


@pytest.fixture(params=["quirk", "full"])
def full_or_quirk(request: pytest.FixtureRequest) -> CountryResolver:
    if request.param == "quirk":
        return request.getfixturevalue("quirk_countries")
    return request.getfixturevalue("countries")


def test_iso2_is_separate(quirk_countries: CountryResolver) -> None:
    assert quirk_countries.by_iso2("MA") == "MAR"
    assert quirk_countries.by_iso2("na") == "NAM"
    assert quirk_countries.resolve("MA") is None


def test_name_key_drops_the_and_star() -> None:
    assert name_key("State of Palestine (the) *") == "stateofpalestine"
    assert name_key("the Republic of Korea") == "republicofkorea"


# --------------------------------------------------------------------------- real files


def test_full_country_codes(shared: Path, countries: CountryResolver) -> None:
    result = parse_countries(shared / "country-codes" / "country-codes.csv")
    rows = result.collect()
    assert len(rows) == 249 and result.skipped == []
    assert len(countries) == 249
    assert countries.collisions == {}  # no name points to two countries
    assert len({c.iso3 for c in rows}) == 249


def test_every_alias_is_needed_and_points_to_a_country(countries: CountryResolver) -> None:
    """Each alias covers a name the country-codes names miss, and names a real (or withdrawn) code."""
    for key, iso3 in ALIASES.items():
        assert key not in countries._names, key  # the alias would be dead
        assert iso3 in countries.countries or iso3 in {"YUG", "SCG"}


def _column(path: Path, *names: str) -> Counter[tuple[str, ...]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return Counter(tuple(row[n] for n in names) for row in reader)


def test_every_geopko_tcc_name_resolves(shared: Path, countries: CountryResolver) -> None:
    path = shared / "geopko" / "geopko.csv"
    names: Counter[str] = Counter()
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for i in range(1, 15):
                names[row[f"name.of.TCC{i}"]] += 1
    unresolved = {n: c for n, c in names.items() if not countries.is_resolvable(n)}
    # The only name that does not resolve is "MA", a typo for NA (handled by the geopko parser).
    assert unresolved == {"MA": 6}
    assert countries.explain("unknown").how == "unknown" and names["unknown"] == 197
    # 93 distinct spellings: NA, MA and unknown aside, 90 names for 79 countries.
    assert len(names) == 93
    assert len([n for n in names if countries.resolve(n)]) == 90
    assert len({countries.resolve(n) for n in names} - {None}) == 79


def test_geopko_tcc_names_agree_with_their_cow_codes(
    shared: Path, countries: CountryResolver
) -> None:
    """Every COW code in TCC1..TCC14 maps to exactly one resolved ISO3, and vice versa."""
    pairs: set[tuple[str, str]] = set()
    with (shared / "geopko" / "geopko.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for i in range(1, 15):
                iso3, cow = countries.resolve(row[f"name.of.TCC{i}"]), row[f"TCC{i}"]
                if iso3 and cow != "NA":
                    pairs.add((cow, iso3))
    assert len({c for c, _ in pairs}) == len(pairs) == len({i for _, i in pairs})
    assert ("732", "KOR") in pairs and ("205", "IRL") in pairs and ("484", "COG") in pairs


def test_geopko_country_and_gw_name_columns_resolve(
    shared: Path, countries: CountryResolver
) -> None:
    pairs = _column(shared / "geopko" / "geopko.csv", "country", "name")
    for country, gw_name in pairs:
        a, b = countries.resolve(country), countries.resolve(gw_name)
        assert a and b, (country, gw_name)
        if country == "Western Sahara":
            assert (a, b) == ("ESH", "MAR")  # Gleditsch-Ward codes the territory as Morocco
        else:
            assert a == b, (country, gw_name)
    assert ("Ivory Coast", "Cote D’Ivoire") in pairs


def test_every_ipi_contributor_resolves_to_its_own_iso3(
    shared: Path, countries: CountryResolver
) -> None:
    pairs = _column(shared / "ipi-ppp" / "current_month.csv", "Contributor", "Contributor_ISO-3")
    assert len(pairs) == 122
    wrong = {name: iso for (name, iso) in pairs if countries.resolve(name) != iso}
    assert wrong == {}
    missions = _column(
        shared / "ipi-ppp" / "current_month.csv", "Mission_Country", "Mission_Country_ISO-3"
    )
    assert all(countries.resolve(name) == iso for name, iso in missions)
    assert ("South Sudan'", "SSD") in missions
    totals = _column(
        shared / "ipi-ppp" / "data_mission.csv", "Country of Mission", "Country of Mission ISO-3"
    )
    assert all(countries.resolve(name) == iso for name, iso in totals)


def test_fatality_nationalities_resolve_to_their_isocode3(
    shared: Path, countries: CountryResolver
) -> None:
    pairs = _column(
        shared / "un-psdata" / "DPPADPOSS-FATALITIES.csv", "casualty_nationality", "isocode3"
    )
    mismatched = {n: i for n, i in pairs if i and countries.resolve(n) != i}
    assert mismatched == {}
    without_code = {n for n, i in pairs if not i}
    assert without_code == {
        "Côte dIvoire",
        "ZZ [Undetermined]",
        "Türkiye",
        "",
        "Mauritius",
        "Viet Nam",
    }
    assert {n: countries.resolve(n) for n in without_code} == {
        "Côte dIvoire": "CIV",
        "ZZ [Undetermined]": None,
        "Türkiye": "TUR",
        "": None,
        "Mauritius": "MUS",
        "Viet Nam": "VNM",
    }
