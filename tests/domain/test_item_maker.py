"""ItemMaker validates a stock file's shared attributes once per distinct set (issue 8): for any
rows, valid or not, it gives exactly what make_item gives row by row, item or error (field and
words), however the rows share or repeat their attributes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wam.domain.errors import InvalidInput
from wam.domain.materiel import ItemMaker, make_item

TEXT = st.sampled_from(["", " ", "x|y", "bad\x1f", "A" * 70, "56-0001", "56-О0001", "ab cd", "lot 7", "L-2021",
                        "lot\u200d7", "56\u200b-0001", "56\u00ad0001"])  # joiners and invisibles


@st.composite
def rows(draw: st.DrawFn) -> dict[str, object]:
    return {
        "type": draw(st.sampled_from(["weapon", "WEAPON", "ammunition", "equipment", "tank", ""])),
        "make": draw(st.sampled_from(["Norinco", "FN", "", "a|b", "Norinco\u200b"])),
        "model": draw(st.sampled_from(["Type 56", "FAL", " "])),
        "serial": draw(st.one_of(st.none(), TEXT, st.from_regex(r"[A-Z0-9-]{1,8}", fullmatch=True))),
        "lot": draw(st.one_of(st.none(), TEXT)),
        "category": draw(st.sampled_from([None, "", "rifle", "x\x1e"])),
        "calibre": draw(st.sampled_from([None, "7.62x39mm"])),
        "hazard_division": draw(st.sampled_from([None, "", "1.1", "1.4", "9.9"])),
        "compatibility_group": draw(st.sampled_from([None, "", "s", "Z"])),
        "neq_kg": draw(st.sampled_from([None, "", "0.5", "1,25", "-1", "x"])),
        "country_of_manufacture": draw(st.sampled_from([None, "chn", "ABCD"])),
        "year_of_manufacture": draw(st.sampled_from([None, "1956", "3000", "y"])),
        "markings": draw(st.sampled_from([None, "star"])),
        "condition": draw(st.sampled_from([None, "Serviceable", "broken"])),
    }


def alone(fields: dict[str, object]) -> object:
    try:
        return make_item(**fields)
    except InvalidInput as exc:
        return ("error", exc.field, exc.detail)


def shared(maker: ItemMaker, fields: dict[str, object]) -> object:
    try:
        return maker.make(fields)
    except InvalidInput as exc:
        return ("error", exc.field, exc.detail)


@settings(max_examples=300)
@given(st.lists(rows(), min_size=1, max_size=30), st.integers(1, 4))
def test_item_maker_gives_what_make_item_gives(file: list[dict[str, object]], limit: int) -> None:
    maker = ItemMaker(limit=limit)
    for fields in file + file:  # every set of attributes seen again
        assert shared(maker, fields) == alone(fields)


def test_rows_sharing_attributes_differ_by_serial_only() -> None:
    maker = ItemMaker()
    base = {"type": "weapon", "make": "Norinco", "model": "Type 56", "category": "rifle"}
    first = maker.make({**base, "serial": "56-0001"})
    second = maker.make({**base, "serial": "56-О0002"})  # a Cyrillic О, folded as make_item folds it
    assert second == make_item(**base, serial="56-О0002")
    assert (first.key, second.key) == ("W|NORINCO|TYPE 56|56-0001", "W|NORINCO|TYPE 56|56-O0002")
    try:
        maker.make({**base, "serial": "56|3"})
    except InvalidInput as exc:
        assert (exc.field, exc.detail) == ("serial", "may not contain '|', which separates the parts of an item's key")
    else:
        raise AssertionError("a '|' in a serial must be refused")
