"""``wam verify`` runs the rules of a movement that do not read the ledger's state over what is
stored, with the derivation the posting's fast path uses.

The laws are replayed entry by entry (:class:`wam.domain.laws.Replay`). The other rules of
:data:`wam.domain.rules.RULES` read only a movement's fields, what kind of holders its ends are
and the item's shape; their answer is the same for every entry that agrees on those, so they
run once per distinct combination in the ledger (one grouped query, then a handful of checks),
not once per entry. An entry that breaks one (forged with a perfect hash, or written by an older
wam with a bug) is reported with the first entry of its group and how many share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select

from wam.domain.errors import LedgerProblem, WamError
from wam.domain.holders import HolderKind
from wam.domain.materiel import Shape
from wam.domain.movements import Movement, MovementKind
from wam.domain.rules import RULES, Reads, Rule, key_served
from wam.storage import tables as t

from .catalog import HolderRef

# what the grouped query keys on: these fields by value, these by whether they are given
_VALUES = ("kind", "source", "target", "reason")
_PRESENCE = ("document", "witness", "note", "reverses")
_STATELESS = frozenset({Reads.FIELDS, Reads.ENDS, Reads.ITEM})
_PLACEHOLDER = "(given)"


@dataclass(frozen=True, slots=True)
class _Facts:
    """A stored movement's facts, for rules that read no ledger state (others never get these)."""

    movement: Movement
    source: HolderRef
    target: HolderRef
    serialised: bool
    when: int = 0


def replayable(rule: Rule) -> bool:
    """Whether ``rule`` can be run once per group of the grouped query: it reads no state, and
    reads no field the query does not group on (the item's shape is grouped on too)."""
    if not rule.reads <= _STATELESS:
        return False
    if rule.reads <= {Reads.ITEM}:
        return True  # reads only the shape (and the kind, which every rule may)
    return key_served(Rule(rule.name, rule.check, rule.reads - {Reads.ITEM}, rule.kinds, rule.fields, rule.presence),
                      values=_VALUES, presence=_PRESENCE)


def rule_problems(conn: Connection, rules: tuple[Rule, ...] = RULES) -> list[LedgerProblem]:
    """Run every replayable rule over each distinct stored combination; report what breaks one."""
    checks = [r for r in rules if replayable(r)]
    e, h_src, h_dst = t.entries.c, t.holders.alias("src"), t.holders.alias("dst")
    given = [(getattr(e, name).is_not(None)).label(name) for name in _PRESENCE]
    groups = conn.execute(
        select(e.kind, e.source_id, e.target_id, h_src.c.code.label("source"), h_src.c.kind.label("source_kind"),
               h_dst.c.code.label("target"),
               h_dst.c.kind.label("target_kind"), e.reason, *given, t.items.c.shape, func.min(e.seq).label("first"),
               func.count().label("entries"), func.min(t.items.c.key).label("item"))
        .join(h_src, h_src.c.id == e.source_id).join(h_dst, h_dst.c.id == e.target_id)
        .join(t.items, t.items.c.id == e.item_id)
        .group_by(e.kind, e.source_id, e.target_id, h_src.c.code, h_src.c.kind, h_dst.c.code, h_dst.c.kind, e.reason,
                  *given, t.items.c.shape)
    ).all()
    problems = []
    for g in groups:
        try:
            kind, source_kind, target_kind, shape = (MovementKind(g.kind), HolderKind(g.source_kind),
                                                     HolderKind(g.target_kind), Shape(g.shape))
        except ValueError as exc:
            problems.append(LedgerProblem("rules", f"a stored value is not one wam knows ({exc})", g.first, g.item))
            continue
        mark = {name: _PLACEHOLDER if getattr(g, name) else None for name in _PRESENCE}
        movement = Movement(kind=kind, item=g.item, quantity=1, source=g.source, target=g.target,
                            occurred_at=datetime(1970, 1, 1, tzinfo=UTC), actor=_PLACEHOLDER, reason=g.reason, **mark)
        facts = _Facts(movement, HolderRef(g.source_id, g.source, source_kind),
                       HolderRef(g.target_id, g.target, target_kind), shape is Shape.SERIAL)
        for rule in checks:
            if not rule.applies_to(kind):
                continue
            try:
                rule.check(facts)  # type: ignore[arg-type]  # the rules here read none of the state methods
            except WamError as exc:
                also = f" (and {g.entries - 1} more entries like it)" if g.entries > 1 else ""
                problems.append(LedgerProblem(f"rule {rule.name}", f"{exc}{also}", g.first, g.item, g.source))
    problems.sort(key=lambda p: p.seq or 0)
    return problems
