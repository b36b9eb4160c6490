"""The ledger as one user sees it: every read and write filtered by the user's grants.

The web application never calls the :class:`~wam.services.ledger.Ledger` directly on behalf of a
user; it goes through :class:`ScopedLedger`, so that scoping is decided in one place. The rules
are those of :mod:`wam.domain.access`; this module gives them each holder's ancestry
(:class:`Ancestry`, cached: holders are never changed or deleted) and turns a set of grants
into SQL for lists (:func:`scope_ids`).

Whatever the user may not see raises :class:`NotFound` with the same text as a code that does
not exist; an operation their role does not allow, on something they may see, raises
:class:`PermissionDenied`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, CompoundSelect, Connection, Select, and_, false, func, or_, select

from wam.domain.access import Action, Grant, Place, Role, allowed_at, covers, grants_for, may_record_at, roles_at
from wam.domain.errors import InvalidInput, NotFound, PermissionDenied, PostingRejected
from wam.domain.holders import Holder, HolderKind, is_external
from wam.domain.materiel import Item
from wam.domain.movements import Entry, Movement, MovementKind
from wam.domain.timefmt import to_micros
from wam.storage import tables as t

from . import queries, records
from .current_balance import BalanceLine
from .group_writer import GroupWriter, append_locked
from .ledger import Ledger, Then
from .signing import Checkpoint
from .verify import VerifyReport

_T = TypeVar("_T")

RETRIES = 3


class Ancestry:
    """Holder code -> ancestry (itself first, root last), cached for the life of the process."""

    def __init__(self) -> None:
        self._nodes: dict[str, tuple[Place, str | None]] = {}
        self._lock = threading.Lock()

    def knows(self, code: str) -> bool:
        return code in self._nodes

    def of(self, conn: Connection | None, code: str) -> list[Place] | None:
        """Return the ancestry of ``code``; [] for an external holder; None if it does not exist.

        ``conn`` is used only for a holder not seen yet (None will do for one :meth:`knows`).
        """
        if code not in self._nodes:
            assert conn is not None, "a connection is needed to look up a holder not seen yet"
            self._load(conn, code)
        if code not in self._nodes:
            return None
        chain: list[Place] = []
        current: str | None = code
        while current is not None:
            place, parent = self._nodes[current]
            if place.kind is HolderKind.EXTERNAL:
                return []
            chain.append(place)
            current = parent
        return chain

    def _load(self, conn: Connection, code: str) -> None:
        h = t.holders
        up = select(h.c.id, h.c.code, h.c.kind, h.c.country, h.c.parent_id).where(h.c.code == code).cte("up",
                                                                                                        recursive=True)
        p = h.alias("p")
        up = up.union_all(select(p.c.id, p.c.code, p.c.kind, p.c.country,
                                 p.c.parent_id).where(p.c.id == up.c.parent_id))
        rows = conn.execute(select(up)).all()
        by_id = {r.id: r for r in rows}
        with self._lock:
            for r in rows:
                parent = by_id.get(r.parent_id)
                self._nodes[r.code] = (Place(r.code, HolderKind(r.kind), r.country), parent.code if parent else None)


def scope_ids(grants: Sequence[Grant]) -> Select[Any] | CompoundSelect[Any] | None:
    """Return a SELECT of the holder ids the grants cover, or None when they cover everything.

    The union of one recursive walk down from the granted holders (and from the contingents
    of granted countries); a researcher's part leaves persons out.
    """
    if any(g.everywhere and g.role is not Role.RESEARCHER for g in grants):
        return None
    h = t.holders
    parts: list[Select[Any]] = []
    for researcher in (False, True):
        group = [g for g in grants if (g.role is Role.RESEARCHER) == researcher]
        if not group:
            continue
        if any(g.everywhere for g in group):
            sel = select(h.c.id).where(h.c.external.is_(False))
        else:
            codes = [g.holder for g in group if g.holder]
            countries = [g.country for g in group if g.country]
            conds: list[ColumnElement[bool]] = []
            if codes:
                conds.append(h.c.code.in_(codes))
            if countries:
                conds.append(and_(h.c.kind == HolderKind.CONTINGENT.value, h.c.country.in_(countries)))
            down = select(h.c.id).where(or_(*conds)).cte(f"down_{int(researcher)}", recursive=True)
            c = h.alias(f"c_{int(researcher)}")
            down = down.union_all(select(c.c.id).where(c.c.parent_id == down.c.id))
            sel = select(down.c.id)
        if researcher:
            sel = select(h.c.id).where(h.c.id.in_(sel), h.c.kind != HolderKind.PERSON.value)
        parts.append(sel)
    if not parts:
        return select(h.c.id).where(false())
    return parts[0] if len(parts) == 1 else parts[0].union(parts[1])


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list; ``next`` is the cursor of the following page (None at the end)."""

    items: list[Any]
    next: str | None


def _page(rows: list[Any], limit: int, cursor_of: Callable[[Any], str]) -> Page:
    if len(rows) > limit:
        return Page(rows[:limit], cursor_of(rows[limit - 1]))
    return Page(rows, None)


NEWEST_WINDOWS = (1_000, 30_000, 1_000_000)  # seqs read down from the newest before the holders' indexes


def _newest_in_scope(conn: Connection, scope: Select[Any] | CompoundSelect[Any], kind: str | None,
                     before: int | None, n: int) -> list[Entry]:
    """The ``n`` newest entries (highest seq, below ``before``) with an end in ``scope``, newest first.

    Read down the seq in growing windows, each end checked against the scope (``+ 0``: not through
    the holders' indexes), then, for what the windows did not fill, through the holders' indexes.
    The holders' indexes alone gather every movement of the scope and sort them to keep ten: at ten
    million movements, 30 s for a mission's WAM officer (docs/benchmarks.md); a scope with most of
    the movements fills the first window at once, a sparse one the last or the indexes. The windows
    are disjoint and taken in order, so the rows are those of the one query, in its order."""
    e = t.entries
    high = (before - 1) if before is not None else (conn.execute(select(func.max(e.c.seq))).scalar() or 0)
    rows: list[Entry] = []
    for width in (*NEWEST_WINDOWS, None):
        query = queries._entry_query(entries_lead=width is not None)  # noqa: SLF001
        if width is None:
            query = query.where(e.c.seq <= high, or_(e.c.source_id.in_(scope), e.c.target_id.in_(scope)))
        else:
            low = max(high - width, 0)
            query = query.where(e.c.seq <= high, e.c.seq > low,
                                or_((e.c.source_id + 0).in_(scope), (e.c.target_id + 0).in_(scope)))
        if kind is not None:
            query = query.where(e.c.kind == kind)
        rows += [queries.entry_from_row(r) for r in conn.execute(query.order_by(e.c.seq.desc()).limit(n - len(rows)))]
        if width is None or len(rows) >= n or low == 0:
            return rows
        high = low
    return rows


class VerificationLog:
    """The last verification run in this process: when, and its full report (before scoping).

    Verification replays the whole ledger (minutes at ten million entries), so pages that
    only want to say "checks failing" read this instead of running it. It is kept in memory:
    after a restart, nothing has been verified yet, and the home page says so.
    """

    def __init__(self) -> None:
        self._last: tuple[int, VerifyReport] | None = None
        self._state: object = None  # the ledger's state the last run started from (see ScopedLedger.verified)
        self._lock = threading.Lock()

    def keep(self, at: int, report: VerifyReport, state: object = None) -> None:
        with self._lock:
            self._last = (at, report)
            self._state = state

    def last(self) -> tuple[int, VerifyReport] | None:
        with self._lock:
            return self._last

    def of(self, state: object) -> tuple[int, VerifyReport] | None:
        """The last run if it started from ``state`` (the ledger has not changed since), else None."""
        with self._lock:
            return self._last if state is not None and state == self._state else None


class ScopedLedger:
    """The ledger, as the user with ``grants`` is entitled to see and change it."""

    def __init__(self, ledger: Ledger, ancestry: Ancestry, grants: Sequence[Grant], actor: str,
                 write_lock: threading.Lock | None = None, verifications: VerificationLog | None = None,
                 group_writer: GroupWriter | None = None) -> None:
        self.ledger = ledger
        self.verifications = verifications or VerificationLog()
        # One writer at a time per process: SQLite's busy wait is unfair (a writer can starve
        # past its timeout under 50 concurrent posts) and on PostgreSQL concurrent appends in
        # one process would only lose the compare-and-set on the chain head and retry.
        self.write_lock = write_lock or threading.Lock()
        # A server's single movements go through its group writer (shared transactions).
        self.group_writer = group_writer
        self.ancestry = ancestry
        self.grants = tuple(grants)
        self.actor = actor

    # the rules, per holder ---------------------------------------------------------------
    def _places(self, code: str) -> list[Place] | None:
        if not self.ancestry.knows(code):  # a connection only to look up a holder not yet seen
            with self.ledger.engine.connect() as conn:
                return self.ancestry.of(conn, code)
        return self.ancestry.of(None, code)

    def can(self, action: Action) -> bool:
        """Tell whether the user may do ``action`` somewhere (to show or hide a menu entry)."""
        return bool(grants_for(self.grants, action))

    def roles(self, code: str) -> frozenset[Role]:
        places = self._places(code)
        return frozenset() if places is None else roles_at(self.grants, places)

    def visible(self, code: str) -> bool:
        places = self._places(code)
        return places is not None and any(covers(g, places) for g in self.grants)

    def _require(self, code: str, action: Action) -> list[Place]:
        """Return the ancestry of a holder the user may see; check ``action`` there.

        A role that allows ``action`` nowhere is refused first (403, which reveals nothing);
        then a holder out of sight is not found (404, as for a code that does not exist).
        """
        if action is not Action.READ:
            self._require_anywhere(action)
        places = self._places(code)
        if places is None or not any(covers(g, places) for g in self.grants):
            raise NotFound("holder", code)
        if not allowed_at(self.grants, places, action):
            raise PermissionDenied(f"your role does not allow this at {code}")
        return places

    def allows(self, code: str, action: Action) -> bool:
        """Tell whether the user may do ``action`` at holder ``code`` (False out of sight)."""
        places = self._places(code)
        return places is not None and allowed_at(self.grants, places, action)

    def _require_anywhere(self, action: Action) -> None:
        if not self.can(action):
            raise PermissionDenied("your role does not allow this")

    # witnessing ---------------------------------------------------------------------------
    def witness(self, cp: Checkpoint) -> bool:
        """Keep a head another ledger sent to be witnessed (wam.services.witness.accept)."""
        from . import witness

        self._require_anywhere(Action.WITNESS)
        return witness.accept(self.ledger.engine, cp, by=self.actor, received_at=to_micros(self.ledger.clock()))

    def witnessed(self, ledger_uuid: str) -> list[Checkpoint]:
        """The heads kept for ``ledger_uuid``."""
        from . import witness

        self._require_anywhere(Action.WITNESS)
        return witness.heads(self.ledger.engine, ledger_uuid)

    # holders -----------------------------------------------------------------------------
    def holder(self, code: str) -> Holder:
        self._require(code, Action.READ)
        return self.ledger.holder(code)

    def roots(self) -> list[Holder]:
        """The top of the user's tree: the granted holders and the contingents of granted countries."""
        if scope_ids(self.grants) is None:
            return self.ledger.children(None)
        codes = {g.holder for g in self.grants if g.holder}
        countries = {g.country for g in self.grants if g.country}
        if any(g.everywhere for g in self.grants):  # a researcher for everything
            return [h for h in self.ledger.children(None) if not h.external]
        with self.ledger.engine.connect() as conn:
            if countries:
                codes |= set(conn.execute(select(t.holders.c.code).where(
                    t.holders.c.kind == HolderKind.CONTINGENT.value, t.holders.c.country.in_(countries))).scalars())
        holders = [self.ledger.holder(c) for c in sorted(codes) if self.visible(c)]
        # a granted holder below another granted holder is not a root of its own
        shown = {h.code for h in holders}
        return [h for h in holders if not any(p.code in shown for p in (self._places(h.code) or [])[1:])]

    def holders(self, *, parent: str | None = None, q: str | None = None, cursor: str | None = None,
                limit: int = 50) -> Page:
        """List the children of ``parent`` (the roots without it), or search codes and names for ``q``."""
        if q:
            return self._search(q, cursor, limit)
        rows = self.roots() if parent is None else [h for h in self._children(parent) if self.visible(h.code)]
        rows = [h for h in rows if cursor is None or h.code > cursor]
        return _page(rows[: limit + 1], limit, lambda h: h.code)

    def _children(self, parent: str) -> list[Holder]:
        self._require(parent, Action.READ)
        return self.ledger.children(parent)

    def _search(self, q: str, cursor: str | None, limit: int) -> Page:
        h = t.holders
        pattern = "%" + q.strip().lower().replace("%", "").replace("_", "") + "%"
        query = select(h.c.code).where(or_(func.lower(h.c.code).like(pattern), func.lower(h.c.name).like(pattern)))
        scope = scope_ids(self.grants)
        if scope is not None:
            query = query.where(h.c.id.in_(scope))
        if cursor:
            query = query.where(h.c.code > cursor)
        with self.ledger.engine.connect() as conn:
            codes = list(conn.execute(query.order_by(h.c.code).limit(limit + 1)).scalars())
        return _page([self.ledger.holder(c) for c in codes], limit, lambda x: x.code)

    # balances ----------------------------------------------------------------------------
    def balances(self, code: str, *, at: datetime | None = None, tree: bool = False, cursor: str | None = None,
                 limit: int = 100) -> Page:
        """Balances of a holder (or its subtree), now or at ``at``; paged by "holder|item" cursor."""
        self._require(code, Action.READ)
        lines = self.ledger.balance(code, at=at, tree=tree)
        if tree and any(g.role is Role.RESEARCHER for g in self.grants):
            lines = [ln for ln in lines if self.visible(ln.holder)]
        if cursor:
            lines = [ln for ln in lines if f"{ln.holder}\x1f{ln.item}" > cursor]
        return _page(lines[: limit + 1], limit, lambda ln: f"{ln.holder}\x1f{ln.item}")

    def summary(self, code: str, *, at: datetime | None = None) -> dict[str, int]:
        """Totals by materiel type in a holder's subtree: the aggregate a researcher may read."""
        self._require(code, Action.READ)
        totals: dict[str, int] = {}
        for line in self.ledger.balance(code, at=at, tree=True):
            totals[line.type] = totals.get(line.type, 0) + line.quantity
        return dict(sorted(totals.items()))

    # movements ---------------------------------------------------------------------------
    def _reads_movements_at(self, code: str) -> bool:
        """Tell whether the user may read the movements of holder ``code``."""
        places = self._places(code)
        return places is not None and any(covers(g, places) for g in grants_for(self.grants, Action.READ_MOVEMENTS))

    def _entry_visible(self, entry: Entry) -> bool:
        return self._reads_movements_at(entry.source) or self._reads_movements_at(entry.target)

    def entries(self, *, holder: str | None = None, kind: str | None = None, cursor: str | None = None,
                limit: int = 50) -> Page:
        """Movements, newest first: of a holder's subtree, or of everything in scope."""
        before = _int_cursor(cursor)
        if holder is not None:
            self._require(holder, Action.READ_MOVEMENTS)
            rows = self.ledger.entries(holder=holder, tree=True, kind=kind, before_seq=before, limit=limit + 1)
            return _page(rows, limit, lambda e: str(e.seq))
        self._require_anywhere(Action.READ_MOVEMENTS)
        scope = scope_ids(grants_for(self.grants, Action.READ_MOVEMENTS))
        e = t.entries
        with self.ledger.engine.connect() as conn:
            if scope is None:
                query = queries._entry_query()  # noqa: SLF001  (the core's one definition of an entry row)
                if kind is not None:
                    query = query.where(e.c.kind == kind)
                if before is not None:
                    query = query.where(e.c.seq < before)
                query = query.order_by(e.c.seq.desc()).limit(limit + 1)
                rows = [queries.entry_from_row(r) for r in conn.execute(query)]
            else:
                rows = _newest_in_scope(conn, scope, kind, before, limit + 1)
        return _page(rows, limit, lambda x: str(x.seq))

    def require_movements(self, code: str | None) -> None:
        """Refuse unless the user may read movements (at ``code``, when given): for lists built elsewhere."""
        if code:
            self._require(code, Action.READ_MOVEMENTS)
        else:
            self._require_anywhere(Action.READ_MOVEMENTS)

    def entry(self, uid: str) -> Entry:
        """The movement with id ``<ledger uuid>:<seq>``."""
        self._require_anywhere(Action.READ_MOVEMENTS)
        origin, _, seq = uid.rpartition(":")
        if not origin or not seq.isdecimal() or len(seq) > 18:
            raise NotFound("movement", uid)
        query = queries._entry_query().where(t.ledgers.c.uuid == origin,
                                             t.entries.c.origin_seq == int(seq))  # noqa: SLF001
        with self.ledger.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotFound("movement", uid)
        entry = queries.entry_from_row(row)
        if not self._entry_visible(entry):
            raise NotFound("movement", uid)
        return entry

    # items -------------------------------------------------------------------------------
    def _visible_history(self, key: str) -> tuple[Item, list[Entry]]:
        self._require_anywhere(Action.READ_MOVEMENTS)
        try:
            item = self.ledger.item(key)
            history = self.ledger.history(key)
        except NotFound:
            raise NotFound("item", key) from None
        everywhere = scope_ids(grants_for(self.grants, Action.READ_MOVEMENTS)) is None
        visible = history if everywhere else [e for e in history if self._entry_visible(e)]
        if not visible and not everywhere:
            raise NotFound("item", key)
        return item, visible

    def _require_item_visible(self, key: str) -> None:
        """Raise NotFound unless some of the item's custody passed through the user's scope.

        A weapon held in scope now is visible: one look-up of its holder, where the general
        answer reads its whole history.
        """
        self._require_anywhere(Action.READ_MOVEMENTS)
        holder = self.ledger.custodian(key)  # NotFound for an unknown item
        # the item's latest entry has the holder as its target: visible as _entry_visible has it
        if holder is not None and self._reads_movements_at(holder):
            return
        self._visible_history(key)

    def item(self, key: str) -> tuple[Item, str | None]:
        """The item and its holder now (None when the holder is outside the user's scope)."""
        item, _ = self._visible_history(key)
        holder = self.ledger.custodian(key) if item.serialised else None
        if holder is not None and not self.visible(holder):
            holder = None
        return item, holder

    def history(self, key: str, *, cursor: str | None = None, limit: int = 100) -> Page:
        """The item's custody, first to last, as far as it passed through the user's scope."""
        _, entries = self._visible_history(key)
        start = _int_cursor(cursor) or 0
        return _page(entries[start : start + limit + 1], limit, lambda _e: str(start + limit))

    def find_items(self, serial: str) -> list[Item]:
        """Items with this serial (serials repeat across models) that the user may see."""
        out = []
        for item in self.ledger.find_items(serial):
            try:
                self._visible_history(item.key)
            except NotFound:
                continue
            out.append(item)
        return out

    # recording ---------------------------------------------------------------------------
    def check_record(self, movement: Movement) -> None:
        """Refuse a movement the user may not record: every real end must allow its kind."""
        self._require_anywhere(Action.RECORD)
        ends = [(code, self._require(code, Action.READ)) for code in (movement.source, movement.target)
                if not is_external(code)]  # every end out of sight is "not found" before any refusal
        for code, places in ends:
            if not may_record_at(self.grants, places, movement.kind):
                raise PermissionDenied(f"your role does not allow recording {article(movement.kind.value)} "
                                       f"{movement.kind.value} at {code}")
        if movement.kind is not MovementKind.RECEIPT:
            try:
                self._require_item_visible(movement.item)
            except PermissionDenied:
                raise
            except NotFound:
                raise NotFound("item", movement.item) from None
        else:
            try:
                self.ledger.item(movement.item)
            except NotFound:
                raise InvalidInput(f"item {movement.item!r} is not registered", field="item") from None
        if movement.actor != self.actor:
            raise InvalidInput("a movement is recorded in the name of the signed-in user", field="actor")

    def record(self, movement: Movement, *, then: Then | None = None) -> Entry:
        """Record one movement; ``then(conn, entry)`` runs in its transaction (an idempotency key)."""
        self.check_record(movement)
        if self.group_writer is not None:
            with self._unseen_holders_unnamed():
                return self.group_writer.post(movement, then=then)
        return self._append(lambda: self.ledger.post(movement, then=then))

    async def record_async(self, movement: Movement, *, then: Then | None = None) -> Entry:
        """:meth:`record` for a server's event loop: the checks run here (a few indexed reads),
        the posting on the group writer's thread, awaited without holding a thread."""
        if self.group_writer is None:
            return await asyncio.to_thread(lambda: self.record(movement, then=then))
        self.check_record(movement)
        with self._unseen_holders_unnamed():
            return await asyncio.wrap_future(self.group_writer.submit(movement, then=then))

    def _append(self, post: Callable[[], _T]) -> _T:
        """Post under the write locks (this process's, then all processes'), retrying a lost race. Every
        write of a signed-in user (a movement, a register's step) comes through here."""
        with self._unseen_holders_unnamed():
            return append_locked(self.ledger, self.write_lock, post, retries=RETRIES)

    @contextmanager
    def _unseen_holders_unnamed(self) -> Iterator[None]:
        """A refusal naming a holder out of the user's sight ("held by MONUSCO-PAK-SANGE/ARM") says only
        that the item is not found, as every read of it outside the scope does."""
        try:
            yield
        except PostingRejected as exc:
            if any(not is_external(code) and not self.visible(code) for code in exc.mentions):
                raise NotFound("item", exc.item or "") from None
            raise

    def record_many(self, movements: Sequence[Movement]) -> int:
        """Record several movements (one form, several serials) in one transaction: all or none."""
        for mv in movements:
            self.check_record(mv)
        return self._append(lambda: self.ledger.post_many(movements))

    # users -------------------------------------------------------------------------------
    def sees_user(self, user_grants: Sequence[Grant]) -> bool:
        """Tell whether this administrator may see (and manage) a user with ``user_grants``.

        An administrator for everything sees every user; one for a subtree sees the users
        without grants (just created) and those with a grant inside that subtree.
        """
        self._require_anywhere(Action.MANAGE_USERS)
        admin = [g for g in self.grants if g.role is Role.ADMINISTRATOR]
        if any(g.everywhere for g in admin) or not user_grants:
            return True
        return any(g.holder is not None and any(covers(a, self._places(g.holder) or []) for a in admin)
                   for g in user_grants)

    def check_grantable(self, grant: Grant) -> None:
        """Refuse a grant this administrator may not give (NotFound for a holder out of sight)."""
        from wam.domain.access import check_grantable

        self._require_anywhere(Action.MANAGE_USERS)
        places: list[Place] = []
        if grant.holder is not None:
            places = self._require(grant.holder, Action.READ)
            if not places:
                raise NotFound("holder", grant.holder)
        if not check_grantable(self.grants, grant, places):
            raise PermissionDenied("you may grant roles only inside the part of the tree you administer")

    # verification ------------------------------------------------------------------------
    def verify(self) -> VerifyReport:
        """Run verification and keep it as the last run; problems outside the user's scope are left out."""
        return self._run_verification()[1]

    def verified(self) -> tuple[int, VerifyReport]:
        """The last run (when, and its report as the user may read it) if nothing was written since
        it started (the same chain head, records head and checkpoints); else a new run. A full
        verification replays the whole ledger (40 s on the mission demo), so a page that only shows
        the result does not run it again on an unchanged ledger; :meth:`verify` always runs."""
        self._require_anywhere(Action.VERIFY)
        last = self.verifications.of(self._ledger_state())
        if last is not None:
            return last[0], self._scoped_report(last[1])
        return self._run_verification()

    def _run_verification(self) -> tuple[int, VerifyReport]:
        self._require_anywhere(Action.VERIFY)
        state = self._ledger_state()  # before the run: what is written during it is verified next time
        report = self.ledger.verify()
        at = to_micros(self.ledger.clock())
        self.verifications.keep(at, report, state)
        return at, self._scoped_report(report)

    def _ledger_state(self) -> tuple[object, ...]:
        with self.ledger.engine.connect() as conn:
            checkpoints = conn.execute(select(func.count()).select_from(t.checkpoints)).scalar_one()
            return self.ledger.head(), records.head(conn), checkpoints

    def last_verification(self) -> tuple[int, VerifyReport] | None:
        """The last run in this process (when, and its report as the user may read it), or None."""
        self._require_anywhere(Action.VERIFY)
        last = self.verifications.last()
        return None if last is None else (last[0], self._scoped_report(last[1]))

    def _scoped_report(self, report: VerifyReport) -> VerifyReport:
        verifying = grants_for(self.grants, Action.VERIFY)
        if scope_ids(verifying) is None:
            return report
        return replace(report, problems=[
            p for p in report.problems
            if p.holder is None or any(covers(g, self._places(p.holder) or []) for g in verifying)
        ])


def article(word: str) -> str:
    """'an' before a vowel (an issue, an expenditure, an adjustment), else 'a'."""
    return "an" if word[:1] in "aeiou" else "a"


def _int_cursor(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    if not cursor.isdecimal() or len(cursor) > 18:
        raise InvalidInput("is not a cursor returned by this list", field="cursor")
    return int(cursor)


__all__ = ["Ancestry", "BalanceLine", "Page", "ScopedLedger", "VerificationLog", "scope_ids"]
