"""Stock counts due: the stores in a user's scope whose count is overdue.

**Schedules and the last count.** A store with a schedule (:func:`wam.services.counts.schedule`,
e.g. a full count every 30 days) is due when its last closed count (a count of the store, or of
a site above it) is older than its schedule's interval; a store without one, when older than
the caller's ``interval_days`` (the mission's default, ``WAM_COUNT_INTERVAL_DAYS``). The last count
is read from the count register's ``count-closed`` records (one a close, by holder: never the
counts' lines); a count posted as its adjustments only (a document of the ``count`` step, as
imports and older worlds have) still counts, through its adjustments with ``count-adjustment``.

The adjustments are found through the ``count-adjustment`` holder, on the indexes every
movement already has (``ix_entries_source_time``, ``ix_entries_target_time``): the work is in
proportion to the number of adjustments, not of movements.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, func, or_, select

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


def last_counts(conn: Connection, holders: Collection[int] | None = None) -> dict[int, int]:
    """Return holder id -> its latest count (microseconds): a closed count of it or of a site above
    it, or an adjustment posted by a count given as its adjustments.

    ``holders``: the holders whose closed counts are wanted (None: every holder). The tree above them
    is read without the persons (nothing is below a person): at ten million movements, 30,000 persons
    walked up to the root took 0.1 s of the home page for the few stores it shows."""
    from .counts import last_counts as closed_counts

    last = _last_adjustments(conn)
    closed = closed_counts(conn)
    if closed:
        h = t.holders
        tree = select(h.c.id, h.c.code, h.c.parent_id)
        if holders is not None:
            tree = tree.where(or_(h.c.kind != HolderKind.PERSON.value,
                                  h.c.id.in_(bindparam("wanted", sorted(holders), expanding=True))))
        rows = conn.execute(tree).all()
        parent = {row.id: row.parent_id for row in rows}
        codes = {row.id: row.code for row in rows}
        for holder_id in codes if holders is None else holders:
            node: int | None = holder_id
            while node is not None:  # the holder, then each site above it
                at = closed.get(codes[node])
                if at is not None:
                    last[holder_id] = max(at, last.get(holder_id, at))
                node = parent.get(node)
    return last


def _last_adjustments(conn: Connection) -> dict[int, int]:
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


def overdue(last: int | None, every_days: int | None, interval_days: int, now: int) -> bool:
    """Whether a store last counted at ``last`` (None: never) is due a count at ``now``: by its
    schedule's ``every_days``, else the mission's ``interval_days`` (times in microseconds)."""
    return last is None or last < now - (every_days if every_days is not None else interval_days) * DAY


def counts_due(scoped: ScopedLedger, *, interval_days: int, limit: int = 10) -> tuple[int, list[CountDue]]:
    """Return (how many, the first ``limit``) stores due a count, never counted first, then oldest:
    by their schedule's interval, or ``interval_days`` for a store without one.

    The stores are those where the user's role records movements or verifies the ledger (the
    people who count and those who check that counts happen); others get an empty list.
    """
    grants = grants_for(scoped.grants, Action.RECORD) + grants_for(scoped.grants, Action.VERIFY)
    if not grants:
        return 0, []
    now = to_micros(scoped.ledger.clock())
    h = t.holders
    query = select(h.c.id, h.c.code, h.c.name).where(h.c.kind == HolderKind.STORE.value)
    scope = scope_ids(grants)
    if scope is not None:
        query = query.where(h.c.id.in_(scope))
    from .counts import schedules

    with scoped.ledger.engine.connect() as conn:
        stores = conn.execute(query).all()
        last = last_counts(conn, [s.id for s in stores]) if stores else {}
        every = {code: body["every_days"] for code, body in schedules(conn).items()} if stores else {}

    due = [CountDue(s.code, s.name, last.get(s.id), None if s.id not in last else (now - last[s.id]) // DAY)
           for s in stores if overdue(last.get(s.id), every.get(s.code), interval_days, now)]
    due.sort(key=lambda d: (d.last is not None, d.last or 0, d.code))
    return len(due), due[:limit]


__all__ = ["CountDue", "counts_due", "last_counts", "overdue"]
