"""Ammunition stores against the IATG rules (wam.services.ammo): what a store holds by division and group,
its aggregate and NEQ from the ledger's balances, forbidden and conditional mixing, recorded distances (a
survey is a record: the last one counts, every one is kept), and the refusals of bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import make_item
from wam.domain.errors import InvalidInput, NotFound
from wam.services import ammo, records


def _lot(lot: str, division: str, group: str, neq: str | None, model: str = "HE 60mm") -> object:
    return make_item(type="ammunition", make="Expal", model=model, lot=lot, calibre="60mm",
                     hazard_division=division, compatibility_group=group, neq_kg=neq)


def test_a_store_of_small_arms_rounds_is_hd_14_and_in_no_breach(ledger, world) -> None:  # noqa: ANN001
    [store] = ammo.check(ledger, "GAO-ASP")
    assert (store.aggregate.division, store.aggregate.neq_kg) == ("1.4", Decimal("16.0000"))  # 10,000 x 0.0016 kg
    assert store.breaches == [] and store.mixing == []
    assert store.as_dict()["lots"][0]["neq_kg"] == "16.0000"


def test_mixing_and_aggregation_follow_what_the_store_holds(ledger, world) -> None:  # noqa: ANN001
    bombs, smoke, toxic, odd = (_lot("B-1", "1.1", "D", "0.6"), _lot("S-1", "1.3", "G", "0.2", "smoke"),
                                _lot("K-1", "1.2", "K", "1.0", "toxic"), _lot("X-1", "1.1", "D", None, "x"))
    ledger.register_items([bombs, smoke, toxic, odd])
    for item, qty in ((bombs, 500), (smoke, 100), (odd, 5)):
        world.move("receipt", item, "supply:BGD", "GAO-ASP", quantity=qty, days=1)
    # group K may not be stored with D, G or S: refused, until an officer records an override
    with pytest.raises(InvalidInput, match="group D, which may not be stored with group K") as refused:
        world.move("receipt", toxic, "supply:BGD", "GAO-ASP", quantity=10, days=1)
    assert refused.value.field == "target" and "wam ammo override GAO-ASP" in refused.value.detail
    ammo.record_override(ledger, "GAO-ASP", toxic.key, "quarantined pending demolition", actor="maj.sy")
    world.move("receipt", toxic, "supply:BGD", "GAO-ASP", quantity=10, days=1)
    [store] = ammo.check(ledger, "GAO-ASP")
    # 1.1 present: everything but 1.4 counts (500 x 0.6 + 100 x 0.2 + 10 x 1.0)
    assert (store.aggregate.division, store.aggregate.neq_kg) == ("1.1", Decimal("330.0"))
    assert [(m.first, m.second, m.verdict.value) for m in store.mixing] == [
        ("D", "K", "forbidden"), ("G", "K", "forbidden"), ("K", "S", "forbidden"), ("D", "G", "conditional")]
    assert len(store.breaches) == 3 and "K and S may not be stored together" in store.breaches[2]
    assert store.conditions == ["D with G: mixing CG G is at the discretion of the National Competent Authority"]
    assert store.unclassified == [odd.key]  # no NEQ: listed, never guessed
    assert [s.code for s in ammo.in_breach(ledger)] == ["GAO-ASP"]
    assert [(o["item"], o["reason"], o["by"]) for o in store.overrides] == [
        (toxic.key, "quarantined pending demolition", "maj.sy")]
    assert ledger.verify().ok


def test_distances_are_records_and_too_short_a_distance_is_a_breach(ledger, world) -> None:  # noqa: ANN001
    bombs = _lot("B-2", "1.1", "D", "1")
    ledger.register_items([bombs])
    world.move("receipt", bombs, "supply:BGD", "GAO-ASP", quantity=1000, days=1)  # 1,000 kg of HD 1.1 (+16 of 1.4)
    ammo.record_distances(ledger, "GAO-ASP", {"inhabited_building": "300", "other_store": 20}, actor="maj.sy")
    [store] = ammo.check(ledger, "GAO-ASP")
    assert store.breaches == []  # 222.0 m needed
    ammo.record_distances(ledger, "GAO-ASP", {"inhabited building": 200, "public-traffic-route": "150"}, actor="sy")
    [store] = ammo.check(ledger, "GAO-ASP")
    ibd, ptrd = store.distances
    assert ibd.breach and ibd.required_m == pytest.approx(222.0)
    assert ibd.max_neq_kg == pytest.approx(731.2, abs=0.1)  # (200 / 22.2)^3
    assert not ptrd.breach  # 148.0 m needed
    with ledger.engine.connect() as conn:
        assert len(records.history(conn, ammo.DISTANCES_KIND, "GAO-ASP")) == 2  # both surveys kept
    assert ledger.verify().ok


def test_bad_input_is_refused_naming_the_field(ledger, world) -> None:  # noqa: ANN001
    with pytest.raises(InvalidInput) as caught:
        ammo.record_distances(ledger, "GAO", {"inhabited_building": 100}, actor="x")
    assert caught.value.field == "store"
    with pytest.raises(InvalidInput) as caught:
        ammo.record_distances(ledger, "GAO-ASP", {"school": 100}, actor="x")
    assert caught.value.field == "kind"
    with pytest.raises(InvalidInput) as caught:
        ammo.record_distances(ledger, "GAO-ASP", {"inhabited_building": "-5"}, actor="x")
    assert caught.value.field == "inhabited_building"
    with pytest.raises(NotFound):
        ammo.check(ledger, "NO-SUCH")
    assert ammo.distances(ledger, "GAO-ASP") == {}
