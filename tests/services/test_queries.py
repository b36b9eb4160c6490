"""Reads: balances now and at a past moment, subtrees, custody history, entries page by page."""

from __future__ import annotations

import pytest

from tests.builders import all_entries, at, busy_world
from tests.builders import own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)
from tests.factories import T0, rifle
from wam.domain.errors import NotFound


def held(lines) -> dict[tuple[str, str], int]:  # noqa: ANN001
    return {(b.holder, b.item): b.quantity for b in lines}


def test_it_shows_what_a_holder_holds_now(world):
    lines = world.ledger.balance("GAO-ARM")
    assert held(lines) == {("GAO-ARM", r.key): 1 for r in world.rifles}
    assert {(b.type, b.label) for b in lines} == {("weapon", f"Norinco Type 56 {r.serial}") for r in world.rifles}


def test_it_labels_a_lot_by_its_number(world):
    [line] = world.ledger.balance("GAO-ASP")
    assert (line.item, line.quantity, line.type, line.label) == (
        world.rounds.key, 10_000, "ammunition", "POF 7.62x39mm ball lot POF-2021-07")


def test_it_shows_nothing_for_a_holder_with_nothing(world):
    assert world.ledger.balance("JUBA-ARM") == []
    assert world.ledger.balance("SGT-DIOP") == []


def test_it_leaves_out_what_a_holder_no_longer_holds(world):
    world.move("transfer", world.rifles[0], "GAO-ARM", "JUBA-ARM", days=1)
    assert world.rifles[0].key not in {b.item for b in world.ledger.balance("GAO-ARM")}
    assert held(world.ledger.balance("JUBA-ARM")) == {("JUBA-ARM", world.rifles[0].key): 1}


def test_it_shows_external_holders_too(world):
    assert held(world.ledger.balance("supply:BGD")) == {
        **{("supply:BGD", r.key): -1 for r in world.rifles}, ("supply:BGD", world.rounds.key): -10_000}


def test_it_refuses_an_unknown_holder(world):
    with pytest.raises(NotFound, match="holder 'KIDAL' not found"):
        world.ledger.balance("KIDAL")


def test_it_shows_a_subtree_with_tree(world):
    world.move("issue", world.rifles[0], "GAO-ARM", "PTE-RAHMAN", days=1)
    world.move("transfer", world.rounds, "GAO-ASP", "JUBA-ARM", quantity=100, days=1)
    world.move("transfer", world.rounds, "GAO-ASP", "ANSONGO-ARM", quantity=200, days=1)
    ledger = world.ledger
    assert held(ledger.balance("GAO", tree=True)) == {
        ("GAO-ARM", world.rifles[1].key): 1, ("GAO-ARM", world.rifles[2].key): 1,
        ("PTE-RAHMAN", world.rifles[0].key): 1, ("GAO-ASP", world.rounds.key): 9_700,
    }
    assert ledger.balance("GAO") == []  # the site itself holds nothing
    sector = held(ledger.balance("SEC-EAST", tree=True))
    assert ("ANSONGO-ARM", world.rounds.key) in sector and ("JUBA-ARM", world.rounds.key) not in sector
    everything = held(ledger.balance("UN", tree=True))
    assert sum(everything.values()) == 3 + 10_000
    assert not any(h.startswith("supply:") for h, _ in everything)


def test_it_shows_a_balance_at_a_past_moment(world):
    rounds = world.rounds
    world.move("transfer", rounds, "GAO-ASP", "ANSONGO-ARM", quantity=1_000, days=2)
    world.move("transfer", rounds, "GAO-ASP", "ANSONGO-ARM", quantity=500, days=4)
    ledger = world.ledger
    assert held(ledger.balance("ANSONGO-ARM", at=at(1))) == {}
    assert held(ledger.balance("ANSONGO-ARM", at=at(2))) == {("ANSONGO-ARM", rounds.key): 1_000}  # at the instant
    assert held(ledger.balance("ANSONGO-ARM", at=at(3))) == {("ANSONGO-ARM", rounds.key): 1_000}
    assert held(ledger.balance("ANSONGO-ARM", at=at(4))) == {("ANSONGO-ARM", rounds.key): 1_500}
    assert held(ledger.balance("GAO-ASP", at=at(3))) == {("GAO-ASP", rounds.key): 9_000}
    assert held(ledger.balance("GAO-ASP", at=at(-1))) == {}
    assert held(ledger.balance("ANSONGO-ARM", at=at(365))) == held(ledger.balance("ANSONGO-ARM"))


def test_it_shows_a_past_balance_after_a_back_dated_movement(world):
    rounds = world.rounds
    world.move("transfer", rounds, "GAO-ASP", "ANSONGO-ARM", quantity=1_000, days=10)
    world.move("transfer", rounds, "GAO-ASP", "JUBA-ARM", quantity=300, days=5)  # recorded later
    ledger = world.ledger
    assert held(ledger.balance("GAO-ASP", at=at(6))) == {("GAO-ASP", rounds.key): 9_700}
    assert held(ledger.balance("GAO-ASP", at=at(11))) == {("GAO-ASP", rounds.key): 8_700}


def test_it_shows_a_past_subtree(world):
    world.move("issue", world.rifles[0], "GAO-ARM", "PTE-RAHMAN", days=2)
    world.move("transfer", world.rifles[1], "GAO-ARM", "JUBA-ARM", days=3)
    ledger = world.ledger
    then = held(ledger.balance("BGD-BATT", at=at(2, hours=12), tree=True))
    assert then == {("PTE-RAHMAN", world.rifles[0].key): 1, ("GAO-ARM", world.rifles[1].key): 1,
                    ("GAO-ARM", world.rifles[2].key): 1, ("GAO-ASP", world.rounds.key): 10_000}
    now = held(ledger.balance("BGD-BATT", tree=True))
    assert ("GAO-ARM", world.rifles[1].key) not in now


def test_it_tells_custody_history_from_first_to_last(world):
    rifle_ = world.rifles[0]
    world.move("issue", rifle_, "GAO-ARM", "PTE-RAHMAN", days=1)
    world.move("return", rifle_, "PTE-RAHMAN", "GAO-ARM", days=2)
    world.move("transfer", rifle_, "GAO-ARM", "ANSONGO-ARM", days=3)
    history = world.ledger.history(rifle_.key)
    assert [(e.kind, e.source, e.target) for e in history] == [
        ("receipt", "supply:BGD", "GAO-ARM"), ("issue", "GAO-ARM", "PTE-RAHMAN"),
        ("return", "PTE-RAHMAN", "GAO-ARM"), ("transfer", "GAO-ARM", "ANSONGO-ARM")]
    assert world.ledger.custodian(rifle_.key) == "ANSONGO-ARM"


def test_it_tells_history_in_occurrence_order_even_when_back_dated(world):
    rounds = world.rounds
    late = world.move("transfer", rounds, "GAO-ASP", "ANSONGO-ARM", quantity=10, days=9)
    early = world.move("transfer", rounds, "GAO-ASP", "JUBA-ARM", quantity=10, days=3)
    same_time = world.move("transfer", rounds, "GAO-ASP", "JUBA-ARM", quantity=5, days=3)
    assert [e.seq for e in world.ledger.history(rounds.key)] == [4, early.seq, same_time.seq, late.seq]


def test_it_refuses_history_of_an_unknown_item(world):
    with pytest.raises(NotFound):
        world.ledger.history(rifle("00-00000").key)


def test_it_says_nobody_holds_an_item_that_left(world):
    world.move("disposal", world.rifles[0], "GAO-ARM", "destroyed", days=1, witness="Capt. Okafor")
    assert world.ledger.custodian(world.rifles[0].key) == "destroyed"
    receipt = world.ledger.history(world.rifles[1].key)[0]
    world.move("reversal", world.rifles[1], "GAO-ARM", "supply:BGD", days=1, reverses=receipt.uid)
    assert world.ledger.custodian(world.rifles[1].key) is None


def test_it_finds_a_weapon_by_its_serial_typed_any_way(world):
    assert [i.key for i in world.ledger.find_items(" 56-00002 ")] == [world.rifles[1].key]
    assert [i.key for i in world.ledger.find_items("56 - 00002")] == [world.rifles[1].key]
    assert world.ledger.find_items("56-99999") == []


def test_it_finds_every_model_sharing_a_serial(world):
    other = rifle("56-00001", model="Type 81")
    world.ledger.register_items([other])
    assert {i.key for i in world.ledger.find_items("56-00001")} == {world.rifles[0].key, other.key}


def test_it_loads_an_item_as_registered(world):
    assert world.ledger.item(world.rounds.key) == world.rounds
    assert world.ledger.item(world.rifles[0].key) == world.rifles[0]


def test_it_registers_an_item_once(world):
    assert world.ledger.register_items([world.rifles[0], rifle("56-00004"), rifle("56-00004")]) == 1


# --- entries, newest first ---------------------------------------------------------------------------
def test_it_lists_entries_newest_first(ledger):
    busy_world(ledger)
    assert [e.seq for e in ledger.entries(limit=5)] == [16, 15, 14, 13, 12]


def test_it_pages_through_entries_with_before_seq(ledger):
    busy_world(ledger)
    pages, before = [], None
    while True:
        page = ledger.entries(before_seq=before, limit=5)
        if not page:
            break
        pages.append([e.seq for e in page])
        before = page[-1].seq
    assert pages == [[16, 15, 14, 13, 12], [11, 10, 9, 8, 7], [6, 5, 4, 3, 2], [1]]
    assert [e for page in pages for e in page] == list(range(16, 0, -1))


def test_it_filters_entries_by_holder_item_and_kind(ledger):
    world = busy_world(ledger)
    everything = all_entries(ledger)
    by_holder = ledger.entries(holder="PTE-RAHMAN", limit=100)
    assert {e.seq for e in by_holder} == {e.seq for e in everything if "PTE-RAHMAN" in (e.source, e.target)}
    by_item = ledger.entries(item=world.rifles[1].key, limit=100)
    assert [e.seq for e in by_item] == [12, 11, 2]
    assert [e.seq for e in ledger.entries(kind="reversal", limit=100)] == [14]
    assert [e.seq for e in ledger.entries(holder="GAO-ARM", item=world.rounds.key, kind="transfer")] == [6]


def test_it_filters_entries_by_subtree(ledger):
    busy_world(ledger)
    everything = all_entries(ledger)
    gao = {"GAO", "GAO-ARM", "GAO-ASP", "PTE-RAHMAN"}
    in_gao = ledger.entries(holder="GAO", tree=True, limit=100)
    assert {e.seq for e in in_gao} == {e.seq for e in everything if {e.source, e.target} & gao}
    assert ledger.entries(holder="GAO", limit=100) == []


def test_it_shows_the_tree(world):
    ledger = world.ledger
    assert [h.code for h in ledger.children("SEC-EAST")] == ["BGD-BATT", "SEN-BATT"]
    roots = [h.code for h in ledger.children(None)]
    assert "UN" in roots and "supply:BGD" in roots  # external holders sit outside the tree
    assert [h.code for h in ledger.subtree("GAO")] == ["GAO", "GAO-ARM", "GAO-ASP", "PTE-RAHMAN"]
    contingent = ledger.holder("BGD-BATT")
    assert (contingent.kind.value, contingent.parent, contingent.country) == ("contingent", "SEC-EAST", "BGD")


def test_it_keeps_the_first_moment_of_the_ledger(world):
    assert world.ledger.history(world.rounds.key)[0].occurred_at == int(T0.timestamp()) * 1_000_000
