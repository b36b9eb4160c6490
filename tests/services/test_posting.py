"""Posting movements: law refusals, reversals, persons, back-dating, batches, concurrent writers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from tests.builders import AUDITOR, CLERK, all_entries, at, mv, snapshot, stored_balances
from tests.builders import own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)
from wam.domain.errors import ConcurrentAppend, InvalidInput, NotFound, PostingRejected
from wam.domain.movements import Movement, MovementKind
from wam.services.ledger import Ledger


def refused(ledger, movement) -> PostingRejected:  # noqa: ANN001
    before = snapshot(ledger)
    with pytest.raises(PostingRejected) as caught:
        ledger.post(movement)
    assert snapshot(ledger) == before
    return caught.value


def invalid(ledger, movement) -> InvalidInput:  # noqa: ANN001
    before = snapshot(ledger)
    with pytest.raises(InvalidInput) as caught:
        ledger.post(movement)
    assert snapshot(ledger) == before
    return caught.value


# --- what a posted entry is ------------------------------------------------------------------------
def test_it_records_a_movement_as_the_next_entry(world):
    ledger = world.ledger
    seq, head = ledger.head()
    entry = world.move("issue", world.rifles[0], "GAO-ARM", "PTE-RAHMAN", days=1, document="ISS-1", note="patrol")
    assert (entry.seq, entry.prev_hash) == (seq + 1, head)
    assert entry.uid == f"{ledger.uuid}:{seq + 1}" and entry.origin == ledger.uuid and entry.origin_seq == seq + 1
    assert (entry.kind, entry.item, entry.quantity, entry.source, entry.target) == (
        "issue", world.rifles[0].key, 1, "GAO-ARM", "PTE-RAHMAN")
    assert (entry.actor, entry.document, entry.note, entry.witness, entry.reason, entry.reverses) == (
        "armourer", "ISS-1", "patrol", None, None, None)
    assert ledger.head() == (entry.seq, entry.hash)


def test_it_stamps_the_recording_time_from_its_clock(db_url):
    noon = datetime(2024, 3, 1, 12, tzinfo=UTC)
    ledger = Ledger.open(db_url, clock=lambda: noon)
    try:
        ledger.init()
        from tests.factories import build_world

        world = build_world(ledger)
        entry = world.move("transfer", world.rounds, "GAO-ASP", "ANSONGO-ARM", quantity=5, days=2)
        assert entry.recorded_at == 1_709_294_400_000_000
        assert entry.occurred_at == 1_704_268_800_000_000  # T0 + 2 days
    finally:
        ledger.engine.dispose()


def test_it_creates_an_external_holder_on_first_use(world):
    ledger = world.ledger
    world.move("receipt", world.rounds, "supply:SEN", "ANSONGO-ARM", quantity=500)
    holder = ledger.holder("supply:SEN")
    assert (holder.kind.value, holder.country, holder.parent) == ("external", "SEN", None)


def test_it_refuses_an_unknown_holder(world):
    before = snapshot(world.ledger)
    with pytest.raises(NotFound, match="holder 'KIDAL-ARM' not found"):
        world.move("transfer", world.rounds, "GAO-ASP", "KIDAL-ARM", quantity=5)
    assert snapshot(world.ledger) == before


def test_it_refuses_an_unregistered_item(world):
    error = invalid(world.ledger, mv("receipt", "W|FN|FAL|123", "supply:BGD", "GAO-ARM"))
    assert error.field == "item" and "not registered" in error.message


def test_it_refuses_a_malformed_external_holder(world):
    error = invalid(world.ledger, mv("receipt", world.rounds, "supply:bgd", "GAO-ASP", quantity=5))
    assert "supply:<ISO 3166 alpha-3>" in error.message


def test_it_checks_the_kinds_rules_itself(world):
    # a Movement built by hand, not through make_movement, is still checked
    bad = Movement(kind=MovementKind.EXPENDITURE, item=world.rounds.key, quantity=5, source="GAO-ASP",
                   target="expended", occurred_at=at(1), actor=CLERK)
    error = invalid(world.ledger, bad)
    assert error.field == "reason"


def by_hand(world, **changes: object) -> Movement:  # noqa: ANN001
    values = dict(kind=MovementKind.TRANSFER, item=world.rounds.key, quantity=5, source="GAO-ASP",
                  target="ANSONGO-ARM", occurred_at=at(1), actor=CLERK)
    values.update(changes)
    return Movement(**values)


@pytest.mark.parametrize("quantity", [0, -5, True])
def test_it_refuses_a_hand_built_movement_of_nothing_under_law_3(world, quantity):
    exc = refused(world.ledger, by_hand(world, quantity=quantity))
    assert (exc.law, exc.item, exc.holder) == (3, world.rounds.key, "GAO-ASP")


@pytest.mark.parametrize(
    ("field", "value"),
    [("witness", ""), ("note", " padded "), ("document", "a\x1fb"), ("actor", ""), ("reason", "")],
)
def test_it_refuses_hand_built_text_the_chain_cannot_encode(world, field, value):
    # make_movement would have refused these; the ledger refuses them itself, so that no entry
    # ever stores empty text (which the chain could not tell from absent)
    assert invalid(world.ledger, by_hand(world, **{field: value})).field == field


def test_it_refuses_a_hand_built_time_without_a_zone(world):
    from datetime import datetime as naive

    no_zone = naive(2024, 1, 2)  # noqa: DTZ001  (naive on purpose)
    assert invalid(world.ledger, by_hand(world, occurred_at=no_zone)).field == "occurred_at"


# --- the laws, by name --------------------------------------------------------------------------------
def test_it_refuses_moving_a_rifle_someone_else_holds_naming_law_item_and_holder(world):
    rifle = world.rifles[0]
    exc = refused(world.ledger, mv("transfer", rifle, "ANSONGO-ARM", "JUBA-ARM", days=1))
    assert (exc.law, exc.item, exc.holder) == (1, rifle.key, "ANSONGO-ARM")
    assert exc.message == f"law 1: {rifle.key} is held by GAO-ARM, not by ANSONGO-ARM"


def test_it_refuses_a_rifle_received_twice(world):
    rifle = world.rifles[0]
    exc = refused(world.ledger, mv("receipt", rifle, "supply:BGD", "ANSONGO-ARM", days=1))
    assert (exc.law, exc.item, exc.holder) == (1, rifle.key, "supply:BGD")
    assert "held by GAO-ARM" in exc.message


def test_it_refuses_a_rifle_that_never_arrived(world):
    from tests.factories import rifle

    new = rifle("56-99999")
    world.ledger.register_items([new])
    exc = refused(world.ledger, mv("transfer", new, "GAO-ARM", "JUBA-ARM", days=1))
    assert (exc.law, exc.item, exc.holder) == (1, new.key, "GAO-ARM")
    assert "not yet in the ledger" in exc.message


def test_it_moves_a_rifle_one_at_a_time(world):
    exc = refused(world.ledger, mv("transfer", world.rifles[0], "GAO-ARM", "JUBA-ARM", quantity=2, days=1))
    assert (exc.law, exc.holder) == (1, "GAO-ARM")


def test_it_refuses_an_overdraw_naming_law_item_and_holder(world):
    rounds = world.rounds
    exc = refused(world.ledger, mv("transfer", rounds, "GAO-ASP", "ANSONGO-ARM", quantity=10_001, days=1))
    assert (exc.law, exc.item, exc.holder) == (2, rounds.key, "GAO-ASP")
    assert exc.message == f"law 2: GAO-ASP holds 10000 of {rounds.key} at that moment; cannot move 10001"


def test_it_lets_a_holder_empty_its_stock(world):
    world.move("transfer", world.rounds, "GAO-ASP", "ANSONGO-ARM", quantity=10_000, days=1)
    assert stored_balances(world.ledger)[("ANSONGO-ARM", world.rounds.key)] == 10_000
    assert ("GAO-ASP", world.rounds.key) not in stored_balances(world.ledger)


def test_it_refuses_taking_from_a_holder_with_nothing(world):
    exc = refused(world.ledger, mv("expenditure", world.rounds, "SGT-DIOP", "expended", quantity=1, days=1,
                                   reason="training"))
    assert (exc.law, exc.holder) == (2, "SGT-DIOP")


def test_it_lets_external_holders_go_negative(world):
    world.move("recovery", world.rounds, "recovered:FAMa", "ANSONGO-ARM", quantity=40, days=1, document="REC-1")
    assert stored_balances(world.ledger)[("recovered:FAMa", world.rounds.key)] == -40


# --- persons ----------------------------------------------------------------------------------------
def test_it_issues_to_a_person_and_takes_back(world):
    rifle = world.rifles[0]
    world.move("issue", rifle, "GAO-ARM", "PTE-RAHMAN", days=1)
    assert world.ledger.custodian(rifle.key) == "PTE-RAHMAN"
    world.move("return", rifle, "PTE-RAHMAN", "GAO-ARM", days=1 + 8 / 24)
    assert world.ledger.custodian(rifle.key) == "GAO-ARM"


def test_it_issues_across_the_tree(world):
    # an issue may go to any person; custody matters, not the tree
    world.move("issue", world.rifles[0], "GAO-ARM", "SGT-DIOP", days=1)
    world.move("return", world.rifles[0], "SGT-DIOP", "ANSONGO-ARM", days=2)
    assert world.ledger.custodian(world.rifles[0].key) == "ANSONGO-ARM"


@pytest.mark.parametrize(
    ("kind", "source", "target", "field", "words"),
    [
        ("issue", "GAO-ARM", "ANSONGO-ARM", "target", "an issue goes to a person; ANSONGO-ARM is a store"),
        ("issue", "GAO-ARM", "GAO", "target", "GAO is a site"),
        ("return", "GAO-ARM", "ANSONGO-ARM", "source", "a return comes from a person; GAO-ARM is a store"),
        ("transfer", "GAO-ARM", "PTE-RAHMAN", "kind", "by issue and return"),
    ],
)
def test_it_keeps_persons_to_issue_and_return(world, kind, source, target, field, words):
    error = invalid(world.ledger, mv(kind, world.rifles[0], source, target, days=1))
    assert error.field == field and words in error.message


def test_it_refuses_person_to_person(world):
    world.move("issue", world.rifles[0], "GAO-ARM", "PTE-RAHMAN", days=1)
    for kind, field in (("issue", "source"), ("return", "target"), ("transfer", "kind")):
        error = invalid(world.ledger, mv(kind, world.rifles[0], "PTE-RAHMAN", "SGT-DIOP", days=2))
        assert error.field == field


def test_it_lets_a_person_expend_what_was_issued(world):
    rounds = world.rounds
    world.move("issue", rounds, "GAO-ASP", "PTE-RAHMAN", quantity=120, days=1)
    world.move("expenditure", rounds, "PTE-RAHMAN", "expended", quantity=30, days=1 + 4 / 24, reason="operations")
    exc = refused(world.ledger, mv("expenditure", rounds, "PTE-RAHMAN", "expended", quantity=91, days=1, hours=5,
                                   reason="operations"))
    assert (exc.law, exc.holder) == (2, "PTE-RAHMAN")


# --- reversals ------------------------------------------------------------------------------------
def test_it_reverses_a_movement_exactly(world):
    ledger = world.ledger
    before = stored_balances(ledger)
    original = world.move("transfer", world.rounds, "GAO-ASP", "ANSONGO-ARM", quantity=300, days=1)
    reversal = world.move("reversal", world.rounds, "ANSONGO-ARM", "GAO-ASP", quantity=300, days=1 + 2 / 24,
                          reverses=original.uid, note="wrong store")
    assert (reversal.kind, reversal.reverses) == ("reversal", original.uid)
    assert stored_balances(ledger) == before
    assert ledger.verify().ok


def test_it_reverses_a_rifles_transfer_and_restores_custody(world):
    rifle = world.rifles[1]
    original = world.move("transfer", rifle, "GAO-ARM", "JUBA-ARM", days=1)
    world.move("reversal", rifle, "JUBA-ARM", "GAO-ARM", days=1, reverses=original.uid)
    assert world.ledger.custodian(rifle.key) == "GAO-ARM"


def test_it_reverses_only_once(world):
    original = world.move("transfer", world.rounds, "GAO-ASP", "ANSONGO-ARM", quantity=300, days=1)
    world.move("reversal", world.rounds, "ANSONGO-ARM", "GAO-ASP", quantity=300, days=2, reverses=original.uid)
    error = invalid(world.ledger, mv("reversal", world.rounds, "ANSONGO-ARM", "GAO-ASP", quantity=300, days=3,
                                     reverses=original.uid))
    assert error.field == "reverses" and f"entry {original.uid} has already been reversed" in error.message


def test_it_reverses_only_once_within_a_batch(world):
    original = world.move("transfer", world.rounds, "GAO-ASP", "ANSONGO-ARM", quantity=300, days=1)
    twice = [mv("reversal", world.rounds, "ANSONGO-ARM", "GAO-ASP", quantity=300, days=2, reverses=original.uid)] * 2
    before = snapshot(world.ledger)
    with pytest.raises(InvalidInput, match="already been reversed") as caught:
        world.ledger.post_many(twice)
    assert caught.value.row == 2
    assert snapshot(world.ledger) == before


def test_it_refuses_to_reverse_a_reversal(world):
    original = world.move("transfer", world.rounds, "GAO-ASP", "ANSONGO-ARM", quantity=300, days=1)
    reversal = world.move("reversal", world.rounds, "ANSONGO-ARM", "GAO-ASP", quantity=300, days=2,
                          reverses=original.uid)
    error = invalid(world.ledger, mv("reversal", world.rounds, "GAO-ASP", "ANSONGO-ARM", quantity=300, days=3,
                                     reverses=reversal.uid))
    assert error.field == "reverses" and "cannot itself be reversed" in error.message


@pytest.mark.parametrize(
    ("quantity", "source", "target", "item"),
    [
        (299, "ANSONGO-ARM", "GAO-ASP", "rounds"),  # not the same quantity
        (300, "GAO-ASP", "ANSONGO-ARM", "rounds"),  # the same way again, not back
        (300, "ANSONGO-ARM", "GAO-ARM", "rounds"),  # back to somewhere else
        (1, "GAO-ARM", "ANSONGO-ARM", "rifle"),  # another item
    ],
)
def test_it_refuses_a_reversal_that_is_not_the_exact_inverse(world, quantity, source, target, item):
    original = world.move("transfer", world.rounds, "GAO-ASP", "ANSONGO-ARM", quantity=300, days=1)
    thing = world.rounds if item == "rounds" else world.rifles[0]
    error = invalid(world.ledger, mv("reversal", thing, source, target, quantity=quantity, days=2,
                                     reverses=original.uid))
    assert error.field == "reverses" and "same item and quantity back" in error.message


@pytest.mark.parametrize("reverses", ["nonsense", "some-ledger:x", "00000000-0000-0000-0000-000000000000:1"])
def test_it_refuses_a_reversal_of_no_entry(world, reverses):
    error = invalid(world.ledger, mv("reversal", world.rounds, "ANSONGO-ARM", "GAO-ASP", quantity=1, days=2,
                                     reverses=reverses))
    assert error.field == "reverses"


def test_it_refuses_a_reversal_the_laws_forbid(world):
    # the rounds moved on: taking them back would overdraw the store that received them
    original = world.move("transfer", world.rounds, "GAO-ASP", "ANSONGO-ARM", quantity=300, days=1)
    world.move("transfer", world.rounds, "ANSONGO-ARM", "JUBA-ARM", quantity=200, days=2)
    exc = refused(world.ledger, mv("reversal", world.rounds, "ANSONGO-ARM", "GAO-ASP", quantity=300, days=3,
                                   reverses=original.uid))
    assert (exc.law, exc.holder) == (2, "ANSONGO-ARM")


def test_it_refuses_a_reversal_dated_before_the_movement_it_undoes(world):
    world.move("transfer", world.rounds, "GAO-ASP", "ANSONGO-ARM", quantity=500, days=1)
    original = world.move("transfer", world.rounds, "GAO-ASP", "ANSONGO-ARM", quantity=100, days=5)
    error = invalid(world.ledger, mv("reversal", world.rounds, "ANSONGO-ARM", "GAO-ASP", quantity=100, days=2,
                                     reverses=original.uid))
    assert error.field == "reverses"


# --- back-dating ------------------------------------------------------------------------------------
def test_it_accepts_a_back_dated_movement_that_keeps_history_consistent(world):
    ledger = world.ledger
    rounds = world.rounds
    world.move("transfer", rounds, "GAO-ASP", "ANSONGO-ARM", quantity=4_000, days=10)
    late = world.move("transfer", rounds, "GAO-ASP", "JUBA-ARM", quantity=6_000, days=5)  # found in a drawer
    assert late.seq == 6 and late.occurred_at < all_entries(ledger)[-2].occurred_at
    assert stored_balances(ledger).get(("GAO-ASP", rounds.key)) is None
    assert [e.seq for e in ledger.history(rounds.key)] == [4, 6, 5]
    assert ledger.verify().ok


def test_it_refuses_a_back_dated_movement_that_makes_a_later_balance_negative(world):
    rounds = world.rounds
    world.move("transfer", rounds, "GAO-ASP", "ANSONGO-ARM", quantity=4_000, days=10)
    exc = refused(world.ledger, mv("transfer", rounds, "GAO-ASP", "JUBA-ARM", quantity=6_001, days=5))
    assert (exc.law, exc.item, exc.holder) == (2, rounds.key, "GAO-ASP")
    assert "back-dating this would leave GAO-ASP with a negative balance" in exc.message


def test_it_refuses_a_back_dated_movement_before_the_stock_arrived(world):
    rounds = world.rounds
    world.move("transfer", rounds, "GAO-ASP", "ANSONGO-ARM", quantity=100, days=10)
    exc = refused(world.ledger, mv("transfer", rounds, "ANSONGO-ARM", "JUBA-ARM", quantity=1, days=5))
    assert (exc.law, exc.holder) == (2, "ANSONGO-ARM")
    assert "holds 0" in exc.message


def test_it_orders_movements_at_the_same_moment_by_recording(world):
    rounds = world.rounds
    world.move("transfer", rounds, "GAO-ASP", "ANSONGO-ARM", quantity=100, days=3)
    world.move("transfer", rounds, "ANSONGO-ARM", "JUBA-ARM", quantity=100, days=3)  # same instant, after it
    world.move("transfer", rounds, "GAO-ASP", "ANSONGO-ARM", quantity=50, days=3)
    assert world.ledger.verify().ok


def test_it_refuses_to_back_date_a_rifle_before_its_later_movements(world):
    rifle = world.rifles[0]
    world.move("issue", rifle, "GAO-ARM", "PTE-RAHMAN", days=10)
    exc = refused(world.ledger, mv("transfer", rifle, "GAO-ARM", "JUBA-ARM", days=5))
    assert (exc.law, exc.item, exc.holder) == (1, rifle.key, "GAO-ARM")
    assert "moved again at 2024-01-11T08:00:00.000000Z from GAO-ARM" in exc.message


def test_it_accepts_a_rifle_movement_at_the_same_moment_as_its_last(world):
    rifle = world.rifles[0]
    world.move("issue", rifle, "GAO-ARM", "PTE-RAHMAN", days=1)
    world.move("return", rifle, "PTE-RAHMAN", "GAO-ARM", days=1)
    assert world.ledger.custodian(rifle.key) == "GAO-ARM"
    assert world.ledger.verify().ok


def test_it_agrees_with_verify_about_a_rifle_sent_back_to_its_supplier(world):
    rifle = world.rifles[1]
    receipt = world.ledger.history(rifle.key)[0]
    world.move("reversal", rifle, "GAO-ARM", "supply:BGD", days=1, reverses=receipt.uid)
    try:
        world.move("receipt", rifle, "supply:SEN", "ANSONGO-ARM", days=2)
    except PostingRejected:
        pass  # refusing it, as the replay does, is one consistent answer
    assert world.ledger.verify().ok


def test_it_refuses_to_expend_a_weapon(world):
    before = snapshot(world.ledger)
    with pytest.raises((InvalidInput, PostingRejected)):
        world.move("expenditure", world.rifles[0], "GAO-ARM", "expended", days=1, reason="training")
    assert snapshot(world.ledger) == before


# --- batches ------------------------------------------------------------------------------------------
def a_day(world) -> list[Movement]:  # noqa: ANN001
    r = world.rifles
    rounds = world.rounds
    return [
        mv("issue", r[0], "GAO-ARM", "PTE-RAHMAN", days=1),
        mv("issue", rounds, "GAO-ASP", "PTE-RAHMAN", quantity=120, days=1),
        mv("transfer", r[1], "GAO-ARM", "ANSONGO-ARM", days=1),
        mv("expenditure", rounds, "PTE-RAHMAN", "expended", quantity=30, days=1, hours=4, reason="training"),
        mv("return", rounds, "PTE-RAHMAN", "GAO-ASP", quantity=90, days=1, hours=10),
        mv("return", r[0], "PTE-RAHMAN", "GAO-ARM", days=1, hours=10),
    ]


def test_it_posts_a_batch_in_order(world):
    ledger = world.ledger
    assert ledger.post_many(a_day(world)) == 6
    assert ledger.head()[0] == 10
    assert [e.kind for e in all_entries(ledger)[4:]] == ["issue", "issue", "transfer", "expenditure", "return",
                                                         "return"]
    assert ledger.verify().ok


def test_it_counts_each_movement_of_a_batch(world):
    ticks = []
    world.ledger.post_many(a_day(world), on_each=lambda: ticks.append(1))
    assert len(ticks) == 6


@pytest.mark.parametrize("position", [1, 3, 6, 7])
def test_it_writes_nothing_of_a_batch_with_a_refused_movement(world, position):
    batch = a_day(world)
    bad = mv("transfer", world.rifles[2], "JUBA-ARM", "GAO-ARM", days=1, hours=12)  # JUBA-ARM never had it
    batch.insert(position - 1, bad)
    before = snapshot(world.ledger)
    with pytest.raises(PostingRejected) as caught:
        world.ledger.post_many(batch)
    assert caught.value.message.startswith(f"movement {position}: law 1: ")
    assert (caught.value.law, caught.value.holder) == (1, "JUBA-ARM")
    assert snapshot(world.ledger) == before


@pytest.mark.parametrize("position", [1, 4, 7])
def test_it_writes_nothing_of_a_batch_naming_an_unknown_holder(world, position):
    batch = a_day(world)
    batch.insert(position - 1, mv("transfer", world.rounds, "GAO-ASP", "KIDAL-ARM", quantity=5, days=1))
    before = snapshot(world.ledger)
    with pytest.raises(NotFound, match="KIDAL-ARM"):
        world.ledger.post_many(batch)
    assert snapshot(world.ledger) == before


def test_it_leaves_no_external_holder_behind_from_a_refused_batch(world):
    batch = [mv("receipt", world.rounds, "supply:NPL", "JUBA-ARM", quantity=5, days=1),
             mv("transfer", world.rifles[2], "JUBA-ARM", "GAO-ARM", days=2)]  # JUBA-ARM never had the rifle
    before = snapshot(world.ledger)
    with pytest.raises(PostingRejected):
        world.ledger.post_many(batch)
    assert snapshot(world.ledger) == before
    with pytest.raises(NotFound):
        world.ledger.holder("supply:NPL")
    world.ledger.post(batch[0])  # and the ledger still knows how to create it
    assert world.ledger.holder("supply:NPL").country == "NPL"


def fillers(world, n: int, days: float) -> list[Movement]:  # noqa: ANN001
    """``n`` small transfers of rounds, to give a batch some bulk."""
    return [mv("transfer", world.rounds, "GAO-ASP", "JUBA-ARM", quantity=1, days=days) for _ in range(n)]


def test_it_reverses_a_movement_posted_earlier_in_the_same_batch(world):
    ledger = world.ledger
    batch = [*fillers(world, 300, 1), mv("transfer", world.rounds, "GAO-ASP", "ANSONGO-ARM", quantity=70, days=2)]
    batch.append(mv("reversal", world.rounds, "ANSONGO-ARM", "GAO-ASP", quantity=70, days=2,
                    reverses=f"{ledger.uuid}:{4 + len(batch)}"))
    assert ledger.post_many(batch) == 302
    assert stored_balances(ledger).get(("ANSONGO-ARM", world.rounds.key)) is None
    assert ledger.verify().ok


def test_it_checks_a_back_dated_movement_against_earlier_ones_in_the_same_batch(world):
    # 6,000 leave GAO-ASP on day 10; a movement of 5,000 back-dated to day 5 would leave -1,000 then
    batch = [mv("transfer", world.rounds, "GAO-ASP", "JUBA-ARM", quantity=6_000, days=10), *fillers(world, 300, 10),
             mv("transfer", world.rounds, "GAO-ASP", "ANSONGO-ARM", quantity=5_000, days=5)]
    before = snapshot(world.ledger)
    with pytest.raises(PostingRejected) as caught:
        world.ledger.post_many(batch)
    assert (caught.value.law, caught.value.holder) == (2, "GAO-ASP")
    assert caught.value.message.startswith("movement 302: law 2: ")
    assert snapshot(world.ledger) == before


def test_it_checks_a_back_dated_rifle_against_earlier_movements_in_the_same_batch(world):
    rifle = world.rifles[0]
    batch = [mv("issue", rifle, "GAO-ARM", "PTE-RAHMAN", days=10), *fillers(world, 300, 10),
             mv("transfer", rifle, "GAO-ARM", "JUBA-ARM", days=5)]
    with pytest.raises(PostingRejected) as caught:
        world.ledger.post_many(batch)
    assert (caught.value.law, caught.value.holder) == (1, "GAO-ARM")


def test_it_names_the_row_of_an_invalid_movement_in_a_batch(world):
    batch = a_day(world)
    batch[2] = Movement(kind=MovementKind.ISSUE, item=world.rifles[1].key, quantity=1, source="GAO-ARM",
                        target="ANSONGO-ARM", occurred_at=at(1), actor=CLERK)
    with pytest.raises(InvalidInput) as caught:
        world.ledger.post_many(batch)
    assert (caught.value.row, caught.value.field) == (3, "target")


def test_it_posts_nothing_for_an_empty_batch(world):
    before = snapshot(world.ledger)
    assert world.ledger.post_many([]) == 0
    assert snapshot(world.ledger) == before


def test_it_keeps_posting_after_a_refusal(world):
    ledger = world.ledger
    with pytest.raises(PostingRejected):
        ledger.post(mv("transfer", world.rounds, "GAO-ASP", "JUBA-ARM", quantity=20_000, days=1))
    entry = ledger.post(mv("transfer", world.rounds, "GAO-ASP", "JUBA-ARM", quantity=2_000, days=1, actor=AUDITOR))
    assert entry.seq == 5 and entry.actor == AUDITOR
    assert ledger.verify().ok


# --- two writers -------------------------------------------------------------------------------------
@pytest.mark.slow
def test_it_keeps_one_chain_when_two_writers_append_at_once(world, db_url):
    first = world.ledger
    second = Ledger.open(db_url)
    rounds = world.rounds
    per_writer = 25
    outcomes: dict[str, list[str]] = {"GAO": [], "JUBA": []}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def write(ledger, target: str, label: str) -> None:  # noqa: ANN001
        try:
            start.wait()
            for n in range(per_writer):
                try:
                    ledger.post(mv("transfer", rounds, "GAO-ASP", target, quantity=10, days=1, hours=n, actor=label))
                    outcomes[label].append("ok")
                except ConcurrentAppend:
                    outcomes[label].append("retry")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(first, "ANSONGO-ARM", "GAO")),
               threading.Thread(target=write, args=(second, "JUBA-ARM", "JUBA"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    try:
        assert errors == []
        posted = sum(o.count("ok") for o in outcomes.values())
        assert sum(len(o) for o in outcomes.values()) == 2 * per_writer
        assert first.head()[0] == 4 + posted
        report = first.verify()
        assert report.ok, report.problems
        assert report.entries == 4 + posted
        entries = all_entries(first)
        assert [e.seq for e in entries] == list(range(1, 5 + posted))
        assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
        balances = stored_balances(first)
        ok = {label: o.count("ok") for label, o in outcomes.items()}
        assert balances.get(("ANSONGO-ARM", rounds.key), 0) == 10 * ok["GAO"]
        assert balances.get(("JUBA-ARM", rounds.key), 0) == 10 * ok["JUBA"]
        assert balances[("GAO-ASP", rounds.key)] == 10_000 - 10 * posted
    finally:
        second.engine.dispose()


def test_it_tells_a_writer_whose_head_moved_to_try_again(world):
    # a writer read the head; before it moves the head, someone else moved it
    from wam.services.posting import Poster
    from wam.storage.engine import write_connection

    ledger = world.ledger
    with pytest.raises(ConcurrentAppend) as caught, write_connection(ledger.engine) as conn, conn.begin():
        poster = Poster(conn, ledger.catalog, ledger_id=ledger.identity[0], ledger_uuid=ledger.uuid, recorded_at=0)
        poster.post(mv("transfer", world.rounds, "GAO-ASP", "JUBA-ARM", quantity=1, days=1))
        conn.exec_driver_sql("UPDATE chain_head SET seq = 99 WHERE id = 1")
        poster.finish()
    assert caught.value.retryable
    assert ledger.head()[0] == 4
    assert ledger.verify().ok


@pytest.mark.slow
def test_it_creates_a_new_supplier_once_when_two_writers_first_use_it_at_once(world, db_url):
    second = Ledger.open(db_url)
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def receive(ledger, target: str) -> None:  # noqa: ANN001
        try:
            start.wait()
            for n in range(5):
                try:
                    ledger.post(mv("receipt", world.rounds, "supply:SEN", target, quantity=100, days=1, hours=n))
                except ConcurrentAppend:
                    pass
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=receive, args=(world.ledger, "ANSONGO-ARM")),
               threading.Thread(target=receive, args=(second, "SGT-DIOP"))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        assert world.ledger.holder("supply:SEN").country == "SEN"
        report = world.ledger.verify()
        assert report.ok, report.problems
        received = stored_balances(world.ledger)[("supply:SEN", world.rounds.key)]
        assert received == -100 * (report.entries - 4)
    finally:
        second.engine.dispose()
