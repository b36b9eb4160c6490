"""The ledger's state at one movement's moment, as the rules of :mod:`wam.domain.rules` read it.

The checked posting path builds one :class:`LedgerFacts` per movement; each fact is loaded from
the poster's batch state or the database only when a rule asks for it (most movements are not
back-dated, so most never read the item's later history).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from sqlalchemy import select

from wam.domain.errors import InvalidInput, NotFound
from wam.domain.materiel import Shape
from wam.domain.rules import Original
from wam.domain.storage import Contents, LotClass, LotStatus, status_at
from wam.domain.timefmt import to_micros
from wam.storage import tables as t

from .catalog import HolderRef, ItemRef

if TYPE_CHECKING:
    from wam.domain.movements import Movement

    from .posting import Poster


class LedgerFacts:
    """Facts about ``movement`` in the ledger ``poster`` is writing (pending rows included)."""

    def __init__(self, poster: Poster, movement: Movement) -> None:
        self.poster = poster
        self.movement = movement
        self.when = to_micros(movement.occurred_at)
        self._source: HolderRef | None = None
        self._target: HolderRef | None = None
        self._item: ItemRef | None = None
        self._deltas: list[tuple[int, int]] | None = None

    def resolve(self) -> tuple[HolderRef, HolderRef, ItemRef]:
        """Look up the source, the target (creating an external holder on first use) and the item."""
        conn, catalog, mv = self.poster.conn, self.poster.catalog, self.movement
        self._source = catalog.holder(conn, mv.source, create_external=True)
        self._target = catalog.holder(conn, mv.target, create_external=True)
        try:
            self._item = catalog.item(conn, mv.item)
        except NotFound:
            raise InvalidInput(f"item {mv.item!r} is not registered", field="item") from None
        return self._source, self._target, self._item

    @property
    def source(self) -> HolderRef:
        assert self._source is not None, "resolve() first"
        return self._source

    @property
    def target(self) -> HolderRef:
        assert self._target is not None, "resolve() first"
        return self._target

    @property
    def item(self) -> ItemRef:
        assert self._item is not None, "resolve() first"
        return self._item

    @property
    def serialised(self) -> bool:
        return self.item.shape is Shape.SERIAL

    def backdated(self) -> bool:
        last = self.poster.state.last_at.get(self.item.id)
        if last is None:
            last = self.poster._last_at(self.item.id)
        return last is not None and self.when < last

    def holder_now(self) -> str | None:
        # not back-dated here (law 1's order rule refuses that first): the latest custodian
        holder_id = self.poster._custodian(self.item.id)
        return None if holder_id is None else self.poster.holder_code(holder_id)

    def next_after(self) -> tuple[str, int] | None:
        poster = self.poster
        poster.write_pending()
        e = t.entries.c
        nxt = poster.conn.execute(
            select(e.source_id, e.occurred_at).where(e.item_id == self.item.id, e.occurred_at > self.when)
            .order_by(e.occurred_at, e.seq).limit(1)
        ).first()
        if nxt is None:
            return None
        return poster.catalog.holder_by_id(poster.conn, nxt.source_id).code, nxt.occurred_at

    def _source_deltas(self) -> list[tuple[int, int]]:
        """(time, change) of every stored movement of the item in or out of the source, in order."""
        if self._deltas is None:
            poster, source = self.poster, self.source.id
            poster.write_pending()
            e = t.entries.c
            rows = poster.conn.execute(
                select(e.source_id, e.quantity, e.occurred_at)
                .where(e.item_id == self.item.id, (e.source_id == source) | (e.target_id == source))
                .order_by(e.occurred_at, e.seq)
            ).all()
            self._deltas = [(r.occurred_at, -r.quantity if r.source_id == source else r.quantity) for r in rows]
        return self._deltas

    def balance_at(self) -> int:
        if not self.backdated():
            return self.poster._balance(self.source.id, self.item.id)
        return sum(d for at, d in self._source_deltas() if at <= self.when)

    def later_deltas(self) -> Iterable[int]:
        return [d for at, d in self._source_deltas() if at > self.when]

    # the storage rules: the batch's StorageState keeps what they read
    def lot_class(self) -> LotClass | None:
        return self.poster.storage.lot_class(self.item.id)

    def store_moments(self) -> Iterator[Contents]:
        return self.poster.storage.moments(self.target.id, self.when)

    def store_distances(self) -> Mapping[str, float]:
        return self.poster.storage.distances(self.target.id, self.target.code)

    def overridden(self) -> bool:
        return self.poster.storage.overridden(self.target.id, self.target.code, self.item.key)

    def lot_status(self) -> LotStatus | None:
        changes = self.poster.storage.statuses().get(self.item.key)
        return None if not changes else status_at(changes, self.when)

    def original(self, ledger: str, seq: int) -> Original | None:
        poster = self.poster
        poster.write_pending()
        e = t.entries.c
        row = poster.conn.execute(
            select(e.kind, t.items.c.key, e.quantity, e.source_id, e.target_id, e.occurred_at)
            .join(t.ledgers, t.ledgers.c.id == e.origin_id).join(t.items, t.items.c.id == e.item_id)
            .where(t.ledgers.c.uuid == ledger, e.origin_seq == seq)
        ).first()
        if row is None:
            return None
        cite = self.movement.reverses
        reversed_ = cite in poster.state.reversed_uids or poster.conn.execute(
            select(e.seq).where(e.reverses == cite)).first() is not None
        catalog, conn = poster.catalog, poster.conn
        return Original(row.kind, row.key, row.quantity,
                        catalog.holder_by_id(conn, row.source_id).code, catalog.holder_by_id(conn, row.target_id).code,
                        row.occurred_at, reversed_)
