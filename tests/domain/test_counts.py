"""The count's pure rules (wam.domain.counts): the book at each line's moment, movements during the
count, wrong lot pairing, samples, duplicates, thresholds, decisions and the lines they make."""

from __future__ import annotations

import pytest

from wam.domain import counts as c
from wam.domain import documents as d
from wam.domain.documents import DocumentRefused
from wam.domain.errors import InvalidInput

A, B, C = "W|FN|FAL|1", "W|FN|FAL|2", "W|FN|FAL|3"
LOT1, LOT2 = "L|POF|BALL|L1", "L|POF|BALL|L2"
FIELDS = {"sample": []}
IN = frozenset({"ARM"})


def line(key: str | None, at: int, qty: int = 1, holder: str = "ARM", read: str = "x") -> list:
    return [key, read, qty, "scan", holder, at]


def kinds(result: c.Result) -> list[tuple]:
    return sorted((x["kind"], x["item"] or x["read"], x["quantity"]) for x in result.cases)


def test_each_line_is_compared_with_the_book_at_its_moment() -> None:
    book = c.Book(start={A: "ARM", B: "ARM", C: "ARM"}, moves={A: [(50, "PTE")], C: [(60, "PTE")]})
    # A counted at 10, before it left at 50: in place; C not counted and left at 60: not expected
    # B not counted, at ARM throughout: missing
    result = c.reconcile(FIELDS, [line(A, 10)], 100, IN, book, {})
    assert kinds(result) == [("missing", B, 1)]
    # A counted at 70, after it left: the book has it with PTE at that moment
    result = c.reconcile(FIELDS, [line(A, 70), line(B, 70)], 100, IN, book, {})
    assert [(x["kind"], x["other"]) for x in result.cases] == [("wrong_place", "PTE")]


def test_an_arrival_during_the_count_not_counted_is_unverified_and_a_duplicate_counts_once() -> None:
    book = c.Book(start={A: "ARM", B: None}, moves={B: [(30, "ARM")]})
    result = c.reconcile(FIELDS, [line(A, 10), line(A, 20)], 100, IN, book, {})
    assert result.cases == [] and result.unverified == 1 and result.duplicates == 1


def test_surplus_of_an_item_lost_is_referred_and_one_never_held_is_adjusted() -> None:
    book = c.Book(start={A: "lost"})
    result = c.reconcile(FIELDS, [line(A, 10), line(B, 10), line(None, 10, read="ZZ-1")], 100, IN, book, {})
    actions = {(x["item"] or x["read"]): x.get("action") for x in result.cases}
    assert actions == {A: "refer", B: None, "ZZ-1": "register"}


def test_lots_wrong_lot_and_movements_during_the_count() -> None:
    lots = {(LOT1, "ARM"): c.LotBook(1000, [(50, -100)]), (LOT2, "ARM"): c.LotBook(0)}
    # counted L1 at 40 (before 100 left): 990; L2 found: 25 -> wrong lot 10, surplus 15
    result = c.reconcile(FIELDS, [line(LOT1, 40, 990), line(LOT2, 41, 25)], 100, IN, c.Book(), lots)
    assert kinds(result) == [("surplus", LOT2, 15), ("wrong_lot", LOT2, 10)]
    wrong = next(x for x in result.cases if x["kind"] == "wrong_lot")
    assert (wrong["other"], wrong["book"], wrong["counted"]) == (LOT1, 1000, 25)
    # not counted: expected at the start less what left (900)
    assert kinds(c.reconcile(FIELDS, [], 100, IN, c.Book(), lots)) == [("missing", LOT1, 900)]


def test_a_sample_expects_only_its_items() -> None:
    book = c.Book(start={A: "ARM", "W|HK|G3|9": "ARM"})
    result = c.reconcile({"sample": ["W|HK|"]}, [], 100, IN, book, {})
    assert kinds(result) == [("missing", "W|HK|G3|9", 1)]


def _session(actor: str = "qm", **over: object) -> d.Document:
    given = {"number": "CNT-1", "holder": "ARM", "started_at": 1, "witness": "Lt K", **over}
    return d.apply(d.COUNT, None, "start", actor, given)


def test_the_steps_thresholds_decisions_and_lines() -> None:
    doc = _session()
    assert doc.state == "counting" and doc.lines == () and doc.fields["rules"]["version"] == "2026-1"
    doc = d.apply(d.COUNT, doc, "record", "qm", {"lines": [line(A, 5)]})
    assert doc.fields["recorded"] == 1 and len(doc.fields["digest"]) == 64
    cases = [{"kind": "missing", "item": B, "holder": "ARM", "quantity": 1, "serialised": True, "weapon": True},
             {"kind": "missing", "item": LOT1, "holder": "ARM", "quantity": 50, "serialised": False},
             {"kind": "missing", "item": LOT2, "holder": "ARM", "quantity": 51, "serialised": False}]
    doc = d.apply(d.COUNT, doc, "close", "qm", {"closed_at": 9, "cases": cases})
    assert [(x["action"], x["decision"]) for x in doc.fields["cases"]] == [
        ("incident", None), ("adjust", "auto"), ("adjust", None)]
    assert [x.as_list() for x in doc.lines] == [[LOT1, 50, "ARM", "count-adjustment"]]
    with pytest.raises(DocumentRefused, match="await a second person"):
        d.apply(d.COUNT, doc, "post", "boss", {"occurred_at": 10})
    with pytest.raises(DocumentRefused, match="someone else"):
        d.apply(d.COUNT, doc, "review", "qm", {"decisions": {"1": "approved"}, "role": "mission-officer"})
    with pytest.raises(DocumentRefused, match="give role"):
        d.apply(d.COUNT, doc, "review", "boss", {"decisions": {"1": "approved"}})
    doc = d.apply(d.COUNT, doc, "review", "boss", {"decisions": {"1": "approved", "3": "rejected"},
                                                   "role": "mission-officer"})
    assert c.incidents_of(doc.fields)[0]["item"] == B
    assert [x.as_list() for x in doc.lines] == [[LOT1, 50, "ARM", "count-adjustment"]]
    assert d.apply(d.COUNT, doc, "post", "boss", {"occurred_at": 10}).state == "posted"


def test_start_refusals() -> None:
    with pytest.raises(InvalidInput, match="names its sample"):
        _session(mode="sample")
    with pytest.raises(InvalidInput, match="not the counter"):
        _session(witness="qm")
    with pytest.raises(InvalidInput, match="not a holder of the mission"):
        _session(holder="lost")
    doc = _session()
    with pytest.raises(InvalidInput, match="after the count started"):
        d.apply(d.COUNT, doc, "record", "qm", {"lines": [line(A, 0)]})


def test_a_counted_quantity_is_bounded_as_a_movement_is() -> None:
    from wam.domain.movements import MAX_QUANTITY

    line = ["L|POF|BALL|LOT-1", "L|POF|BALL|LOT-1", MAX_QUANTITY, "typed", "GAO-ASP", 10]
    assert c.clean_batch([line], 0)[0][2] == MAX_QUANTITY
    for bad in (0, MAX_QUANTITY + 1, 2.5):
        with pytest.raises(InvalidInput) as caught:
            c.clean_batch([[*line[:2], bad, *line[3:]]], 0)
        assert caught.value.field == "quantity"
