"""Is this recovered weapon one of ours, or one we lost? Matching reads against the ledger.

The index (:class:`wam.domain.serial_index.SerialIndex`) is built from the ledger's weapons, each
with where it is now, read in three bulk queries (plain tuples, not an ORM row a weapon):

- ``lost``: its balance sits at the external holder ``lost``; the incident is the document of
  the loss that took it there, and the holder it left is its *last holder*;
- ``disposed``: destroyed or handed over (a recovered weapon that was destroyed is an alarm of
  its own); the holder it left is its last holder;
- ``held``: at a real holder of the tree, which is also its last holder.

A weapon with no positive balance anywhere (registered, never received) is not matched.

The index is kept per ledger and rebuilt when the chain head moves (a movement was posted):
building it reads every weapon (seconds at a million), matching a read takes a fraction of a
millisecond. Scoping is applied when matching, like every read of :class:`ScopedLedger`: a user
is given only weapons whose last holder is in the scope of their grants to read movements (an
administrator for everything sees all); the others are left out before ranking, so the best
visible candidates are never hidden behind invisible ones.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wam.domain.access import Action, grants_for
from wam.domain.errors import PermissionDenied
from wam.domain.serial_index import SerialIndex
from wam.domain.serial_match import Read

from .scoped import scope_ids

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from .ledger import Ledger
    from .scoped import ScopedLedger

LOST, HELD, DISPOSED = "lost", "held", "disposed"
MAX_LIMIT = 20
KEEP = 4  # indexes kept, one a ledger (a million weapons is some 600 MB)

_WEAPONS = ("SELECT id, \"key\", serial, make, model, calibre FROM items "
            "WHERE type = 'weapon' AND serial IS NOT NULL ORDER BY id")
_WHERE = ("SELECT b.item_id, h.id, h.code, h.external FROM balances b JOIN holders h ON h.id = b.holder_id "
          "JOIN items i ON i.id = b.item_id WHERE b.quantity > 0 AND i.type = 'weapon'")
# every movement of a weapon out of the tree to lost, destroyed or handed over, oldest first: the
# last one into the holder where the weapon sits names the incident (or receipt) and the holder it left
_LEFT = ("SELECT e.item_id, e.target_id, e.source_id, s.code, e.document FROM entries e "
         "JOIN holders h ON h.id = e.target_id JOIN holders s ON s.id = e.source_id "
         "JOIN items i ON i.id = e.item_id WHERE i.type = 'weapon' AND h.external "
         "AND (h.code = 'lost' OR h.code = 'destroyed' OR substr(h.code, 1, 12) = 'handed-over:') ORDER BY e.seq")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A recorded weapon proposed for a read: where it is, how well it fits, and why."""

    key: str
    serial: str
    make: str | None
    model: str | None
    calibre: str | None
    status: str  # lost, held or disposed
    holder: str  # where it is now: a holder of the tree, lost, destroyed or handed-over:<state>
    last_holder: str  # the holder of the tree it was last at (the same as holder when held)
    incident: str | None  # the document that took it out of the tree (a loss's incident)
    score: float
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"weapon": self.key, "serial": self.serial, "make": self.make, "model": self.model,
                "calibre": self.calibre, "status": self.status, "holder": self.holder,
                "last_holder": self.last_holder, "incident": self.incident, "score": self.score,
                "reason": self.reason}


class Recorded:
    """The index of a ledger's weapons and, by ref, where each is (see the module's text)."""

    def __init__(self) -> None:
        self.index = SerialIndex()
        self.status: list[str] = []
        self.holder: list[str] = []
        self.last_holder: list[str] = []
        self.last_holder_id: list[int] = []
        self.incident: list[str | None] = []

    def __len__(self) -> int:
        return len(self.index)

    def candidate(self, ref: int, score: float, reason: str) -> Candidate:
        make, model, calibre = self.index.kind(ref)
        return Candidate(self.index.keys[ref], self.index.serials[ref], make, model, calibre, self.status[ref],
                         self.holder[ref], self.last_holder[ref], self.incident[ref], score, reason)


def build(conn: Connection) -> Recorded:
    """Read every weapon of the ledger and where it is, in three queries."""
    run = conn.exec_driver_sql
    weapons = run(_WEAPONS).fetchall()
    where: dict[int, tuple[int, str, bool]] = {}
    for item_id, holder_id, code, external in run(_WHERE).fetchall():
        if not external or code == LOST or code == "destroyed" or code.startswith("handed-over:"):
            where[item_id] = (holder_id, code, bool(external))
    left: dict[tuple[int, int], tuple[int, str, str | None]] = {}
    for item_id, target_id, source_id, source, document in run(_LEFT).fetchall():
        left[(item_id, target_id)] = (source_id, source, document)
    out = Recorded()
    for item_id, key, serial, make, model, calibre in weapons:
        at = where.get(item_id)
        if at is None:
            continue
        holder_id, code, external = at
        if external:
            gone = left.get((item_id, holder_id))
            if gone is None:  # at lost without a movement there: cannot be (laws); left out, not guessed
                continue
            last_id, last, document = gone
            status = LOST if code == LOST else DISPOSED
        else:
            last_id, last, document, status = holder_id, code, None, HELD
        out.index.add(key, serial, make, model, calibre)
        out.status.append(status)
        out.holder.append(code)
        out.last_holder.append(last)
        out.last_holder_id.append(last_id)
        out.incident.append(document)
    return out


_kept: dict[int, tuple[tuple[int, bytes], Recorded]] = {}
_lock = threading.Lock()


def recorded(ledger: Ledger) -> Recorded:
    """The index of ``ledger``'s weapons, built once and again only after a movement is posted."""
    head = ledger.head()
    with _lock:
        kept = _kept.get(id(ledger.engine))
        if kept is not None and kept[0] == head:
            return kept[1]
        with ledger.engine.connect() as conn:
            fresh = build(conn)
        if len(_kept) >= KEEP:  # a process serves one ledger or a few: never grow without bound
            _kept.clear()
        _kept[id(ledger.engine)] = (head, fresh)
        return fresh


def _scope(scoped: ScopedLedger) -> set[int] | None:
    """The holder ids whose weapons the user may be given, or None for all."""
    grants = grants_for(scoped.grants, Action.READ_MOVEMENTS)
    if not grants:
        raise PermissionDenied("your role does not allow reading weapons and their custody")
    query = scope_ids(grants)
    if query is None:
        return None
    with scoped.ledger.engine.connect() as conn:
        return set(conn.execute(query).scalars())


def match(scoped: ScopedLedger, reads: Sequence[Read], *, limit: int = 3,
          exclude: frozenset[str] = frozenset()) -> list[list[Candidate]]:
    """For each read, its best candidates among the weapons the user may see, best first; the weapons
    ``exclude`` names (a recovery's own items, registered from these reads) are left out before ranking."""
    return _match(scoped.ledger, _scope(scoped), reads, limit, exclude)


def match_everything(ledger: Ledger, reads: Sequence[Read], *, limit: int = 3,
                     exclude: frozenset[str] = frozenset()) -> list[list[Candidate]]:
    """:func:`match` over every weapon of the ledger: for the command line, whose user holds the
    database itself (as ``wam incidents list`` and ``wam balance`` read it)."""
    return _match(ledger, None, reads, limit, exclude)


def _match(ledger: Ledger, scope: set[int] | None, reads: Sequence[Read], limit: int,
           exclude: frozenset[str] = frozenset()) -> list[list[Candidate]]:
    limit = max(1, min(limit, MAX_LIMIT))
    register = recorded(ledger)
    last, keys = register.last_holder_id, register.index.keys
    allow = None if scope is None else (lambda ref: last[ref] in scope)
    if exclude:
        within = allow
        allow = (lambda ref: keys[ref] not in exclude) if within is None else (
            lambda ref: keys[ref] not in exclude and within(ref))
    return [[register.candidate(c.ref, c.score, c.reason) for c in register.index.match(read, limit=limit, allow=allow)]
            for read in reads]


def match_one(scoped: ScopedLedger, serial: str, *, make: str | None = None, model: str | None = None,
              calibre: str | None = None, limit: int = 3) -> list[Candidate]:
    """"Is this weapon one of ours, or one we lost?" for one read, without registering anything."""
    return match(scoped, [Read(serial, make or None, model or None, calibre or None)], limit=limit)[0]
