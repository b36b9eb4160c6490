"""Monthly balance marks give the same balances at past dates as a sum over all history, and
stay right when a movement is posted before a mark."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select

from tests.factories import T0, build_world
from wam.services import queries
from wam.storage import tables as t


def _unmarked(ledger, holder: str, at):  # noqa: ANN001, ANN202
    """The balance summed over the whole history, the marks set aside (the reference)."""
    from wam.domain.timefmt import to_micros

    with ledger.engine.connect() as conn:
        holder_id = ledger.catalog.holder(conn, holder).id
        original = queries.nearest_mark
        queries.nearest_mark = lambda *_: None
        try:
            return {(b.item, b.quantity) for b in queries.balances(conn, holder_id, at=to_micros(at), tree=False)}
        finally:
            queries.nearest_mark = original


def _busy_world(ledger):  # noqa: ANN001, ANN202
    world = build_world(ledger)
    rng = random.Random(7)
    day = 0.0
    for _ in range(120):
        day += rng.uniform(0.5, 3)
        rifle = world.rifles[0]
        world.move("issue", rifle, "GAO-ARM", "PTE-RAHMAN", days=day)
        world.move("issue", world.rounds, "GAO-ASP", "PTE-RAHMAN", quantity=rng.randint(10, 90), days=day)
        world.move("return", rifle, "PTE-RAHMAN", "GAO-ARM", days=day + 0.2)
    return world


def _marks(ledger) -> int:  # noqa: ANN001
    with ledger.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(t.mark_sets)).scalar_one()


def test_it_gives_the_same_past_balances_with_marks(ledger):
    _busy_world(ledger)
    assert ledger.mark_balances() > 0
    assert ledger.mark_balances() == 0  # nothing left to mark
    rng = random.Random(3)
    for _ in range(40):
        at = T0 + timedelta(days=rng.uniform(0, 250))
        for holder in ("GAO-ARM", "GAO-ASP", "PTE-RAHMAN"):
            marked = {(b.item, b.quantity) for b in ledger.balance(holder, at=at)}
            assert marked == _unmarked(ledger, holder, at), (holder, at)


def test_it_forgets_marks_a_backdated_movement_makes_stale(ledger):
    world = _busy_world(ledger)
    ledger.mark_balances()
    before = _marks(ledger)
    # 500 rounds found in a count at day 20, recorded now: every later mark of GAO-ASP is stale
    world.move("adjustment", world.rounds, "count-adjustment", "GAO-ASP", quantity=500, days=20, document="CNT-GAO-01")
    assert _marks(ledger) < before
    for days in (10, 19.9, 20, 20.1, 29, 31, 45, 59, 61, 120, 240):
        at = T0 + timedelta(days=days)
        assert {(b.item, b.quantity) for b in ledger.balance("GAO-ASP", at=at)} == _unmarked(ledger, "GAO-ASP", at)
    ledger.mark_balances()
    assert _marks(ledger) == before
    at = T0 + timedelta(days=200)
    assert {(b.item, b.quantity) for b in ledger.balance("GAO-ASP", at=at)} == _unmarked(ledger, "GAO-ASP", at)
    assert ledger.verify().ok


def test_verify_with_marks_finds_an_altered_mark(ledger):
    """A mark changed outside wam would make past balances wrong: ``verify(marks=True)``
    recomputes every mark from the entries and names the one that differs."""
    world = _busy_world(ledger)
    ledger.mark_balances()
    assert ledger.verify(marks=True).ok
    with ledger.engine.begin() as conn:
        row = conn.execute(select(t.balance_marks.c.holder_id, t.balance_marks.c.boundary, t.balance_marks.c.item_id)
                           .where(t.balance_marks.c.item_id == ledger.catalog.item(conn, world.rounds.key).id)
                           .order_by(t.balance_marks.c.boundary).limit(1)).one()
        conn.execute(t.balance_marks.update().where(
            t.balance_marks.c.holder_id == row.holder_id, t.balance_marks.c.boundary == row.boundary,
            t.balance_marks.c.item_id == row.item_id).values(quantity=t.balance_marks.c.quantity + 1))
    assert ledger.verify().ok  # the ordinary check does not read marks
    report = ledger.verify(marks=True)
    assert [(p.check, p.item) for p in report.problems] == [("marks", world.rounds.key)]
    assert "the entries give" in report.problems[0].message
