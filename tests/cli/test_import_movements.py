"""`wam import movements`: a history of movements from a spreadsheet, all or nothing, every bad
row reported with its line and column, read back by `wam history` and `wam balance`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.builders import command_line, own_db_url_fixture, own_ledger_fixture, own_world_fixture, snapshot  # noqa: F401  (db_url, ledger, world)
from tests.factories import ball_rounds, rifle
from wam.cli.main import run

HEADER = ["kind", "item", "quantity", "from", "to", "occurred_at", "actor", "witness", "document", "note", "reason"]
RIFLE_1, RIFLE_2 = rifle("56-00001").key, rifle("56-00002").key
ROUNDS = ball_rounds().key


@pytest.fixture
def wam(world, db_url, capsys):  # noqa: ANN001, ANN201
    return command_line(db_url, capsys)


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def row(kind: str, item: str, quantity: object, source: str, target: str, at: str, **extra: str) -> list[object]:
    return [kind, item, quantity, source, target, at, extra.get("actor", "armourer"), extra.get("witness", ""),
            extra.get("document", ""), extra.get("note", ""), extra.get("reason", "")]


# Every kind a file may post through the generic path (loss, recovery, adjustment and disposal go
# through their registers), weapons named by serial or key, ammunition by key.
HISTORY = [
    row("receipt", ROUNDS, 500, "supply:BGD", "GAO-ASP", "2024-01-02T08:00:00Z", note="resupply"),
    row("issue", "56-00001", 1, "GAO-ARM", "PTE-RAHMAN", "2024-01-03T07:00:00Z", witness="Sgt Alam"),
    row("return", "56-00001", "", "PTE-RAHMAN", "GAO-ARM", "2024-01-03T19:00:00Z"),
    row("transfer", RIFLE_2, 1, "GAO-ARM", "ANSONGO-ARM", "2024-01-04T10:00:00Z", document="TV-2024-001"),
    row("expenditure", ROUNDS, 120, "GAO-ASP", "expended", "2024-01-05", reason="training"),
]


def test_it_imports_every_kind_and_reads_it_back(wam, tmp_path):
    code, out, _ = wam("import", "movements", str(write_csv(tmp_path / "m.csv", HISTORY)))
    assert code == 0 and "imported 5 movements" in out and "(5 rows read)" in out
    _, out, _ = wam("history", "56-00001", "--json")
    entries = json.loads(out)["entries"]
    assert [(e["kind"], e["source"], e["target"], e["actor"]) for e in entries][-2:] == [
        ("issue", "GAO-ARM", "PTE-RAHMAN", "armourer"), ("return", "PTE-RAHMAN", "GAO-ARM", "armourer")]
    assert entries[-2]["witness"] == "Sgt Alam"
    _, out, _ = wam("balance", "GAO-ASP", "--json")
    assert [(b["item"], b["quantity"]) for b in json.loads(out)["lines"]] == [(ROUNDS, 10_000 + 500 - 120)]
    _, out, _ = wam("balance", "ANSONGO-ARM", "--json")
    assert [b["item"] for b in json.loads(out)["lines"]] == [RIFLE_2]
    code, out, _ = wam("verify")
    assert code == 0


def test_it_imports_xlsx_and_fills_a_blank_actor(wam, tmp_path, world):
    book = Workbook()
    book.active.append(HEADER)
    book.active.append(["transfer", "56-00003", 1, "GAO-ARM", "JUBA-ARM", "2024-02-01", None, None, None, None, None])
    book.save(tmp_path / "m.xlsx")
    code, out, _ = wam("import", "movements", str(tmp_path / "m.xlsx"), "--actor", "clerk")
    assert code == 0 and "imported 1 movements" in out
    latest = world.ledger.entries(limit=1)[0]
    assert (latest.target, latest.actor) == ("JUBA-ARM", "clerk")


def test_it_reports_every_bad_row_with_its_line_and_column_and_writes_nothing(wam, tmp_path, world):
    before = snapshot(world.ledger)
    rows = [
        HISTORY[0],  # line 2: fine
        row("borrow", "56-00001", 1, "GAO-ARM", "PTE-RAHMAN", "2024-01-03"),  # 3: kind
        row("issue", "XX-999", 1, "GAO-ARM", "PTE-RAHMAN", "2024-01-03"),  # 4: no such serial
        row("transfer", ROUNDS, 0, "GAO-ASP", "GAO-ARM", "2024-01-03"),  # 5: quantity
        row("transfer", ROUNDS, 5, "GAO-ASP", "GAO-ARM", "3 January"),  # 6: date
        row("transfer", ROUNDS, 5, "GAO-ASP", "KIDAL-ARM", "2024-01-03"),  # 7: no such holder
        row("issue", "56-00002", 1, "ANSONGO-ARM", "SGT-DIOP", "2024-01-03"),  # 8: law 1, not held there
        row("transfer", ROUNDS, 99_999, "GAO-ASP", "GAO-ARM", "2024-01-03"),  # 9: law 2, more than held
        row("issue", "56-00001", 1, "GAO-ARM", "GAO-ASP", "2024-01-03"),  # 10: an issue goes to a person
        row("transfer", ROUNDS, 5, "supply:BGD", "GAO-ARM", "2024-01-03"),  # 11: from supply is a receipt
        row("issue", "56-00003", 1, "GAO-ARM", "PTE-RAHMAN", "2024-01-03"),  # 12: fine
    ]
    code, _, err = wam("import", "movements", str(write_csv(tmp_path / "m.csv", rows)))
    assert code == 2
    lines = err.splitlines()
    assert [line.split(":")[1].strip() for line in lines[:-1]] == [
        "row 3, field 'kind'", "row 4, field 'item'", "row 5, field 'quantity'", "row 6, field 'occurred_at'",
        "row 7, field 'to'", "row 8, field 'item'", "row 9, field 'quantity'", "row 10, field 'to'",
        "row 11, field 'from'",
    ]
    assert lines[-1] == "wam: error: 9 bad row(s); nothing was imported"
    assert snapshot(world.ledger) == before


def test_rows_after_a_refused_one_are_checked_as_if_it_were_absent(wam, tmp_path):
    rows = [
        row("issue", "56-00001", 1, "ANSONGO-ARM", "SGT-DIOP", "2024-01-03"),  # 2: law 1, held by GAO-ARM
        row("issue", "56-00001", 1, "GAO-ARM", "PTE-RAHMAN", "2024-01-04"),  # 3: fine once 2 is left out
        row("return", "56-00001", 1, "SGT-DIOP", "ANSONGO-ARM", "2024-01-05"),  # 4: law 1, PTE-RAHMAN has it
    ]
    code, _, err = wam("import", "movements", str(write_csv(tmp_path / "m.csv", rows)))
    assert code == 2
    assert [line.split(":")[1].strip() for line in err.splitlines()[:-1]] == [
        "row 2, field 'item'", "row 4, field 'item'"]
    assert "law 1" in err


def test_a_blank_quantity_is_one_weapon_but_never_one_round(wam, tmp_path, world):
    # a lot's quantity left blank (an XLSX formula cell saved without its value) must not move 1 round
    before = snapshot(world.ledger)
    rows = [
        row("issue", "56-00001", "", "GAO-ARM", "PTE-RAHMAN", "2024-01-03"),  # 2: a weapon: 1
        row("transfer", ROUNDS, "", "GAO-ASP", "GAO-ARM", "2024-01-03"),  # 3: a lot: refused
        row("issue", ROUNDS, "", "GAO-ARM", "PTE-RAHMAN", "2024-01-03"),  # 4: as row 2 but a lot (the fast path)
    ]
    code, _, err = wam("import", "movements", str(write_csv(tmp_path / "m.csv", rows)))
    assert code == 2
    for number, line in zip((3, 4), err.splitlines(), strict=False):
        assert line == (f"wam: row {number}, field 'quantity': is required for a lot (only a weapon's may be "
                        "left blank, meaning 1)")
    assert snapshot(world.ledger) == before
    code, _, _ = wam("import", "movements", str(write_csv(tmp_path / "w.csv", rows[:1])))
    assert code == 0 and world.ledger.custodian(rifle("56-00001").key) == "PTE-RAHMAN"


def test_a_reversal_row_cites_the_entry_it_undoes_in_a_reverses_column(wam, tmp_path, world):
    # the README lists reversal among a file's kinds: its row needs the entry's id, in its own column
    code, _, _ = wam("import", "movements", str(write_csv(tmp_path / "m.csv", HISTORY[:2])))
    assert code == 0
    [issue] = world.ledger.entries(limit=1)
    path = tmp_path / "r.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([
            [*HEADER, "reverses"],
            [*row("reversal", "56-00001", 1, "PTE-RAHMAN", "GAO-ARM", "2024-01-03T08:00:00Z", note="wrong soldier"),
             issue.uid],
            [*row("issue", "56-00002", 1, "GAO-ARM", "SGT-DIOP", "2024-01-03T09:00:00Z"), ""],  # no reversal: blank
        ])
    code, _, err = wam("import", "movements", str(path))
    assert code == 0, err
    assert world.ledger.custodian(rifle("56-00001").key) == "GAO-ARM"
    [undone] = [e for e in world.ledger.entries(limit=2) if e.kind == "reversal"]
    assert undone.reverses == issue.uid and undone.note == "wrong soldier"
    # the same row again: an entry is reversed once, and the error names the column
    code, _, err = wam("import", "movements", str(path))
    assert code == 2 and "row 2, field 'reverses'" in err and "already been reversed" in err


def test_a_header_error_is_reported_before_any_row(wam, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("kind,item,quantity,from,to\nissue,56-00001,1,GAO-ARM,PTE-RAHMAN\n")
    code, _, err = wam("import", "movements", str(path))
    assert code == 2 and "missing column(s): occurred_at" in err and "row 1" in err


@pytest.mark.parametrize("width", ["80", "60"])
def test_help_shows_the_whole_header(monkeypatch, capsys, width: str) -> None:  # noqa: ANN001
    """The columns are listed in full, never cut with an ellipsis (at 80 columns on one line, to copy)."""
    monkeypatch.setenv("COLUMNS", width)
    monkeypatch.setenv("TERMINAL_WIDTH", width)
    assert run(["import", "movements", "--help"]) == 0
    text = capsys.readouterr().out
    assert "…" not in text
    lines = [line.strip(" │") for line in text.splitlines()]
    if width == "80":
        assert ",".join(HEADER) in lines
    else:
        assert ",".join(HEADER) in "".join(lines)


def test_a_row_longer_than_the_header_is_reported_with_the_other_bad_rows(wam, tmp_path, world):
    """A row with a value past the header's last column is one bad row among others: the rows
    after it are still checked and every bad one is listed, as the command's help says."""
    before = snapshot(world.ledger)
    path = tmp_path / "m.csv"
    path.write_text("kind,item,quantity,from,to,occurred_at\n"
                    "issue,56-00001,1,GAO-ARM,PTE-RAHMAN,2024-01-03,surplus\n"  # line 2: a seventh value
                    "borrow,56-00002,1,GAO-ARM,PTE-RAHMAN,2024-01-03\n"  # 3: kind
                    "issue,56-00003,1,GAO-ARM,PTE-RAHMAN,2024-01-03\n")  # 4: fine
    code, _, err = wam("import", "movements", str(path))
    assert code == 2
    assert [line.split(":")[1].strip() for line in err.splitlines()[:-1]] == [
        "row 2, field 'row'", "row 3, field 'kind'"]
    assert "has 7 values but the header has 6 columns" in err
    assert snapshot(world.ledger) == before


def test_a_mistyped_column_is_named_with_the_missing_one(wam, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("kind,item,quantity,from,to,occurred at\nissue,56-00001,1,GAO-ARM,PTE-RAHMAN,2024-01-03\n")
    code, _, err = wam("import", "movements", str(path))
    assert code == 2 and "missing column(s): occurred_at; unknown column(s): occurred at" in err


def test_a_column_named_twice_is_refused(wam, tmp_path, world):
    before = snapshot(world.ledger)
    path = tmp_path / "m.csv"
    path.write_text("kind,item,quantity,from,to,occurred_at,item\nissue,56-00001,1,GAO-ARM,PTE-RAHMAN,2024-01-03,56-00002\n")
    code, _, err = wam("import", "movements", str(path))
    assert code == 2 and "column(s) named more than once: item" in err
    assert snapshot(world.ledger) == before


@pytest.mark.parametrize(("actor", "said"), [
    ("a\x07b", "contains a control character that is not allowed"),
    ("Capt A\u200bB", "contains an invisible character (U+200B) that is not allowed"),
    ("x" * 101, "is longer than 100 characters"), (" ", "is required")])
def test_a_bad_actor_option_is_refused_before_any_row_even_when_every_row_names_its_own(wam, tmp_path, world,
                                                                                        actor, said):
    """--actor was checked only when a row left its actor blank: it is checked first, as a row's actor is."""
    before = snapshot(world.ledger)
    code, out, err = wam("import", "movements", str(write_csv(tmp_path / "m.csv", HISTORY)), "--actor", actor)
    assert code == 2 and "imported" not in out
    assert "'actor'" in err and said in err and "row" not in err
    assert snapshot(world.ledger) == before

