"""Questions about a ledger's world (its holder tree and catalogue) that adapters ask without SQL.

The importers need each holder's country, the demo a site to give its armourer and counts to
report, and the demo loads its catalogue in one go; each is a query or a bulk insert on the
storage tables, so it lives here and the adapters call it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, func, insert, select

from wam.domain.facts import ITEM_FIELDS
from wam.domain.materiel import Item
from wam.storage import tables as t
from wam.storage.engine import write_connection

from . import facts
from .catalog import item_row
from .ledger import Ledger


def holder_countries(ledger: Ledger) -> dict[str, str | None]:
    """Map every real holder's code to the country of the nearest holder above it that has one."""
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(t.holders.c.id, t.holders.c.code, t.holders.c.parent_id, t.holders.c.country)
                            .where(t.holders.c.external.is_(False))).all()
    by_id = {r.id: r for r in rows}
    result: dict[str, str | None] = {}
    for r in rows:
        node: Row[Any, Any, Any, Any] | None = r
        country = None
        while node is not None and country is None:
            country = node.country
            node = by_id.get(node.parent_id) if node.parent_id else None
        result[r.code] = country
    return result


@dataclass(frozen=True)
class SiteScope:
    """A site, its contingent and the contingent's country: where the demo's local roles work."""

    site: str | None
    contingent: str | None
    country: str | None


def first_site(ledger: Ledger) -> SiteScope:
    """The first site by code that holds something in a store of its own and has persons, with its
    contingent (its parent) and that contingent's country: the demo's armourer and quartermaster work
    there. A site that only existed before the demo's year (no stores, nothing held) is skipped; with no
    such site, the first site by code."""
    h, b = t.holders, t.balances
    store, person = h.alias("store"), h.alias("person")
    holds = (select(store.c.id).join(b, b.c.holder_id == store.c.id)
             .where(store.c.parent_id == h.c.id, store.c.kind == "store", b.c.quantity > 0).exists())
    staffed = select(person.c.id).where(person.c.parent_id == h.c.id, person.c.kind == "person").exists()
    sites = select(h.c.code, h.c.parent_id).where(h.c.kind == "site").order_by(h.c.code).limit(1)
    with ledger.engine.connect() as conn:
        site = conn.execute(sites.where(holds, staffed)).first() or conn.execute(sites).first()
        if site is None:
            return SiteScope(None, None, None)
        parent = conn.execute(select(h.c.code, h.c.country).where(h.c.id == site.parent_id)).first()
    return SiteScope(site.code, parent.code if parent else None, parent.country if parent else None)


def register_new_items(ledger: Ledger, items: Iterable[Item], *, batch: int = 5000) -> int:
    """Insert items that are all new, in bulk; return how many.

    ``Ledger.register_items`` checks and inserts one item at a time (about ten seconds for the
    demo's 17,000 items). A build into a fresh database knows every key is new and inserts the
    same rows (``catalog.item_row``) in batches; a key that exists already fails the whole
    insert on the unique index, so nothing is half-written. Each item's record goes into the
    records chain in the same transaction (``facts.record_items``), as ``Catalog.ensure_items``
    writes it.
    """
    rows = [item_row(item) for item in items]
    with write_connection(ledger.engine) as conn, conn.begin():
        for i in range(0, len(rows), batch):
            conn.execute(insert(t.items), rows[i:i + batch])
        facts.record_items(conn, ([row["key"], *(row[f] for f in ITEM_FIELDS)] for row in rows),
                           at=ledger.clock())
    return len(rows)


def count_lots_and_holders(ledger: Ledger) -> tuple[int, int]:
    """(ammunition lots in the catalogue, holders in the tree), for a build's summary."""
    with ledger.engine.connect() as conn:
        lots = conn.execute(select(func.count()).select_from(t.items).where(t.items.c.shape == "lot")).scalar_one()
        holders = conn.execute(select(func.count()).select_from(t.holders)).scalar_one()
    return int(lots), int(holders)
