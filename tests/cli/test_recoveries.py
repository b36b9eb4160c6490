"""``wam recoveries match`` (issue 12): one read or a file of reads, in words or JSON."""

from __future__ import annotations

import json

import pytest

from tests.builders import command_line, own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)


@pytest.fixture
def wam(world, db_url, capsys):  # noqa: ANN001, ANN201
    world.move("loss", world.rifles[0], "GAO-ARM", "lost", days=1, document="INC-000001")
    return command_line(db_url, capsys)


def test_one_read_names_the_lost_weapon_and_its_incident(wam) -> None:  # noqa: ANN001
    code, out, _ = wam("recoveries", "match", "--serial", "56-ОООО1", "--model", "type 56", "--json")
    assert code == 0
    [answer] = json.loads(out)["reads"]
    [hit] = answer["candidates"]
    assert (hit["weapon"], hit["status"], hit["last_holder"]) == ("W|NORINCO|TYPE 56|56-00001", "lost", "GAO-ARM")
    assert hit["incident"].startswith("INC-") and "Cyrillic О to O" in hit["reason"]
    code, out, _ = wam("recoveries", "match", "--serial", "56 00002")
    assert code == 0 and "held by GAO-ARM" in out and "1.000" in out


def test_a_file_of_reads(wam, tmp_path) -> None:  # noqa: ANN001
    reads = tmp_path / "cache.csv"
    reads.write_text("serial,make,model,calibre\n56-0O003,Norinco,Type 56,7.62x39\n99-99999,,,\n", encoding="utf-8")
    code, out, _ = wam("recoveries", "match", "--file", str(reads), "--json")
    assert code == 0
    first, second = json.loads(out)["reads"]
    assert [c["weapon"] for c in first["candidates"]] == ["W|NORINCO|TYPE 56|56-00003"]
    assert "same make, model and calibre" in first["candidates"][0]["reason"]
    assert second["candidates"] == []


def test_it_needs_a_serial_or_a_file(wam) -> None:  # noqa: ANN001
    code, _, err = wam("recoveries", "match", "--json")
    assert code == 2 and "give --serial or --file" in err


# the register (wam recoveries register|list|show|mark|trace|confirm|reject|dispose|oversight|export) --------

REGISTER = ("recoveries", "register", "--to", "GAO-ARM", "--how", "checkpoint", "--recovered-at", "2024-03-01T10:00Z",
            "--place", "checkpoint north of Gao", "--lat", "16.3", "--lon", "-0.05", "--unit", "1st BANBAT patrol",
            "--from-whom", "a driver, as reported", "--witness", "Lt Karim", "--make", "Norinco", "--model", "Type 56",
            "--calibre", "7.62x39mm")


def test_register_mark_trace_export_and_dispose(wam, tmp_path) -> None:  # noqa: ANN001
    photo = tmp_path / "marks.jpg"
    photo.write_bytes(b"\xff\xd8 a photograph")
    items = tmp_path / "cache.json"
    items.write_text(json.dumps([{"type": "ammunition", "calibre": "7.62x39mm", "quantity": 40,
                                  "markings": {"headstamp": "71 78"}}]), encoding="utf-8")
    code, out, err = wam(*REGISTER, "--serial", "56-OOOO1", "--items", str(items), "--photo", str(photo),
                         "--actor", "alice", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert (shown["id"], shown["state"], shown["weapons"], shown["rounds"]) == ("REC-000001", "posted", 1, 40)
    assert shown["custody"][0]["movements"][0]["from"] == "recovered:checkpoint"
    [candidate] = shown["items"][0]["candidates"]
    assert candidate["weapon"] == "W|NORINCO|TYPE 56|56-00001" and candidate["status"] == "lost"
    code, out, err = wam("recoveries", "mark", "REC-000001", "--line", "1", "--mark", "MINUSMA-R-000123",
                         "--actor", "alice")
    assert code == 0, err and "mark MINUSMA-R-000123" in out
    code, out, _ = wam("recoveries", "match", "--mark", "MINUSMA R OOO123", "--json")
    assert code == 0 and json.loads(out)["candidates"][0]["recovery"] == "REC-000001"
    code, _, err = wam("recoveries", "trace", "REC-000001", "send", "--actor", "alice")
    assert code == 4 and "send needs it drafted" in err
    code, _, err = wam("recoveries", "trace", "REC-000001", "draft", "--actor", "alice")
    assert code == 2 and "to" in err
    assert wam("recoveries", "trace", "REC-000001", "draft", "--to", "CHN", "--basis", "manufacture",
               "--actor", "alice")[0] == 0
    assert wam("recoveries", "trace", "REC-000001", "send", "--reference", "TR/1", "--actor", "alice")[0] == 0
    target = tmp_path / "trace.json"
    code, _, err = wam("recoveries", "export", "REC-000001", "--trace", "-o", str(target))
    assert code == 0, err
    request = json.loads(target.read_text(encoding="utf-8"))
    assert (request["addressed_to"], request["status"], request["reference"]) == ("CHN", "sent", "TR/1")
    assert request["items"][0]["mission_mark"] == "MINUSMA-R-000123" and request["photos"][0]["sha256"]
    code, out, _ = wam("recoveries", "confirm", "REC-000001", "--line", "1", "--weapon", "W|NORINCO|TYPE 56|56-00001",
                       "--actor", "alice", "--json")
    assert code == 0 and json.loads(out)["items"][0]["match"]["incident"] == "INC-000001"
    code, _, err = wam("recoveries", "dispose", "REC-000001", "--method", "destruction", "--destruction", "cutting",
                       "--actor", "alice")
    assert code == 2 and "witness" in err
    assert wam("recoveries", "dispose", "REC-000001", "--method", "destruction", "--destruction", "cutting",
               "--witness", "UNMAS officer", "--actor", "alice")[0] == 0
    code, _, err = wam("recoveries", "dispose", "REC-000001", "--step", "approve", "--actor", "alice")
    assert code == 4 and "someone else" in err
    assert wam("recoveries", "dispose", "REC-000001", "--step", "approve", "--actor", "bob")[0] == 0
    code, out, _ = wam("recoveries", "dispose", "REC-000001", "--step", "execute", "--actor", "bob", "--json")
    shown = json.loads(out)
    assert shown["disposed"] and shown["disposal"]["state"] == "executed"
    assert [m["to"] for m in shown["custody"][0]["movements"]] == ["GAO-ARM", "destroyed"]
    code, out, _ = wam("recoveries", "list")
    assert code == 0 and "REC-000001 disposal" in out and "destruction DSP-000001 (executed)" in out


def test_list_oversight_and_export(wam, tmp_path) -> None:  # noqa: ANN001
    assert wam(*REGISTER, "--serial", "KA-1", "--actor", "alice")[0] == 0
    assert wam(*REGISTER, "--serial", "KA-2", "--actor", "alice")[0] == 0
    code, _, err = wam("recoveries", "dispose", "REC-000002", "--method", "retention", "--actor", "alice")
    assert code == 2 and "reason" in err
    assert wam("recoveries", "dispose", "REC-000002", "--method", "retention", "--reason", "evidence",
               "--actor", "alice")[0] == 0
    code, out, _ = wam("recoveries", "list", "--overdue", "--json")
    assert [r["id"] for r in json.loads(out)["recoveries"]] == ["REC-000001"]
    code, out, _ = wam("recoveries", "oversight", "--json")
    assert [r["id"] for r in json.loads(out)["disposal_overdue"]] == ["REC-000001"]
    code, out, _ = wam("recoveries", "oversight")
    assert code == 0 and "disposal overdue: REC-000001" in out
    code, out, _ = wam("recoveries", "export")
    assert [r["id"] for r in json.loads(out)["recoveries"]] == ["REC-000001", "REC-000002"]
    code, out, _ = wam("recoveries", "show", "REC-000002")
    assert code == 0 and "REC-000002 retained" in out and "custody 1:" in out


def test_register_refusals_name_the_field(wam) -> None:  # noqa: ANN001
    code, _, err = wam(*REGISTER, "--actor", "alice")
    assert code == 2 and "--serial" in err
    code, _, err = wam(*REGISTER, "--serial", "56-00002", "--actor", "alice")
    assert code == 2 and "held (GAO-ARM)" in err
    code, _, err = wam(*REGISTER[:-6], "--serial", "X-1", "--lat", "100", "--actor", "alice")
    assert code == 2 and "latitude" in err


@pytest.fixture
def accounts(ledger):  # noqa: ANN001, ANN201
    """alice records at Gao, olga is a WAM officer over the mission, vera views it, nils is an officer elsewhere."""
    from wam.domain.access import make_grant
    from wam.services.accounts import Accounts

    accounts = Accounts(ledger.engine)
    for name, role, holder in (("alice", "armourer", "GAO"), ("olga", "mission-officer", "MINUSMA"),
                               ("vera", "viewer", "MINUSMA"), ("nils", "mission-officer", "UNMISS")):
        accounts.add_user(name, "a long enough password")
        accounts.grant(name, make_grant(role=role, holder=holder), by="test")
    return accounts


def test_with_accounts_the_actors_grants_decide(wam, accounts) -> None:  # noqa: ANN001
    code, _, err = wam(*REGISTER, "--serial", "KA-1", "--actor", "vera")
    assert code == 6 and "actor 'vera' may not register a recovery" in err
    assert wam(*REGISTER, "--serial", "KA-1", "--actor", "alice")[0] == 0
    code, _, err = wam("recoveries", "mark", "REC-000001", "--line", "1", "--mark", "M-1", "--actor", "nils")
    assert code == 6 and "actor 'nils' may not mark REC-000001" in err
    assert wam("recoveries", "mark", "REC-000001", "--line", "1", "--mark", "M-1", "--actor", "alice")[0] == 0
    assert wam("recoveries", "dispose", "REC-000001", "--method", "destruction", "--destruction", "cutting",
               "--witness", "UNMAS officer", "--actor", "alice")[0] == 0
    code, _, err = wam("recoveries", "dispose", "REC-000001", "--step", "approve", "--actor", "alice")
    assert code == 6 and "actor 'alice' may not approve the disposal of REC-000001" in err
    assert wam("recoveries", "dispose", "REC-000001", "--step", "approve", "--actor", "olga")[0] == 0
    code, out, _ = wam("recoveries", "dispose", "REC-000001", "--step", "execute", "--actor", "olga", "--json")
    assert code == 0 and json.loads(out)["disposed"]
