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
