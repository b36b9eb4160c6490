"""Movements: the only thing that changes holdings.

A movement moves ``quantity`` of one item from a ``source`` holder to a ``target`` holder. It
is double-entry by construction: the source is credited and the target debited by the same
quantity, so every movement nets to zero (law 3). A document that moves several items
(an issue of five rifles) is several movements sharing a ``document`` reference.

Each kind carries rules about who may be source and target and which references it must cite:

==============  ===========================  ===========================  =====================
kind            source                       target                       must cite
==============  ===========================  ===========================  =====================
receipt         supply:<country>             a real holder                -
transfer        a real holder                a real holder                -
issue           a real holder (not person)   a person                     -
return          a person                     a real holder (not person)   -
expenditure     a real holder                expended                     reason; lots only
loss            a real holder                lost                         document (incident)
recovery        recovered:<source> or lost   a real holder                document (recovery)
disposal        a real holder                destroyed | handed-over:*    witness or document
adjustment      real or count-adjustment     count-adjustment or real     document (count)
reversal        (the target of the original) (the source of the original) reverses (entry id)
==============  ===========================  ===========================  =====================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from .errors import InvalidInput
from .holders import external_family
from .materiel import normalise_item_key
from .text import clean_name, clean_text, required_text
from .timefmt import check_readable


class MovementKind(StrEnum):
    RECEIPT = "receipt"
    TRANSFER = "transfer"
    ISSUE = "issue"
    RETURN = "return"
    EXPENDITURE = "expenditure"
    LOSS = "loss"
    RECOVERY = "recovery"
    DISPOSAL = "disposal"
    ADJUSTMENT = "adjustment"
    REVERSAL = "reversal"


#: The kinds only a register posts, each from its document (wam.domain.documents): a loss from an
#: incident, a recovery from a recovery record, an adjustment from an approved count, a disposal
#: from a certificate. The generic paths refuse them, and a reversal may not undo one.
DOCUMENT_KINDS = frozenset({MovementKind.LOSS, MovementKind.RECOVERY, MovementKind.ADJUSTMENT,
                            MovementKind.DISPOSAL})
DOCUMENT_KIND_VALUES = frozenset(kind.value for kind in DOCUMENT_KINDS)  # as entries store them


#: The most one movement may move: a million million (rounds). Far beyond any real lot, and
#: far inside the 64-bit integers databases keep balances in.
MAX_QUANTITY = 10**12
# The longest text each field of a movement may hold (checked by make_movement and the ledger).
TEXT_LIMITS = {"item": 300, "source": 64, "target": 64, "actor": 100, "witness": 100, "document": 200,
               "note": 2000, "reason": 40, "reverses": 100}

EXPENDITURE_REASONS = ("training", "operations", "demonstration", "test", "other")


class Movement(NamedTuple):
    """A movement as requested, before the ledger accepts it.

    A NamedTuple rather than a frozen dataclass: as immutable, and four times cheaper to
    build, which counts when a file of a million movements is imported.
    """

    kind: MovementKind
    item: str
    quantity: int
    source: str
    target: str
    occurred_at: datetime
    actor: str
    witness: str | None = None
    document: str | None = None
    note: str | None = None
    reason: str | None = None
    reverses: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """A movement as the ledger recorded it: position, identity, times in microseconds, hashes.

    ``origin`` is the id of the ledger the entry was first recorded in and ``origin_seq`` its
    position there; together they are the entry's globally unique id (:attr:`uid`), which a
    merge from a site ledger into its mission's keeps as it is.
    """

    seq: int
    origin: str
    origin_seq: int
    kind: str
    item: str
    quantity: int
    source: str
    target: str
    occurred_at: int
    recorded_at: int
    actor: str
    witness: str | None
    document: str | None
    note: str | None
    reason: str | None
    reverses: str | None
    prev_hash: bytes
    hash: bytes

    @property
    def uid(self) -> str:
        return f"{self.origin}:{self.origin_seq}"


def given_quantity(text: str | None, item_key: str) -> str:
    """A movement's quantity as a file or a form gives it: a weapon's may be left blank, meaning 1;
    a lot's may not (a formula cell saved without its value, or a field left empty, must not move
    one round for 600)."""
    if text:
        return text
    if item_key[:2].upper() == "W|":
        return "1"
    raise InvalidInput("is required for a lot (only a weapon's may be left blank, meaning 1)", field="quantity")


def clean_actor(value: object) -> str:
    """Who records a movement, as a movement holds it: required, free text (no control or invisible
    character), at most ``TEXT_LIMITS["actor"]`` characters. A default given for many movements (an
    import's ``--actor``) is checked by it before any row, whether a row uses the default or not."""
    name = clean_name(value, "actor", required=True, max_len=TEXT_LIMITS["actor"])
    assert name is not None
    return name


def make_movement(
    *,
    kind: object,
    item: object,
    quantity: object,
    source: object,
    target: object,
    occurred_at: datetime,
    actor: object,
    witness: object = None,
    document: object = None,
    note: object = None,
    reason: object = None,
    reverses: object = None,
) -> Movement:
    """Validate raw values into a :class:`Movement` and check the rules of its kind.

    The rules here need nothing but the movement itself (and whether holder codes are
    external); rules that need the ledger's state are the laws, checked by the ledger.
    """
    kind_text = required_text(kind, "kind").lower()
    try:
        movement_kind = MovementKind(kind_text)
    except ValueError:
        allowed = ", ".join(k.value for k in MovementKind)
        raise InvalidInput(f"{kind_text!r} is not a movement kind ({allowed})", field="kind") from None
    try:
        qty = quantity if isinstance(quantity, int) else _whole_number(str(quantity).strip())
    except ValueError:
        raise InvalidInput(f"{quantity!r} is not a whole number", field="quantity") from None
    if qty <= 0:
        raise InvalidInput("must be at least 1 (law 3: a movement moves something)", field="quantity")
    if qty > MAX_QUANTITY:
        raise InvalidInput(f"must be at most {MAX_QUANTITY:,}", field="quantity")
    check_readable(occurred_at, "occurred_at")  # the window of plausible times is the ledger's (timewindow)
    movement = Movement(
        kind=movement_kind,
        item=normalise_item_key(required_text(item, "item", max_len=TEXT_LIMITS["item"])),
        quantity=qty,
        source=required_text(source, "source", max_len=TEXT_LIMITS["source"]),
        target=required_text(target, "target", max_len=TEXT_LIMITS["target"]),
        occurred_at=occurred_at,
        actor=clean_actor(actor),
        witness=clean_name(witness, "witness", max_len=TEXT_LIMITS["witness"]),
        document=clean_text(document, "document", max_len=TEXT_LIMITS["document"]),
        note=clean_text(note, "note", max_len=TEXT_LIMITS["note"]),
        reason=clean_text(reason, "reason", max_len=TEXT_LIMITS["reason"]),
        reverses=clean_text(reverses, "reverses", max_len=TEXT_LIMITS["reverses"]),
    )
    check_kind_rules(movement)
    return movement


def _family(code: str) -> str:
    return external_family(code) or "real"


def check_kind_rules(mv: Movement) -> None:
    """Refuse a movement whose source, target or references do not fit its kind.

    Whether a real holder is a person is checked by the ledger, which knows the holder's kind.
    """
    if mv.source == mv.target:
        raise InvalidInput("source and target are the same holder", field="target")
    src, dst = _family(mv.source), _family(mv.target)
    kind = mv.kind

    article = "an" if kind.value[0] in "aeiou" else "a"  # an issue, an expenditure, an adjustment

    def need(cond: bool, field: str, message: str) -> None:
        if not cond:
            raise InvalidInput(f"{article} {kind.value} {message}", field=field)

    if kind is MovementKind.RECEIPT:
        need(src == "supply", "source", "comes from supply:<country>")
        need(dst == "real", "target", "goes to a real holder")
    elif kind in (MovementKind.TRANSFER, MovementKind.ISSUE, MovementKind.RETURN):
        need(src == "real", "source", "comes from a real holder")
        need(dst == "real", "target", "goes to a real holder")
    elif kind is MovementKind.EXPENDITURE:
        need(src == "real", "source", "comes from a real holder")
        need(dst == "expended", "target", "goes to expended")
        need(mv.reason in EXPENDITURE_REASONS, "reason", f"needs a reason ({', '.join(EXPENDITURE_REASONS)})")
    elif kind is MovementKind.LOSS:
        need(src == "real", "source", "comes from a real holder")
        need(dst == "lost", "target", "goes to lost")
        need(mv.document is not None, "document", "must cite its incident report")
    elif kind is MovementKind.RECOVERY:
        need(src in ("recovered", "lost"), "source", "comes from recovered:<source> or lost")
        need(dst == "real", "target", "goes to a real holder")
        need(mv.document is not None, "document", "must cite its recovery record")
    elif kind is MovementKind.DISPOSAL:
        need(src == "real", "source", "comes from a real holder")
        need(dst in ("destroyed", "handed-over"), "target", "goes to destroyed or handed-over:<state>")
        if dst == "destroyed":
            need(mv.witness is not None, "witness", "by destruction needs a witness")
        else:
            need(mv.document is not None, "document", "by handover needs the receipt's reference")
    elif kind is MovementKind.ADJUSTMENT:
        need({src, dst} == {"real", "count-adjustment"}, "target", "moves between a real holder and count-adjustment")
        need(mv.document is not None, "document", "must cite its approved stock count")
    elif kind is MovementKind.REVERSAL:
        need(mv.reverses is not None, "reverses", "must cite the entry it undoes")
    if kind is not MovementKind.REVERSAL:
        need(mv.reverses is None, "reverses", "cites no entry to undo (only a reversal does)")


def _whole_number(text: str) -> int:
    """The integer written in ASCII digits (a minus sign allowed, for the law's own message);
    ``int`` alone would also read "1_0" as 10, "+2", and digits of other scripts."""
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdecimal()):
        raise ValueError(text)
    return int(text)
