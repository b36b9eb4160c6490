"""The rule registry (domain.rules): which kinds a fast path may serve is derived from what each
rule reads, so a rule added without a fast form can never be skipped by one."""

from __future__ import annotations

from wam.domain.errors import InvalidInput
from wam.domain.movements import MovementKind
from wam.domain.rules import RULES, Reads, Rule, fast_kinds, key_served

KEY = {"values": ("kind", "source", "target", "actor", "reason"),
       "presence": ("document", "witness", "note", "reverses")}
INLINE = ("fields", "lots only", "law 1 order", "law 1 custody", "law 2", "suspended lot", "storage")


def _refuse(_facts: object) -> None:
    raise InvalidInput("refused", field="document")


def test_every_kind_but_reversal_is_fast_with_the_ledgers_rules() -> None:
    kinds = fast_kinds(RULES, inline=INLINE, **KEY)
    assert MovementKind.REVERSAL not in kinds  # reads the original entry: always the checked path
    assert kinds == frozenset(MovementKind) - {MovementKind.REVERSAL}


def test_the_storage_rules_without_their_fast_forms_leave_their_kinds_to_the_checked_path() -> None:
    """The fast path's forms of the storage rules (a lot entering a store, an issue, transfer or
    expenditure of a lot ever suspended, go to the checked path): without them, their kinds are slow."""
    without = tuple(n for n in INLINE if n not in ("storage", "suspended lot"))
    kinds = fast_kinds(RULES, inline=without, **KEY)
    assert kinds == {MovementKind.LOSS, MovementKind.DISPOSAL, MovementKind.ADJUSTMENT}  # neither rule applies
    assert fast_kinds(RULES, inline=(*without, "storage"), **KEY) == {
        MovementKind.LOSS, MovementKind.DISPOSAL, MovementKind.ADJUSTMENT, MovementKind.RECEIPT, MovementKind.RETURN,
        MovementKind.RECOVERY}


def test_a_rule_reading_state_without_a_fast_form_sends_its_kinds_to_the_checked_path() -> None:
    capacity = Rule("store capacity", _refuse, frozenset({Reads.BALANCE}), kinds=frozenset({MovementKind.TRANSFER}))
    kinds = fast_kinds((*RULES, capacity), inline=INLINE, **KEY)
    assert MovementKind.TRANSFER not in kinds
    assert MovementKind.ISSUE in kinds
    assert MovementKind.TRANSFER in fast_kinds((*RULES, capacity), inline=(*INLINE, "store capacity"), **KEY)


def test_a_rule_reading_a_field_the_key_holds_only_by_presence_is_not_served_by_the_key() -> None:
    by_text = Rule("void documents", _refuse, frozenset({Reads.FIELDS}), fields=("document",))
    by_presence = Rule("documents given", _refuse, frozenset({Reads.FIELDS}), presence=("document",))
    assert not key_served(by_text, **KEY)
    assert key_served(by_presence, **KEY)
    assert fast_kinds((*RULES, by_text), inline=INLINE, **KEY) == frozenset()


def test_a_rule_reading_the_ends_is_served_only_by_a_key_naming_them() -> None:
    ends = Rule("ends", _refuse, frozenset({Reads.ENDS}), fields=("kind",))
    assert key_served(ends, **KEY)
    assert not key_served(ends, values=("kind",), presence=())
    assert not key_served(Rule("nothing declared", _refuse, frozenset({Reads.FIELDS})), **KEY)
