"""Stock counts due: the stores in a user's scope not counted within the count interval.

**Where the date of the last count comes from.** The stock-count register (its counts,
approvals and deadlines) is a later issue. Until it exists, the only trace of a count in the
ledger is a movement of kind ``adjustment`` between the store and the ``count-adjustment``
holder, posted when an approved count found a surplus or a deficit. So the "last count" here
is the occurrence of the store's latest count adjustment, and a count that found nothing to
adjust leaves no trace: such a store is listed as due although it was counted. When the
register comes, :func:`last_counts` is the one function to replace with a read of it.

The adjustments are found through the ``count-adjustment`` holder, on the indexes every
movement already has (``ix_entries_source_time``, ``ix_entries_target_time``): the work is in
proportion to the number of adjustments, not of movements.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from wam.domain.access import Action, grants_for
from wam.domain.holders import HolderKind
from wam.domain.movements import MovementKind
from wam.domain.timefmt import to_micros
from wam.storage import tables as t

from .scoped import ScopedLedger, scope_ids

DAY = 86_400_000_000  # microseconds
COUNTER = "count-adjustment"


@dataclass(frozen=True, slots=True)
class CountDue:
    """A store whose count is due: never counted (``last`` None) or ``days`` since its last count."""

    code: str
    name: str
    last: int | None
    days: int | None


def last_counts(conn: Connection) -> dict[int, int]:
    """Return holder id -> occurrence (microseconds) of its latest count adjustment."""
    e, h = t.entries, t.holders
    counter = conn.execute(select(h.c.id).where(h.c.code == COUNTER)).scalar()
    if counter is None:
        return {}
    kind = MovementKind.ADJUSTMENT.value
    surplus = (select(e.c.target_id, func.max(e.c.occurred_at))
               .where(e.c.source_id == counter, e.c.kind == kind).group_by(e.c.target_id))
    deficit = (select(e.c.source_id, func.max(e.c.occurred_at))
               .where(e.c.target_id == counter, e.c.kind == kind).group_by(e.c.source_id))
    last: dict[int, int] = {}
    for query in (surplus, deficit):
        for holder_id, at in conn.execute(query):
            last[holder_id] = max(at, last.get(holder_id, at))
    return last


def counts_due(scoped: ScopedLedger, *, interval_days: int, limit: int = 10) -> tuple[int, list[CountDue]]:
    """Return (how many, the first ``limit``) stores due a count, never counted first, then oldest.

    The stores are those where the user's role records movements or verifies the ledger (the
    people who count and those who check that counts happen); others get an empty list.
    """
    grants = grants_for(scoped.grants, Action.RECORD) + grants_for(scoped.grants, Action.VERIFY)
    if not grants:
        return 0, []
    now = to_micros(scoped.ledger.clock())
    cutoff = now - interval_days * DAY
    h = t.holders
    query = select(h.c.id, h.c.code, h.c.name).where(h.c.kind == HolderKind.STORE.value)
    scope = scope_ids(grants)
    if scope is not None:
        query = query.where(h.c.id.in_(scope))
    with scoped.ledger.engine.connect() as conn:
        stores = conn.execute(query).all()
        last = last_counts(conn) if stores else {}
    due = [CountDue(s.code, s.name, last.get(s.id), None if s.id not in last else (now - last[s.id]) // DAY)
           for s in stores if last.get(s.id) is None or last[s.id] < cutoff]
    due.sort(key=lambda d: (d.last is not None, d.last or 0, d.code))
    return len(due), due[:limit]


__all__ = ["CountDue", "counts_due", "last_counts"]
