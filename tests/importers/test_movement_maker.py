"""MovementMaker validates a movements file's shared fields (kind, ends, actor, references) once
per distinct set (issue 8): for any rows, valid or not, it gives exactly what movement_row gives
row by row, movement or error (field and words), however the rows share their fields."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wam.domain.errors import InvalidInput
from wam.importers.ledger_files import MovementMaker, movement_row


@st.composite
def rows(draw: st.DrawFn) -> tuple[dict[str, str], str]:
    kind = draw(st.sampled_from(["issue", "ISSUE", "return", "transfer", "receipt", "expenditure", "theft", ""]))
    row = {
        "kind": kind,
        "quantity": draw(st.sampled_from(["", "1", "2", "0", "-1", "x", "²", "10000000000", " 3", "0012"])),
        "from": draw(st.sampled_from(["GAO-ARM", "supply:BGD", "", "a\x1fb", "GAO-ARM"])),
        "to": draw(st.sampled_from(["PTE-RAHMAN", "GAO-ARM", "expended", ""])),
        "occurred_at": draw(st.sampled_from(["2024-01-02", "2024-01-02T08:00:00Z", "", "yesterday", "0001-01-01",
                                             "2024-02-30", "2024-03-01T10:00:00+02:00"])),
        "actor": draw(st.sampled_from(["", "armourer", " "])),
        "witness": draw(st.sampled_from(["", "Capt. Diallo"])),
        "document": draw(st.sampled_from(["", "INC-1"])),
        "note": draw(st.sampled_from(["", "night patrol", "x" * 2001])),
        "reason": draw(st.sampled_from(["", "training", "fun"])),
        "reverses": draw(st.sampled_from(["", "", "", "7f3e:12", "x" * 101])),
    }
    key = draw(st.sampled_from(["W|NORINCO|TYPE 56|56-0001", "W|NORINCO|TYPE 56|56-О0001", "L|POF|BALL|LOT-1",
                                "", " W|A|B|C", "W|A|B|" + "9" * 300, "x\x1ey"]))
    return row, key


def alone(row: dict[str, str], key: str) -> object:
    try:
        return movement_row(row, key, "clerk")
    except InvalidInput as exc:
        return ("error", exc.field, exc.detail)


def shared(maker: MovementMaker, row: dict[str, str], key: str) -> object:
    try:
        return maker.make(row, key)
    except InvalidInput as exc:
        return ("error", exc.field, exc.detail)


@settings(max_examples=300)
@given(st.lists(rows(), min_size=1, max_size=30), st.integers(1, 4))
def test_movement_maker_gives_what_movement_row_gives(file: list[tuple[dict[str, str], str]], limit: int) -> None:
    maker = MovementMaker("clerk", limit=limit)
    for row, key in file + file:  # every set of shared fields seen again
        assert shared(maker, row, key) == alone(row, key)


@st.composite
def headers(draw: st.DrawFn) -> list[str]:
    """A file's header: the required columns, some of the optional ones, in any order, and
    perhaps a blank column (which read_rows leaves out of each row's dict)."""
    optional = draw(st.lists(st.sampled_from(["actor", "witness", "document", "note", "reason"]), unique=True))
    names = ["kind", "item", "quantity", "from", "to", "occurred_at", *optional] + draw(st.sampled_from([[], [""]]))
    return draw(st.permutations(names))


@st.composite
def near_rows(draw: st.DrawFn) -> list[tuple[dict[str, str], str]]:
    """Rows that differ from a few first ones in one field each: a maker that keyed its cache on
    fewer fields than it should would hand one row another's value."""
    bases = draw(st.lists(rows(), min_size=1, max_size=3))
    out = list(bases)
    for _ in range(draw(st.integers(1, 12))):
        row, key = draw(st.sampled_from(bases))
        other, other_key = draw(rows())
        name = draw(st.sampled_from([*row, "key"]))
        out.append((row, other_key) if name == "key" else ({**row, name: other[name]}, key))
    return out


@settings(max_examples=300)
@given(headers(), near_rows(), st.integers(1, 4))
def test_a_header_maker_gives_what_make_gives_for_the_row_dict(names: list[str], file: list[tuple[dict[str, str], str]],
                                                                limit: int) -> None:
    make_values = MovementMaker("clerk", limit=limit).for_header(names)
    for row, key in file + file:
        values = [row.get(name, "x") if name else "stray" for name in names]  # a value in the blank column too
        as_read = {name: value for name, value in zip(names, values, strict=True) if name}  # read_rows' dict
        try:
            got: object = make_values(values, key)
        except InvalidInput as exc:
            got = ("error", exc.field, exc.detail)
        assert got == alone(as_read, key)
