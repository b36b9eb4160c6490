"""Every rule a movement must keep, defined once, with the state it reads.

A rule is a pure check over :class:`Facts`, the state of the ledger at the movement's moment as
a path can supply it: the checked posting path loads facts from the database as a rule asks
for them, the replay in ``wam verify`` from its own running state, a test from a model. Each
rule declares what it reads (:class:`Reads`), and that declaration is what lets a path decide,
without a hand-kept list, which movements it may serve faster:

* a rule that reads only the movement's own fields and what kind of holders its ends are gives
  the same answer for every movement that agrees on those fields, so a path may remember the
  answer under a key made of them (:func:`key_served`);
* a rule that reads the ledger's state (custody, balances, history, a document) must be run for
  each movement, or have a *fast form* that the path implements and a differential test proves
  equal (tests/services/test_rule_pipeline.py).

:func:`fast_kinds` derives, from the rules and from what a fast path declares it keys on and
implements, the movement kinds that path may serve at all. A rule added here without a fast
form sends its kinds to the checked path everywhere, automatically: slower, never wrong.

The order of :data:`RULES` is the order errors are reported in: the first rule a movement
breaks names the error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple, Protocol

from .errors import InvalidInput
from .holders import HolderKind
from .laws import check_nets_to_zero, check_non_negative, check_serial_custody, check_serial_not_backdated
from .movements import DOCUMENT_KIND_VALUES, MAX_QUANTITY, TEXT_LIMITS, Movement, MovementKind, check_kind_rules
from .storage import BLOCKED_KINDS, Contents, LotClass, LotStatus, check_storage, check_suspension
from .text import is_clean, is_name


class Reads(StrEnum):
    """What a rule reads, besides the movement itself."""

    FIELDS = "the movement's fields"
    ENDS = "what kind of holders its source and target are"
    ITEM = "the item's shape (serialised or lot)"
    CUSTODY = "who holds a serialised item at the movement's moment"
    HISTORY = "the item's movements after a back-dated one"
    BALANCE = "the source's balance at the moment and every later change to it"
    ORIGINAL = "the entry a reversal undoes"
    STORE = ("what the target store holds by lot at the moment and after, its recorded distances and the "
             "officers' overrides")
    STATUS = "the lot's suspensions and recalls"


class End(Protocol):
    """A movement's source or target, as rules see it."""

    @property
    def code(self) -> str: ...

    @property
    def kind(self) -> HolderKind: ...

    @property
    def external(self) -> bool: ...


class Original(NamedTuple):
    """The entry a reversal cites, and whether it has been reversed already."""

    kind: str
    item: str
    quantity: int
    source: str
    target: str
    occurred_at: int
    reversed: bool


class Facts(Protocol):
    """What the rules may ask about one movement at its moment (microseconds since 1970)."""

    movement: Movement
    when: int
    serialised: bool

    @property
    def source(self) -> End: ...

    @property
    def target(self) -> End: ...

    def holder_now(self) -> str | None:
        """The code of the holder that has the (serialised) item at the movement's moment."""

    def backdated(self) -> bool:
        """Whether the item has moved later than the movement's moment."""

    def next_after(self) -> tuple[str, int] | None:
        """The source code and time of the item's first movement after the moment, if any."""

    def balance_at(self) -> int:
        """The source's balance of the item at the moment."""

    def later_deltas(self) -> Iterable[int]:
        """The changes to the source's balance of the item after the moment, in order."""

    def original(self, ledger: str, seq: int) -> Original | None:
        """The entry ``ledger:seq`` that a reversal cites, or None if there is none."""

    def lot_class(self) -> LotClass | None:
        """The (lot) item's hazard division, compatibility group and NEQ, if all are known."""

    def store_moments(self) -> Iterable[Contents]:
        """What the target store holds (without the movement) at the moment, then after each later change."""

    def store_distances(self) -> Mapping[str, float]:
        """The target store's recorded distances to exposed sites (metres by kind)."""

    def overridden(self) -> bool:
        """Whether an officer's override covers the item in the target store."""

    def lot_status(self) -> LotStatus | None:
        """The lot's status (suspended, recalled, released) at the moment, if it ever had one."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: its name, its check, the movement kinds it applies to (None: all), what it
    reads, and, for a rule that reads only fields and ends, which fields by value and which
    only by whether they are given."""

    name: str
    check: Callable[[Facts], None]
    reads: frozenset[Reads]
    kinds: frozenset[MovementKind] | None = None
    fields: tuple[str, ...] = ()
    presence: tuple[str, ...] = ()

    def applies_to(self, kind: MovementKind) -> bool:
        return self.kinds is None or kind in self.kinds


# ---------------------------------------------------------------------------------- checks
def check_fields(mv: Movement) -> None:
    """Refuse a movement built without :func:`~wam.domain.movements.make_movement` whose fields
    that function would have refused: law 3's whole positive quantity, a time without its zone,
    and text the hash chain cannot encode."""
    if type(mv.quantity) is not int:
        check_nets_to_zero(item=mv.item, quantity=0, source=mv.source, target=mv.target, shown=repr(mv.quantity))
    check_nets_to_zero(item=mv.item, quantity=mv.quantity, source=mv.source, target=mv.target)
    if mv.quantity > MAX_QUANTITY:
        raise InvalidInput(f"must be at most {MAX_QUANTITY:,}", field="quantity")
    if mv.occurred_at.tzinfo is None:
        raise InvalidInput("give the time with its time zone (UTC)", field="occurred_at")
    if not mv.actor:
        raise InvalidInput("is required", field="actor")
    for name in ("actor", "witness", "document", "note", "reason", "reverses"):
        value = getattr(mv, name)
        if value is not None and not is_clean(value, TEXT_LIMITS[name]):
            raise InvalidInput(
                f"must be trimmed, non-empty text of at most {TEXT_LIMITS[name]} characters, "
                "without control separators",
                field=name,
            )
        if value is not None and name in ("actor", "witness") and not is_name(value):
            raise InvalidInput("is a name: one line, without a line break, tab or direction mark", field=name)


def check_persons(kind: MovementKind, source: End, target: End) -> None:
    """Weapons reach and leave persons by issue and return, and only by them."""
    person = HolderKind.PERSON
    if kind is MovementKind.ISSUE:
        if target.kind is not person:
            raise InvalidInput(f"an issue goes to a person; {target.code} is a {target.kind.value}", field="target")
        if source.kind is person:
            raise InvalidInput("an issue comes from a store or site, not a person", field="source")
    elif kind is MovementKind.RETURN:
        if source.kind is not person:
            raise InvalidInput(f"a return comes from a person; {source.code} is a {source.kind.value}", field="source")
        if target.kind is person:
            raise InvalidInput("a return goes to a store or site, not a person", field="target")
    elif kind is MovementKind.TRANSFER and person in (source.kind, target.kind):
        raise InvalidInput("materiel goes to and from persons by issue and return", field="kind")


def check_reversal(mv: Movement, when: int, original: Callable[[str, int], Original | None]) -> None:
    """A reversal undoes one earlier entry, once: the same item and quantity, back from the
    original's target to its source, not dated before it, and never a reversal itself."""
    assert mv.reverses is not None  # check_kind_rules requires it
    origin, _, origin_seq = mv.reverses.rpartition(":")
    if not origin_seq.isdecimal():
        raise InvalidInput(f"{mv.reverses!r} is not an entry id (<ledger>:<seq>)", field="reverses")
    row = original(origin, int(origin_seq))
    if row is None:
        raise InvalidInput(f"entry {mv.reverses!r} does not exist", field="reverses")
    if row.kind == MovementKind.REVERSAL.value:
        raise InvalidInput("a reversal cannot itself be reversed; record a new movement", field="reverses")
    if row.kind in DOCUMENT_KIND_VALUES:
        # a register's line belongs to its document: undoing it by a movement would leave the document
        # saying otherwise (a destroyed rifle back in store, the certificate still "executed")
        from .documents import TYPE_OF_KIND

        command = TYPE_OF_KIND[MovementKind(row.kind)].command
        raise InvalidInput(f"entry {mv.reverses} is a {row.kind} that its register posted: it is not reversed "
                           f"by a movement; record what followed through the register ({command})", field="reverses")
    if when < row.occurred_at:
        raise InvalidInput("a reversal cannot be dated before the movement it undoes", field="reverses")
    if row.reversed:
        raise InvalidInput(f"entry {mv.reverses} has already been reversed", field="reverses")
    if (row.item, row.quantity, row.source, row.target) != (mv.item, mv.quantity, mv.target, mv.source):
        raise InvalidInput(
            "a reversal moves the same item and quantity back, from the original's target to its source",
            field="reverses",
        )


def _lots_only(f: Facts) -> None:
    if f.serialised:
        raise InvalidInput("expenditure is for lots; a weapon leaves by loss or disposal", field="kind")


def _law1_order(f: Facts) -> None:
    if f.serialised and f.backdated():
        nxt = f.next_after()
        check_serial_not_backdated(item=f.movement.item, source=f.movement.source,
                                   next_source=None if nxt is None else nxt[0], next_at=None if nxt is None else nxt[1])


def _law1_custody(f: Facts) -> None:
    if f.serialised:
        check_serial_custody(item=f.movement.item, quantity=f.movement.quantity, source=f.movement.source,
                             holder_now=f.holder_now(), source_external=f.source.external)


def _law2(f: Facts) -> None:
    if not f.serialised and not f.source.external:
        later = f.later_deltas() if f.backdated() else ()
        check_non_negative(item=f.movement.item, holder=f.movement.source, quantity=f.movement.quantity,
                           balance_at=f.balance_at(), later_deltas=later)


def _storage(f: Facts) -> None:
    if f.serialised or f.target.kind is not HolderKind.STORE:
        return
    cls = f.lot_class()
    if cls is not None:
        mv = f.movement
        check_storage(mv.target, mv.item, cls, mv.quantity, f.store_moments(), f.store_distances(), f.overridden)


def _suspension(f: Facts) -> None:
    if not f.serialised:
        check_suspension(f.movement.kind, f.movement.item, f.movement.reason, f.lot_status())


#: the kinds that bring materiel to a real holder (a store among them) by someone's decision; an issue goes
#: to a person, and a count's adjustment records what was found there: the record of a fact is never
#: refused, and the store is then listed in breach with its reasons
STORING_KINDS = frozenset({MovementKind.RECEIPT, MovementKind.TRANSFER, MovementKind.RETURN, MovementKind.RECOVERY,
                           MovementKind.REVERSAL})
_PERSON_KINDS = frozenset({MovementKind.ISSUE, MovementKind.RETURN, MovementKind.TRANSFER})

#: Every rule of a movement, in the order their errors are reported.
RULES: tuple[Rule, ...] = (
    Rule("kind", lambda f: check_kind_rules(f.movement), frozenset({Reads.FIELDS}),
         fields=("kind", "source", "target", "reason"), presence=("document", "witness", "reverses")),
    Rule("fields", lambda f: check_fields(f.movement), frozenset({Reads.FIELDS})),
    Rule("persons", lambda f: check_persons(f.movement.kind, f.source, f.target),
         frozenset({Reads.FIELDS, Reads.ENDS}), kinds=_PERSON_KINDS, fields=("kind", "source", "target")),
    Rule("lots only", _lots_only, frozenset({Reads.ITEM}), kinds=frozenset({MovementKind.EXPENDITURE})),
    Rule("reversal", lambda f: check_reversal(f.movement, f.when, f.original), frozenset({Reads.ORIGINAL}),
         kinds=frozenset({MovementKind.REVERSAL})),
    Rule("law 1 order", _law1_order, frozenset({Reads.ITEM, Reads.HISTORY})),
    Rule("law 1 custody", _law1_custody, frozenset({Reads.ITEM, Reads.ENDS, Reads.CUSTODY})),
    Rule("law 2", _law2, frozenset({Reads.ITEM, Reads.ENDS, Reads.BALANCE})),
    Rule("suspended lot", _suspension, frozenset({Reads.FIELDS, Reads.ITEM, Reads.STATUS}), kinds=BLOCKED_KINDS),
    Rule("storage", _storage, frozenset({Reads.ITEM, Reads.ENDS, Reads.STORE}), kinds=STORING_KINDS),
)


def check_all(facts: Facts, rules: Iterable[Rule] = RULES) -> None:
    """Run every rule that applies to the movement's kind; the first broken one raises."""
    kind = facts.movement.kind
    for rule in rules:
        if rule.applies_to(kind):
            rule.check(facts)


# ------------------------------------------------------------------------- fast paths
_KEYABLE = frozenset({Reads.FIELDS, Reads.ENDS})


def key_served(rule: Rule, *, values: Iterable[str], presence: Iterable[str]) -> bool:
    """Whether a path that remembers each rule's answer under a key of the movement's
    ``values`` (by value) and ``presence`` (given or not) may trust the remembered answer for
    ``rule``: the rule reads nothing but fields and ends, and every field it reads is in the
    key, as closely as it reads it (ends are named by the source and target fields)."""
    values, presence = set(values), set(presence)
    if not rule.reads <= _KEYABLE or (Reads.ENDS in rule.reads and not {"source", "target"} <= values):
        return False
    return set(rule.fields) <= values and set(rule.presence) <= values | presence and bool(rule.fields or rule.presence)


def fast_kinds(rules: Iterable[Rule], *, values: Iterable[str], presence: Iterable[str],
               inline: Iterable[str]) -> frozenset[MovementKind]:
    """The kinds a fast path may serve: those whose every rule is either served by the path's
    key (:func:`key_served`) or named in ``inline``, the rules whose fast form the path
    implements itself (and a differential test proves equal)."""
    rules, values, presence, inline = list(rules), tuple(values), tuple(presence), frozenset(inline)
    served = {r.name for r in rules if r.name in inline or key_served(r, values=values, presence=presence)}
    return frozenset(k for k in MovementKind if all(r.name in served for r in rules if r.applies_to(k)))
