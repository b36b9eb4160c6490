"""What a posting batch knows of stores and lots for the storage rules (:mod:`wam.domain.storage`):
each lot's class, each store's lots and the time of its latest movement of a lot, the stores'
surveys and overrides, and the lots' suspensions. Loaded lazily, once per batch, from the
database the batch writes to; the batch keeps it up to date as it posts (:meth:`StorageState.moved`).

Two kinds of records of the records chain hold the officers' decisions (append-only, as every record):

- ``store:override``, ref the store's code, body ``{"item", "reason", "withdrawn"}``: the lot may enter
  the store despite the storage rules, until a later record for the same lot withdraws it;
- ``lot:status``, ref the lot's key, body ``{"status", "since", "reason", "code"}``: the lot is
  suspended, recalled or released from ``since`` (microseconds since 1970) on.

The surveys of distances are ``store:distances`` records (:mod:`wam.services.ammo`).

Each of these records carries ``ledger_seq``, the ledger's last entry when it was recorded: the
records chain and the ledger are two chains, and that is what orders them, so that ``wam verify``
judges each entry by the surveys, overrides and suspensions recorded before it was posted
(:mod:`wam.services.verify_storage`), whatever the clocks said. Recording one locks the ledger's
head as a posting does, so that the two never interleave.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from wam.domain.storage import Contents, LotClass, LotStatus, lot_class, moments_after, storage_breach
from wam.storage import tables as t

if TYPE_CHECKING:
    from .catalog import HolderRef
    from .posting import Poster

DISTANCES_KIND = "store:distances"
OVERRIDE_KIND = "store:override"
STATUS_KIND = "lot:status"


def ledger_position(conn: Connection) -> int:
    """The seq of the ledger's last entry, the head locked until the caller's transaction ends
    (on PostgreSQL; SQLite's write transaction holds the whole database already)."""
    query = select(t.chain_head.c.seq).where(t.chain_head.c.id == 1)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return int(conn.execute(query).scalar_one())


def applies_after(body: dict[str, Any]) -> int | None:
    """The last entry posted before a storage record (None: recorded by a wam that did not say)."""
    value = body.get("ledger_seq")
    return None if value is None else int(value)


def survey(body: dict[str, Any]) -> dict[str, float]:
    """A ``store:distances`` record's body as the store's distances to exposed sites (metres by kind)."""
    return {kind: float(metres) for kind, metres in body["distances"].items()}


def status_change(body: dict[str, Any]) -> LotStatus:
    """A ``lot:status`` record's body as a :class:`LotStatus`."""
    return LotStatus(str(body["status"]), int(body["since"]), str(body.get("reason") or ""), body.get("code"))


class StorageState:
    """The storage rules' state for one batch of ``poster``."""

    def __init__(self, poster: Poster) -> None:
        self.poster = poster
        self.classes: dict[int, LotClass | None] = {}
        self.keys: dict[int, str] = {}  # the keys of the lots in ``classes``
        self.store_lots: dict[int, set[int]] = {}  # store id -> ids of classified lots it may hold
        self.store_last: dict[int, int | None] = {}  # store id -> latest time a lot entered or left it
        self._surveys: dict[int, dict[str, float]] = {}
        self._overrides: dict[int, set[str]] = {}
        self._statuses: dict[str, list[LotStatus]] | None = None
        self._status_ids: set[int] | None = None

    def forget(self) -> None:
        """Drop what was loaded (the batch wrote its state and reads it back from now on)."""
        self.store_lots.clear()
        self.store_last.clear()
        self.classes.clear()
        self.keys.clear()

    # queries -------------------------------------------------------------------------------------
    def _run(self, sql: str, params: tuple[object, ...]) -> list[Any]:
        poster = self.poster
        poster.drain()
        mark = "?" if poster.conn.dialect.paramstyle == "qmark" else "%s"
        return list(poster.conn.exec_driver_sql(sql.replace("?", mark), params).fetchall())

    def lot_class(self, item_id: int) -> LotClass | None:
        if item_id not in self.classes:
            rows = self._run('SELECT "key", hazard_division, compatibility_group, neq_kg FROM items WHERE id = ?',
                             (item_id,))
            if rows:
                self.keys[item_id] = rows[0][0]
            self.classes[item_id] = lot_class(*rows[0][1:]) if rows else None
        return self.classes[item_id]

    def lots_of(self, store_id: int) -> set[int]:
        """The classified lots the store may hold (some at zero now): those stored when the batch
        began (or last wrote its state) and those the batch brought in since."""
        found = self.store_lots.get(store_id)
        if found is None:
            found = set()
            if not self.poster.state.fresh:
                self.poster.write_pending()
                for (item_id,) in self._run(
                        "SELECT b.item_id FROM balances b JOIN items i ON i.id = b.item_id "
                        "WHERE b.holder_id = ? AND i.shape = 'lot' AND i.compatibility_group IS NOT NULL", (store_id,)):
                    found.add(item_id)
            self.store_lots[store_id] = found
        return found

    def last_at(self, store_id: int) -> int | None:
        """The latest time a lot entered or left the store."""
        if store_id not in self.store_last:
            last = None
            if not self.poster.state.fresh:
                self.poster.write_pending()
                rows = self._run(
                    "SELECT max(e.occurred_at) FROM entries e JOIN items i ON i.id = e.item_id "
                    "WHERE (e.source_id = ? OR e.target_id = ?) AND i.shape = 'lot'", (store_id, store_id))
                last = rows[0][0] if rows else None
            self.store_last[store_id] = last
        return self.store_last[store_id]

    def moved(self, item_id: int, source_id: int, target_id: int, when: int) -> None:
        """A lot moved (on either path): keep the stores' latest times and lots that are loaded."""
        for store_id in (source_id, target_id):
            if store_id in self.store_last:
                last = self.store_last[store_id]
                if last is None or when > last:
                    self.store_last[store_id] = when
        lots = self.store_lots.get(target_id)
        if lots is not None and self.lot_class(item_id) is not None:
            lots.add(item_id)

    def passes(self, store: HolderRef, item_id: int, quantity: int, when: int) -> bool:
        """The fast form of the storage rule, for the bulk path: True when the rule surely accepts
        ``quantity`` of the lot entering ``store`` at ``when`` (a lot the rules cannot judge, or one
        not back-dated for the store that puts it in no breach); False sends the movement to the
        checked path, which runs the rule itself (overrides, back-dating, the error's words).
        tests/services/test_rule_pipeline.py proves the two paths agree."""
        cls = self.lot_class(item_id)
        if cls is None:
            return True
        last = self.last_at(store.id)
        if last is not None and when < last:
            return False
        return storage_breach(store.code, self.keys[item_id], cls, quantity, self._keyed(self.contents_now(store.id)),
                              self.distances(store.id, store.code)) is None

    def contents_now(self, store_id: int) -> dict[int, int]:
        """Each classified lot the store holds now (in the batch), by id."""
        balance = self.poster._balance  # noqa: SLF001  (the batch's own state)
        return {item_id: q for item_id in self.lots_of(store_id) if (q := balance(store_id, item_id))}

    def moments(self, store_id: int, when: int) -> Iterator[Contents]:
        """What the store holds at ``when`` (by lot key), then after each later change."""
        now = self.contents_now(store_id)
        last = self.last_at(store_id)
        if last is None or when >= last:
            yield self._keyed(now)
            return
        self.poster.write_pending()
        later = self._run(
            "SELECT e.item_id, CASE WHEN e.target_id = ? THEN e.quantity ELSE -e.quantity END "
            "FROM entries e JOIN items i ON i.id = e.item_id "
            "WHERE (e.source_id = ? OR e.target_id = ?) AND e.occurred_at > ? AND i.shape = 'lot' "
            "AND i.compatibility_group IS NOT NULL ORDER BY e.occurred_at, e.seq",
            (store_id, store_id, store_id, when))
        for held in moments_after(now, later):
            yield self._keyed(held)

    def _keyed(self, held: dict[int, int]) -> dict[str, tuple[LotClass, int]]:
        out = {}
        for item_id, quantity in held.items():
            cls = self.lot_class(item_id)
            if cls is not None and quantity:
                out[self.keys[item_id]] = (cls, quantity)
        return out

    # the officers' records -----------------------------------------------------------------------
    def _latest_body(self, kind: str, ref: str) -> dict[str, Any] | None:
        rows = self._run("SELECT body FROM records WHERE kind = ? AND ref = ? ORDER BY seq DESC LIMIT 1", (kind, ref))
        return json.loads(rows[0][0]) if rows else None

    def distances(self, store_id: int, code: str) -> dict[str, float]:
        if store_id not in self._surveys:
            body = self._latest_body(DISTANCES_KIND, code)
            self._surveys[store_id] = {} if body is None else survey(body)
        return self._surveys[store_id]

    def overridden(self, store_id: int, code: str, item: str) -> bool:
        if store_id not in self._overrides:
            active: set[str] = set()
            for (body,) in self._run("SELECT body FROM records WHERE kind = ? AND ref = ? ORDER BY seq",
                                     (OVERRIDE_KIND, code)):
                data = json.loads(body)
                (active.discard if data.get("withdrawn") else active.add)(data["item"])
            self._overrides[store_id] = active
        return item in self._overrides[store_id]

    def statuses(self) -> dict[str, list[LotStatus]]:
        """Every lot's changes of status, in the order recorded."""
        if self._statuses is None:
            found: dict[str, list[LotStatus]] = {}
            for ref, body in self._run("SELECT ref, body FROM records WHERE kind = ? ORDER BY seq", (STATUS_KIND,)):
                found.setdefault(ref, []).append(status_change(json.loads(body)))
            self._statuses = found
        return self._statuses

    def status_ids(self) -> set[int]:
        """The ids of the lots that were ever suspended or recalled: the fast path leaves their
        issues, transfers and expenditures to the checked path."""
        if self._status_ids is None:
            keys = list(self.statuses())
            ids: set[int] = set()
            for start in range(0, len(keys), 500):
                chunk = tuple(keys[start:start + 500])
                marks = ", ".join("?" * len(chunk))
                ids.update(i for (i,) in self._run(f'SELECT id FROM items WHERE "key" IN ({marks})', chunk))
            self._status_ids = ids
        return self._status_ids
