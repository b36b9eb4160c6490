"""Reads: balances now and at a past moment, an item's custody history, entries, the tree.

Every read names holders and items by code and key, never by database id.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select, and_, func, select, union_all

from wam.domain.errors import NotFound
from wam.domain.holders import Holder
from wam.domain.movements import Entry
from wam.storage import tables as t

from .catalog import holder_from_row
from .current_balance import CURRENT_SQL, CURRENT_SQL_SQLITE, BalanceLine, line_of
from .marks import marked_moves, nearest_mark


def subtree_ids(conn: Connection, holder_id: int) -> Select[tuple[int]]:
    """A recursive CTE selecting ``holder_id`` and every holder below it."""
    sub = select(t.holders.c.id).where(t.holders.c.id == holder_id).cte("subtree", recursive=True)
    child = t.holders.alias("child")
    sub = sub.union_all(select(child.c.id).where(child.c.parent_id == sub.c.id))
    return select(sub.c.id)


def balances(conn: Connection, holder_id: int, *, at: int | None, tree: bool) -> list[BalanceLine]:
    """Return the non-zero balances of a holder (or its subtree) now, or as at ``at``.

    A past balance is summed from the entries up to ``at`` using the covering indexes on
    (source, occurred_at) and (target, occurred_at).
    """
    if at is None and not tree:
        return _current_balances(conn, holder_id)
    subtree = subtree_ids(conn, holder_id) if tree else None

    def scope(column: ColumnElement[Any]) -> ColumnElement[bool]:
        # plain equality for one holder: SQLite then walks the covering index as a range
        return column.in_(subtree) if subtree is not None else column == holder_id

    if at is None:
        inner = (
            select(t.balances.c.holder_id, t.balances.c.item_id, t.balances.c.quantity.label("qty"))
            .where(scope(t.balances.c.holder_id), t.balances.c.quantity != 0)
            .subquery()
        )
    elif not tree and (boundary := nearest_mark(conn, holder_id, at)) is not None:
        moves = marked_moves(holder_id, boundary, at)
        inner = (
            select(moves.c.holder_id, moves.c.item_id, func.sum(moves.c.q).label("qty"))
            .group_by(moves.c.holder_id, moves.c.item_id)
            .having(func.sum(moves.c.q) != 0)
            .subquery()
        )
    else:
        e = t.entries
        # Sum the shorter side of history: the entries up to ``at``, or the current balance
        # less the entries after it. Which is shorter is judged by where ``at`` falls between
        # the first and the last entry (a cheap look-up at both ends of the seq index).
        first = conn.execute(select(e.c.occurred_at).order_by(e.c.seq).limit(1)).scalar()
        last = conn.execute(select(e.c.occurred_at).order_by(e.c.seq.desc()).limit(1)).scalar()
        from_now = first is not None and last is not None and last > first and (at - first) * 2 > (last - first)
        if from_now:
            moves = union_all(
                select(t.balances.c.holder_id, t.balances.c.item_id, t.balances.c.quantity.label("q")).where(
                    scope(t.balances.c.holder_id), t.balances.c.quantity != 0
                ),
                select(e.c.target_id.label("holder_id"), e.c.item_id, (-e.c.quantity).label("q")).where(
                    scope(e.c.target_id), e.c.occurred_at > at
                ),
                select(e.c.source_id.label("holder_id"), e.c.item_id, e.c.quantity.label("q")).where(
                    scope(e.c.source_id), e.c.occurred_at > at
                ),
            ).subquery()
        else:
            moves = union_all(
                select(e.c.target_id.label("holder_id"), e.c.item_id, e.c.quantity.label("q")).where(
                    scope(e.c.target_id), e.c.occurred_at <= at
                ),
                select(e.c.source_id.label("holder_id"), e.c.item_id, (-e.c.quantity).label("q")).where(
                    scope(e.c.source_id), e.c.occurred_at <= at
                ),
            ).subquery()
        inner = (
            select(moves.c.holder_id, moves.c.item_id, func.sum(moves.c.q).label("qty"))
            .group_by(moves.c.holder_id, moves.c.item_id)
            .having(func.sum(moves.c.q) != 0)
            .subquery()
        )
    query = (
        select(t.holders.c.code, t.items.c.key, inner.c.qty, t.items.c.type, t.items.c.shape, t.items.c.make,
               t.items.c.model, t.items.c.serial, t.items.c.lot)
        .join(t.holders, t.holders.c.id == inner.c.holder_id)
        .join(t.items, t.items.c.id == inner.c.item_id)
        .order_by(t.holders.c.code, t.items.c.key)
    )
    return [line_of(*r) for r in conn.execute(query)]


# What one holder holds now: the most frequent read of all (every holder page, every API
# balance call), so written out once rather than built per call; SQLAlchemy's statement
# cache key for the equivalent select costs five times the query itself.
# PostgreSQL's planner joins a store's hundred lines to the items by hashing the whole items
# table; a lateral look-up per line (OFFSET 0 keeps it from being flattened back into the
# join) reads a hundred index entries instead: half the time, and a fifth of the planning.
_CURRENT_SQL_POSTGRESQL = CURRENT_SQL.format(
    items="CROSS JOIN LATERAL (SELECT * FROM items WHERE items.id = b.item_id OFFSET 0) AS i", mark="%s")


def _current_balances(conn: Connection, holder_id: int) -> list[BalanceLine]:
    sql = _CURRENT_SQL_POSTGRESQL if conn.dialect.name == "postgresql" else CURRENT_SQL_SQLITE
    return [line_of(*r) for r in conn.exec_driver_sql(sql, (holder_id,))]


@cache
def _entry_query(entries_lead: bool = False) -> Select[Any]:
    """The select of an entry row with its codes; built once (callers add their own where and
    order, on ``entries`` columns): new holder aliases per call would make SQLAlchemy rebuild
    their column collections and miss its statement cache every time.

    ``entries_lead=True`` joins the item and the holders through ``entries.item_id + 0`` (and
    ``source_id + 0``, ``target_id + 0``): each is then looked up by its key for an entry already
    chosen and none can lead the plan. SQLite otherwise starts from the items or from every holder
    and reads the entries of each, even for a list whose own filters (a store's entries through
    the holders' indexes, a day's, the sort's index) select far fewer."""
    src, dst = t.holders.alias(), t.holders.alias()
    e = t.entries
    item_id: ColumnElement[Any] = e.c.item_id
    source_id: ColumnElement[Any] = e.c.source_id
    target_id: ColumnElement[Any] = e.c.target_id
    if entries_lead:
        item_id, source_id, target_id = item_id + 0, source_id + 0, target_id + 0
    return (
        select(
            e.c.seq, t.ledgers.c.uuid.label("origin"), e.c.origin_seq, e.c.kind, t.items.c.key.label("item"),
            e.c.quantity, src.c.code.label("source"), dst.c.code.label("target"), e.c.occurred_at, e.c.recorded_at,
            e.c.actor, e.c.witness, e.c.document, e.c.note, e.c.reason, e.c.reverses, e.c.prev_hash, e.c.hash,
        )
        .join(t.ledgers, t.ledgers.c.id == e.c.origin_id)
        .join(t.items, t.items.c.id == item_id)
        .join(src, src.c.id == source_id)
        .join(dst, dst.c.id == target_id)
    )


def entry_from_row(row: Row[*tuple[Any, ...]]) -> Entry:
    return Entry(
        seq=row.seq, origin=row.origin, origin_seq=row.origin_seq, kind=row.kind, item=row.item,
        quantity=row.quantity, source=row.source, target=row.target, occurred_at=row.occurred_at,
        recorded_at=row.recorded_at, actor=row.actor, witness=row.witness, document=row.document,
        note=row.note, reason=row.reason, reverses=row.reverses, prev_hash=bytes(row.prev_hash), hash=bytes(row.hash),
    )


def history(conn: Connection, item_id: int) -> list[Entry]:
    """Return an item's movements in occurrence order, first to last."""
    query = _entry_query().where(t.entries.c.item_id == item_id).order_by(t.entries.c.occurred_at, t.entries.c.seq)
    return [entry_from_row(r) for r in conn.execute(query)]


def entries(
    conn: Connection,
    *,
    holder_id: int | None = None,
    tree: bool = False,
    item_id: int | None = None,
    kind: str | None = None,
    before_seq: int | None = None,
    limit: int = 50,
) -> list[Entry]:
    """Return entries, newest first, filtered; page with ``before_seq`` (the last seq seen)."""
    e = t.entries
    query = _entry_query()
    if holder_id is not None:
        if tree:
            scope = subtree_ids(conn, holder_id)
            query = query.where(e.c.source_id.in_(scope) | e.c.target_id.in_(scope))
        else:
            query = query.where((e.c.source_id == holder_id) | (e.c.target_id == holder_id))
    if item_id is not None:
        query = query.where(e.c.item_id == item_id)
    if kind is not None:
        query = query.where(e.c.kind == kind)
    if before_seq is not None:
        query = query.where(e.c.seq < before_seq)
    query = query.order_by(e.c.seq.desc()).limit(limit)
    return [entry_from_row(r) for r in conn.execute(query)]


def holder_details(conn: Connection, code: str) -> Holder:
    parent = t.holders.alias()
    row = conn.execute(
        select(t.holders, parent.c.code.label("parent_code"))
        .outerjoin(parent, parent.c.id == t.holders.c.parent_id)
        .where(t.holders.c.code == code)
    ).first()
    if row is None:
        raise NotFound("holder", code)
    return holder_from_row(row, row.parent_code)


def children(conn: Connection, holder_id: int | None) -> list[Holder]:
    """Return the direct children of a holder (the roots and external holders when None)."""
    parent = t.holders.alias()
    query = select(t.holders, parent.c.code.label("parent_code")).outerjoin(parent,
                                                                            parent.c.id == t.holders.c.parent_id)
    query = query.where(t.holders.c.parent_id == holder_id if holder_id is not None
                        else t.holders.c.parent_id.is_(None))
    return [holder_from_row(r, r.parent_code) for r in conn.execute(query.order_by(t.holders.c.code))]


def holders_in(conn: Connection, holder_id: int) -> list[Holder]:
    """Return a holder and all holders below it."""
    parent = t.holders.alias()
    query = (
        select(t.holders, parent.c.code.label("parent_code"))
        .outerjoin(parent, parent.c.id == t.holders.c.parent_id)
        .where(t.holders.c.id.in_(subtree_ids(conn, holder_id)))
        .order_by(t.holders.c.code)
    )
    return [holder_from_row(r, r.parent_code) for r in conn.execute(query)]


def custodian(conn: Connection, item_id: int) -> str | None:
    """Return the code of the holder of a serialised item now."""
    return conn.execute(
        select(t.holders.c.code)
        .join(t.balances, and_(t.balances.c.holder_id == t.holders.c.id))
        .where(t.balances.c.item_id == item_id, t.balances.c.quantity > 0)
    ).scalar()
