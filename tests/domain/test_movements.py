"""Movements: every kind's rules about source, target and what it must cite."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, UTC

import pytest

from tests.builders import ARMOURER
from tests.factories import T0, ball_rounds, rifle
from wam.domain.errors import InvalidInput
from wam.domain.movements import EXPENDITURE_REASONS, MovementKind, make_movement

RIFLE = rifle("56-00001").key
ROUNDS = ball_rounds().key


def movement(kind: str, source: str, target: str, *, item: str = ROUNDS, quantity: object = 1,
             **extra: object):  # noqa: ANN201
    return make_movement(kind=kind, item=item, quantity=quantity, source=source, target=target, occurred_at=T0,
                         actor=ARMOURER, **extra)


# Each kind, recorded the way it should be.
VALID = [
    ("receipt", "supply:BGD", "GAO-ARM", {}),
    ("transfer", "GAO-ARM", "ANSONGO-ARM", {}),
    ("issue", "GAO-ARM", "PTE-RAHMAN", {}),
    ("return", "PTE-RAHMAN", "GAO-ARM", {}),
    ("expenditure", "PTE-RAHMAN", "expended", {"reason": "training"}),
    ("loss", "GAO-ARM", "lost", {"document": "INC-2024-001"}),
    ("recovery", "recovered:FAMa", "GAO-ARM", {"document": "REC-7"}),
    ("recovery", "lost", "GAO-ARM", {"document": "REC-8"}),
    ("disposal", "GAO-ARM", "destroyed", {"witness": "Capt. Okafor"}),
    ("disposal", "GAO-ARM", "handed-over:MLI", {"document": "HO-2024-3"}),
    ("adjustment", "GAO-ARM", "count-adjustment", {"document": "COUNT-2024-Q1"}),
    ("adjustment", "count-adjustment", "GAO-ARM", {"document": "COUNT-2024-Q1"}),
    ("reversal", "ANSONGO-ARM", "GAO-ARM", {"reverses": "ledger-uuid:12"}),
]


@pytest.mark.parametrize(("kind", "source", "target", "extra"), VALID)
def test_it_accepts_each_kind_recorded_properly(kind, source, target, extra):
    m = movement(kind, source, target, **extra)
    assert m.kind is MovementKind(kind)
    assert (m.source, m.target, m.quantity, m.actor) == (source, target, 1, ARMOURER)
    for key, value in extra.items():
        assert getattr(m, key) == value


def test_it_covers_every_kind():
    assert {k for k, *_ in VALID} == {k.value for k in MovementKind}


# (kind, source, target, extra, field, words in the message)
REFUSED = [
    ("receipt", "GAO-ARM", "ANSONGO-ARM", {}, "source", "comes from supply:<country>"),
    ("receipt", "recovered:FAMa", "GAO-ARM", {}, "source", "comes from supply:<country>"),
    ("receipt", "supply:BGD", "lost", {}, "target", "goes to a real holder"),
    ("transfer", "supply:BGD", "GAO-ARM", {}, "source", "comes from a real holder"),
    ("transfer", "GAO-ARM", "lost", {}, "target", "goes to a real holder"),
    ("issue", "lost", "PTE-RAHMAN", {}, "source", "comes from a real holder"),
    ("issue", "GAO-ARM", "expended", {}, "target", "goes to a real holder"),
    ("return", "recovered:X", "GAO-ARM", {}, "source", "comes from a real holder"),
    ("return", "PTE-RAHMAN", "destroyed", {}, "target", "goes to a real holder"),
    ("expenditure", "expended", "lost", {"reason": "training"}, "source", "comes from a real holder"),
    ("expenditure", "GAO-ARM", "lost", {"reason": "training"}, "target", "goes to expended"),
    ("expenditure", "GAO-ARM", "expended", {}, "reason", "needs a reason"),
    ("expenditure", "GAO-ARM", "expended", {"reason": "fun"}, "reason", "needs a reason"),
    ("loss", "supply:BGD", "lost", {"document": "INC-1"}, "source", "comes from a real holder"),
    ("loss", "GAO-ARM", "destroyed", {"document": "INC-1"}, "target", "goes to lost"),
    ("loss", "GAO-ARM", "lost", {}, "document", "must cite its incident report"),
    ("recovery", "GAO-ARM", "ANSONGO-ARM", {"document": "REC-1"}, "source", "recovered:<source> or lost"),
    ("recovery", "supply:BGD", "GAO-ARM", {"document": "REC-1"}, "source", "recovered:<source> or lost"),
    ("recovery", "lost", "expended", {"document": "REC-1"}, "target", "goes to a real holder"),
    ("recovery", "recovered:FAMa", "GAO-ARM", {}, "document", "must cite its recovery record"),
    ("disposal", "lost", "destroyed", {"witness": "W"}, "source", "comes from a real holder"),
    ("disposal", "GAO-ARM", "lost", {"witness": "W"}, "target", "destroyed or handed-over"),
    ("disposal", "GAO-ARM", "destroyed", {"document": "D-1"}, "witness", "needs a witness"),
    ("disposal", "GAO-ARM", "handed-over:MLI", {"witness": "W"}, "document", "receipt's reference"),
    ("adjustment", "GAO-ARM", "ANSONGO-ARM", {"document": "C-1"}, "target", "count-adjustment"),
    ("adjustment", "lost", "count-adjustment", {"document": "C-1"}, "target", "count-adjustment"),
    ("adjustment", "GAO-ARM", "count-adjustment", {}, "document", "approved stock count"),
    ("reversal", "ANSONGO-ARM", "GAO-ARM", {}, "reverses", "must cite the entry it undoes"),
]


@pytest.mark.parametrize(("kind", "source", "target", "extra", "field", "words"), REFUSED)
def test_it_refuses_a_kind_recorded_wrongly(kind, source, target, extra, field, words):
    with pytest.raises(InvalidInput) as refused:
        movement(kind, source, target, **extra)
    assert refused.value.field == field
    assert words in refused.value.message
    assert f": {'an' if kind in ('issue', 'expenditure', 'adjustment') else 'a'} {kind} " in refused.value.message


def test_it_knows_the_expenditure_reasons():
    assert {"training", "operations"} <= set(EXPENDITURE_REASONS)
    for reason in EXPENDITURE_REASONS:
        assert movement("expenditure", "GAO-ARM", "expended", reason=reason).reason == reason


@pytest.mark.parametrize("kind", [k.value for k in MovementKind])
def test_it_refuses_the_same_holder_on_both_sides(kind):
    with pytest.raises(InvalidInput, match="same holder") as refused:
        movement(kind, "GAO-ARM", "GAO-ARM", reason="training", document="D", witness="W", reverses="x:1")
    assert refused.value.field == "target"


@pytest.mark.parametrize("quantity", [0, -1, "0", " -5 "])
def test_it_refuses_a_quantity_below_one(quantity):
    with pytest.raises(InvalidInput, match="law 3") as refused:
        movement("transfer", "GAO-ARM", "ANSONGO-ARM", quantity=quantity)
    assert refused.value.field == "quantity"


@pytest.mark.parametrize("quantity", ["three", "1.5", "", "1e3"])
def test_it_refuses_a_quantity_that_is_not_a_whole_number(quantity):
    with pytest.raises(InvalidInput, match="whole number") as refused:
        movement("transfer", "GAO-ARM", "ANSONGO-ARM", quantity=quantity)
    assert refused.value.field == "quantity"


@pytest.mark.parametrize("quantity", [10**12 + 1, 2**63, str(10**30)])
def test_it_refuses_a_quantity_beyond_the_limit(quantity):
    with pytest.raises(InvalidInput, match="at most") as refused:
        movement("transfer", "GAO-ARM", "ANSONGO-ARM", quantity=quantity)
    assert refused.value.field == "quantity"
    assert movement("transfer", "GAO-ARM", "ANSONGO-ARM", quantity=10**12).quantity == 10**12


def test_it_reads_a_quantity_given_as_text():
    assert movement("transfer", "GAO-ARM", "ANSONGO-ARM", quantity=" 120 ").quantity == 120


def test_it_refuses_a_time_without_a_zone():
    with pytest.raises(InvalidInput, match="time zone") as refused:
        make_movement(kind="transfer", item=ROUNDS, quantity=1, source="GAO-ARM", target="ANSONGO-ARM",
                      occurred_at=datetime(2024, 1, 1, 8), actor=ARMOURER)  # noqa: DTZ001  (naive on purpose)
    assert refused.value.field == "occurred_at"


def test_it_keeps_a_time_in_any_zone():
    bamako = timezone(timedelta(hours=0))
    dhaka = timezone(timedelta(hours=6))
    m = make_movement(kind="transfer", item=ROUNDS, quantity=1, source="GAO-ARM", target="ANSONGO-ARM",
                      occurred_at=datetime(2024, 1, 1, 14, tzinfo=dhaka), actor=ARMOURER)
    assert m.occurred_at == datetime(2024, 1, 1, 8, tzinfo=bamako)


def test_it_refuses_an_unknown_kind_and_lists_the_kinds():
    with pytest.raises(InvalidInput) as refused:
        movement("theft", "GAO-ARM", "lost")
    assert refused.value.field == "kind"
    kinds = "receipt, transfer, issue, return, expenditure, loss, recovery, disposal, adjustment, reversal"
    assert kinds in refused.value.message


def test_it_reads_the_kind_in_any_case():
    assert movement(" Transfer ", "GAO-ARM", "ANSONGO-ARM").kind is MovementKind.TRANSFER


@pytest.mark.parametrize("field", ["item", "source", "target", "actor"])
def test_it_needs_the_required_fields(field):
    values = dict(kind="transfer", item=RIFLE, quantity=1, source="GAO-ARM", target="ANSONGO-ARM", occurred_at=T0,
                  actor=ARMOURER)
    values[field] = "   "
    with pytest.raises(InvalidInput, match="required") as refused:
        make_movement(**values)
    assert refused.value.field == field


def test_it_stores_empty_optional_text_as_absent():
    m = movement("transfer", "GAO-ARM", "ANSONGO-ARM", note="  ", witness="", document=None)
    assert (m.note, m.witness, m.document) == (None, None, None)


@pytest.mark.parametrize("bad", ["\x00", "\x1e", "\x1f"])
@pytest.mark.parametrize("field", ["note", "witness", "document", "actor", "item"])
def test_it_refuses_the_chain_separators_in_any_text(field, bad):
    values = dict(kind="transfer", item=ROUNDS, quantity=1, source="GAO-ARM", target="ANSONGO-ARM", occurred_at=T0,
                  actor=ARMOURER)
    values[field] = f"a{bad}b"
    with pytest.raises(InvalidInput, match="control character") as refused:
        make_movement(**values)
    assert refused.value.field == field


def test_it_refuses_an_overlong_note():
    with pytest.raises(InvalidInput, match="longer than 2000") as refused:
        movement("transfer", "GAO-ARM", "ANSONGO-ARM", note="x" * 2001)
    assert refused.value.field == "note"


@pytest.mark.parametrize("text", ["1_0", "+2", "\u0663", "\uff11", "1.0", "0x10", " 2 3"])
def test_a_quantity_is_written_in_ascii_digits(text):
    """int() alone reads "1_0" as 10 and Arabic-Indic or full-width digits as numbers."""
    with pytest.raises(InvalidInput) as refused:
        make_movement(kind="issue", item="W|A|B|1", quantity=text, source="ARM", target="P-1",
                      occurred_at=datetime(2024, 1, 1, tzinfo=UTC), actor="armourer")
    assert refused.value.field == "quantity" and "is not a whole number" in refused.value.message
