"""Dates at the edges through the command line: `wam move --at`, `wam import stock --at`,
`wam import movements`, `wam balance --at` (issue 9 finding 1, issue 8 item 3). Each refusal exits
2 with one line naming the field, and writes nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.builders import own_db_url_fixture, own_ledger_fixture, own_world_fixture, snapshot  # noqa: F401  (db_url, ledger, world)
from tests.factories import rifle
from wam.cli.main import run

YEAR_10000 = "9999-12-31T23:59:59-12:00"
STOCK_HEADER = ["holder", "type", "make", "model", "serial", "category", "calibre", "lot", "quantity",
                "hazard_division", "compatibility_group", "neq_kg"]
MOVEMENTS_HEADER = ["kind", "item", "quantity", "from", "to", "occurred_at", "actor", "witness", "document", "note",
                    "reason"]


@pytest.fixture
def wam(world, db_url, capsys, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.delenv("WAM_EARLIEST_OCCURRED_AT", raising=False)
    monkeypatch.delenv("WAM_FUTURE_TOLERANCE_MINUTES", raising=False)

    def call(*args: str) -> tuple[int, str, str]:
        code = run(["--db", db_url, *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return call


def _stock(path: Path) -> Path:
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([STOCK_HEADER, ["GAO-ARM", "weapon", "Norinco", "Type 56", "OLD-1",
                                                     "assault rifle", "7.62x39mm", "", "", "", "", ""]])
    return path


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("at, words", [
    (YEAR_10000, "outside the dates the ledger can keep"),
    ("0001-01-01T00:00:00+01:00", "outside the dates the ledger can keep"),
    ("2999-12-31", "the time of recording plus 10 minutes"),
    ("1900-01-01", "the earliest date this ledger accepts"),
])
def test_wam_move_refuses_a_time_outside_the_window(wam, world, at: str, words: str) -> None:  # noqa: ANN001
    before = snapshot(world.ledger)
    code, _, err = wam("move", "--kind", "issue", "--item", "56-00001", "--from", "GAO-ARM", "--to", "PTE-RAHMAN",
                       "--at", at)
    assert code == 2, err
    line = _one_line(err)
    assert "field 'at'" in line or "field 'occurred_at'" in line, line
    assert words in line
    assert snapshot(world.ledger) == before


@pytest.mark.parametrize("at", ["1900-01-01", "2999-01-01", YEAR_10000])
def test_wam_import_stock_refuses_its_date_and_writes_nothing(wam, world, tmp_path, at: str) -> None:  # noqa: ANN001
    before = snapshot(world.ledger)
    code, _, err = wam("import", "stock", str(_stock(tmp_path / "stock.csv")), "--at", at)
    assert code == 2, err
    assert "field 'at'" in _one_line(err)
    assert snapshot(world.ledger) == before and world.ledger.find_items("OLD-1") == []


def test_wam_import_stock_takes_an_old_date_when_the_setting_allows_it(wam, world, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("WAM_EARLIEST_OCCURRED_AT", "1900-01-01")
    code, _, err = wam("import", "stock", str(_stock(tmp_path / "stock.csv")), "--at", "1900-01-01")
    assert code == 0, err
    code, out, _ = wam("history", "OLD-1", "--json")
    assert code == 0 and '"occurred_at": "1900-01-01T23:59:59.999999Z"' in out, out


def test_wam_import_movements_names_the_line_and_field_of_each_bad_time(wam, world, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "m.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([
            MOVEMENTS_HEADER,
            ["issue", "56-00001", "1", "GAO-ARM", "PTE-RAHMAN", "2024-01-03T07:00:00Z", "", "", "", "", ""],
            ["issue", "56-00002", "1", "GAO-ARM", "PTE-RAHMAN", YEAR_10000, "", "", "", "", ""],
            ["issue", "56-00003", "1", "GAO-ARM", "PTE-RAHMAN", "2999-01-01", "", "", "", "", ""],
            ["return", "56-00001", "1", "PTE-RAHMAN", "GAO-ARM", "1900-01-01", "", "", "", "", ""],
        ])
    before = snapshot(world.ledger)
    code, _, err = wam("import", "movements", str(path))
    assert code == 2, err
    for line in (3, 4, 5):
        assert f"row {line}, field 'occurred_at'" in err, err
    assert snapshot(world.ledger) == before


@pytest.mark.parametrize("command", [["balance", "GAO-ARM", "--at"], ["balance", "GAO-ARM", "--json", "--at"]])
def test_wam_balance_refuses_an_at_it_cannot_keep(wam, command: list[str]) -> None:  # noqa: ANN001
    code, _, err = wam(*command, YEAR_10000)
    assert code == 2 and "field 'at'" in _one_line(err), err


def test_history_and_balance_still_read_after_the_refusals(wam, world) -> None:  # noqa: ANN001
    wam("move", "--kind", "issue", "--item", "56-00001", "--from", "GAO-ARM", "--to", "PTE-RAHMAN", "--at", YEAR_10000)
    for args in (["history", "56-00001"], ["history", rifle("56-00001").key, "--json"],
                 ["balance", "GAO-ARM", "--at", "9998-12-31"], ["balance", "GAO-ARM"]):
        code, _, err = wam(*args)
        assert code == 0, (args, err)
