"""Lists that scale: holdings, items, holders and movements as one user may see them, paged by the database.

Every list here is one SQL query built from a :class:`ListQuery` (filters, search, sort, page),
scoped by :func:`wam.services.scoped.scope_ids` and the checks of :class:`ScopedLedger` (the one
place where scoping is decided), answered with ``LIMIT``/``OFFSET`` and a count of the same
filtered query: never Python over a full result. The count stops at :data:`COUNT_CAP` ("more than
10,000"): counting a million rows to print a number costs seconds, and nobody pages that far.
A list past the cap is large by definition, so its page is read by walking the sort's own index
and keeping the rows that pass the filters (:func:`_run` asks the builder for that plan), not by
gathering every match through the holders' indexes and sorting it. The same query without the page streams the
whole filtered list for an export (:mod:`wam.services.export`), so what is exported is exactly
what the user filtered.

A serial search (``q``) finds partial and prefix matches: the serial, the lot, the make or the
model containing the text, case-insensitively, prefix matches first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias

from sqlalchemy import CompoundSelect, Connection, Select, bindparam, case, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.sql import operators

from wam.domain.access import Action, Role, grants_for
from wam.domain.errors import InvalidInput
from wam.domain.holders import HolderKind
from wam.domain.materiel import ItemType
from wam.domain.movements import MovementKind
from wam.domain.timefmt import to_micros
from wam.storage import tables as t

from . import queries
from .scoped import ScopedLedger, scope_ids

if TYPE_CHECKING:
    _Select: TypeAlias = Select[*tuple[Any, ...]]  # a list's query, whatever its columns
    # ... built on the connection that runs it; ``large``: the list passed the count's cap
    _Build: TypeAlias = Callable[[Connection, bool], _Select]
    _RowFn: TypeAlias = Callable[[Any], dict[str, Any]]  # a result row -> the list's row
    # the rows to count, when another query than the list's own counts them faster (None: the list's)
    _Count: TypeAlias = Callable[[Connection], _Select | CompoundSelect[Any] | None]

PER_PAGE = 50
MAX_PER_PAGE = 500
STREAM_BATCH = 1000
COUNT_CAP = 10_000  # a list's total is counted up to here; past it the page says "more than 10,000"
_TYPES = {k.value for k in ItemType}


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What the user asked of a list: a page, a sort, filters and a search (all optional)."""

    page: int = 1
    per: int = PER_PAGE
    sort: str | None = None
    desc: bool = False
    q: str = ""
    kind: str = ""
    since: datetime | None = None
    until: datetime | None = None
    under: str = ""  # a holder code: only what is in its subtree
    category: str = ""
    calibre: str = ""

    def checked(self) -> ListQuery:
        """The query with its page and size inside bounds; InvalidInput names a bad field."""
        if self.page < 1:
            raise InvalidInput("is not a page number (1 or more)", field="page")
        if not 1 <= self.per <= MAX_PER_PAGE:
            raise InvalidInput(f"is not a page size (1 to {MAX_PER_PAGE})", field="per")
        kinds = {k.value for k in MovementKind} | {k.value for k in HolderKind} | {r.value for r in Role} | _TYPES
        if self.kind and self.kind not in kinds:
            raise InvalidInput(f"{self.kind!r} is not a kind", field="kind")
        return replace(self, q=self.q.strip()[:100], category=self.category.strip()[:60],
                       calibre=self.calibre.strip()[:40], under=self.under.strip()[:64])


@dataclass(frozen=True, slots=True)
class ListPage:
    """One page of a list and the total of the filtered list."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    per: int
    more: bool = False  # the list holds more than ``total`` (the count stopped at COUNT_CAP)

    @property
    def pages(self) -> int:
        """The number of pages; with ``more``, those known so far and one after this page if it is full."""
        known = max(1, -(-self.total // self.per))
        if self.more:
            return max(known, self.page + (1 if len(self.rows) == self.per else 0))
        return known

    @property
    def first(self) -> int:
        return 0 if not self.rows else (self.page - 1) * self.per + 1

    @property
    def last(self) -> int:
        return (self.page - 1) * self.per + len(self.rows)


def _sort(lq: ListQuery, sorts: dict[str, str], default: str) -> str:
    """The column to sort by; InvalidInput names a sort this list does not have (never ignored)."""
    if lq.sort and lq.sort not in sorts:
        raise InvalidInput(f"{lq.sort!r} is not a sort of this list ({', '.join(sorted(sorts))})", field="sort")
    return sorts[lq.sort or default]


def _escaped(text: str) -> str:
    """``text`` with LIKE's wildcards taken literally (a search for "%" or "_" finds those characters)."""
    return text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(text: str) -> str:
    return "%" + _escaped(text) + "%"


def _prefix(text: str) -> str:
    return _escaped(text) + "%"


def _item_search(query: _Select, q: str) -> tuple[_Select, object | None]:
    """Filter on the items' serial, lot, make and model; return the rank (prefix first) to sort by."""
    if not q:
        return query, None
    i = t.items
    fields = (i.c.serial, i.c.lot, i.c.make, i.c.model)
    query = query.where(or_(*(func.lower(f).like(_like(q), escape="\\") for f in fields)))
    rank = case((or_(func.lower(i.c.serial).like(_prefix(q), escape="\\"),
                     func.lower(i.c.lot).like(_prefix(q), escape="\\")), 0), else_=1)
    return query, rank


def _item_filters(query: _Select, lq: ListQuery) -> _Select:
    if lq.category:
        query = query.where(func.lower(t.items.c.category) == lq.category.lower())
    if lq.calibre:
        query = query.where(func.lower(t.items.c.calibre) == lq.calibre.lower())
    return query


def _held_items(query: _Select, lq: ListQuery) -> _Select:
    """A holdings-shaped query (balances with their items) narrowed by the list's item filters, its
    materiel type (``kind``) and its search."""
    query = _item_filters(query, lq)
    if lq.kind:
        query = query.where(t.items.c.type == lq.kind)
    return _item_search(query, lq.q)[0]


def _item_order(lq: ListQuery, expr: Any, *ties: Any) -> list[Any]:
    """Sort by ``expr`` (its direction the user's), then ``ties``; a search without a sort puts prefix
    matches first."""
    rank = _item_search(select(literal(1)), lq.q)[1]
    return ([rank] if rank is not None and not lq.sort else []) + [expr.desc() if lq.desc else expr, *ties]


def _subtree(conn: Connection, code: str) -> Select[tuple[int]]:
    hid = conn.execute(select(t.holders.c.id).where(t.holders.c.code == code)).scalar()
    return queries.subtree_ids(conn, hid if hid is not None else -1)  # -1: no holder, an empty subtree


class _HolderSet:
    """The holders in the subtrees of every one of ``codes`` and in the user's scope, read once per
    list (its count and its page), as a sorted list the planner can weigh (a subquery of a recursive
    walk it cannot); None: no subtree and no limit of scope, every holder."""

    def __init__(self, codes: list[str], scope: Select[Any] | CompoundSelect[Any] | None) -> None:
        self._codes = codes
        self._scope = scope
        self._ids: list[int] | None = None

    def of(self, conn: Connection) -> list[int] | None:
        if not self._codes and self._scope is None:
            return None
        if self._ids is None:
            parts = [_subtree(conn, code) for code in self._codes] + ([self._scope] if self._scope is not None else [])
            found: set[int] | None = None
            for part in parts:
                ids = set(conn.execute(part).scalars())
                found = ids if found is None else found & ids
            self._ids = sorted(found or ())
        return self._ids


def _run(scoped: ScopedLedger, build: _Build, lq: ListQuery, order: list[Any], row: _RowFn,
         expand: Callable[[Connection, list[Any], list[Any]], Any] | None = None,
         small_order: list[Any] | None = None, count: _Count | None = None) -> ListPage:
    """One page and the total: the count (stopped at the cap) decides the page's plan. With
    ``expand`` the query selects only the rows' keys, and ``expand`` reads the page's rows by them
    (a sort then handles narrow rows, and only a page of wide ones is read). ``small_order``, the
    same order that no index can serve, sorts a list within the cap on SQLite: its few rows are
    gathered by its filters and sorted, rather than found by walking a sort's index past the others.
    ``count``, when it gives a query, gives the same rows as the list's, found another way to count them."""
    with scoped.ledger.engine.connect() as conn:
        counted = count(conn) if count is not None else None
        if counted is None:
            counted = build(conn, False).order_by(None)
        capped = counted.limit(COUNT_CAP + 1).subquery()
        total = int(conn.execute(select(func.count()).select_from(capped)).scalar() or 0)
        more = total > COUNT_CAP
        # SQLite's planner walks a sort's index whenever one exists, even past most of a million rows
        # for a page of a small list; PostgreSQL's weighs both plans from its statistics, and chooses well
        by = small_order if small_order is not None and not more and conn.dialect.name == "sqlite" else order
        paged = build(conn, more).order_by(*by).limit(lq.per).offset((lq.page - 1) * lq.per)
        found = conn.execute(paged)
        if expand is not None:
            found = expand(conn, list(found.scalars()), order)
        rows = [row(r) for r in found]
    return ListPage(rows, min(total, COUNT_CAP), lq.page, lq.per, more)


def _stream(scoped: ScopedLedger, build: _Build, order: list[Any], row: _RowFn) -> Iterator[dict[str, Any]]:
    with scoped.ledger.engine.connect() as conn:
        query = build(conn, False)
        result = conn.execution_options(stream_results=True, yield_per=STREAM_BATCH).execute(query.order_by(*order))
        for r in result:
            yield row(r)


# holdings ----------------------------------------------------------------------------------
HOLDING_SORTS = {"item": "key", "serial": "serial", "ident": "serial", "make": "make", "model": "model",
                 "quantity": "quantity", "category": "category", "calibre": "calibre", "holder": "code"}


def _holdings(scoped: ScopedLedger, code: str, lq: ListQuery, tree: bool) -> tuple[_Build, list[Any]]:
    scoped.holder(code)  # NotFound for a holder out of sight
    b, i, h = t.balances, t.items, t.holders

    def build(conn: Connection, large: bool) -> _Select:
        query = (select(h.c.code, h.c.name.label("holder_name"), i.c.key, b.c.quantity, i.c.type, i.c.shape, i.c.make,
                        i.c.model, i.c.serial, i.c.lot, i.c.category, i.c.calibre)
                 .select_from(b).join(i, i.c.id == b.c.item_id).join(h, h.c.id == b.c.holder_id)
                 .where(b.c.quantity != 0))
        if tree:
            query = query.where(b.c.holder_id.in_(_subtree(conn, code)))
            scope = scope_ids(scoped.grants)  # a researcher's part leaves persons out
            if scope is not None:
                query = query.where(b.c.holder_id.in_(scope))
        else:
            query = query.where(h.c.code == code)
        return _held_items(query, lq)

    column = _sort(lq, HOLDING_SORTS, "item")
    expr = {"code": h.c.code, "quantity": b.c.quantity}.get(column, getattr(i.c, column, i.c.key))
    return build, _item_order(lq, expr, i.c.key, h.c.code)


def _holding_row(r: Any) -> dict[str, Any]:
    ident = r.serial if r.shape == "serial" else r.lot
    return {"holder": r.code, "holder_name": r.holder_name, "item": r.key, "type": r.type, "make": r.make,
            "model": r.model, "serial": r.serial or "", "lot": r.lot or "", "ident": ident or "",
            "category": r.category or "", "calibre": r.calibre or "", "quantity": int(r.quantity)}


def holdings(scoped: ScopedLedger, code: str, lq: ListQuery, *, tree: bool = False) -> ListPage:
    """What a holder (with ``tree``: its subtree) holds now, filtered, sorted, one page."""
    lq = lq.checked()
    build, order = _holdings(scoped, code, lq, tree)
    return _run(scoped, build, lq, order, _holding_row)


def stream_holdings(scoped: ScopedLedger, code: str, lq: ListQuery, *, tree: bool = False) -> Iterator[dict[str, Any]]:
    build, order = _holdings(scoped, code, lq.checked(), tree)
    return _stream(scoped, build, order, _holding_row)


# items -------------------------------------------------------------------------------------
ITEM_SORTS = {"item": "key", "ident": "serial", "serial": "serial", "make": "make", "model": "model",
              "type": "type", "category": "category", "calibre": "calibre", "quantity": "quantity"}


def _items(scoped: ScopedLedger, lq: ListQuery) -> tuple[_Build, list[Any]]:
    """Every item held in the user's scope (below ``under``), once, with its quantity there and its
    holder (a lot held in several places: how many); with no limit of scope, also what is lost,
    expended or disposed of (held by an external holder)."""
    if lq.under:
        scoped.holder(lq.under)  # NotFound for a holder out of sight
    b, i, h = t.balances, t.items, t.holders
    scope = scope_ids(scoped.grants)  # a researcher's part leaves persons out
    quantity = func.sum(b.c.quantity).label("quantity")
    holders = _HolderSet([lq.under] if lq.under else [], scope)

    def build(conn: Connection, large: bool) -> _Select:
        ids = holders.of(conn)
        # The holders' balances lead (each holder's by the key's prefix) unless a search names a few
        # items: joined through ``item_id + 0``, the items cannot lead, which would probe every item
        # against every holder in scope.
        item_id = b.c.item_id if ids is None or lq.q else b.c.item_id + 0
        query = (select(i.c.key, i.c.type, i.c.shape, i.c.make, i.c.model, i.c.serial, i.c.lot, i.c.category,
                        i.c.calibre, quantity, func.count().label("holders"), func.min(h.c.code).label("code"),
                        func.min(h.c.name).label("holder_name"))
                 .select_from(b).join(i, i.c.id == item_id).join(h, h.c.id == b.c.holder_id)
                 .where(b.c.quantity > 0).group_by(i.c.id))  # a source's negative balance is not a holding
        if ids is not None:
            query = query.where(b.c.holder_id.in_(bindparam("ids", ids, expanding=True, literal_execute=True)))
        return _held_items(query, lq)

    column = _sort(lq, ITEM_SORTS, "item")
    expr = quantity if column == "quantity" else getattr(i.c, column)
    return build, _item_order(lq, expr, i.c.key)


def _item_row(r: Any) -> dict[str, Any]:
    one = int(r.holders) == 1
    return {"item": r.key, "type": r.type, "make": r.make, "model": r.model, "serial": r.serial or "",
            "lot": r.lot or "", "ident": (r.serial if r.shape == "serial" else r.lot) or "",
            "category": r.category or "", "calibre": r.calibre or "", "quantity": int(r.quantity),
            "holders": int(r.holders), "holder": r.code if one else "", "holder_name": r.holder_name if one else ""}


def items(scoped: ScopedLedger, lq: ListQuery) -> ListPage:
    """The items in scope, once each, filtered, sorted, one page."""
    lq = lq.checked()
    build, order = _items(scoped, lq)
    return _run(scoped, build, lq, order, _item_row)


def stream_items(scoped: ScopedLedger, lq: ListQuery) -> Iterator[dict[str, Any]]:
    build, order = _items(scoped, lq.checked())
    return _stream(scoped, build, order, _item_row)


# holders -----------------------------------------------------------------------------------
HOLDER_SORTS = {"code": "code", "name": "name", "kind": "kind", "country": "country"}


def _holders_builder(scoped: ScopedLedger, parent: str, lq: ListQuery) -> tuple[ListQuery, _Build, list[Any]]:
    """The children of ``parent``; with a search, every holder below it (or in scope) that matches."""
    lq = lq.checked()
    h = t.holders
    up = aliased(t.holders)
    if parent:
        scoped.holder(parent)  # NotFound for a holder out of sight
    scope = scope_ids(scoped.grants)

    def build(conn: Connection, large: bool) -> _Select:
        query = select(h.c.code, h.c.name, h.c.kind, h.c.country, up.c.code.label("parent")).outerjoin(
            up, up.c.id == h.c.parent_id).where(h.c.external.is_(False))
        if scope is not None:
            query = query.where(h.c.id.in_(scope))
        if parent and lq.q:
            query = query.where(h.c.id.in_(_subtree(conn, parent)), h.c.code != parent)
        elif parent:
            query = query.where(up.c.code == parent)
        if lq.kind:
            query = query.where(h.c.kind == lq.kind)
        if lq.q:
            query = query.where(or_(func.lower(h.c.code).like(_like(lq.q), escape="\\"),
                                    func.lower(h.c.name).like(_like(lq.q), escape="\\")))
        return query

    column = getattr(h.c, _sort(lq, HOLDER_SORTS, "name"))
    return lq, build, [column.desc() if lq.desc else column, h.c.code]


def _holder_row(r: Any) -> dict[str, Any]:
    return {"code": r.code, "name": r.name, "kind": r.kind, "country": r.country or "", "parent": r.parent or ""}


def holders(scoped: ScopedLedger, parent: str, lq: ListQuery) -> ListPage:
    """The children of ``parent`` (with ``q``: holders below it, or anywhere in scope, matching)."""
    lq, build, order = _holders_builder(scoped, parent, lq)
    return _run(scoped, build, lq, order, _holder_row)


def stream_holders(scoped: ScopedLedger, parent: str, lq: ListQuery) -> Iterator[dict[str, Any]]:
    lq, build, order = _holders_builder(scoped, parent, lq)
    return _stream(scoped, build, order, _holder_row)


# movements ---------------------------------------------------------------------------------
# Each sort has an index (column, seq) that a large list walks; kinds and actors are filtered, not sorted:
# two more indexes on every entry would slow every posting by about a fifth for sorts few people use.
MOVEMENT_SORTS = {"when": "occurred_at", "occurred_at": "occurred_at", "seq": "seq", "quantity": "quantity"}


def _movements(scoped: ScopedLedger, holder: str, lq: ListQuery, *,
               wide: bool = False) -> tuple[_Build, list[Any], _Count]:
    """The movements list's query: narrow (the entries' ``seq`` only, for a page: the rows are then
    read for those 50 alone, :func:`_entry_rows`) or ``wide`` (every column, for a stream); and the
    rows that count it (:func:`_run`)."""
    scoped.require_movements(holder or None)
    if lq.under:
        scoped.require_movements(lq.under)
    e = t.entries
    scope = scope_ids(grants_for(scoped.grants, Action.READ_MOVEMENTS))
    holders = _HolderSet([code for code in (holder, lq.under) if code], scope)

    def filtered(query: _Select) -> _Select:
        if lq.kind:
            query = query.where(e.c.kind == lq.kind)
        if lq.since is not None:
            query = query.where(e.c.occurred_at >= to_micros(lq.since))
        if lq.until is not None:
            query = query.where(e.c.occurred_at <= to_micros(lq.until))
        if lq.category or lq.calibre:  # the items of a category filter the entries; they do not drive
            query = query.where((e.c.item_id + 0).in_(_item_filters(select(t.items.c.id), lq)))
        return _item_search(query, lq.q)[0]

    def narrow(column: Any) -> _Select:
        return select(column).select_from(e.join(t.items, t.items.c.id == e.c.item_id) if lq.q else e)

    def build(conn: Connection, large: bool) -> _Select:
        # A small list is gathered through the holders' indexes and sorted; a large one (past the
        # count's cap) is read down the sort's index, each row checked against the holders: ``+ 0``
        # keeps the planner off the holders' indexes, which would gather hundreds of thousands of
        # rows to sort them for one page.
        src, dst = (e.c.source_id + 0, e.c.target_id + 0) if large else (e.c.source_id, e.c.target_id)
        query = _wide_entries(entries_lead=not lq.q) if wide else narrow(e.c.seq)  # a search starts from its items
        ids = holders.of(conn)
        if ids is not None:
            query = query.where(or_(src.in_(_listed("ids_src", ids)), dst.in_(_listed("ids_dst", ids))))
        return filtered(query)

    def count(conn: Connection) -> CompoundSelect[Any] | None:
        # On PostgreSQL the holders' indexes carry the other end (migration 0011_entry_ends): the
        # entries leaving the holders, then those entering them from elsewhere, each entry once, are
        # counted from the indexes alone (an index-only scan: 9 ms for a store's 8,800 pistol
        # movements among 36,000, where the OR of both ends read 18,000 heap pages, 100-200 ms).
        # Not with a kind (not in those indexes: both sides would read the heap) nor a search (which
        # starts from its items: both sides would search them). SQLite has no included columns.
        ids = holders.of(conn)
        if ids is None or lq.kind or lq.q or conn.dialect.name != "postgresql":
            return None
        leaving = narrow(e.c.item_id).where(e.c.source_id.in_(_listed("ids_src", ids)))
        entering = narrow(e.c.item_id).where(e.c.target_id.in_(_listed("ids_dst", ids)),
                                             e.c.source_id.not_in(_listed("ids_out", ids)))
        return union_all(filtered(leaving), filtered(entering))

    column = getattr(e.c, _sort(lq, MOVEMENT_SORTS, "seq"))
    desc = lq.desc if lq.sort else True  # newest first unless told otherwise
    # ties in the sequence's direction, so that one index (column, seq) serves both directions
    return build, [column.desc() if desc else column, e.c.seq.desc() if desc else e.c.seq], count


def _listed(name: str, ids: list[int]) -> Any:
    """``ids`` inlined in the SQL: a mission's thousands of holders would pass the drivers' parameter limits."""
    return bindparam(name, ids, expanding=True, literal_execute=True)


def _unindexed(order: list[Any]) -> list[Any]:
    """The same order on ``column + 0``: equal values, but no index can serve it (see :func:`_run`)."""
    out = []
    for term in order:
        column, desc = (term.element, True) if getattr(term, "modifier", None) is operators.desc_op else (term, False)
        out.append((column + 0).desc() if desc else column + 0)
    return out


def _wide_entries(*, entries_lead: bool) -> _Select:
    return queries._entry_query(entries_lead=entries_lead).add_columns(  # noqa: SLF001 (the one entry row)
        t.items.c.make, t.items.c.model, t.items.c.serial, t.items.c.lot, t.items.c.shape)


def _entry_rows(conn: Connection, seqs: list[int], order: list[Any]) -> Any:
    """The full rows of the entries ``seqs`` (one page), in the list's order."""
    return conn.execute(_wide_entries(entries_lead=True).where(t.entries.c.seq.in_(seqs)).order_by(*order))


def _movement_row(r: Any) -> dict[str, Any]:
    entry = queries.entry_from_row(r)
    ident = r.serial if r.shape == "serial" else r.lot
    return {"entry": entry, "uid": entry.uid, "seq": entry.seq, "kind": entry.kind, "item": entry.item,
            "item_label": f"{r.make} {r.model} {ident or ''}".strip(), "quantity": entry.quantity,
            "source": entry.source, "target": entry.target, "occurred_at": entry.occurred_at, "actor": entry.actor,
            "witness": entry.witness or "", "document": entry.document or "", "reason": entry.reason or "",
            "note": entry.note or ""}


def movements(scoped: ScopedLedger, lq: ListQuery, *, holder: str = "") -> ListPage:
    """Movements in scope (of ``holder``'s subtree), filtered, sorted, one page."""
    lq = lq.checked()
    build, order, count = _movements(scoped, holder, lq)
    return _run(scoped, build, lq, order, _movement_row, expand=_entry_rows, small_order=_unindexed(order),
                count=count)


def stream_movements(scoped: ScopedLedger, lq: ListQuery, *, holder: str = "") -> Iterator[dict[str, Any]]:
    build, order, _ = _movements(scoped, holder, lq.checked(), wide=True)
    return _stream(scoped, build, order, _movement_row)


# users -------------------------------------------------------------------------------------
def users(scoped: ScopedLedger, all_users: list[Any], lq: ListQuery, *, everything: bool = False) -> ListPage:
    """The users an administrator may see, searched and paged (user lists are hundreds, not millions,
    and whom an administrator sees is decided per user by :meth:`ScopedLedger.sees_user`)."""
    lq = lq.checked()
    q = lq.q.lower()
    rows = [{"name": u.name, "display_name": u.display_name, "active": u.active,
             "grants": [g.grant.describe() for g in u.grants]}
            for u in all_users if scoped.sees_user(u.roles)
            and (not q or q in u.name.lower() or q in u.display_name.lower())
            and (not lq.kind or any(g.grant.role.value == lq.kind for g in u.grants))]
    key = lq.sort if lq.sort in ("name", "display_name") else "name"
    rows.sort(key=lambda r: r[key].lower(), reverse=lq.desc)
    if everything:
        return ListPage(rows, len(rows), 1, max(1, len(rows)))
    start = (lq.page - 1) * lq.per
    return ListPage(rows[start : start + lq.per], len(rows), lq.page, lq.per)


__all__ = ["HOLDER_SORTS", "HOLDING_SORTS", "ITEM_SORTS", "MOVEMENT_SORTS", "ListPage", "ListQuery", "holders",
           "holdings", "items", "movements", "stream_holders", "stream_holdings", "stream_items", "stream_movements",
           "users"]
