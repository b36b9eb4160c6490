"""Property tests of the five laws on the pure domain, no database.

Random valid movement sequences (built against a model of who holds what, see
``tests/builders.py``) keep every law; the pure checks the ledger uses agree with the model
about which back-dated movements are allowed; and any overdraw is caught by the replay.
"""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given
from hypothesis import strategies as st

from tests.builders import (
    REAL,
    SEQUENCE_EXAMPLES,
    STAGE_LOTS,
    STAGE_SERIALS,
    STORES,
    Step,
    chain_of,
    model_of,
    valid_steps,
)
from wam.domain.chain import verify_chain
from wam.domain.errors import PostingRejected
from wam.domain.holders import is_external
from wam.domain.laws import Replay, check_non_negative

SERIALS, LOTS = STAGE_SERIALS, STAGE_LOTS
UUID = "0f0f0f0f-0000-4000-8000-00000000abcd"

sequences = valid_steps(SERIALS, LOTS, max_size=30)


def entries_of(steps):  # noqa: ANN001, ANN201
    return chain_of([s.movement(UUID) for s in steps], origin=UUID)


def replay_in_occurrence_order(entries) -> Replay:  # noqa: ANN001
    replay = Replay(is_external, lambda key: key.startswith("W|"))
    for e in sorted(entries, key=lambda e: (e.occurred_at, e.seq)):
        replay.apply(e.seq, e.item, e.quantity, e.source, e.target)
    return replay


@given(sequences)
@SEQUENCE_EXAMPLES
def test_it_keeps_every_law_for_any_valid_sequence(steps):
    entries = entries_of(steps)
    replay = replay_in_occurrence_order(entries)
    assert replay.problems == []  # laws 1, 2 and 3
    assert list(verify_chain(entries)) == []  # law 4: the chain holds


@given(sequences)
@SEQUENCE_EXAMPLES
def test_it_conserves_every_item(steps):
    # law 3: nothing appears or vanishes; each item's balances sum to zero over all holders
    totals: defaultdict[str, int] = defaultdict(int)
    for (_, item), quantity in replay_in_occurrence_order(entries_of(steps)).nonzero_balances().items():
        totals[item] += quantity
    assert all(total == 0 for total in totals.values())


@given(sequences)
@SEQUENCE_EXAMPLES
def test_it_keeps_each_weapon_with_exactly_one_holder(steps):
    replay = replay_in_occurrence_order(entries_of(steps))
    model = model_of(steps, SERIALS, LOTS)
    balances = replay.nonzero_balances()
    for serial in SERIALS:
        holders = [h for (h, i), q in balances.items() if i == serial and q > 0]
        assert all(balances[(h, serial)] == 1 for h in holders)
        assert len(holders) <= 1
        assert replay.custody.get(serial) == model.custody(serial)
        if holders:
            assert holders == [model.custody(serial)]
        elif model.custody(serial) is not None:
            assert is_external(model.custody(serial))


@given(sequences)
@SEQUENCE_EXAMPLES
def test_it_replays_to_the_models_balances(steps):
    # law 5 on the pure side: the replay is the model
    assert replay_in_occurrence_order(entries_of(steps)).nonzero_balances() == model_of(steps, SERIALS, LOTS).balances()


@given(steps=sequences, data=st.data())
@SEQUENCE_EXAMPLES
def test_it_agrees_with_the_model_about_back_dated_lots(steps, data):
    model = model_of(steps, SERIALS, LOTS)
    item = data.draw(st.sampled_from(LOTS))
    holder = data.draw(st.sampled_from(STORES))
    hours = data.draw(st.integers(0, model.now + 1))
    quantity = data.draw(st.integers(1, 600))
    candidate = Step("transfer", item, quantity, holder, "JUBA-ARM" if holder != "JUBA-ARM" else "GAO-ARM", hours)
    allowed = model.valid([*steps, candidate])

    # what the ledger computes for a back-dated movement: its balance then, and every later change
    deltas = [(s.hours, s.quantity if s.target == holder else -s.quantity)
              for _, s in model.ordered() if s.item == item and holder in (s.source, s.target)]
    try:
        check_non_negative(item=item, holder=holder, quantity=quantity,
                           balance_at=sum(d for h, d in deltas if h <= hours),
                           later_deltas=[d for h, d in deltas if h > hours])
    except PostingRejected as refused:
        assert not allowed
        assert (refused.law, refused.item, refused.holder) == (2, item, holder)
    else:
        assert allowed
        assert quantity <= model.max_backdated(holder, item, hours)


@given(steps=sequences, data=st.data())
@SEQUENCE_EXAMPLES
def test_it_reports_any_overdraw(steps, data):
    model = model_of(steps, SERIALS, LOTS)
    item = data.draw(st.sampled_from(LOTS))
    holder = data.draw(st.sampled_from(REAL))
    too_many = model.balance(holder, item) + data.draw(st.integers(1, 100))
    overdraw = Step("expenditure", item, too_many, holder, "expended", model.now, reason="training")
    entries = entries_of([*steps, overdraw])
    problems = replay_in_occurrence_order(entries).problems
    assert [(p.check, p.seq, p.item, p.holder) for p in problems] == [("law 2", len(entries), item, holder)]


@given(steps=sequences, data=st.data())
@SEQUENCE_EXAMPLES
def test_it_reports_a_weapon_moved_by_someone_who_does_not_hold_it(steps, data):
    model = model_of(steps, SERIALS, LOTS)
    serial = data.draw(st.sampled_from(SERIALS))
    holder = data.draw(st.sampled_from([h for h in REAL if h != model.custody(serial)]))
    target = "JUBA-ARM" if holder != "JUBA-ARM" else "GAO-ARM"
    entries = entries_of([*steps, Step("transfer", serial, 1, holder, target, model.now)])
    problems = [p for p in replay_in_occurrence_order(entries).problems if p.check == "law 1"]
    assert [(p.seq, p.item, p.holder) for p in problems] == [(len(entries), serial, holder)]
