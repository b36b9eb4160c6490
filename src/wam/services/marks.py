"""Monthly balance marks: what each holder held at the start of each month.

A balance at a past date is then the holder's nearest mark, plus or minus at most half a month
of movements, instead of a sum over its whole history (40,000 movements for a busy
store at a million entries). Marks are derived data, like the current balances:

- :func:`mark_balances` builds the missing marks of every real holder, one pass over each
  holder's entries in occurrence order;
- posting a movement that occurred before one of its holders' marks deletes that holder's
  marks from the movement's month on (``Poster`` does it in the same transaction), so a mark
  is never stale; it is rebuilt at the next marking.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Subquery, func, literal, select, union_all

from wam.domain.timefmt import from_micros, to_micros
from wam.storage import tables as t


def month_start(micros: int) -> int:
    """The first microsecond of the month (UTC) that contains ``micros``."""
    moment = from_micros(micros)
    return to_micros(datetime(moment.year, moment.month, 1, tzinfo=UTC))


def boundaries(first: int, last: int) -> list[int]:
    """Every month start after ``first`` and not after ``last``."""
    out: list[int] = []
    moment = from_micros(first)
    year, month = moment.year, moment.month
    while True:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        boundary = to_micros(datetime(year, month, 1, tzinfo=UTC))
        if boundary > last:
            return out
        out.append(boundary)


def mark_balances(conn: Connection) -> int:
    """Build every missing mark; return how many mark sets were written."""
    e = t.entries
    first, last = conn.execute(select(func.min(e.c.occurred_at), func.max(e.c.occurred_at))).one()
    if first is None:
        return 0
    months = boundaries(first, last)
    if not months:
        return 0
    existing: dict[int, set[int]] = {}
    for holder_id, boundary in conn.execute(select(t.mark_sets.c.holder_id, t.mark_sets.c.boundary)):
        existing.setdefault(holder_id, set()).add(boundary)
    holders = conn.execute(select(t.holders.c.id).where(t.holders.c.external.is_(False))).scalars().all()
    written = 0
    for holder_id in holders:
        have = existing.get(holder_id, set())
        if all(b in have for b in months):
            continue
        rows, sets = _marks_of(conn, holder_id, months, have)
        if sets:
            conn.execute(t.mark_sets.insert(), [{"holder_id": holder_id, "boundary": b} for b in sets])
            written += len(sets)
        if rows:
            conn.execute(t.balance_marks.insert(), rows)
    return written


def _marks_of(conn: Connection, holder_id: int, months: list[int],
              have: set[int]) -> tuple[list[dict[str, Any]], list[int]]:
    """Replay one holder's entries and take its balances at each month start it lacks."""
    e = t.entries
    moves = union_all(
        select(e.c.occurred_at, e.c.item_id, e.c.quantity.label("q")).where(e.c.target_id == holder_id),
        select(e.c.occurred_at, e.c.item_id, (-e.c.quantity).label("q")).where(e.c.source_id == holder_id),
    ).subquery()
    held: dict[int, int] = {}
    rows: list[dict[str, Any]] = []
    sets: list[int] = []
    position = 0

    def take(boundary: int) -> None:
        if boundary in have:
            return
        sets.append(boundary)
        rows.extend({"holder_id": holder_id, "boundary": boundary, "item_id": i, "quantity": q}
                    for i, q in held.items() if q)

    result = conn.execute(
        select(moves.c.occurred_at, moves.c.item_id, moves.c.q).order_by(moves.c.occurred_at),
        execution_options={"stream_results": True, "yield_per": 20_000},
    )
    for occurred_at, item_id, quantity in result:
        while position < len(months) and occurred_at >= months[position]:
            take(months[position])
            position += 1
        held[item_id] = held.get(item_id, 0) + quantity
    while position < len(months):
        take(months[position])
        position += 1
    return rows, sets


def nearest_mark(conn: Connection, holder_id: int, at: int) -> int | None:
    """The holder's mark nearest to ``at``: the last one at or before it, or the first after it."""
    sets = t.mark_sets.c
    before = conn.execute(select(func.max(sets.boundary)).where(sets.holder_id == holder_id,
                                                                sets.boundary <= at)).scalar()
    after = conn.execute(select(func.min(sets.boundary)).where(sets.holder_id == holder_id,
                                                               sets.boundary > at)).scalar()
    if before is None or (after is not None and after - at < at - before):
        return int(after) if after is not None else None
    return int(before)


def marked_moves(holder_id: int, boundary: int, at: int) -> Subquery:
    """The rows whose sum is the holder's balance at ``at``, from a mark at ``boundary``.

    A mark counts the movements that occurred before its boundary. From a mark at or before
    ``at``: add the movements from the boundary up to ``at``. From a mark after ``at``: take
    away the movements after ``at`` and before the boundary.
    """
    e, m = t.entries, t.balance_marks
    if boundary <= at:
        window, sign = (e.c.occurred_at >= boundary, e.c.occurred_at <= at), 1
    else:
        window, sign = (e.c.occurred_at > at, e.c.occurred_at < boundary), -1
    return union_all(
        select(literal(holder_id).label("holder_id"), m.c.item_id, m.c.quantity.label("q")).where(
            m.c.holder_id == holder_id, m.c.boundary == boundary
        ),
        select(e.c.target_id.label("holder_id"), e.c.item_id, (sign * e.c.quantity).label("q")).where(
            e.c.target_id == holder_id, *window
        ),
        select(e.c.source_id.label("holder_id"), e.c.item_id, (-sign * e.c.quantity).label("q")).where(
            e.c.source_id == holder_id, *window
        ),
    ).subquery()


def forget_after(conn: Connection, stale: dict[int, int]) -> None:
    """Delete each holder's marks at boundaries after the given moment."""
    for holder_id, when in stale.items():
        for table in (t.balance_marks, t.mark_sets):
            conn.execute(table.delete().where(table.c.holder_id == holder_id, table.c.boundary > when))


def wrong_marks(conn: Connection) -> list[tuple[str, int, str, int, int]]:
    """Recompute every stored mark from the entries; return those that differ, as
    (holder code, boundary, item key, stored quantity, replayed quantity).

    Marks are derived, like current balances, but a past balance is read from them: a mark
    altered outside wam would make every balance read near it wrong. One pass over each
    marked holder's entries, so it costs about as much as the rest of verification together.
    """
    sets: dict[int, list[int]] = {}
    for holder_id, boundary in conn.execute(select(t.mark_sets.c.holder_id, t.mark_sets.c.boundary)):
        sets.setdefault(holder_id, []).append(boundary)
    holder_codes = {r.id: r.code for r in conn.execute(select(t.holders.c.id, t.holders.c.code))}
    item_keys: dict[int, str] = {}
    wrong = []
    for holder_id, months in sorted(sets.items()):
        months.sort()
        rows, _ = _marks_of(conn, holder_id, months, set())
        want = {(r["boundary"], r["item_id"]): r["quantity"] for r in rows}
        have = {(b, i): q for b, i, q in conn.execute(
            select(t.balance_marks.c.boundary, t.balance_marks.c.item_id, t.balance_marks.c.quantity)
            .where(t.balance_marks.c.holder_id == holder_id))}
        for key in sorted(set(want) | set(have)):
            if want.get(key, 0) != have.get(key, 0):
                boundary, item_id = key
                if item_id not in item_keys:
                    found = conn.execute(select(t.items.c.key).where(t.items.c.id == item_id)).scalar()
                    item_keys[item_id] = found or str(item_id)
                wrong.append((holder_codes.get(holder_id, str(holder_id)), boundary, item_keys[item_id],
                              have.get(key, 0),
                              want.get(key, 0)))
    return wrong
