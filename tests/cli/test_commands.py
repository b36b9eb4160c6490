"""The command line, as a quartermaster and an auditor use it, through ``wam.cli.main.run``."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.builders import drop_guards, fresh_db_url, own_db_url_fixture, own_ledger_fixture, own_world_fixture, tamper  # noqa: F401  (db_url, ledger, world)
from tests.factories import HOLDERS, ball_rounds, rifle
from wam.cli.main import run
from wam.services.ledger import Ledger

RIFLE = rifle("56-00001").key
ROUNDS = ball_rounds().key
HOLDER_HEADER = ["code", "name", "kind", "parent", "country", "latitude", "longitude"]
STOCK_HEADER = ["holder", "type", "make", "model", "serial", "category", "calibre", "lot", "quantity",
                "hazard_division", "compatibility_group", "neq_kg"]
STOCK = [
    ["GAO-ARM", "weapon", "Norinco", "Type 56", "56-00001", "assault rifle", "7.62x39mm", "", "", "", "", ""],
    ["GAO-ARM", "weapon", "Norinco", "Type 56", "56-00002", "assault rifle", "7.62x39mm", "", "1", "", "", ""],
    ["GAO-ASP", "ammunition", "POF", "7.62x39mm ball", "", "", "7.62x39mm", "POF-2021-07", "10000", "1.4", "S",
     "0.0016"],
    ["ANSONGO-ARM", "weapon", "Norinco", "Type 56", "56-00003", "assault rifle", "7.62x39mm", "", "", "", "", ""],
    ["JUBA-ARM", "equipment", "Harris", "AN/PRC-152", "HR-9912", "radio", "", "", "", "", "", ""],
]


def caller(url: str, capsys):  # noqa: ANN001, ANN201
    def call(*args: str) -> tuple[int, str, str]:
        code = run(["--db", url, *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return call


@pytest.fixture(autouse=True)
def _terminal(monkeypatch, tmp_path_factory) -> None:  # noqa: ANN001
    # the key apart from the database's folder (wam refuses to create it there: wam.services.keys)
    monkeypatch.setenv("WAM_SIGNING_KEY", str(tmp_path_factory.mktemp("keys") / "signing-key.pem"))
    monkeypatch.delenv("WAM_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")  # tables as wide as they need, as on a desk's terminal


@pytest.fixture
def wam(db_url, capsys):  # noqa: ANN001, ANN201
    """Run ``wam --db <the test database> ...``; return (exit code, stdout, stderr)."""
    return caller(db_url, capsys)


@pytest.fixture
def blank_wam(capsys):  # noqa: ANN001, ANN201
    """The same on a database with no tables at all."""
    with fresh_db_url() as url:
        yield caller(url, capsys)


def write_csv(path: Path, header: list[str], rows: list[list[object]], *, bom: bool = False) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    book.save(path)
    return path


def holder_rows() -> list[list[object]]:
    rows = [[c, n, k, p or "", ctry or "", "", ""] for c, n, k, p, ctry in HOLDERS]
    rows[4][5:7] = ["16.27", "-0.04"]  # GAO camp
    return rows


@pytest.fixture
def stocked(wam, tmp_path):  # noqa: ANN001, ANN201
    """An initialised ledger with the holder tree and opening stock, through the command line."""
    assert wam("init", "--name", "MINUSMA")[0] == 0
    assert wam("import", "holders", str(write_csv(tmp_path / "holders.csv", HOLDER_HEADER, holder_rows())))[0] == 0
    code, _, err = wam("import", "stock", str(write_csv(tmp_path / "stock.csv", STOCK_HEADER, STOCK)),
                       "--at", "2024-01-01", "--actor", "clerk")
    assert code == 0, err
    return wam


def head(db_url: str) -> tuple[int, bytes]:
    ledger = Ledger.open(db_url)
    try:
        return ledger.head()
    finally:
        ledger.engine.dispose()


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("wam: ")
    return lines[0]


# --- init -------------------------------------------------------------------------------------------
def test_it_inits_a_ledger_once(wam, db_url):
    code, out, _ = wam("init", "--name", "MINUSMA Sector East")
    assert code == 0 and out.startswith("ledger ") and "ready in" in out
    ledger_id = out.split()[1]
    assert wam("init")[1].split()[1] == ledger_id
    assert head(db_url) == (0, bytes(32))


def test_it_says_to_init_first(blank_wam):
    code, _, err = blank_wam("balance", "GAO-ARM")
    assert code == 2
    line = one_error_line(err)
    # an SQLite file that does not exist is named (and not created); a server database has no tables
    assert re.fullmatch(r"wam: error: (the database has no ledger yet|\S+ does not exist): "
                        r"run `wam (--db \S+ )?init` first", line), line


# --- import holders ---------------------------------------------------------------------------------
def test_it_imports_holders_from_csv(wam, tmp_path, db_url):
    wam("init")
    code, out, _ = wam("import", "holders", str(write_csv(tmp_path / "holders.csv", HOLDER_HEADER, holder_rows())))
    assert code == 0 and f"imported {len(HOLDERS)} holders" in out
    ledger = Ledger.open(db_url)
    try:
        gao = ledger.holder("GAO")
        assert (gao.kind.value, gao.parent, gao.latitude, gao.longitude) == ("site", "BGD-BATT", 16.27, -0.04)
        assert ledger.holder("SEN-BATT").country == "SEN"
    finally:
        ledger.engine.dispose()


def test_it_imports_holders_from_xlsx_with_children_before_parents(wam, tmp_path, db_url):
    wam("init")
    rows = list(reversed(holder_rows()))
    rows = [[c, n, k, p or None, ctry or None, float(lat) if lat else None, float(lon) if lon else None]
            for c, n, k, p, ctry, lat, lon in rows]
    code, out, _ = wam("import", "holders", str(write_xlsx(tmp_path / "holders.xlsx", HOLDER_HEADER, rows)))
    assert code == 0 and f"imported {len(HOLDERS)} holders" in out
    ledger = Ledger.open(db_url)
    try:
        assert [h.code for h in ledger.subtree("GAO")] == ["GAO", "GAO-ARM", "GAO-ASP", "PTE-RAHMAN"]
        assert ledger.holder("GAO").latitude == 16.27
    finally:
        ledger.engine.dispose()


def test_it_reports_every_bad_holder_row_and_imports_none(wam, tmp_path, db_url):
    wam("init")
    rows = holder_rows()
    rows[2][2] = "region"  # SEC-EAST: no such kind (line 4)
    rows[3][4] = ""  # BGD-BATT: a contingent without country (line 5)
    rows[4][5] = "95"  # GAO: latitude out of range (line 6)
    code, _, err = wam("import", "holders", str(write_csv(tmp_path / "holders.csv", HOLDER_HEADER, rows)))
    assert code == 2
    lines = err.splitlines()
    assert lines[0].startswith("wam: row 4, field 'kind': 'region' is not a holder kind")
    assert lines[1].startswith("wam: row 5, field 'country': a contingent needs its contributing country")
    assert lines[2].startswith("wam: row 6, field 'latitude': 95.0 is outside")
    assert lines[3] == "wam: error: 3 bad row(s); nothing was imported"
    assert len(lines) == 4
    ledger = Ledger.open(db_url)
    try:
        assert ledger.children(None) == []
    finally:
        ledger.engine.dispose()


def test_it_reports_a_holder_whose_parent_is_missing(wam, tmp_path):
    wam("init")
    rows = holder_rows()[1:]  # no UN
    code, _, err = wam("import", "holders", str(write_csv(tmp_path / "holders.csv", HOLDER_HEADER, rows)))
    assert code == 2
    assert one_error_line(err) == "wam: error: row 2, field 'parent': parent 'UN' does not exist"


# --- import stock -----------------------------------------------------------------------------------
def test_it_imports_opening_stock_as_receipts_from_each_contingents_country(stocked, db_url):
    ledger = Ledger.open(db_url)
    try:
        entries = list(reversed(ledger.entries(limit=100)))
        assert [(e.kind, e.source, e.target, e.quantity, e.actor, e.note) for e in entries] == [
            ("receipt", "supply:BGD", "GAO-ARM", 1, "clerk", "opening stock"),
            ("receipt", "supply:BGD", "GAO-ARM", 1, "clerk", "opening stock"),
            ("receipt", "supply:BGD", "GAO-ASP", 10_000, "clerk", "opening stock"),
            ("receipt", "supply:SEN", "ANSONGO-ARM", 1, "clerk", "opening stock"),
            ("receipt", "supply:NPL", "JUBA-ARM", 1, "clerk", "opening stock"),
        ]
        assert ledger.item(ROUNDS).hazard_division == "1.4"
        assert ledger.verify().ok
    finally:
        ledger.engine.dispose()


def test_it_imports_stock_from_xlsx(wam, tmp_path, db_url):
    wam("init")
    wam("import", "holders", str(write_csv(tmp_path / "holders.csv", HOLDER_HEADER, holder_rows())))
    rows = [[None if v == "" else v for v in r] for r in STOCK]
    rows[2][8] = 10000  # a number cell, as a spreadsheet keeps it
    rows[2][9] = 1.4
    code, out, _ = wam("import", "stock", str(write_xlsx(tmp_path / "stock.xlsx", STOCK_HEADER, rows)),
                       "--at", "2024-01-01T06:00:00Z")
    assert code == 0 and "imported 5 stock lines" in out
    assert head(db_url)[0] == 5


def test_it_reports_every_bad_stock_row_and_writes_nothing(wam, tmp_path, db_url):
    wam("init")
    wam("import", "holders", str(write_csv(tmp_path / "holders.csv", HOLDER_HEADER, holder_rows())))
    before = head(db_url)
    rows = [list(r) for r in STOCK]
    rows[0][1] = "cannon"  # line 2: type
    rows[1][4] = ""  # line 3: a weapon without serial
    rows[2][8] = "0"  # line 4: quantity
    rows[3][0] = "KIDAL-ARM"  # line 5: no such holder
    rows.append(["GAO-ASP", "ammunition", "POF", "ball", "", "", "", "LOT-9", "50", "", "", ""])  # line 7: no HD
    rows.append(["GAO-ASP", "ammunition", "POF", "ball", "", "", "", "LOT-9", "50", "1.4", "Q", ""])  # line 8: CG
    rows.append(["GAO", "weapon", "FN", "FAL", "F-1", "", "", "", "2", "", "", ""])  # line 9: quantity of a weapon
    rows.append(["UN", "weapon", "FN", "FAL", "F-2", "", "", "", "", "", "", ""])  # line 10: no country above UN
    code, _, err = wam("import", "stock", str(write_csv(tmp_path / "stock.csv", STOCK_HEADER, rows)))
    assert code == 2
    lines = err.splitlines()
    assert [line.split(":")[1].strip() for line in lines[:-1]] == [
        "row 2, field 'type'", "row 3, field 'serial'", "row 4, field 'quantity'", "row 5, field 'holder'",
        "row 7, field 'hazard_division'", "row 8, field 'compatibility_group'", "row 9, field 'quantity'",
        "row 10, field 'holder'",
    ]
    assert lines[-1] == "wam: error: 8 bad row(s); nothing was imported"
    assert head(db_url) == before
    ledger = Ledger.open(db_url)
    try:
        assert ledger.find_items("56-00003") == []  # not even the good rows' items
    finally:
        ledger.engine.dispose()


def test_it_reports_a_weapon_listed_twice_and_writes_nothing(wam, tmp_path, db_url):
    wam("init")
    wam("import", "holders", str(write_csv(tmp_path / "holders.csv", HOLDER_HEADER, holder_rows())))
    rows = [*STOCK, STOCK[0]]
    code, _, err = wam("import", "stock", str(write_csv(tmp_path / "stock.csv", STOCK_HEADER, rows)))
    assert code == 2
    assert err.splitlines()[0].startswith("wam: row 7, field ")
    assert "law 1" in err.splitlines()[0]
    assert head(db_url) == (0, bytes(32))


def test_it_refuses_a_stock_file_with_a_bad_header(wam, tmp_path, db_url):
    wam("init")
    wam("import", "holders", str(write_csv(tmp_path / "holders.csv", HOLDER_HEADER, holder_rows())))
    header = [h if h != "model" else "modle" for h in STOCK_HEADER]
    code, _, err = wam("import", "stock", str(write_csv(tmp_path / "stock.csv", header, STOCK)))
    assert code == 2
    assert one_error_line(err).startswith(
        "wam: error: row 1, field 'header': missing column(s): model; unknown column(s): modle (expected holder, ")
    assert head(db_url) == (0, bytes(32))


# --- move -------------------------------------------------------------------------------------------
def test_it_records_a_movement(stocked):
    code, out, _ = stocked("move", "--kind", "transfer", "--item", ROUNDS, "--from", "GAO-ASP", "--to",
                           "ANSONGO-ARM", "-q", "600", "--at", "2024-01-02T08:00:00Z", "--actor", "clerk", "--json")
    assert code == 0
    entry = json.loads(out)
    assert (entry["seq"], entry["kind"], entry["quantity"], entry["source"], entry["target"]) == (
        6, "transfer", 600, "GAO-ASP", "ANSONGO-ARM")
    assert entry["occurred_at"] == "2024-01-02T08:00:00.000000Z"
    assert entry["id"].endswith(":6") and len(entry["hash"]) == 64


def test_it_finds_a_weapon_by_serial_alone(stocked):
    code, out, _ = stocked("move", "--kind", "issue", "--item", "56-00001", "--from", "GAO-ARM", "--to",
                           "PTE-RAHMAN", "--at", "2024-01-02T08:00:00Z")
    assert code == 0
    assert "recorded entry 6 (" in out and f"issue 1 x {RIFLE} GAO-ARM -> PTE-RAHMAN" in out


def test_it_refuses_a_movement_breaking_a_law_in_one_line(stocked, db_url):
    before = head(db_url)
    code, _, err = stocked("move", "--kind", "transfer", "--item", ROUNDS, "--from", "GAO-ASP", "--to", "JUBA-ARM",
                           "-q", "10001", "--at", "2024-01-02T08:00:00Z")
    assert code == 4
    refused = f"wam: error: law 2: GAO-ASP holds 10000 of {ROUNDS} at that moment; cannot move 10001"
    assert one_error_line(err) == refused
    assert head(db_url) == before


@pytest.mark.parametrize("quantity", ["1_0", "+2", "\u0663", "\uff11"])
def test_a_quantity_is_read_as_a_file_reads_it(stocked, db_url, quantity):
    """`wam move -q 1_0` moved ten where `wam import movements` refuses the same text: both now
    read a quantity in the digits 0-9 only, with the same message."""
    before = head(db_url)
    code, _, err = stocked("move", "--kind", "transfer", "--item", ROUNDS, "--from", "GAO-ASP", "--to", "JUBA-ARM",
                           "-q", quantity, "--at", "2024-01-02T08:00:00Z")
    assert code == 2
    assert one_error_line(err) == f"wam: error: field 'quantity': {quantity!r} is not a whole number"
    assert head(db_url) == before


def test_it_refuses_a_weapon_moved_by_who_does_not_hold_it(stocked):
    code, _, err = stocked("move", "--kind", "transfer", "--item", "56-00003", "--from", "GAO-ARM", "--to",
                           "JUBA-ARM", "--at", "2024-01-02T08:00:00Z")
    assert code == 4
    assert "law 1:" in one_error_line(err) and "held by ANSONGO-ARM, not by GAO-ARM" in err


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--kind", "transfer", "--item", ROUNDS, "--from", "GAO-ASP", "--to", "KIDAL"], 3, "holder 'KIDAL' not found"),
        (["--kind", "expenditure", "--item", ROUNDS, "--from", "GAO-ASP", "--to", "expended"], 2, "field 'reason'"),
        (["--kind", "loss", "--item", ROUNDS, "--from", "GAO-ASP", "--to", "lost"], 2,
         "field 'kind': a loss is posted only through its register: wam incidents report"),
        (["--kind", "transfer", "--item", "99-99999", "--from", "GAO-ASP", "--to", "JUBA-ARM"], 2,
         "no item has serial '99-99999'"),
        (["--kind", "transfer", "--item", "99-\u041e9999", "--from", "GAO-ASP", "--to", "JUBA-ARM"], 2,
         "(read as 99-O9999 after mapping look-alike letters to Latin ones)"),
        (["--kind", "transfer", "--item", ROUNDS, "--from", "GAO-ASP", "--to", "JUBA-ARM", "--at", "last tuesday"],
         2, "field 'at'"),
        (["--kind", "teleport", "--item", ROUNDS, "--from", "GAO-ASP", "--to", "JUBA-ARM"], 2, "field 'kind'"),
    ],
)
def test_it_explains_a_bad_movement_in_one_line(stocked, args, code, words):
    got, _, err = stocked("move", *args)
    assert got == code
    assert words in one_error_line(err)


def test_it_reports_a_usage_error_without_a_traceback(stocked):
    code, out, err = stocked("move", "--kind", "transfer")
    assert code != 0
    assert "Traceback" not in out + err


@pytest.mark.parametrize("args", [["move", "--kind", "transfer"], ["balance"], ["move", "-q", "many"],
                                  ["balance", "GAO-ARM", "--colour"]])
def test_it_reports_a_usage_error_as_a_usage_error(stocked, args):
    code, _, err = stocked(*args)
    assert code == 2
    assert "internal error" not in err


# --- balance and history -------------------------------------------------------------------------------
def test_it_shows_a_balance_as_json(stocked):
    code, out, _ = stocked("balance", "GAO-ARM", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["holder"], data["at"], data["tree"]) == ("GAO-ARM", None, False)
    assert sorted((line["item"], line["quantity"], line["type"]) for line in data["lines"]) == [
        (RIFLE, 1, "weapon"), (rifle("56-00002").key, 1, "weapon")]


def test_it_shows_a_subtree_balance(stocked):
    data = json.loads(stocked("balance", "SEC-EAST", "--tree", "--json")[1])
    assert {(line["holder"], line["quantity"]) for line in data["lines"]} == {
        ("GAO-ARM", 1), ("GAO-ASP", 10_000), ("ANSONGO-ARM", 1)}


def test_it_shows_a_balance_at_a_past_date(stocked):
    stocked("move", "--kind", "transfer", "--item", ROUNDS, "--from", "GAO-ASP", "--to", "ANSONGO-ARM", "-q", "600",
            "--at", "2024-01-05T08:00:00Z")
    at_date = json.loads(stocked("balance", "GAO-ASP", "--at", "2024-01-04", "--json")[1])
    assert at_date["at"] == "2024-01-04"
    assert [line["quantity"] for line in at_date["lines"]] == [10_000]
    assert [line["quantity"] for line in json.loads(stocked("balance", "GAO-ASP", "--at", "2024-01-05",
                                                            "--json")[1])["lines"]] == [9_400]
    before_stock = json.loads(stocked("balance", "GAO-ASP", "--at", "2023-12-31", "--json")[1])
    assert before_stock["lines"] == []


def test_it_shows_a_balance_as_a_table(stocked):
    code, out, _ = stocked("balance", "GAO-ASP")
    assert code == 0
    assert "POF 7.62x39mm ball lot POF-2021-07" in out and "10,000" in out


def test_it_says_when_nothing_is_held(stocked):
    assert "nothing held" in stocked("balance", "SGT-DIOP")[1]


def test_it_shows_an_items_history_as_json(stocked):
    stocked("move", "--kind", "issue", "--item", "56-00001", "--from", "GAO-ARM", "--to", "PTE-RAHMAN", "--at",
            "2024-01-02T08:00:00Z", "--document", "ISS-7")
    stocked("move", "--kind", "return", "--item", "56-00001", "--from", "PTE-RAHMAN", "--to", "GAO-ARM", "--at",
            "2024-01-02T18:00:00Z")
    code, out, _ = stocked("history", "56-00001", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["item"] == RIFLE
    assert [(e["kind"], e["source"], e["target"], e["document"]) for e in data["entries"]] == [
        ("receipt", "supply:BGD", "GAO-ARM", None), ("issue", "GAO-ARM", "PTE-RAHMAN", "ISS-7"),
        ("return", "PTE-RAHMAN", "GAO-ARM", None)]


def test_it_shows_history_as_a_table(stocked):
    code, out, _ = stocked("history", RIFLE)
    assert code == 0 and "receipt" in out and "supply:BGD" in out


# --- verify and checkpoints -------------------------------------------------------------------------
def test_it_verifies_the_balance_marks_on_request(stocked, db_url):
    assert stocked("move", "--kind", "transfer", "--item", "56-00001", "--from", "GAO-ARM", "--to", "ANSONGO-ARM",
                   "--at", "2024-03-05", "--actor", "clerk")[0] == 0
    assert stocked("checkpoint")[0] == 0  # signs, and builds the monthly marks
    code, out, _ = stocked("verify", "--marks")
    assert code == 0, out
    ledger = Ledger.open(db_url)
    try:
        tamper(ledger.engine, "UPDATE balance_marks SET quantity = quantity + 5")
    finally:
        ledger.engine.dispose()
    assert stocked("verify")[0] == 0
    code, out, _ = stocked("verify", "--marks")
    assert code == 1
    assert "[marks]" in out and "the entries give" in out


def test_it_verifies_then_reports_tampering(stocked, db_url):
    code, out, _ = stocked("verify")
    assert code == 0
    assert out.strip().endswith("verified 5 entries, 0 checkpoint(s): ok")
    ledger = Ledger.open(db_url)
    try:
        drop_guards(ledger.engine)
        tamper(ledger.engine, "UPDATE entries SET quantity = 9000 WHERE seq = 3")
    finally:
        ledger.engine.dispose()
    code, out, _ = stocked("verify")
    assert code == 1
    assert "entry 3: content does not match its hash" in out
    assert "append-only guard" in out
    assert "problem(s)" in out.splitlines()[-1]
    code, out, _ = stocked("verify", "--json")
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False and 3 in {p["seq"] for p in data["problems"]}
    assert {"chain", "law 4", "law 5"} <= {p["check"] for p in data["problems"]}


def test_it_signs_exports_and_checks_checkpoints(stocked, tmp_path, db_url):
    exported = tmp_path / "oversight.json"
    code, out, _ = stocked("checkpoint", "--export", str(exported))
    assert code == 0 and "signed checkpoint at entry 5" in out and str(exported) in out
    assert json.loads(exported.read_text())["checkpoints"][0]["seq"] == 5
    code, out, _ = stocked("verify", "--checkpoints", str(exported))
    assert code == 0 and "2 checkpoint(s): ok" in out

    # the tail is cut and the head rewritten to match; the stored checkpoint is gone too
    ledger = Ledger.open(db_url)
    try:
        entries = list(reversed(ledger.entries(limit=100)))
        drop_guards(ledger.engine)
        tamper(ledger.engine, "DELETE FROM entries WHERE seq > 3")
        tamper(ledger.engine, "DELETE FROM checkpoints")
        tamper(ledger.engine, "UPDATE chain_head SET seq = 3, hash = :h", h=entries[2].hash)
    finally:
        ledger.engine.dispose()
    code, out, _ = stocked("verify", "--checkpoints", str(exported), "--json")
    assert code == 1
    problems = json.loads(out)["problems"]
    assert any(p["check"] == "checkpoint" and "truncated behind a signed checkpoint" in p["message"] for p in problems)


def test_it_prints_a_checkpoint_as_json(stocked):
    code, out, _ = stocked("checkpoint", "--json")
    assert code == 0
    assert set(json.loads(out)) == {"ledger", "seq", "head_hash", "signed_at", "public_key", "signature",
                                    "records_seq", "records_hash", "number", "prev_checkpoint"}


def test_it_imports_a_checkpoint_file(stocked, tmp_path):
    exported = tmp_path / "oversight.json"
    stocked("checkpoint", "--export", str(exported))
    code, out, _ = stocked("checkpoint", "--import", str(exported))
    assert code == 0 and "stored 0 checkpoint(s)" in out


def test_it_refuses_a_checkpoint_file_that_is_not_one(stocked, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    code, _, err = stocked("verify", "--checkpoints", str(bad))
    assert code == 2
    assert "is not a wam-checkpoints/v1 file" in one_error_line(err)
