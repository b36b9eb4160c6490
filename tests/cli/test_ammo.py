"""``wam ammo``: the calculators against the reference's worked values, mixing in words and JSON, a store's
survey and the check that exits 1 on a breach."""

from __future__ import annotations

import json

import pytest

from tests.builders import command_line, own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)
from tests.factories import make_item


@pytest.fixture
def wam(world, db_url, capsys):  # noqa: ANN001, ANN201
    return command_line(db_url, capsys)


def test_the_calculators(wam) -> None:  # noqa: ANN001
    code, out, _ = wam("ammo", "distance", "--neq", "1000", "--json")
    sites = {s["kind"]: s for s in json.loads(out)["sites"]}
    assert code == 0 and sites["inhabited_building"]["distance_m"] == 222.0 and sites["other_store"]["k"] is None
    assert sites["public_traffic_route"]["provisional"] and "[S]" in sites["public_traffic_route"]["source"]
    code, out, _ = wam("ammo", "max-neq", "--distance", "400", "--json")
    assert {s["kind"]: s["max_neq_kg"] for s in json.loads(out)["sites"]}["inhabited_building"] == 5849.5
    code, out, _ = wam("ammo", "mixing", "N", "1.1C")
    assert code == 0 and "conditional" in out and "considered as CG D" in out
    code, out, _ = wam("ammo", "mixing", "K", "S", "--json")
    assert json.loads(out)["verdict"] == "forbidden"
    code, _, err = wam("ammo", "mixing", "M", "A")
    assert code == 2 and "'M' is not a compatibility group" in err
    code, _, err = wam("ammo", "distance", "--neq", "zero")
    assert code == 2 and "field 'neq'" in err


def test_a_survey_and_the_check(wam, world) -> None:  # noqa: ANN001
    code, out, _ = wam("ammo", "check", "--json")
    assert code == 0 and json.loads(out)["in_breach"] == []
    bombs = make_item(type="ammunition", make="Expal", model="HE 81mm", lot="E-81", calibre="81mm",
                      hazard_division="1.1", compatibility_group="D", neq_kg="1")
    world.ledger.register_items([bombs])
    world.move("receipt", bombs, "supply:BGD", "GAO-ASP", quantity=1000, days=1)
    code, out, _ = wam("ammo", "distances", "GAO-ASP", "inhabited_building=200", "--actor", "maj.sy")
    assert code == 0 and "IN BREACH" in out and "needs 222.0 m" in out
    code, out, _ = wam("ammo", "check", "--store", "GAO-ASP", "--json")
    assert code == 1 and json.loads(out)["in_breach"] == ["GAO-ASP"]
    code, _, err = wam("ammo", "distances", "GAO-ASP", "inhabited_building")
    assert code == 2 and "KIND=METRES" in err


def test_an_override_a_suspension_and_the_holders_of_a_lot(wam, world) -> None:  # noqa: ANN001
    from datetime import timedelta

    from tests.factories import T0
    from wam.domain.errors import InvalidInput

    toxic = make_item(type="ammunition", make="X", model="irritant", lot="K-9", calibre="40mm",
                      hazard_division="1.2", compatibility_group="K", neq_kg="0.1")
    world.ledger.register_items([toxic])
    with pytest.raises(InvalidInput, match="may not be stored with group K"):  # next to the ball rounds (S)
        world.move("receipt", toxic, "supply:BGD", "GAO-ASP", quantity=10, days=1)
    code, out, _ = wam("ammo", "override", "GAO-ASP", toxic.key, "--reason", "awaiting demolition", "--actor", "maj.sy")
    assert code == 0 and f"override recorded: {toxic.key} in GAO-ASP" in out
    world.move("receipt", toxic, "supply:BGD", "GAO-ASP", quantity=10, days=1)
    code, out, _ = wam("ammo", "check", "--store", "GAO-ASP")
    assert code == 1 and "override: L|X|IRRITANT|K-9 by maj.sy" in out and "awaiting demolition" in out
    since = (T0 + timedelta(days=2)).date().isoformat()
    code, out, _ = wam("ammo", "suspend", toxic.key, "--reason", "leaking canisters", "--since", since,
                       "--code", "J", "--json")
    assert code == 0 and json.loads(out)["holders"] == [
        {"holder": "GAO-ASP", "name": json.loads(out)["holders"][0]["name"], "kind": "store", "quantity": 10}]
    with pytest.raises(InvalidInput, match="is suspended"):
        world.move("issue", toxic, "GAO-ASP", "PTE-RAHMAN", quantity=1, days=3)
    code, out, _ = wam("ammo", "suspended")
    assert code == 0 and "suspended from 2024-01-03" in out and "GAO-ASP" in out
    code, out, _ = wam("ammo", "release", toxic.key, "--reason", "tested safe", "--since", "2024-01-05")
    assert code == 0 and "released from 2024-01-05" in out
    world.move("issue", toxic, "GAO-ASP", "PTE-RAHMAN", quantity=1, days=5)
    code, out, _ = wam("ammo", "holders", toxic.key, "--json")
    assert [c["status"] for c in json.loads(out)["history"]] == ["suspended", "released"]
    assert {h["holder"]: h["quantity"] for h in json.loads(out)["holders"]} == {"GAO-ASP": 9, "PTE-RAHMAN": 1}
    code, _, err = wam("ammo", "suspend", toxic.key, "--reason", "x", "--code", "Q")
    assert code == 2 and "field 'code'" in err


def test_with_accounts_only_who_approves_at_the_store_decides(wam, world) -> None:  # noqa: ANN001
    """The trial's finding: any --actor (or the login name) recorded overrides, suspensions and surveys."""
    from wam.domain.access import make_grant
    from wam.services.accounts import Accounts

    accounts = Accounts(world.ledger.engine)
    for name, role, holder in (("alice", "armourer", "GAO"), ("olga", "mission-officer", "MINUSMA"),
                               ("vera", "viewer", "MINUSMA"), ("nils", "mission-officer", "UNMISS")):
        accounts.add_user(name, "a long enough password")
        accounts.grant(name, make_grant(role=role, holder=holder), by="test")
    lot = world.rounds.key
    for actor in ("vera", "alice", "nils", "ghost"):
        code, _, err = wam("ammo", "override", "GAO-ASP", lot, "--reason", "x", "--actor", actor)
        assert code == 6 and f"actor '{actor}'" in err, (actor, err)
        code, _, err = wam("ammo", "suspend", lot, "--reason", "x", "--actor", actor)
        assert code == 6 and f"actor '{actor}'" in err, (actor, err)
        code, _, err = wam("ammo", "distances", "GAO-ASP", "inhabited_building=5000", "--actor", actor)
        assert code == 6 and f"actor '{actor}'" in err, (actor, err)
    code, out, _ = wam("ammo", "check", "--json")
    assert json.loads(out)["stores"][0]["overrides"] == [] and json.loads(out)["stores"][0]["distances"] == []
    assert wam("ammo", "override", "GAO-ASP", lot, "--reason", "x", "--actor", "olga")[0] == 0
    assert wam("ammo", "suspend", lot, "--reason", "misfires", "--actor", "olga")[0] == 0
    assert wam("ammo", "distances", "GAO-ASP", "inhabited_building=500", "--actor", "olga")[0] == 0
