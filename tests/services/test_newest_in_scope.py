"""A scope's newest movements, read down the seq in windows then through the holders' indexes
(``ScopedLedger.entries``), are those of the one direct query: every movement with an end in scope,
newest first, page after page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import T0
from wam.domain.access import Action, Grant, Role, grants_for
from wam.domain.movements import make_movement
from wam.services import scoped as scoped_module
from wam.services.scoped import Ancestry, ScopedLedger, scope_ids
from wam.storage import tables as t

GRANTS = {
    "officer": Grant(Role.MISSION_OFFICER, "MINUSMA"),
    "quartermaster": Grant(Role.QUARTERMASTER, "BGD-BATT"),
    "armourer": Grant(Role.ARMOURER, "ANSONGO-ARM"),
    "auditor": Grant(Role.AUDITOR, "SEN-BATT"),
    "viewer": Grant(Role.VIEWER, "NPL-BATT"),
}


def _busy(world) -> None:  # noqa: ANN001
    """Movements in and out of every scope, interleaved: issues and returns at Gao, transfers to
    Ansongo and back, rounds spent, and Juba's own receipts late in the ledger."""
    n = 0

    def move(kind: str, item, source: str, target: str, quantity: int = 1, **extra: object) -> None:  # noqa: ANN001
        nonlocal n
        n += 1
        world.ledger.post(make_movement(kind=kind, item=item.key, quantity=quantity, source=source, target=target,
                                        occurred_at=T0 + timedelta(hours=n), actor="setup", **extra))

    rifle1, rifle2, rifle3 = world.rifles
    for _ in range(3):
        move("issue", rifle1, "GAO-ARM", "PTE-RAHMAN")
        move("transfer", rifle2, "GAO-ARM", "ANSONGO-ARM")
        move("expenditure", world.rounds, "GAO-ASP", "expended", quantity=5, reason="training")
        move("issue", rifle2, "ANSONGO-ARM", "SGT-DIOP")
        move("return", rifle2, "SGT-DIOP", "ANSONGO-ARM")
        move("transfer", rifle2, "ANSONGO-ARM", "GAO-ARM")
        move("return", rifle1, "PTE-RAHMAN", "GAO-ARM")
    move("transfer", rifle3, "GAO-ARM", "JUBA-ARM")
    move("issue", rifle1, "GAO-ARM", "PTE-RAHMAN")


def _expected(world, grant: Grant, kind: str | None) -> list[int]:  # noqa: ANN001
    """Every movement with an end in the grant's scope, newest first, from the whole ledger."""
    with world.ledger.engine.connect() as conn:
        ids = set(conn.execute(scope_ids(grants_for([grant], Action.READ_MOVEMENTS))).scalars())
        e = t.entries
        rows = conn.execute(select(e.c.seq, e.c.kind, e.c.source_id, e.c.target_id).order_by(e.c.seq.desc()))
        return [r.seq for r in rows if (r.source_id in ids or r.target_id in ids) and kind in (None, r.kind)]


@pytest.mark.parametrize("windows", [(1, 3), (2,), scoped_module.NEWEST_WINDOWS], ids=["small", "one", "default"])
@pytest.mark.parametrize("kind", [None, "transfer", "issue"])
@pytest.mark.parametrize("persona", sorted(GRANTS))
def test_the_newest_movements_in_scope_are_the_direct_querys(world, persona: str, kind: str | None,  # noqa: ANN001
                                                             windows: tuple[int, ...], monkeypatch) -> None:
    _busy(world)
    monkeypatch.setattr(scoped_module, "NEWEST_WINDOWS", windows)
    scoped = ScopedLedger(world.ledger, Ancestry(), [GRANTS[persona]], persona)
    expected = _expected(world, GRANTS[persona], kind)
    for limit in (1, 4, 50):
        seen: list[int] = []
        cursor = None
        while True:
            page = scoped.entries(kind=kind, cursor=cursor, limit=limit)
            seen += [e.seq for e in page.items]
            assert len(page.items) <= limit
            if page.next is None:
                break
            cursor = page.next
        assert seen == expected, (persona, kind, limit)
    assert expected or kind is not None  # every scope has movements
