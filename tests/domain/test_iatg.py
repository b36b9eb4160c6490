"""The IATG storage rules against the reference's worked values (standards.md sections 2.3, 3.4, 3.5 and
the fixtures of section 9): every pair of the storage mixing table, its symmetry, the aggregation
vectors, the distance formula and its inverse, and the refusals of what is not encoded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wam.domain import iatg
from wam.domain.errors import InvalidInput
from wam.domain.materiel import COMPATIBILITY_GROUPS

# the storage table, written out again by hand from the reference (2.3a): the letters each group may
# be stored with outright; the conditional pairs with their notes
ALLOWED = {"A": "A", "B": "BS", "C": "CDES", "D": "CDES", "E": "CDES", "F": "FS", "G": "GS", "H": "HS",
           "J": "JS", "K": "K", "L": "", "N": "", "S": "BCDEFGHJS"}
CONDITIONAL = {("B", "C"): (1,), ("B", "D"): (1,), ("B", "E"): (1,), ("B", "F"): (1,), ("B", "G"): (1,),
               ("C", "F"): (2,), ("D", "F"): (2,), ("E", "F"): (2,), ("C", "G"): (3,), ("D", "G"): (3,),
               ("E", "G"): (3,), ("F", "G"): (2, 3), ("C", "N"): (4,), ("D", "N"): (4,), ("E", "N"): (4,),
               ("L", "L"): (5,), ("N", "N"): (6,), ("N", "S"): (7,)}


@pytest.mark.parametrize("first", COMPATIBILITY_GROUPS)
@pytest.mark.parametrize("second", COMPATIBILITY_GROUPS)
def test_every_pair_of_the_storage_mixing_table(first: str, second: str) -> None:
    found = iatg.mixing(first, second)
    notes = CONDITIONAL.get((first, second)) or CONDITIONAL.get((second, first))
    if notes:
        assert (found.verdict, found.notes) == (iatg.Verdict.CONDITIONAL, notes)
    elif second in ALLOWED[first]:
        assert found.verdict is iatg.Verdict.ALLOWED and found.notes == ()
    else:
        assert found.verdict is iatg.Verdict.FORBIDDEN
    assert found.provisional and "IATG 01.50" in found.source


def test_the_reference_fixtures_t7() -> None:
    verdicts = {pair: iatg.mixing(*pair).verdict for pair in
                (("A", "A"), ("A", "S"), ("C", "D"), ("H", "S"), ("K", "S"), ("L", "L"), ("N", "C"))}
    assert verdicts == {("A", "A"): "allowed", ("A", "S"): "forbidden", ("C", "D"): "allowed",
                        ("H", "S"): "allowed", ("K", "S"): "forbidden", ("L", "L"): "conditional",
                        ("N", "C"): "conditional"}
    assert iatg.mixing("n", "1.1C").conditions == ["CG N stored with C, D or E should be considered as CG D"]


@given(st.sampled_from(COMPATIBILITY_GROUPS), st.sampled_from(COMPATIBILITY_GROUPS))
def test_the_table_is_symmetric(first: str, second: str) -> None:
    a, b = iatg.mixing(first, second), iatg.mixing(second, first)
    assert (a.verdict, a.notes) == (b.verdict, b.notes)


def test_a_store_lists_forbidden_pairs_first_then_conditional_ones() -> None:
    breaches = iatg.mixing_breaches(["D", "S", "K", "G", "D"])
    assert [(m.first, m.second, m.verdict.value) for m in breaches] == [
        ("D", "K", "forbidden"), ("G", "K", "forbidden"), ("K", "S", "forbidden"), ("D", "G", "conditional")]
    assert iatg.mixing_breaches(["C", "D", "E", "S"]) == []
    assert [m.verdict for m in iatg.mixing_breaches(["L"])] == ["conditional"]  # L: identical types only


def test_a_group_that_does_not_exist_is_refused() -> None:
    for bad in ("I", "M", "1.1", "", "AB"):
        with pytest.raises(InvalidInput):
            iatg.mixing(bad, "A")


@pytest.mark.parametrize(("held", "expected"), [
    ({"1.1": 100, "1.3": 500, "1.4": 1000}, ("1.1", 600)),
    ({"1.5": 50, "1.2.2": 20}, ("1.1", 70)),
    ({"1.2": 10, "1.2.2": 5, "1.3": 100, "1.6": 1, "1.4": 99}, ("1.2.1", 116)),
    ({"1.2.2": 50, "1.3": 100}, ("1.2.2", 150)),
    ({"1.3": 200, "1.6": 50, "1.4": 10}, ("1.3", 250)),
    ({"1.6": 40, "1.4": 30}, ("1.6", 40)),
    ({"1.4": 30}, ("1.4", 30)),
])
def test_aggregation_follows_the_reference_vectors(held: dict[str, int], expected: tuple[str, int]) -> None:
    found = iatg.aggregate(held)
    assert found is not None and (found.division, found.neq_kg) == (expected[0], Decimal(expected[1]))
    assert found.provisional


def test_aggregation_of_nothing_is_none() -> None:
    assert iatg.aggregate({}) is None and iatg.aggregate({"1.1": 0}) is None


@pytest.mark.parametrize(("neq", "k", "metres"), [
    (10, 8.0, 17.2), (100, 11.1, 51.5), (500, 14.8, 117.5), (1000, 22.2, 222.0), (5000, 44.4, 759.2),
    (10_000, 22.2, 478.3), (100_000, 14.8, 687.0),
])
def test_the_distance_formula_against_the_worked_values(neq: int, k: float, metres: float) -> None:
    assert round(iatg.distance(neq, k), 1) == metres


def test_the_inverse_and_scaling_fixtures() -> None:
    assert round(iatg.max_neq(400, 22.2), 1) == 5849.5  # T3
    assert round(iatg.max_neq(400, 14.8), 1) == 19742.2
    assert iatg.distance(1000, 14.8) / iatg.distance(1000, 22.2) == pytest.approx(2 / 3)  # T2
    assert iatg.distance(2000, 22.2) / iatg.distance(1000, 22.2) == pytest.approx(1.259921, abs=1e-6)  # T4


@given(st.floats(min_value=0.001, max_value=1e6), st.sampled_from([8.0, 14.8, 22.2, 44.4]))
def test_max_neq_inverts_distance(neq: float, k: float) -> None:
    assert iatg.max_neq(iatg.distance(neq, k), k) == pytest.approx(neq, rel=1e-9)


def test_a_store_too_close_is_in_breach_and_what_is_not_encoded_is_said() -> None:
    held = iatg.aggregate({"1.1": 1000})
    close = iatg.check_distance("inhabited_building", 200, held)
    assert close.breach and close.required_m == pytest.approx(222.0) and "needs 222.0 m" in close.reason
    assert not iatg.check_distance("inhabited_building", 250, held).breach
    imd = iatg.check_distance("other_store", 10, held)
    assert not imd.breach and imd.required_m is None and "UNSURE" in imd.reason
    other = iatg.check_distance("inhabited_building", 1, iatg.aggregate({"1.4": 5000}))
    assert not other.breach and "not encoded" in other.reason
    with pytest.raises(InvalidInput):
        iatg.check_distance("school", 10, held)
    for bad in ("-1", "0", "nan", "x", "1e9"):
        with pytest.raises(InvalidInput):
            iatg.distance(bad, 22.2)
