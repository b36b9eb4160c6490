"""The laws as pure checks, and the replay that is the reference for law 5."""

from __future__ import annotations

import pytest

from tests.factories import ball_rounds, rifle
from wam.domain.errors import PostingRejected
from wam.domain.holders import is_external
from wam.domain.laws import Replay, check_non_negative, check_serial_custody, check_serial_not_backdated

RIFLE = rifle("56-00001").key
ROUNDS = ball_rounds().key


def replay() -> Replay:
    return Replay(is_external, lambda key: key.startswith("W|"))


# --- law 1: custody of a serialised item ----------------------------------------------------------
def test_it_lets_the_holder_of_a_weapon_move_it():
    check_serial_custody(item=RIFLE, quantity=1, source="GAO-ARM", holder_now="GAO-ARM", source_external=False)


def test_it_lets_a_weapon_arrive_from_an_external_holder():
    check_serial_custody(item=RIFLE, quantity=1, source="supply:BGD", holder_now=None, source_external=True)


def test_it_refuses_moving_a_weapon_someone_else_holds():
    with pytest.raises(PostingRejected) as refused:
        check_serial_custody(item=RIFLE, quantity=1, source="ANSONGO-ARM", holder_now="GAO-ARM", source_external=False)
    exc = refused.value
    assert (exc.law, exc.item, exc.holder) == (1, RIFLE, "ANSONGO-ARM")
    assert exc.message == f"law 1: {RIFLE} is held by GAO-ARM, not by ANSONGO-ARM"


def test_it_refuses_a_weapon_appearing_at_a_real_holder():
    with pytest.raises(PostingRejected, match="not yet in the ledger") as refused:
        check_serial_custody(item=RIFLE, quantity=1, source="GAO-ARM", holder_now=None, source_external=False)
    assert (refused.value.law, refused.value.item, refused.value.holder) == (1, RIFLE, "GAO-ARM")


@pytest.mark.parametrize("quantity", [2, 5])
def test_it_moves_a_weapon_one_at_a_time(quantity):
    with pytest.raises(PostingRejected, match=f"one at a time, not {quantity}") as refused:
        check_serial_custody(item=RIFLE, quantity=quantity, source="GAO-ARM", holder_now="GAO-ARM",
                             source_external=False)
    assert refused.value.law == 1


def test_it_refuses_back_dating_before_a_later_movement_of_the_weapon():
    moved_again = r"moved again at 2024-01-01T08:00:00\.000000Z from PTE-RAHMAN"
    with pytest.raises(PostingRejected, match=moved_again) as refused:
        check_serial_not_backdated(item=RIFLE, source="GAO-ARM", next_source="PTE-RAHMAN",
                                   next_at=1_704_096_000_000_000)
    assert (refused.value.law, refused.value.item, refused.value.holder) == (1, RIFLE, "GAO-ARM")


def test_it_allows_a_movement_with_nothing_after_it():
    check_serial_not_backdated(item=RIFLE, source="GAO-ARM", next_source=None, next_at=None)


# --- law 2: never negative ------------------------------------------------------------------------------
def test_it_lets_a_holder_move_everything_it_has():
    check_non_negative(item=ROUNDS, holder="GAO-ASP", quantity=500, balance_at=500, later_deltas=())


def test_it_refuses_taking_more_than_the_holder_has():
    with pytest.raises(PostingRejected) as refused:
        check_non_negative(item=ROUNDS, holder="GAO-ASP", quantity=501, balance_at=500, later_deltas=())
    exc = refused.value
    assert (exc.law, exc.item, exc.holder) == (2, ROUNDS, "GAO-ASP")
    assert exc.message == f"law 2: GAO-ASP holds 500 of {ROUNDS} at that moment; cannot move 501"


def test_it_refuses_back_dating_that_makes_a_later_balance_negative():
    # 500 held then; later 300 leave and 100 arrive: taking 250 now leaves -50 after the 300 left
    with pytest.raises(PostingRejected, match=r"negative balance of .* later on") as refused:
        check_non_negative(item=ROUNDS, holder="GAO-ASP", quantity=250, balance_at=500, later_deltas=[-300, +100])
    assert (refused.value.law, refused.value.holder) == (2, "GAO-ASP")


def test_it_accepts_back_dating_that_keeps_every_later_balance():
    check_non_negative(item=ROUNDS, holder="GAO-ASP", quantity=200, balance_at=500, later_deltas=[-300, +100, -100])


def test_it_checks_later_balances_in_order():
    # the arrival comes after the dip: order matters
    with pytest.raises(PostingRejected):
        check_non_negative(item=ROUNDS, holder="GAO-ASP", quantity=100, balance_at=100, later_deltas=[-1, +1000])
    check_non_negative(item=ROUNDS, holder="GAO-ASP", quantity=100, balance_at=100, later_deltas=[+1000, -1])


# --- the replay -----------------------------------------------------------------------------------------
def test_it_replays_balances_and_custody():
    r = replay()
    r.apply(1, RIFLE, 1, "supply:BGD", "GAO-ARM")
    r.apply(2, ROUNDS, 1000, "supply:BGD", "GAO-ASP")
    r.apply(3, RIFLE, 1, "GAO-ARM", "PTE-RAHMAN")
    r.apply(4, ROUNDS, 120, "GAO-ASP", "PTE-RAHMAN")
    r.apply(5, ROUNDS, 30, "PTE-RAHMAN", "expended")
    assert r.problems == []
    assert r.custody == {RIFLE: "PTE-RAHMAN"}
    assert r.nonzero_balances() == {
        ("supply:BGD", RIFLE): -1,
        ("PTE-RAHMAN", RIFLE): 1,
        ("supply:BGD", ROUNDS): -1000,
        ("GAO-ASP", ROUNDS): 880,
        ("PTE-RAHMAN", ROUNDS): 90,
        ("expended", ROUNDS): 30,
    }


def test_it_drops_zero_balances():
    r = replay()
    r.apply(1, ROUNDS, 10, "supply:BGD", "GAO-ASP")
    r.apply(2, ROUNDS, 10, "GAO-ASP", "ANSONGO-ARM")
    assert ("GAO-ASP", ROUNDS) not in r.nonzero_balances()
    assert r.balances[("GAO-ASP", ROUNDS)] == 0


def test_it_lets_external_holders_go_negative():
    r = replay()
    r.apply(1, ROUNDS, 10, "recovered:FAMa", "GAO-ASP")
    r.apply(2, ROUNDS, 10, "lost", "GAO-ASP")
    assert r.problems == []
    assert r.nonzero_balances()[("lost", ROUNDS)] == -10


@pytest.mark.parametrize(
    ("moves", "law", "seq", "holder", "words"),
    [
        ([(ROUNDS, 0, "supply:BGD", "GAO-ASP")], "law 3", 1, "supply:BGD",
         "quantity 0 is not a whole number of at least 1"),
        ([(ROUNDS, -5, "GAO-ASP", "supply:BGD")], "law 3", 1, "GAO-ASP",
         "quantity -5 is not a whole number of at least 1"),
        ([(ROUNDS, 5, "GAO-ASP", "GAO-ASP")], "law 3", 1, "GAO-ASP", "source and target are the same"),
        ([(ROUNDS, 5, "GAO-ASP", "ANSONGO-ARM")], "law 2", 1, "GAO-ASP", "GAO-ASP holds 0 of"),
        ([(RIFLE, 2, "supply:BGD", "GAO-ARM")], "law 1", 1, "supply:BGD",
         "a serialised item moves one at a time, not 2"),
        ([(RIFLE, 1, "GAO-ARM", "ANSONGO-ARM")], "law 1", 1, "GAO-ARM",
         "is not yet in the ledger; it must first arrive from an external holder"),
        ([(RIFLE, 1, "supply:BGD", "GAO-ARM"), (RIFLE, 1, "ANSONGO-ARM", "JUBA-ARM")], "law 1", 2, "ANSONGO-ARM",
         "is held by GAO-ARM, not by ANSONGO-ARM"),
        ([(RIFLE, 1, "supply:BGD", "GAO-ARM"), (RIFLE, 1, "supply:BGD", "JUBA-ARM")], "law 1", 2, "supply:BGD",
         "is held by GAO-ARM, not by supply:BGD"),
    ],
)
def test_it_reports_each_broken_law_with_its_entry_item_and_holder(moves, law, seq, holder, words):
    """The replay reports a broken law in the words of the law's own check, the one posting runs."""
    r = replay()
    for number, (item, qty, source, target) in enumerate(moves, start=1):
        r.apply(number, item, qty, source, target)
    found = [p for p in r.problems if p.check == law]
    assert found, r.problems
    assert (found[0].seq, found[0].holder, found[0].item) == (seq, holder, moves[seq - 1][0])
    assert words in found[0].message


def test_it_reports_every_problem_not_just_the_first():
    r = replay()
    r.apply(1, ROUNDS, 5, "GAO-ASP", "ANSONGO-ARM")
    r.apply(2, RIFLE, 1, "GAO-ARM", "ANSONGO-ARM")
    r.apply(3, ROUNDS, 0, "supply:BGD", "GAO-ASP")
    assert [(p.check, p.seq) for p in r.problems] == [("law 2", 1), ("law 1", 2), ("law 2", 2), ("law 3", 3)]


def test_it_reports_a_negative_balance_for_as_long_as_it_lasts():
    r = replay()
    r.apply(1, ROUNDS, 5, "GAO-ASP", "ANSONGO-ARM")
    r.apply(2, ROUNDS, 1, "GAO-ASP", "ANSONGO-ARM")
    r.apply(3, ROUNDS, 10, "supply:BGD", "GAO-ASP")
    r.apply(4, ROUNDS, 4, "GAO-ASP", "ANSONGO-ARM")
    assert [(p.check, p.seq) for p in r.problems] == [("law 2", 1), ("law 2", 2)]
