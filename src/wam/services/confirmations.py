"""Confirmations of receipt: the receiving side says that a movement arrived.

A transfer (:data:`~wam.domain.access.RECEIVED_KINDS`), a consignment from one store or site
to another, is recorded by the side that sends it. Until someone at the receiving end confirms
it, the ledger has only the sender's word that the materiel arrived: the gap where diversion in
transit hides. A movement **awaits confirmation** when

1. it is a transfer (an issue or return is signed for face to face at the armoury counter, so
   it never awaits; nor does a reversal: it undoes, it does not deliver),
2. it has not been confirmed (one confirmation per movement, enforced by a unique index),
3. it has not been reversed (what was undone did not arrive), and
4. for a given user, it was recorded by someone else (nobody confirms their own word), and
   its target is in a subtree where the user's role may confirm (:attr:`Action.CONFIRM`).

Confirmations are append-only (database triggers, migration ``0005_confirmations``) and live
outside the hash chain: they say something about an entry; they never change custody.

Scoping follows :class:`~wam.services.scoped.ScopedLedger`: a movement the user may not see
is "not found" exactly like an id that does not exist; a role that confirms nowhere is refused
(403) before anything is looked up.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    Engine,
    Select,
    String,
    bindparam,
    cast,
    exists,
    func,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from wam.domain.access import RECEIVED_KINDS, Action, allowed_at, grants_for
from wam.domain.errors import InvalidInput, PermissionDenied, WamError
from wam.domain.movements import Entry
from wam.domain.text import clean_text
from wam.domain.timefmt import iso, to_micros
from wam.storage import auth_tables as a
from wam.storage import tables as t
from wam.storage.confirmation_tables import confirmations as c
from wam.storage.engine import write_connection

from . import queries, records
from .confirmation_records import RECORD_KIND, confirmation_body
from .scoped import Page, ScopedLedger, scope_ids

COUNT_CAP = 1000  # the home page says "1000 or more" rather than count a backlog of millions


class ConfirmationRefused(WamError):
    """The movement cannot be confirmed in its present state.

    ``reason`` is ``"kind"`` (not a transfer), ``"already"`` (confirmed before: ``by`` and
    ``at`` say by whom and when) or ``"reversed"`` (it was undone).
    """

    code = "confirmation_refused"

    def __init__(self, message: str, *, reason: str, uid: str, by: str | None = None, at: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.uid = uid
        self.by = by
        self.at = at


@dataclass(frozen=True, slots=True)
class Confirmation:
    """Who confirmed the receipt of the entry at ``entry_seq``, and when (microseconds, UTC)."""

    entry_seq: int
    by: str
    at: int
    note: str | None


def _uid_expr() -> ColumnElement[str]:
    """The entry id ``<ledger uuid>:<origin seq>`` in SQL, as a reversal cites it."""
    return t.ledgers.c.uuid + ":" + cast(t.entries.c.origin_seq, String)


def _received() -> ColumnElement[bool]:
    """The entry is of a kind that awaits confirmation: ``kind = 'transfer'`` written out in the SQL,
    as the partial index of the transfers (migration 0013_transfers) says it, so that the planners
    may read the transfers from it (SQLite uses a partial index only for a term it can match: not
    a bound parameter, nor an ``IN`` of one value)."""
    kinds = sorted(k.value for k in RECEIVED_KINDS)
    if len(kinds) == 1:
        return t.entries.c.kind == bindparam("received", kinds[0], literal_execute=True)
    return t.entries.c.kind.in_(bindparam("received", kinds, expanding=True, literal_execute=True))


def awaiting(scope: Select[Any] | CompoundSelect[Any] | None, actor: str | None, *, from_seq: int = 1,
             by_seq: bool = False) -> list[ColumnElement[bool]]:
    """The conditions of "awaits confirmation" (by ``actor``; by anyone when None) on a query that joins ``ledgers``.

    ``from_seq`` (the low-water mark) bounds the entries and, said again inside the subquery,
    the confirmations: PostgreSQL may anti-join them by merging, which then starts there
    instead of reading every confirmation ever made.

    ``by_seq`` keeps SQLite from reading the scope's every movement through the target index
    and sorting them (0.7 s for a mission officer at half a million movements): it walks the
    entries in seq order from the low-water mark and stops at the page's end (tens of ms when
    much awaits; at worst one pass from the mark). PostgreSQL chooses by its statistics.
    """
    e = t.entries
    undo = t.entries.alias("undo")
    conditions = [
        e.c.seq >= from_seq,
        _received(),
        ~exists().where(c.c.entry_seq == e.c.seq, c.c.entry_seq >= from_seq),  # uq_confirmations_entry
        ~exists().where(undo.c.reverses == _uid_expr()),  # ix_entries_reverses
    ]
    if actor is not None:
        conditions.append(e.c.actor != actor)
    if scope is not None:
        target = e.c.target_id + 0 if by_seq else e.c.target_id  # an expression: no index on it
        conditions.append(target.in_(scope))
    return conditions


class LowWater:
    """The lowest seq that may still await anyone's confirmation, kept for the life of the process.

    Below it, every transfer is confirmed or reversed. It only ever rises:
    confirmations and reversals are never undone, and a new entry always comes after the head.
    So each look resumes where the previous one stopped, and the lists below start there: once
    the receiving sides keep up, a home page reads the recent entries only, not the whole
    ledger (the work over time is one pass). A movement nobody confirms holds it down, and is
    at the top of somebody's list until someone does.
    """

    def __init__(self) -> None:
        self._seq = 1
        self._lock = threading.Lock()

    def seq(self, conn: Connection) -> int:
        start = self._seq
        # the head first: entries up to it are committed (the head moves in their transaction)
        head = conn.execute(select(t.chain_head.c.seq).where(t.chain_head.c.id == 1)).scalar() or 0
        e = t.entries
        first = conn.execute(
            select(e.c.seq).join(t.ledgers, t.ledgers.c.id == e.c.origin_id)
            .where(e.c.seq <= head, *awaiting(None, None, from_seq=start)).order_by(e.c.seq).limit(1)
        ).scalar()
        with self._lock:
            self._seq = max(self._seq, first if first is not None else head + 1)
            return self._seq


def confirmations_of(conn: Connection, seqs: Iterable[int]) -> dict[int, Confirmation]:
    """The confirmations of the entries at ``seqs`` (one query for a page of entries)."""
    wanted = sorted(set(seqs))
    if not wanted:
        return {}
    rows = conn.execute(
        select(c.c.entry_seq, a.users.c.name, c.c.confirmed_at, c.c.note)
        .join(a.users, a.users.c.id == c.c.user_id)
        .where(c.c.entry_seq.in_(wanted))
    )
    return {r.entry_seq: Confirmation(r.entry_seq, r.name, r.confirmed_at, r.note) for r in rows}


class Confirmations:
    """Confirmations as the user behind ``scoped`` (database id ``user_id``) may see and make them."""

    def __init__(self, scoped: ScopedLedger, user_id: int, low_water: LowWater | None = None) -> None:
        self.scoped = scoped
        self.user_id = user_id
        self.low_water = low_water or LowWater()

    @property
    def _engine(self) -> Engine:
        return self.scoped.ledger.engine

    def _awaiting(self, from_seq: int) -> list[ColumnElement[bool]]:
        by_seq = self._engine.dialect.name == "sqlite"
        return awaiting(scope_ids(grants_for(self.scoped.grants, Action.CONFIRM)), self.scoped.actor,
                        from_seq=from_seq, by_seq=by_seq)

    def pending(self, *, cursor: str | None = None, limit: int = 50) -> Page:
        """Movements awaiting the user's confirmation, oldest (lowest seq) first; paged by seq."""
        self.scoped._require_anywhere(Action.CONFIRM)  # noqa: SLF001  (the one rule for "nowhere": 403)
        after = _cursor(cursor)
        e = t.entries
        with self._engine.connect() as conn:
            start = max(self.low_water.seq(conn), (after or 0) + 1)
            query = queries._entry_query().where(*self._awaiting(start))  # noqa: SLF001
            rows = [queries.entry_from_row(r) for r in conn.execute(query.order_by(e.c.seq).limit(limit + 1))]
        if len(rows) > limit:
            return Page(rows[:limit], str(rows[limit - 1].seq))
        return Page(rows, None)

    def count(self, cap: int = COUNT_CAP) -> int:
        """How many movements await the user's confirmation, counted up to ``cap``."""
        self.scoped._require_anywhere(Action.CONFIRM)  # noqa: SLF001
        e = t.entries
        with self._engine.connect() as conn:
            inner = (select(e.c.seq).join(t.ledgers, t.ledgers.c.id == e.c.origin_id)
                     .where(*self._awaiting(self.low_water.seq(conn)))
                     .limit(cap).subquery())
            return int(conn.execute(select(func.count()).select_from(inner)).scalar() or 0)

    def of(self, entries: Sequence[Entry]) -> dict[int, Confirmation]:
        """The confirmations of entries the user has already been allowed to read."""
        with self._engine.connect() as conn:
            return confirmations_of(conn, (x.seq for x in entries))

    def confirm(self, uid: str, *, note: object = None) -> Confirmation:
        """Confirm the receipt of the movement ``uid`` in the user's name, now.

        Raises:
            PermissionDenied: the role confirms nowhere; the target is outside where it may;
                the user recorded the movement.
            NotFound: no such movement, or one the user may not see (the same answer).
            ConfirmationRefused: not a transfer; confirmed before; reversed.
            InvalidInput: the note (field ``note``).
        """
        scoped = self.scoped
        scoped._require_anywhere(Action.CONFIRM)  # noqa: SLF001
        entry = scoped.entry(uid)  # NotFound when missing or out of sight
        if entry.kind not in {k.value for k in RECEIVED_KINDS}:
            raise ConfirmationRefused(f"a {entry.kind} has no receipt to confirm (only transfers)",
                                      reason="kind", uid=uid)
        places = scoped._places(entry.target) or []  # noqa: SLF001
        if not allowed_at(scoped.grants, places, Action.CONFIRM):
            raise PermissionDenied(f"you may confirm only what arrives where your role records movements; "
                                   f"{entry.target} is not such a place")
        text = clean_text(note, "note", max_len=2000)
        with write_connection(self._engine) as conn, conn.begin():
            self._refuse_if_settled(conn, entry)
            if entry.actor == scoped.actor:
                raise PermissionDenied("you recorded this movement: someone at the receiving end confirms it")
            at = to_micros(scoped.ledger.clock())
            try:
                with conn.begin_nested():
                    row_id = conn.execute(insert(c).values(entry_seq=entry.seq, user_id=self.user_id,
                                                           confirmed_at=at, note=text)).inserted_primary_key[0]
            except IntegrityError:  # confirmed by someone else since we looked
                self._refuse_if_settled(conn, entry)
                raise
            # the confirmation's record in the records chain, in the same transaction: verify
            # compares the row with it (verify_confirmations), and checkpoints sign the chain
            records.append(conn, kind=RECORD_KIND, ref=str(entry.seq), actor=scoped.actor,
                           body=confirmation_body(row_id, entry.seq, self.user_id, at, text))
        return Confirmation(entry.seq, scoped.actor, at, text)

    @staticmethod
    def _refuse_if_settled(conn: Connection, entry: Entry) -> None:
        done = confirmations_of(conn, [entry.seq]).get(entry.seq)
        if done is not None:
            raise ConfirmationRefused(f"movement {entry.uid} was already confirmed by {done.by} at {iso(done.at)}",
                                      reason="already", uid=entry.uid, by=done.by, at=done.at)
        undone = conn.execute(select(t.entries.c.seq).where(t.entries.c.reverses == entry.uid).limit(1)).first()
        if undone is not None:
            raise ConfirmationRefused(f"movement {entry.uid} was reversed: there is no receipt to confirm",
                                      reason="reversed", uid=entry.uid)


def _cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    if not cursor.isdecimal() or len(cursor) > 18:
        raise InvalidInput("is not a cursor returned by this list", field="cursor")
    return int(cursor)


__all__ = ["COUNT_CAP", "Confirmation", "ConfirmationRefused", "Confirmations", "LowWater", "awaiting",
           "confirmations_of"]
