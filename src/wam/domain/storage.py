"""The storage rules of the ledger: what a movement of ammunition may not do to a store, and what
a suspended or recalled lot may not do at all.

Two rules of :data:`wam.domain.rules.RULES` are written here, as pure functions over what a
store holds at a moment and what a lot's status is at a moment; the posting path, the bulk path
and the replay in ``wam verify`` all call them (each supplying the state from where it keeps it).

**Storage** (IATG, through :mod:`wam.domain.iatg`): a movement of a classified lot (hazard division,
compatibility group and NEQ known) into a store is refused when, with it, the store would hold the
lot's group next to a group the storage mixing table forbids, or would count more NEQ than one of
its recorded distances to exposed sites allows. A back-dated movement is checked at its moment
and after every later change of the store's contents: its lot stays there from then on. What a
rule cannot decide (an unclassified lot, a division whose distances are not encoded, a store with
no survey) is not refused: the store's status page lists it. Conditional mixings are allowed and
listed with their condition. An officer may record an **override** for a lot in a store (with a
reason): the lot's movements into that store are then accepted, and the store shows the override.

**Suspension**: a lot suspended or recalled from a moment on may not be issued, transferred or
expended from then on, except a transfer for disposal (reason ``disposal``); returns, losses,
disposals and counts' adjustments go on, so that a recalled lot can be brought in and destroyed.
The codes are the US Army's ammunition condition codes (reference standards.md section 5: US
doctrine, not IATG; J to N are the suspended ones).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from shlex import quote

from . import iatg
from .errors import InvalidInput
from .materiel import COMPATIBILITY_GROUPS, HAZARD_DIVISIONS
from .movements import MovementKind
from .timefmt import from_micros

# ------------------------------------------------------------------------------------- storage


@dataclass(frozen=True, slots=True)
class LotClass:
    """What the storage rules need of a lot: its hazard division, its compatibility group and
    its NEQ per unit (kg)."""

    division: str
    group: str
    neq_kg: Decimal


def lot_class(division: str | None, group: str | None, neq_kg: object) -> LotClass | None:
    """A lot's class from an item's stored fields, or None when one is missing (or is not one wam
    knows: then the rules cannot decide, and the store's status lists the lot as unclassified)."""
    if not division or not group or neq_kg is None or neq_kg == "":
        return None
    if division not in HAZARD_DIVISIONS or group not in COMPATIBILITY_GROUPS:
        return None
    try:
        neq = Decimal(str(neq_kg))
    except ArithmeticError:
        return None
    return LotClass(division, group, neq) if neq.is_finite() and neq >= 0 else None


#: what a store holds at one moment, by lot: (its class, quantity)
Contents = Mapping[str, tuple[LotClass, int]]


def _counted(contents: Iterable[tuple[LotClass, int]]) -> iatg.Aggregate | None:
    by_division: dict[str, Decimal] = {}
    for cls, quantity in contents:
        if quantity > 0:
            by_division[cls.division] = by_division.get(cls.division, Decimal(0)) + cls.neq_kg * quantity
    return iatg.aggregate(by_division)


#: for each compatibility group, the groups the storage mixing table forbids next to it
_FORBIDDEN: dict[str, frozenset[str]] = {
    g: frozenset(h for h in COMPATIBILITY_GROUPS if iatg.mixing(g, h).verdict is iatg.Verdict.FORBIDDEN)
    for g in COMPATIBILITY_GROUPS}


def storage_breach(store: str, lot: str, cls: LotClass, quantity: int, contents: Contents,
                   distances: Mapping[str, float]) -> str | None:
    """Why ``quantity`` of ``lot`` entering ``store``, which holds ``contents`` (without it), would
    put the store in breach of the storage rules, or None. Only breaches the lot takes part in
    count: its group forbidden next to another group present, or a distance that the NEQ counted
    with it exceeds while the NEQ counted grows."""
    forbidden = _FORBIDDEN[cls.group]
    clashes = [other for other, (held, count) in contents.items()
               if count > 0 and held.group in forbidden and other != lot]
    if clashes:
        other = min(clashes)
        return (f"{store} holds {other} of compatibility group {contents[other][0].group}, which may not be stored "
                f"with group {cls.group} of {lot} ({iatg.SOURCE_MIXING})")
    if not distances:
        return None
    before = _counted(contents.values())
    already = contents.get(lot)
    after = _counted([*(v for k, v in contents.items() if k != lot), (cls, quantity + (already[1] if already else 0))])
    if after is None or (before is not None and after.neq_kg <= before.neq_kg):
        return None
    for kind, metres in sorted(distances.items()):
        found = iatg.check_distance(kind, metres, after)
        if found.breach:
            return f"with {quantity} of {lot}, {store} would hold too much: {found.reason}"
    return None


def moments_after(now: Mapping[int, int], later: Sequence[tuple[int, int]]) -> Iterator[dict[int, int]]:
    """A store's contents (quantity by lot id) at a moment, then after each later change, from
    what it holds ``now`` and the ``later`` changes (lot id, signed quantity) in their order:
    the changes are taken back to reach the moment, then applied again one by one."""
    held = dict(now)
    for item_id, delta in later:
        held[item_id] = held.get(item_id, 0) - delta
    yield dict(held)
    for item_id, delta in later:
        held[item_id] = held.get(item_id, 0) + delta
        yield dict(held)


def check_storage(store: str, lot: str, cls: LotClass, quantity: int, moments: Iterable[Contents],
                  distances: Mapping[str, float], overridden: Callable[[], bool]) -> None:
    """Refuse a movement of ``quantity`` of ``lot`` into ``store`` that breaches the storage rules at
    any of ``moments`` (the store's contents without it at the movement's moment, then after each
    later change), unless an officer's override covers the lot in this store (asked only on a breach).

    Raises:
        InvalidInput: naming the breach and how to record an override.
    """
    for contents in moments:
        reason = storage_breach(store, lot, cls, quantity, contents, distances)
        if reason is not None:
            if overridden():
                return
            raise InvalidInput(
                f"refused by the storage rules: {reason}. An officer who approves at {store} may record an "
                f"override with its reason, on the store's page or with wam ammo override {quote(store)} "
                f"{quote(lot)} --reason ...", field="target")


# ---------------------------------------------------------------------------------- suspension

SUSPENDED = "suspended"
RECALLED = "recalled"
RELEASED = "released"
STATUSES = (SUSPENDED, RECALLED, RELEASED)
#: US Army ammunition condition codes that suspend a lot (reference standards.md section 5) [V, US only]
SUSPENSION_CODES: dict[str, str] = {
    "J": "suspended (in stock)", "K": "suspended (returns)", "L": "suspended (litigation)",
    "M": "suspended (in work)", "N": "suspended (emergency combat use)",
}
SOURCE_CODES = "US Army ammunition condition codes, FM 4-30.13 appendix E [V] (US doctrine, not IATG)"
#: the kinds a suspended or recalled lot may not take, and the one reason that lets it be transferred
BLOCKED_KINDS = frozenset({MovementKind.ISSUE, MovementKind.TRANSFER, MovementKind.EXPENDITURE})
FOR_DISPOSAL = "disposal"


@dataclass(frozen=True, slots=True)
class LotStatus:
    """One change of a lot's status: from ``since`` (microseconds since 1970) on."""

    status: str
    since: int
    reason: str
    code: str | None = None

    @property
    def blocks(self) -> bool:
        return self.status in (SUSPENDED, RECALLED)


def status_at(changes: Sequence[LotStatus], when: int) -> LotStatus | None:
    """The lot's status at ``when``: the change with the latest ``since`` at or before it (of two
    with the same ``since``, the one recorded later), or None."""
    found = None
    for change in changes:  # in the order recorded
        if change.since <= when and (found is None or change.since >= found.since):
            found = change
    return found


def check_suspension(kind: MovementKind, lot: str, reason: str | None, status: LotStatus | None) -> None:
    """Refuse issuing, transferring (but for disposal) or expending a lot suspended or recalled at
    the movement's moment.

    Raises:
        InvalidInput: naming the status, since when and why.
    """
    if status is None or not status.blocks or kind not in BLOCKED_KINDS:
        return
    if kind is MovementKind.TRANSFER and reason == FOR_DISPOSAL:
        return
    code = f" (code {status.code}: {SUSPENSION_CODES[status.code]})" if status.code in SUSPENSION_CODES else ""
    raise InvalidInput(
        f"lot {lot} is {status.status}{code} since {from_micros(status.since):%Y-%m-%d %H:%M} UTC: {status.reason}. "
        f"It may be returned, counted and disposed of, or transferred with reason {FOR_DISPOSAL!r}", field="item")
