"""StockMaker gives a stock file's rows as the ledger stores them without an Item per row (issue
8): for any file, valid rows or not, header in any order with columns missing, it gives exactly
what stock_row and item_tuple give row by row: the same values, holder and quantity, or the
same error (field and words)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wam.domain.errors import InvalidInput
from wam.importers.ledger_files import STOCK_COLUMNS, STOCK_OPTIONAL, stock_row
from wam.importers.stock_rows import StockMaker
from wam.services.catalog import item_tuple

TEXT = st.sampled_from(["", "x|y", "bad\x1f", "A" * 70, "B" * 64, "56-0001", "56-О0001", "ab cd", "lot 7", "L-2021",
                        "56-0001\x1f", "g3.(7)#+/_", "sn\t1", "ﬁ9", "56-0001 "[:-1],
                        "lot\u200d7", "56\u200b-0001", "56\u00ad0001"])  # joiners and invisibles
COLUMNS = STOCK_COLUMNS + STOCK_OPTIONAL


@st.composite
def rows(draw: st.DrawFn) -> dict[str, str]:
    values = {
        "holder": draw(st.sampled_from(["ARM-1", "", "ARM-2"])),
        "type": draw(st.sampled_from(["weapon", "WEAPON", "ammunition", "equipment", "tank", ""])),
        "make": draw(st.sampled_from(["Norinco", "FN", "", "a|b", "Norinco\u200b"])),
        "model": draw(st.sampled_from(["Type 56", "FAL"])),
        "serial": draw(st.one_of(TEXT, st.from_regex(r"[A-Za-z0-9()#+./_-]{1,8}", fullmatch=True))),
        "lot": draw(TEXT),
        "quantity": draw(st.sampled_from(["", "1", "2", "0", "10", "x", "²", "-1", "007"])),
        "category": draw(st.sampled_from(["", "rifle", "x\x1e"])),
        "calibre": draw(st.sampled_from(["", "7.62x39mm"])),
        "hazard_division": draw(st.sampled_from(["", "1.1", "1.4", "9.9"])),
        "compatibility_group": draw(st.sampled_from(["", "s", "Z"])),
        "neq_kg": draw(st.sampled_from(["", "0.5", "1,25", "-1", "x", "1e300", "10000", "10000.01"])),
        "country_of_manufacture": draw(st.sampled_from(["", "chn", "ABCD"])),
        "year_of_manufacture": draw(st.sampled_from(["", "1956", "3000", "y"])),
        "markings": draw(st.sampled_from(["", "star"])),
        "condition": draw(st.sampled_from(["", "Serviceable", "broken"])),
    }
    return values


def alone(row: dict[str, str]) -> object:
    try:
        item, holder, quantity = stock_row(row)
    except InvalidInput as exc:
        return ("error", exc.field, exc.detail)
    return item_tuple(item), holder, quantity


def shared(maker: StockMaker, values: list[str]) -> object:
    try:
        return maker.make(values)
    except InvalidInput as exc:
        return ("error", exc.field, exc.detail)


@settings(max_examples=300)
@given(st.lists(rows(), min_size=1, max_size=30), st.integers(1, 4),
       st.permutations(COLUMNS), st.integers(4, len(COLUMNS)))
def test_stock_maker_gives_what_stock_row_gives(file: list[dict[str, str]], limit: int, order: list[str],
                                                kept: int) -> None:
    names = [name for name in order if name in STOCK_COLUMNS] + [n for n in order if n not in STOCK_COLUMNS][:kept - 4]
    maker = StockMaker(names, limit=limit)
    for row in file + file:  # every set of attributes seen again
        present = {name: row[name] for name in names}  # a column the file lacks is absent, as read_rows gives it
        assert shared(maker, [row[name] for name in names]) == alone(present)


def test_a_plain_serial_takes_the_short_way_and_others_the_long() -> None:
    names = ["holder", "type", "make", "model", "serial", "quantity"]
    maker = StockMaker(names)
    first = maker.make(["ARM-1", "weapon", "Norinco", "Type 56", "56-0001", ""])
    plain = maker.make(["ARM-1", "weapon", "Norinco", "Type 56", "56-0002a", "1"])
    folded = maker.make(["ARM-1", "weapon", "Norinco", "Type 56", "56-О0003", ""])  # a Cyrillic О
    assert first[0][0] == "W|NORINCO|TYPE 56|56-0001"
    assert plain == ((("W|NORINCO|TYPE 56|56-0002A", "weapon", "serial", "Norinco", "Type 56", "56-0002A")
                      + (None,) * 10), "ARM-1", 1)
    assert folded[0][0] == "W|NORINCO|TYPE 56|56-O0003"
    for values, field in ((["ARM-1", "weapon", "Norinco", "Type 56", "56-0004", "2"], "quantity"),
                          (["", "weapon", "Norinco", "Type 56", "56-0005", ""], "holder"),
                          (["ARM-1", "weapon", "Norinco", "Type 56", "56|6", ""], "serial")):
        try:
            maker.make(values)
        except InvalidInput as exc:
            assert exc.field == field
        else:
            raise AssertionError(f"{values} must be refused")
