"""Property tests of the ledger on a real database (SQLite, or PostgreSQL with WAM_TEST_DATABASE_URL).

Each example gets a database of its own. Random valid movement sequences, posted one by one or
in batches, keep all five laws; stored balances, ``balance()`` now and at past moments, and a
full replay all agree with a model of who holds what; what is stored and loaded back is exactly
what was posted. Invalid movements are refused naming law, item and holder, and change nothing.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import (
    FIXED_NOW,
    LEDGER_EXAMPLES,
    PERSONS,
    REAL,
    STAGE_LOTS,
    STAGE_SERIALS,
    STORES,
    Step,
    all_entries,
    at,
    chain_of,
    fixed_clock,
    fresh_ledger,
    model_of,
    snapshot,
    stage,
    stored_balances,
    valid_steps,
)
from tests.factories import post, post_many
from wam.domain.errors import PostingRejected
from wam.domain.holders import is_external
from wam.domain.laws import Replay
from wam.domain.timefmt import to_micros

pytestmark = pytest.mark.slow

SERIALS, LOTS = STAGE_SERIALS, STAGE_LOTS
sequences = valid_steps(SERIALS, LOTS, max_size=20)


def post_in_chunks(ledger, steps: list[Step], data: st.DataObject) -> list:  # noqa: ANN001
    """Post ``steps`` in order, some one by one (keeping the returned entries), some in batches."""
    returned = []
    movements = [s.movement(ledger.uuid) for s in steps]
    i = 0
    while i < len(movements):
        size = data.draw(st.integers(1, 6), label="chunk")
        chunk = movements[i : i + size]
        if data.draw(st.booleans(), label="batch"):
            assert post_many(ledger, chunk) == len(chunk)
            returned.extend([None] * len(chunk))
        else:
            returned.extend(post(ledger, m) for m in chunk)
        i += size
    return returned


def replay(entries) -> Replay:  # noqa: ANN001
    r = Replay(is_external, lambda key: key.startswith("W|"))
    for e in sorted(entries, key=lambda e: (e.occurred_at, e.seq)):
        r.apply(e.seq, e.item, e.quantity, e.source, e.target)
    return r


def lines(balance_lines) -> dict[tuple[str, str], int]:  # noqa: ANN001
    return {(b.holder, b.item): b.quantity for b in balance_lines}


def only(balances: dict, holders) -> dict:  # noqa: ANN001
    return {k: v for k, v in balances.items() if k[0] in holders}


@given(steps=sequences, data=st.data())
@LEDGER_EXAMPLES
def test_it_keeps_every_law_and_its_balances_equal_a_full_replay(steps, data):
    model = model_of(steps, SERIALS, LOTS)
    with fresh_ledger(clock=fixed_clock) as ledger:
        stage(ledger)
        post_in_chunks(ledger, steps, data)

        report = ledger.verify()
        assert report.ok, report.problems
        assert report.entries == len(steps) == ledger.head()[0]

        entries = all_entries(ledger)
        replayed = replay(entries)
        assert replayed.problems == []  # laws 1-3, in occurrence order
        expected = model.balances()
        assert replayed.nonzero_balances() == expected  # law 5: replay ...
        assert stored_balances(ledger) == expected  # ... equals what is stored ...
        for holder in {h for h, _ in expected} | set(REAL):  # ... and what the ledger shows
            assert lines(ledger.balance(holder)) == only(expected, {holder})
        assert lines(ledger.balance("UN", tree=True)) == only(expected, set(REAL))

        for serial in SERIALS:  # law 1: one holder
            where = model.custody(serial)
            assert ledger.custodian(serial) == (where if where and expected.get((where, serial), 0) > 0 else None)


@given(steps=sequences, data=st.data())
@LEDGER_EXAMPLES
def test_it_shows_past_balances_as_a_replay_up_to_that_moment(steps, data):
    model = model_of(steps, SERIALS, LOTS)
    with fresh_ledger() as ledger:
        stage(ledger)
        post_many(ledger, [s.movement(ledger.uuid) for s in steps])
        moments = sorted({s.hours for s in steps} | {-1})
        for hours in data.draw(st.lists(st.sampled_from(moments), min_size=1, max_size=3, unique=True), label="when"):
            then = model.balances(until=hours)
            when = at(hours=hours)
            assert lines(ledger.balance("UN", at=when, tree=True)) == only(then, set(REAL))
            holder = data.draw(st.sampled_from(REAL + ("lost", "expended")), label="holder")
            if holder in REAL or any(h == holder for h, _ in model.balances()):
                assert lines(ledger.balance(holder, at=when)) == only(then, {holder})


@given(steps=sequences)
@LEDGER_EXAMPLES
def test_it_loads_back_exactly_what_it_stored(steps):
    with fresh_ledger(clock=fixed_clock) as ledger:
        stage(ledger)
        movements = [s.movement(ledger.uuid) for s in steps]
        posted = [post(ledger, m) for m in movements]

        # computed independently of the ledger, from the documented chain
        assert posted == chain_of(movements, origin=ledger.uuid, recorded_at=to_micros(FIXED_NOW))
        assert all_entries(ledger) == posted
        assert ledger.head() == (posted[-1].seq, posted[-1].hash)
        by_item = defaultdict(list)
        for e in sorted(posted, key=lambda e: (e.occurred_at, e.seq)):
            by_item[e.item].append(e)
        for item in SERIALS + LOTS:
            assert ledger.history(item) == by_item[item]
            assert ledger.entries(item=item, limit=1000) == sorted(by_item[item], key=lambda e: -e.seq)


# --- refusals -----------------------------------------------------------------------------------
@st.composite
def invalid_step(draw: st.DrawFn, steps: list[Step]) -> tuple[Step, int, str, str]:
    """A movement that breaks a law after ``steps``, with the law, item and holder it must name."""
    model = model_of(steps, SERIALS, LOTS)
    balances = model.balances()
    case = draw(st.sampled_from(["overdraw", "not-the-holder", "backdated-lot", "backdated-serial"]))
    if case == "backdated-serial":
        moved = [s for s in steps if s.item in SERIALS and s.hours > 0]
        if not moved:
            case = "overdraw"
        else:
            serial = draw(st.sampled_from(sorted({s.item for s in moved})))
            latest = max(s.hours for s in steps if s.item == serial)
            when = draw(st.integers(0, latest - 1))
            holder = model.custody(serial)
            source = holder if holder in STORES else draw(st.sampled_from(STORES))
            target = next(s for s in STORES if s != source)
            return Step("transfer", serial, 1, source, target, when), 1, serial, source
    if case == "backdated-lot":
        lot = draw(st.sampled_from(LOTS))
        source = draw(st.sampled_from(STORES))
        when = draw(st.integers(0, max(model.now, 1)))
        too_many = max(model.max_backdated(source, lot, when), 0) + draw(st.integers(1, 50))
        return Step("loss", lot, too_many, source, "lost", when, document="INC-9"), 2, lot, source
    if case == "not-the-holder":
        serial = draw(st.sampled_from(SERIALS))
        source = draw(st.sampled_from([h for h in STORES if h != model.custody(serial)]))
        target = next(s for s in STORES if s != source)
        return Step("transfer", serial, 1, source, target, model.now), 1, serial, source
    lot = draw(st.sampled_from(LOTS))
    source = draw(st.sampled_from(REAL))
    too_many = balances.get((source, lot), 0) + draw(st.integers(1, 1000))
    if source in PERSONS:
        return Step("return", lot, too_many, source, "GAO-ARM", model.now), 2, lot, source
    return Step("expenditure", lot, too_many, source, "expended", model.now, reason="training"), 2, lot, source


@given(data=st.data(), steps=sequences)
@LEDGER_EXAMPLES
def test_it_refuses_a_movement_that_breaks_a_law_and_changes_nothing(data, steps):
    bad, law, item, holder = data.draw(invalid_step(steps), label="invalid")
    with fresh_ledger() as ledger:
        stage(ledger)
        post_many(ledger, [s.movement(ledger.uuid) for s in steps])
        before = snapshot(ledger)

        with pytest.raises(PostingRejected) as refused:
            post(ledger, bad.movement(ledger.uuid))
        exc = refused.value
        assert (exc.law, exc.item, exc.holder) == (law, item, holder)
        assert exc.message.startswith(f"law {law}: ")
        assert item in exc.message or (law == 2 and holder in exc.message)

        assert snapshot(ledger) == before
        assert ledger.verify().ok


@given(data=st.data(), steps=sequences)
@LEDGER_EXAMPLES
def test_it_writes_nothing_of_a_batch_with_one_bad_movement(data, steps):
    prefix_size = data.draw(st.integers(0, len(steps)), label="already posted")
    bad, law, item, holder = data.draw(invalid_step(steps), label="invalid")
    with fresh_ledger() as ledger:
        stage(ledger)
        movements = [s.movement(ledger.uuid) for s in steps]
        post_many(ledger, movements[:prefix_size])
        before = snapshot(ledger)
        batch = [*movements[prefix_size:], bad.movement(ledger.uuid)]
        # the bad one is last so that every earlier movement of the batch is valid
        with pytest.raises(PostingRejected) as refused:
            post_many(ledger, batch)
        assert (refused.value.law, refused.value.item, refused.value.holder) == (law, item, holder)
        assert refused.value.message.startswith(f"movement {len(batch)}: law {law}: ")
        assert snapshot(ledger) == before
        assert ledger.verify().ok
