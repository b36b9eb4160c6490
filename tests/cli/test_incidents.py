"""`wam incidents report|list|show|advance|export` end to end, and `wam move` refusing a loss naming the register."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.builders import command_line, own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)
from tests.factories import ball_rounds, rifle

RIFLE_1 = rifle("56-00001").key
ROUNDS = ball_rounds().key
REPORT = ("incidents", "report", "--site", "GAO", "--started-at", "2024-03-01T02:00:00Z", "--mission", "minusma",
          "--contingent", "1st BANBAT:BGD", "--circumstance", "fixed_site", "--mechanism", "theft_burglary",
          "--ownership", "COE", "--narrative", "armoury door forced at night", "--source", "SINREP 2024-061")


@pytest.fixture
def wam(world, db_url, capsys):  # noqa: ANN001, ANN201
    return command_line(db_url, capsys)


def test_it_reports_lists_advances_shows_and_exports(wam, tmp_path) -> None:  # noqa: ANN001
    code, out, err = wam(*REPORT, "--line", "56-00001@GAO-ARM", "--line", f"{ROUNDS}*600@GAO-ASP",
                         "--actor", "alice", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert (shown["id"], shown["step"], shown["weapons_lost"], shown["rounds_lost"], shown["notable"]) == (
        "INC-000001", "reported", 1, 600, True)
    assert [(e["kind"], e["item"], e["from"]) for e in shown["entries"]] == [
        ("loss", RIFLE_1, "GAO-ARM"), ("loss", ROUNDS, "GAO-ASP")]
    code, out, err = wam("incidents", "list", "--json")
    assert code == 0, err
    [row] = json.loads(out)["incidents"]
    for name in ("id", "started_at", "ended_at", "reported_at", "mission", "circumstance", "mechanism", "ownership",
                 "notable", "board_of_inquiry_required", "step", "weapons_lost", "rounds_lost"):
        assert name in row
    assert (row["mission"], row["board_of_inquiry_required"]) == ("MINUSMA", False)
    assert json.loads(wam("incidents", "list", "--mechanism", "ambush", "--json")[1])["incidents"] == []
    _, out, _ = wam("incidents", "list", "--notable", "--since", "2024-03-01", "--json")
    assert len(json.loads(out)["incidents"]) == 1
    code, _, err = wam("incidents", "advance", "INC-000001", "investigate", "--investigator", "Maj. Sy",
                       "--actor", "bob")
    assert code == 0, err
    code, _, err = wam("incidents", "advance", "INC-000001", "close", "--outcome", "written_off", "--actor", "bob")
    assert code == 4 and "is under_investigation; close needs it findings" in err
    assert wam("incidents", "advance", "INC-000001", "findings", "--findings", "lock broken", "--actor", "bob")[0] == 0
    code, _, err = wam("incidents", "advance", "INC-000001", "close", "--outcome", "written_off", "--actor", "alice")
    assert code == 4 and "alice reported this incident: someone else must approve its write-off" in err
    code, out, _ = wam("incidents", "advance", "INC-000001", "close", "--outcome", "written_off", "--actor", "bob")
    assert code == 0 and "INC-000001 closed" in out
    code, out, _ = wam("incidents", "show", "INC-000001", "--json")
    assert [(s["step"], s["by"]) for s in json.loads(out)["steps"]] == [
        ("report", "alice"), ("post", "alice"), ("investigate", "bob"), ("findings", "bob"), ("close", "bob")]
    code, out, _ = wam("incidents", "export", "--format", "csv")
    assert code == 0
    [exported] = list(csv.DictReader(io.StringIO(out)))
    assert (exported["id"], exported["step"], exported["notable"]) == ("INC-000001", "closed", "true")
    path = tmp_path / "incidents.json"
    assert wam("incidents", "export", "--format", "json", "--output", str(path))[0] == 0
    assert json.loads(path.read_text())["incidents"][0]["outcome"] == "written_off"
    code, _, err = wam("incidents", "export", "--format", "xml")
    assert code == 2 and "format" in err
    assert wam("verify")[0] == 0


def test_refusals_name_the_row_and_field(wam) -> None:  # noqa: ANN001
    code, _, err = wam(*REPORT, "--line", "56-00001@GAO-ARM", "--line", "56-00002@ANSONGO-ARM")
    assert code == 2 and "row 2" in err and "from" in err
    code, _, err = wam(*REPORT, "--line", "56-00001@GAO-ARM", "--line", "56-00002@PTE-RAHMAN")  # not issued to him
    assert code != 0 and "line 2, field 'item'" in err
    code, _, err = wam(*REPORT[:-2], "--line", "56-00001@GAO-ARM", "--killed", "-1")
    assert code == 2 and "killed" in err
    assert json.loads(wam("incidents", "list", "--json")[1])["incidents"] == []


def test_wam_move_refuses_a_loss_naming_wam_incidents_report(wam) -> None:  # noqa: ANN001
    code, _, err = wam("move", "--kind", "loss", "--item", "56-00001", "--from", "GAO-ARM", "--to", "lost")
    assert code == 2 and "a loss is posted only through its register: wam incidents report" in err


def test_it_keeps_evidence_files(wam, tmp_path) -> None:  # noqa: ANN001
    import hashlib

    photo = tmp_path / "door.jpg"
    photo.write_bytes(b"\xff\xd8\xff door")
    code, out, err = wam(*REPORT, "--line", "56-00001@GAO-ARM", "--evidence", str(photo), "--json")
    assert code == 0, err
    assert json.loads(out)["fields"]["evidence"] == [
        ["door.jpg", hashlib.sha256(photo.read_bytes()).hexdigest(), 8, "image/jpeg"]]
    code, _, err = wam(*REPORT, "--line", "56-00002@GAO-ARM", "--evidence", str(tmp_path / "missing.jpg"))
    assert code == 2 and "evidence" in err
    assert wam("verify")[0] == 0


def test_with_accounts_a_ghost_or_a_viewer_neither_reports_nor_closes(wam, ledger) -> None:  # noqa: ANN001
    from wam.domain.access import make_grant
    from wam.services.accounts import Accounts

    accounts = Accounts(ledger.engine)
    for name, role in (("alice", "armourer"), ("olga", "mission-officer"), ("vera", "viewer")):
        accounts.add_user(name, "a long enough password")
        accounts.grant(name, make_grant(role=role, holder="MINUSMA"), by="test")
    code, _, err = wam(*REPORT, "--line", "56-00001@GAO-ARM", "--actor", "ghost")
    assert code == 6 and "actor 'ghost' is not a user of this ledger" in err
    code, _, err = wam(*REPORT, "--line", "56-00001@GAO-ARM", "--actor", "vera")
    assert code == 6 and "actor 'vera' may not report an incident" in err
    assert wam("incidents", "list", "--json")[1].count("INC-") == 0  # nothing refused was written
    assert wam(*REPORT, "--line", "56-00001@GAO-ARM", "--actor", "alice")[0] == 0
    for step, extra in (("investigate", ["--investigator", "Maj. Sy"]), ("findings", ["--findings", "lock broken"])):
        assert wam("incidents", "advance", "INC-000001", step, *extra, "--actor", "olga")[0] == 0
    code, _, err = wam("incidents", "advance", "INC-000001", "close", "--outcome", "written_off", "--actor", "ghost")
    assert code == 6 and "actor 'ghost' is not a user of this ledger" in err
    code, _, err = wam("incidents", "advance", "INC-000001", "close", "--outcome", "written_off", "--actor", "vera")
    assert code == 6 and "actor 'vera' may not close INC-000001" in err
    code, out, _ = wam("incidents", "advance", "INC-000001", "close", "--outcome", "written_off", "--actor", "olga",
                       "--json")
    assert code == 0 and json.loads(out)["step"] == "closed"
