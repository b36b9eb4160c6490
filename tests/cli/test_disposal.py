"""`wam disposal` and `wam document`: the register's commands end to end, and `wam move` and
`wam import movements` refusing the kinds that only a register posts."""

from __future__ import annotations

import json

import pytest

from tests.builders import command_line, own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)
from tests.factories import ball_rounds, rifle

RIFLE_1 = rifle("56-00001").key
ROUNDS = ball_rounds().key


@pytest.fixture
def wam(world, db_url, capsys):  # noqa: ANN001, ANN201
    return command_line(db_url, capsys)


def test_it_drafts_approves_executes_and_shows_a_certificate(wam) -> None:  # noqa: ANN001
    code, out, err = wam("disposal", "draft", "--from", "GAO-ARM", "--line", "56-00001",
                         "--line", f"{ROUNDS}*250@GAO-ASP", "--method", "destruction", "--destruction", "cutting",
                         "--witness", "Capt. Diallo (UNMAS)", "--actor", "alice", "--json")
    assert code == 0, err
    drafted = json.loads(out)
    assert drafted["number"] == "DSP-000001" and drafted["state"] == "drafted"
    assert drafted["lines"] == [{"item": RIFLE_1, "quantity": 1, "from": "GAO-ARM", "to": "destroyed"},
                                {"item": ROUNDS, "quantity": 250, "from": "GAO-ASP", "to": "destroyed"}]
    code, _, err = wam("disposal", "approve", "DSP-000001", "--actor", "alice")
    assert code == 4 and "alice drafted DSP-000001: someone else must approve it" in err
    code, _, err = wam("disposal", "execute", "DSP-000001", "--actor", "bob")
    assert code == 4 and "is drafted; execute needs it approved" in err
    assert wam("disposal", "approve", "DSP-000001", "--actor", "bob")[0] == 0
    code, out, _ = wam("disposal", "execute", "DSP-000001", "--at", "2024-03-02T10:00:00Z", "--actor", "bob")
    assert code == 0 and "disposal certificate DSP-000001: executed (2 lines)" in out
    code, out, _ = wam("disposal", "show", "DSP-000001", "--json")
    shown = json.loads(out)
    assert [s["step"] for s in shown["steps"]] == ["draft", "approve", "execute"]
    assert [(e["kind"], e["target"], e["witness"]) for e in shown["entries"]] == [
        ("disposal", "destroyed", "Capt. Diallo (UNMAS)")] * 2
    assert shown["fields"]["occurred_at"].startswith("2024-03-02T10:00")
    code, out, _ = wam("disposal", "list", "--state", "executed", "--json")
    assert [d["number"] for d in json.loads(out)["items"]] == ["DSP-000001"]
    _, out, _ = wam("history", "56-00001", "--json")
    assert json.loads(out)["entries"][-1]["document"] == "DSP-000001"
    assert wam("verify")[0] == 0


def test_it_names_the_row_and_field_of_a_bad_line(wam) -> None:  # noqa: ANN001
    code, _, err = wam("disposal", "draft", "--line", "56-00001", "--line", "NO-SUCH-SERIAL@GAO-ARM",
                       "--method", "handover", "--host-state", "MLI", "--receipt", "R-1")
    assert code == 2 and "row 1, field 'from'" in err
    code, _, err = wam("disposal", "draft", "--from", "GAO-ARM", "--line", "56-00001", "--line", "NO-SUCH-SERIAL",
                       "--method", "handover", "--host-state", "MLI", "--receipt", "R-1")
    assert code == 2 and "row 2, field 'item'" in err
    code, _, err = wam("disposal", "draft", "--from", "GAO-ARM", "--line", "56-00001", "--method", "handover",
                       "--host-state", "MLI")
    assert code == 2 and "field 'receipt'" in err
    code, _, err = wam("disposal", "draft", "--from", "lost", "--line", "56-00001", "--method", "destruction",
                       "--destruction", "cutting", "--witness", "W")
    assert code == 2 and "row 1, field 'from'" in err
    assert json.loads(wam("disposal", "list", "--json")[1])["items"] == []


def test_generic_paths_refuse_a_disposal_naming_the_register(wam, tmp_path) -> None:  # noqa: ANN001
    code, _, err = wam("move", "--kind", "disposal", "--item", "56-00001", "--from", "GAO-ARM", "--to", "destroyed",
                       "--witness", "W")
    assert code == 2 and "a disposal is posted only through its register: wam disposal draft|approve|execute" in err
    path = tmp_path / "m.csv"
    path.write_text("kind,item,quantity,from,to,occurred_at,actor,witness,document,note,reason\n"
                    "loss,56-00001,1,GAO-ARM,lost,2024-02-01,armourer,,INC-1,,\n")
    code, _, err = wam("import", "movements", str(path))
    assert code == 2 and "row 2, field 'kind': a loss is posted only through its register: wam incidents report" in err


def test_it_records_and_posts_a_minimal_document(wam) -> None:  # noqa: ANN001
    code, out, err = wam("document", "step", "incident", "report", "--line", "56-00001@GAO-ARM",
                         "--field", "note=ambush near Ansongo", "--actor", "alice", "--json")
    assert code == 0, err
    number = json.loads(out)["number"]
    code, out, err = wam("document", "step", "incident", "post", number, "--at", "2024-03-01T12:00:00Z",
                         "--actor", "alice")
    assert code == 0, err
    assert wam("history", "56-00001", "--json")[1].count('"lost"') >= 1
    code, out, _ = wam("document", "show", "incident", number, "--json")
    assert json.loads(out)["state"] == "posted" and json.loads(out)["entries"][0]["note"] == "ambush near Ansongo"
    assert wam("verify")[0] == 0


@pytest.fixture
def accounts(ledger):  # noqa: ANN001, ANN201
    """A ledger with accounts: alice records at Gao, olga is a WAM officer over the mission, vera only views it."""
    from wam.domain.access import make_grant
    from wam.services.accounts import Accounts

    accounts = Accounts(ledger.engine)
    for name, role, holder in (("alice", "armourer", "GAO"), ("olga", "mission-officer", "MINUSMA"),
                               ("vera", "viewer", "MINUSMA"), ("nils", "mission-officer", "UNMISS")):
        accounts.add_user(name, "a long enough password")
        accounts.grant(name, make_grant(role=role, holder=holder), by="test")
    return accounts


def test_with_accounts_only_a_user_allowed_to_take_the_step_takes_it(wam, accounts) -> None:  # noqa: ANN001
    code, _, err = wam("disposal", "draft", "--from", "GAO-ARM", "--line", "56-00001", "--method", "destruction",
                       "--destruction", "cutting", "--witness", "Capt. Diallo", "--actor", "vera")
    assert code == 6 and "actor 'vera' may not draft" in err
    assert wam("disposal", "draft", "--from", "GAO-ARM", "--line", "56-00001", "--method", "destruction",
               "--destruction", "cutting", "--witness", "Capt. Diallo", "--actor", "alice")[0] == 0
    code, _, err = wam("disposal", "approve", "DSP-000001", "--actor", "bob")
    assert code == 6 and "actor 'bob' is not a user of this ledger" in err
    code, _, err = wam("disposal", "approve", "DSP-000001", "--actor", "vera")
    assert code == 6 and "actor 'vera' may not approve DSP-000001: your role does not allow this" in err
    code, _, err = wam("disposal", "approve", "DSP-000001", "--actor", "nils")  # an officer elsewhere
    assert code == 6 and "actor 'nils' may not approve DSP-000001: no grant at the holders" in err
    code, _, err = wam("disposal", "approve", "DSP-000001", "--actor", "alice")  # the drafter, and an armourer
    assert code == 6 and "actor 'alice' may not approve" in err
    code, _, err = wam("disposal", "approve", "DSP-000404", "--actor", "olga")
    assert code == 3 and "'DSP-000404' not found" in err
    accounts.set_active("olga", False)
    code, _, err = wam("disposal", "approve", "DSP-000001", "--actor", "olga")
    assert code == 6 and "actor 'olga' is a deactivated user" in err
    accounts.set_active("olga", True)
    _, out, _ = wam("disposal", "show", "DSP-000001", "--json")
    assert [s["step"] for s in json.loads(out)["steps"]] == ["draft"]  # nothing refused was written
    assert wam("disposal", "approve", "DSP-000001", "--actor", "olga")[0] == 0
    code, out, _ = wam("disposal", "execute", "DSP-000001", "--actor", "olga")
    assert code == 0 and "executed" in out
    _, out, _ = wam("disposal", "show", "DSP-000001", "--json")
    assert [(s["step"], s["by"]) for s in json.loads(out)["steps"]] == [
        ("draft", "alice"), ("approve", "olga"), ("execute", "olga")]


def test_with_accounts_the_drafter_still_never_approves(wam, accounts) -> None:  # noqa: ANN001
    assert wam("disposal", "draft", "--from", "GAO-ARM", "--line", "56-00001", "--method", "destruction",
               "--destruction", "cutting", "--witness", "Capt. Diallo", "--actor", "olga")[0] == 0
    code, _, err = wam("disposal", "approve", "DSP-000001", "--actor", "olga")
    assert code == 4 and "olga drafted DSP-000001: someone else must approve it" in err
    code, _, err = wam("document", "step", "disposal", "approve", "DSP-000001", "--actor", "ghost")
    assert code == 6 and "actor 'ghost' is not a user of this ledger" in err
