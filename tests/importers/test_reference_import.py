"""`wam import geopko|ipi|un-missions|un-fatalities`: real files and quirk excerpts, run twice.

The quirk excerpts are the parser tests' (tests/importers/public/data: real lines, unedited); the
real files are read from ../shared/data and those tests skip with a message where it is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from wam.cli.main import run
from wam.services.ledger import Ledger
from wam.storage import reference_tables as r

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
QUIRKS = Path(__file__).resolve().parent / "public" / "data"
COUNTRIES = Path(__file__).resolve().parents[2] / "src" / "wam" / "demo" / "data" / "country-codes-monusco.csv"


def _import(capsys, db_url: str, command: str, path: Path, *extra: str) -> dict:  # noqa: ANN001
    capsys.readouterr()
    code = run(["--db", db_url, "import", command, str(path), "--json", *extra])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


@pytest.fixture
def db(db_url: str) -> str:
    assert run(["--db", db_url, "init"]) == 0
    return db_url


def _count(db_url: str, table) -> int:  # noqa: ANN001
    led = Ledger.open(db_url)
    with led.engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(table)).scalar()
    led.engine.dispose()
    return n


QUIRK_CASES = [
    ("geopko", "geopko_quirks.csv", ("--countries", str(QUIRKS / "country_codes_quirks.csv"))),
    ("ipi", "current_month_quirks.csv", ()),
    ("ipi", "data_mission_quirks.csv", ()),
    ("un-missions", "pko_quirks.csv", ()),
    ("un-fatalities", "fatalities_quirks.csv", ("--countries", str(QUIRKS / "country_codes_quirks.csv"))),
]


@pytest.mark.parametrize(("command", "name", "extra"), QUIRK_CASES, ids=[c[1] for c in QUIRK_CASES])
def test_quirk_excerpt_imports_once(capsys, db: str, command: str, name: str, extra: tuple) -> None:  # noqa: ANN001
    first = _import(capsys, db, command, QUIRKS / name, *extra)
    assert first["read"] > 0
    assert sum(first["added"].values()) > 0
    for s in first["skipped"]:
        assert s["line"] >= 2 and s["reason"]
    second = _import(capsys, db, command, QUIRKS / name, *extra)
    assert second["read"] == first["read"]
    assert all(n == 0 for n in second["added"].values()), second["added"]
    assert second["skipped"] == first["skipped"]


def test_geopko_builds_mission_contingent_site_tree(capsys, db: str) -> None:  # noqa: ANN001
    _import(capsys, db, "geopko",
            Path(__file__).resolve().parents[2] / "src/wam/demo/data/geopko-monusco-2017-2018.csv",
            "--countries", str(COUNTRIES))
    led = Ledger.open(db)
    goma = led.holder("MONUSCO-IND-GOMA")
    assert goma.kind.value == "site" and goma.parent == "MONUSCO-IND" and goma.latitude is not None
    contingent = led.holder("MONUSCO-IND")
    assert contingent.kind.value == "contingent" and contingent.country == "IND" and contingent.parent == "MONUSCO"
    assert led.holder("MONUSCO").parent == "UN"
    with led.engine.connect() as conn:
        troops = conn.execute(select(r.strength.c.troops).where(
            r.strength.c.contingent == "MONUSCO-IND",
            r.strength.c.month == __import__("datetime").date(2018, 12, 1))).scalar()
    led.engine.dispose()
    assert troops and troops > 1000  # the Indian contingent's strength on the 2018-12 map


def test_missing_file_is_one_clear_error(capsys, db: str) -> None:  # noqa: ANN001
    assert run(["--db", db, "import", "geopko", "/nonexistent/geopko.csv"]) == 2
    assert "no such file" in capsys.readouterr().err


REAL_CASES = [
    ("geopko", "geopko/geopko.csv", 12190, r.deployments),
    ("ipi", "ipi-ppp/current_month.csv", 573, r.strength),
    ("ipi", "ipi-ppp/data_mission.csv", 5330, r.mission_strength),
    ("un-missions", "un-psdata/DPPADPOSS-PKO.csv", 81, r.operations),
    ("un-fatalities", "un-psdata/DPPADPOSS-FATALITIES.csv", 4429, r.fatalities),
]


@pytest.mark.parametrize(("command", "rel", "rows", "table"), REAL_CASES, ids=[c[1] for c in REAL_CASES])
def test_real_file_imports_once(capsys, db: str, command: str, rel: str, rows: int, table) -> None:  # noqa: ANN001
    if not (SHARED / "README.md").is_file():
        pytest.skip(f"../shared/data not found at {SHARED}: real-file import tests need it")
    first = _import(capsys, db, command, SHARED / rel)
    assert first["read"] == rows
    stored = _count(db, table)
    assert stored > 0
    second = _import(capsys, db, command, SHARED / rel)
    assert all(n == 0 for n in second["added"].values()), second["added"]
    assert _count(db, table) == stored
    if command == "geopko":
        # the parser's 6 'MA' slots and the presences whose country is unknown, each with its line
        assert len(first["skipped"]) == 203
        assert all(s["line"] > 1 for s in first["skipped"])
        # every site row and every TCC slot is kept, even where a place has two rows on one map
        from wam.importers.public import CountryResolver, parse_geopko

        countries = CountryResolver.from_csv(SHARED / "country-codes" / "country-codes.csv")
        deployments = list(parse_geopko(SHARED / rel, countries))
        assert stored == len(deployments) + sum(len(d.contingents) for d in deployments)
