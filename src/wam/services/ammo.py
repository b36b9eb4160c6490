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
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from wam.domain import iatg
from wam.domain import storage as rules
from wam.domain.access import Action
from wam.domain.errors import InvalidInput, NotFound, PermissionDenied
from wam.domain.holders import HolderKind
from wam.domain.timefmt import FIRST_MOMENT, check_readable, iso, parse_moment, to_micros
from wam.storage import tables as t

from . import records

# the kinds of records the storage rules read (wam.services.storage_state reads them for the posting)
from .storage_state import DISTANCES_KIND, OVERRIDE_KIND, STATUS_KIND, ledger_position, status_change, survey

if TYPE_CHECKING:
    from .ledger import Ledger



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
    overrides: list[dict[str, Any]] = field(default_factory=list)  # the officers' overrides in force

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
                "mixing": [m.as_dict() for m in self.mixing], "distances": [d.as_dict() for d in self.distances],
                "overrides": self.overrides}


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
    return {} if found is None else survey(found.data)


def _all_distances(ledger: Ledger) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    with ledger.engine.connect() as conn:
        for record in records.all_records(conn, kinds=[DISTANCES_KIND]):
            out[record.ref] = survey(record.data)  # the last one wins
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
    _decide(ledger, DISTANCES_KIND, holder.code, {"distances": clean}, actor)
    return clean


def _decide(ledger: Ledger, kind: str, ref: str, body: dict[str, Any], actor: str) -> None:
    """Append a record the storage rules read, with the ledger's position (:func:`ledger_position`)."""
    records.retrying(ledger.engine, lambda conn: records.append(
        conn, kind=kind, ref=ref, body={**body, "ledger_seq": ledger_position(conn)}, actor=actor,
        at=ledger.clock()))


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
    in_force = _all_overrides(ledger)
    codes = sorted(set(codes) | ({c for c, o in in_force.items() if o} if store is None else set()))
    out = []
    for code in codes:
        name, rows = contents.get(code) or (ledger.holder(code).name, [])
        found = status(name, code, rows, surveys.get(code) or {})
        found.overrides = in_force.get(code, [])
        out.append(found)
    return out


def in_breach(ledger: Ledger) -> list[StoreStatus]:
    """The stores in breach of the storage rules now (after an import, say), each with its reasons."""
    return [s for s in check(ledger) if s.breaches]


# overrides -----------------------------------------------------------------------------------------

def _all_overrides(ledger: Ledger) -> dict[str, list[dict[str, Any]]]:
    """Each store's overrides in force (the last record for a lot wins; a withdrawal ends it)."""
    latest: dict[tuple[str, str], records.Record] = {}
    with ledger.engine.connect() as conn:
        for record in records.all_records(conn, kinds=[OVERRIDE_KIND]):
            latest[record.ref, record.data["item"]] = record
    out: dict[str, list[dict[str, Any]]] = {}
    for (store, item), record in sorted(latest.items()):
        if not record.data.get("withdrawn"):
            out.setdefault(store, []).append({"item": item, "reason": record.data["reason"], "by": record.actor,
                                              "at": iso(record.recorded_at)})
    return out


def record_override(ledger: Ledger, store: str, item: str, reason: str, *, actor: str,
                    withdrawn: bool = False) -> dict[str, Any]:
    """Record an officer's override: ``item`` may enter ``store`` despite the storage rules, for
    ``reason`` (or, ``withdrawn``, end it: the rules apply again to its next movements there).
    Both are records of the records chain: who, when and why stay on the store's history.

    Raises:
        NotFound: no such store or item.
        InvalidInput: not a store, an item that is not a lot, no reason.
    """
    holder = ledger.holder(store)
    if holder.kind is not HolderKind.STORE:
        raise InvalidInput(f"{store} is a {holder.kind.value}, not a store", field="store")
    lot = ledger.item(item)
    if lot.serialised:
        raise InvalidInput(f"{item} is a weapon; the storage rules are for lots of ammunition", field="item")
    text = _reason(reason, "give the reason for the override (it is kept and shown)")
    body = {"item": lot.key, "reason": text, "withdrawn": withdrawn}
    _decide(ledger, OVERRIDE_KIND, holder.code, body, actor)
    return {"store": holder.code, **body, "by": actor}


# suspensions and recalls ------------------------------------------------------------------------------

REASON_MAX = 2000  # characters: a reason is a sentence or a notice's reference, as a movement's note


def _reason(reason: str | None, missing: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(missing, field="reason")
    if len(text) > REASON_MAX:
        raise InvalidInput(f"must be at most {REASON_MAX:,} characters", field="reason")
    return text


def _since(value: object, now: datetime, earliest: datetime) -> int:
    """A suspension's start: a date means from the start of that day (UTC); default now; not before
    the earliest date the ledger accepts for a movement (a suspension earlier would judge none)."""
    if value is None or value == "":
        return to_micros(now)
    if isinstance(value, datetime):
        return to_micros(check_readable(value, "since"))
    text = str(value).strip()
    try:
        moment = parse_moment(text, "since")
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD) or a date and time", field="since") from None
    if len(text) == 10:
        moment = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if moment < earliest:
        raise InvalidInput(f"{text} is before {earliest.date().isoformat()}, the earliest date this ledger accepts "
                           "(WAM_EARLIEST_OCCURRED_AT)", field="since")
    return to_micros(max(moment, FIRST_MOMENT))


def set_status(ledger: Ledger, item: str, status: str, reason: str, *, actor: str, since: object = None,
               code: str | None = None) -> dict[str, Any]:
    """Suspend, recall or release a lot from ``since`` on (a record of the records chain).

    From then on the ledger refuses to issue, transfer (but for disposal) or expend it, on every
    path (:func:`wam.domain.storage.check_suspension`); a release lifts that from its own ``since``.

    Raises:
        NotFound: no such item.
        InvalidInput: a weapon, a status or code wam does not know, no reason, a bad date.
    """
    lot = ledger.item(item)
    if lot.serialised:
        raise InvalidInput(f"{item} is a weapon; suspensions and recalls are for lots", field="item")
    if status not in rules.STATUSES:
        raise InvalidInput(f"{status!r} is not one of {', '.join(rules.STATUSES)}", field="status")
    if code is not None and status != rules.SUSPENDED:
        raise InvalidInput(f"a condition code goes with a suspension, not a lot {status}", field="code")
    if code is not None and code.upper() not in rules.SUSPENSION_CODES:
        raise InvalidInput(f"a condition code is one of {', '.join(rules.SUSPENSION_CODES)} ({rules.SOURCE_CODES})",
                           field="code")
    text = _reason(reason, "give the reason (a technical notice, an incident, a test result)")
    body = {"status": status, "since": _since(since, ledger.clock(), ledger.window.earliest), "reason": text,
            "code": None if code is None else code.upper()}
    _decide(ledger, STATUS_KIND, lot.key, body, actor)
    return {"item": lot.key, **body, "since": iso(int(body["since"])), "by": actor}  # type: ignore[call-overload]


def lots_issued_after(ledger: Ledger, after: datetime) -> list[str]:
    """The lots issued to persons after ``after``, those that count towards a store's distances (not
    HD 1.4) first, then the latest: where a defect notice about recent issues points."""
    e, i = t.entries.c, t.items.c
    query = (select(i.key, func.max(e.occurred_at).label("last"), func.max(i.hazard_division).label("division"))
             .join(t.items, t.items.c.id == e.item_id)
             .where(e.kind == "issue", i.shape == "lot", e.occurred_at > to_micros(after)).group_by(i.key))
    with ledger.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [r.key for r in sorted(rows, key=lambda r: (r.division == "1.4", -r.last, r.key))]


def holders_of(ledger: Ledger, item: str) -> list[dict[str, Any]]:
    """Every holder of the lot now, with its quantity: where a recalled lot must be collected from."""
    lot = ledger.item(item)  # NotFound
    h, i, b = t.holders, t.items, t.balances
    query = (select(h.c.code, h.c.name, h.c.kind, b.c.quantity).join(b, b.c.holder_id == h.c.id)
             .join(i, i.c.id == b.c.item_id).where(i.c.key == lot.key, b.c.quantity > 0, h.c.external.is_(False))
             .order_by(h.c.code))
    with ledger.engine.connect() as conn:
        return [{"holder": r.code, "name": r.name, "kind": r.kind, "quantity": r.quantity} for r in conn.execute(query)]


def lot_history(ledger: Ledger, item: str) -> list[dict[str, Any]]:
    """The lot's suspensions, recalls and releases, in the order recorded."""
    lot = ledger.item(item)
    with ledger.engine.connect() as conn:
        found = records.history(conn, STATUS_KIND, lot.key)
    return [{"status": c.status, "since": iso(c.since), "reason": c.reason, "code": c.code, "by": r.actor,
             "recorded_at": iso(r.recorded_at)} for r in found for c in [status_change(r.data)]]


def suspended_lots(ledger: Ledger) -> list[dict[str, Any]]:
    """Every lot suspended or recalled now, with its status and every holder of it."""
    changes: dict[str, list[rules.LotStatus]] = {}
    with ledger.engine.connect() as conn:
        for record in records.all_records(conn, kinds=[STATUS_KIND]):
            changes.setdefault(record.ref, []).append(status_change(record.data))
    now = to_micros(ledger.clock())
    out = []
    for key, history in sorted(changes.items()):
        current = rules.status_at(history, now)
        if current is not None and current.blocks:
            out.append({"item": key, "status": current.status, "code": current.code, "since": iso(current.since),
                        "reason": current.reason, "holders": holders_of(ledger, key)})
    return out


__all__ = ["DISTANCES_KIND", "NotFound", "ScopedAmmo", "StoreStatus", "check", "distances", "holders_of",
           "in_breach", "lot_history", "lots_issued_after", "record_distances", "record_override", "set_status",
           "status", "suspended_lots"]


class ScopedAmmo:
    """The stores' IATG status as a signed-in user may see it (the stores in their sight), and the
    surveys, overrides and suspensions they may record (the approving role where they apply)."""

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
        """A survey decides whether a store is in breach, as an override does: the approving role at the
        store (the mission WAM officer), not its armourer."""
        scoped = self.scoped
        scoped._require(store, Action.APPROVE)  # noqa: SLF001
        done: dict[str, float] = scoped._append(  # noqa: SLF001
            lambda: record_distances(scoped.ledger, store, given, actor=scoped.actor))
        return done

    def record_override(self, store: str, item: str, reason: str, *, withdrawn: bool = False) -> dict[str, Any]:
        """An override needs the approving role at the store (the mission WAM officer)."""
        scoped = self.scoped
        scoped._require(store, Action.APPROVE)  # noqa: SLF001
        done: dict[str, Any] = scoped._append(  # noqa: SLF001
            lambda: record_override(scoped.ledger, store, item, reason, actor=scoped.actor, withdrawn=withdrawn))
        return done

    def set_status(self, item: str, status: str, reason: str, *, since: object = None,
                   code: str | None = None) -> dict[str, Any]:
        """Suspending a lot needs the approving role at every holder of it now (somewhere, if none):
        refused (403) first for a role that approves nowhere, then 404 for a lot out of sight, then
        403 without naming them when some holders are outside what the user approves for."""
        scoped = self.scoped
        scoped._require_anywhere(Action.APPROVE)  # noqa: SLF001
        scoped._require_item_visible(item)  # noqa: SLF001
        outside = 0
        for held in holders_of(scoped.ledger, item):
            try:
                scoped._require(held["holder"], Action.APPROVE)  # noqa: SLF001
            except (NotFound, PermissionDenied):
                outside += 1
        if outside:
            raise PermissionDenied(f"the lot is held at {outside} holder(s) where you do not approve; "
                                   "the mission's WAM officer (or one who approves at every holder) may suspend it")
        done: dict[str, Any] = scoped._append(  # noqa: SLF001
            lambda: set_status(scoped.ledger, item, status, reason, actor=scoped.actor, since=since, code=code))
        return done

    def holders_of(self, item: str) -> list[dict[str, Any]]:
        scoped = self.scoped
        scoped._require_item_visible(item)  # noqa: SLF001
        return [h for h in holders_of(scoped.ledger, item) if scoped.visible(h["holder"])]

    def suspended_lots(self) -> list[dict[str, Any]]:
        scoped = self.scoped
        scoped._require_anywhere(Action.READ)  # noqa: SLF001
        out = []
        for lot in suspended_lots(scoped.ledger):
            held = [h for h in lot["holders"] if scoped.visible(h["holder"])]
            if held:
                out.append({**lot, "holders": held})
        return out

