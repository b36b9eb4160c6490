"""Ammunition stores against the IATG storage rules (:mod:`wam.domain.iatg`): what each store holds by
hazard division and compatibility group, its aggregate division and NEQ, the mixing of its groups,
and its recorded distances to exposed sites against what its NEQ requires.

A store's distances are records of the records chain (kind ``store:distances``, ref the store's
code; the last one is the store's current survey): append-only and tamper-evident like every record,
so that a distance shortened to make a store compliant leaves its trace.

NEQ: an item's ``neq_kg`` is per unit (a round, a grenade): a lot's NEQ is its quantity times that.
A lot without a division, a group or an NEQ is listed as unclassified, never guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from wam.domain import iatg
from wam.domain.access import Action
from wam.domain.errors import InvalidInput, NotFound
from wam.domain.holders import HolderKind
from wam.storage import tables as t

from . import records

if TYPE_CHECKING:
    from .ledger import Ledger

DISTANCES_KIND = "store:distances"


@dataclass
class StoreStatus:
    """One store as the IATG rules see it now."""

    code: str
    name: str
    lots: list[dict[str, Any]] = field(default_factory=list)
    unclassified: list[str] = field(default_factory=list)  # lots without division, group or NEQ
    aggregate: iatg.Aggregate | None = None
    mixing: list[iatg.Mixing] = field(default_factory=list)
    distances: list[iatg.DistanceCheck] = field(default_factory=list)

    @property
    def breaches(self) -> list[str]:
        """Each reason the store is in breach, in words: a forbidden mixing, a distance too short."""
        out = [f"compatibility groups {m.first} and {m.second} may not be stored together ({iatg.SOURCE_MIXING})"
               for m in self.mixing if m.verdict is iatg.Verdict.FORBIDDEN]
        out += [d.reason for d in self.distances if d.breach]
        return out

    @property
    def conditions(self) -> list[str]:
        """The mixings allowed only on a condition, with the condition: to be checked on site."""
        return [f"{m.first} with {m.second}: {'; '.join(m.conditions)}" for m in self.mixing
                if m.verdict is iatg.Verdict.CONDITIONAL]

    def as_dict(self) -> dict[str, Any]:
        held = self.aggregate
        return {"store": self.code, "name": self.name, "in_breach": bool(self.breaches), "breaches": self.breaches,
                "surveyed": bool(self.distances),
                "conditions": self.conditions, "lots": self.lots, "unclassified": self.unclassified,
                "aggregate": None if held is None else {"division": held.division, "neq_kg": str(held.neq_kg),
                                                        "provisional": held.provisional, "source": held.source},
                "mixing": [m.as_dict() for m in self.mixing], "distances": [d.as_dict() for d in self.distances]}


def _contents(ledger: Ledger, codes: Iterable[str] | None) -> dict[str, tuple[str, list[Any]]]:
    """Each store's (name, lots it holds now with their classification), for stores holding ammunition."""
    h, i, b = t.holders, t.items, t.balances
    query = (select(h.c.code, h.c.name, i.c.key, i.c.hazard_division, i.c.compatibility_group, i.c.neq_kg,
                    i.c.condition, b.c.quantity)
             .join(b, b.c.holder_id == h.c.id).join(i, i.c.id == b.c.item_id)
             .where(h.c.kind == HolderKind.STORE.value, i.c.shape == "lot", b.c.quantity > 0)
             .order_by(h.c.code, i.c.key))
    wanted = None if codes is None else list(codes)
    if wanted is not None:
        query = query.where(h.c.code.in_(wanted))
    out: dict[str, tuple[str, list[Any]]] = {}
    with ledger.engine.connect() as conn:
        for row in conn.execute(query):
            out.setdefault(row.code, (row.name, []))[1].append(row)
    return out


def distances(ledger: Ledger, store: str) -> dict[str, float]:
    """The store's recorded distances to exposed sites (metres by kind), from its last survey."""
    with ledger.engine.connect() as conn:
        found = records.latest(conn, DISTANCES_KIND, store)
    return {} if found is None else {k: float(v) for k, v in found.data["distances"].items()}


def _all_distances(ledger: Ledger) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    with ledger.engine.connect() as conn:
        for record in records.all_records(conn, kinds=[DISTANCES_KIND]):
            out[record.ref] = {k: float(v) for k, v in record.data["distances"].items()}  # the last one wins
    return out


def record_distances(ledger: Ledger, store: str, given: Mapping[str, object], *, actor: str) -> dict[str, float]:
    """Record a store's survey of distances to exposed sites (each kind in metres); return it.

    Raises:
        NotFound: no such holder.
        InvalidInput: not a store, an unknown kind of exposed site, a distance that is not a positive number.
    """
    holder = ledger.holder(store)
    if holder.kind is not HolderKind.STORE:
        raise InvalidInput(f"{store} is a {holder.kind.value}, not a store", field="store")
    if not given:
        raise InvalidInput("give at least one distance (kind=metres)", field="distances")
    clean: dict[str, float] = {}
    for kind, metres in given.items():
        site = iatg.site_kind(kind)
        clean[site.kind] = iatg._positive(metres, site.kind, iatg.MAX_DISTANCE_M)  # noqa: SLF001
    records.retrying(ledger.engine, lambda conn: records.append(
        conn, kind=DISTANCES_KIND, ref=holder.code, body={"distances": clean}, actor=actor))
    return clean


def status(name: str, code: str, rows: list[Any], surveyed: Mapping[str, float]) -> StoreStatus:
    """One store's status from the lots it holds and its recorded distances (pure)."""
    out = StoreStatus(code, name)
    by_division: dict[str, Decimal] = defaultdict(Decimal)
    groups = []
    for row in rows:
        neq = None if row.neq_kg is None else Decimal(row.neq_kg) * row.quantity
        out.lots.append({"item": row.key, "quantity": row.quantity, "hazard_division": row.hazard_division,
                         "compatibility_group": row.compatibility_group,
                         "neq_kg": None if neq is None else str(neq), "condition": row.condition})
        if row.hazard_division is None or row.compatibility_group is None or neq is None:
            out.unclassified.append(row.key)
            continue
        by_division[row.hazard_division] += neq
        groups.append(row.compatibility_group)
    out.aggregate = iatg.aggregate(by_division)
    out.mixing = iatg.mixing_breaches(groups)
    out.distances = [iatg.check_distance(kind, metres, out.aggregate) for kind, metres in sorted(surveyed.items())]
    return out


def check(ledger: Ledger, store: str | None = None) -> list[StoreStatus]:
    """Every store holding ammunition or with a survey (or only ``store``), with its breaches now.

    Raises:
        NotFound: ``store`` is not a holder.
    """
    if store is not None:
        holder = ledger.holder(store)  # NotFound
        if holder.kind is not HolderKind.STORE:
            raise InvalidInput(f"{store} is a {holder.kind.value}, not a store", field="store")
    contents = _contents(ledger, None if store is None else [store])
    surveys = _all_distances(ledger) if store is None else {store: distances(ledger, store)}
    codes = sorted(set(contents) | {c for c, d in surveys.items() if d})
    if store is not None and store not in codes:
        codes = [store]
    out = []
    for code in codes:
        name, rows = contents.get(code) or (ledger.holder(code).name, [])
        out.append(status(name, code, rows, surveys.get(code) or {}))
    return out


def in_breach(ledger: Ledger) -> list[StoreStatus]:
    """The stores in breach of the storage rules now (after an import, say), each with its reasons."""
    return [s for s in check(ledger) if s.breaches]


__all__ = ["DISTANCES_KIND", "NotFound", "ScopedAmmo", "StoreStatus", "check", "distances", "in_breach",
           "record_distances", "status"]


class ScopedAmmo:
    """The stores' IATG status as a signed-in user may see it (the stores in their sight), and the
    surveys of distances they may record (a recording role at the store)."""

    def __init__(self, scoped: Any) -> None:
        self.scoped = scoped

    def check(self, store: str | None = None) -> list[StoreStatus]:
        scoped = self.scoped
        if store is not None:
            scoped._require(store, Action.READ)  # noqa: SLF001  (404 out of sight, as for a code that does not exist)
            return check(scoped.ledger, store)
        scoped._require_anywhere(Action.READ)  # noqa: SLF001
        return [s for s in check(scoped.ledger) if scoped.visible(s.code)]

    def record_distances(self, store: str, given: Mapping[str, object]) -> dict[str, float]:
        scoped = self.scoped
        scoped._require(store, Action.RECORD)  # noqa: SLF001
        done: dict[str, float] = scoped._append(  # noqa: SLF001
            lambda: record_distances(scoped.ledger, store, given, actor=scoped.actor))
        return done

