"""Fixtures for the public-data parser tests.

Two kinds of input:

* ``quirks``: small excerpts of real lines kept in ``tests/importers/public/data/`` (always there);
* ``shared``: the full real files in ``../shared/data`` beside the repository root; tests that need
  them are skipped with a clear message where that folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wam.importers.public import CountryResolver, Deployment, ParseResult, parse_geopko

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED_DATA = (REPO_ROOT / ".." / "shared" / "data").resolve()
QUIRKS = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def quirks() -> Path:
    """Folder of the small real excerpts."""
    return QUIRKS


@pytest.fixture(scope="session")
def shared() -> Path:
    """Folder of the full real files, or skip."""
    if not (SHARED_DATA / "README.md").is_file():
        pytest.skip(f"../shared/data not found: {SHARED_DATA} (real-file tests need it)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def countries(shared: Path) -> CountryResolver:
    """Resolver over the full country-codes.csv."""
    return CountryResolver.from_csv(shared / "country-codes" / "country-codes.csv")


@pytest.fixture(scope="session")
def quirk_countries(quirks: Path) -> CountryResolver:
    """Resolver over the excerpt of country-codes.csv."""
    return CountryResolver.from_csv(quirks / "country_codes_quirks.csv")


@pytest.fixture(scope="session")
def geopko_full(
    shared: Path, countries: CountryResolver
) -> tuple[list[Deployment], ParseResult[Deployment]]:
    """geopko.csv parsed once for the session (it takes a second or two)."""
    result = parse_geopko(shared / "geopko" / "geopko.csv", countries)
    return result.collect(), result
