"""The import's preload is a pure derivation (issue 8): it only loads, a query per 500 items, the
state that the lazy loaders would read one movement at a time.

A ledger that already holds entries (so that the batch is not fresh and the state must be read)
receives a file of movements, or of opening stock, three ways on databases of their own: imported
with the preload, imported with the preload switched off, and posted one by one through
``Ledger.post``. The chunk size of the import is drawn too, so that the preload runs several
times in one batch and meets items an earlier chunk already moved; so is how many items' state
the import keeps before writing it and forgetting it (``Poster.forget_items``). Every row must be refused
alike (the same line, field and message with and without the preload; the same lines one by
one), and the accepted rows must give the same entries and hashes. Runs on SQLite, and on
PostgreSQL with WAM_TEST_DATABASE_URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import PERSONS, REAL, STAGE_LOTS, STAGE_SERIALS, STORES, SUPPLIERS, at, chain_of, fixed_clock
from tests.builders import fresh_ledger, grenades, pistol, rifle, stage
from tests.factories import ball_rounds
from wam.domain.errors import InvalidInput, NotFound, PostingRejected
from wam.domain.materiel import Item
from wam.domain.movements import Movement, MovementKind, make_movement
from wam.domain.timefmt import to_micros
from wam.services import ledger as ledger_module
from wam.services.posting import Poster

pytestmark = pytest.mark.slow

NEW_SERIALS = [rifle(f"NEW-{n}").key for n in range(3)]
ENDS = (*REAL, *STORES, *PERSONS, *SUPPLIERS, "expended", "lost", "NOWHERE-ARM")
KINDS = ("receipt", "transfer", "transfer", "issue", "return", "return", "expenditure")


@st.composite
def raw_movement(draw: st.DrawFn, items: list[str]) -> dict:
    """One movement's fields: often valid, often not (a weapon not held there, a short balance)."""
    kind = draw(st.sampled_from(KINDS))
    return {
        "kind": kind,
        "item": draw(st.sampled_from(items)),
        "quantity": draw(st.sampled_from([1, 1, 1, 2, 40, 400])),
        "source": draw(st.sampled_from(ENDS)),
        "target": draw(st.sampled_from(ENDS)),
        "hours": draw(st.integers(0, 30)),
        "reason": "training" if kind == "expenditure" else None,
    }


def opening() -> list[Movement]:
    """Receipts of every staged item: the ledger holds entries before whatever is drawn."""
    return [make_movement(kind="receipt", item=key, quantity=1 if key in STAGE_SERIALS else 500,
                          source=SUPPLIERS[n % 3],
                          target=STORES[n % 4], occurred_at=at(hours=n), actor="armourer")
            for n, key in enumerate([*STAGE_SERIALS, *STAGE_LOTS])]


def built(raw: list[dict]) -> list[Movement]:
    """The movements of ``raw`` that make_movement accepts."""
    out = []
    for r in raw:
        fields = dict(r)
        hours = fields.pop("hours")
        try:
            out.append(make_movement(**fields, occurred_at=at(hours=hours), actor="armourer"))
        except InvalidInput:
            continue
    return out


@contextmanager
def ledgers(n: int) -> Iterator[list]:
    with ExitStack() as stack:
        yield [stack.enter_context(fresh_ledger(clock=fixed_clock)) for _ in range(n)]


def post_each(ledger, movements: list[Movement]) -> list[Movement]:  # noqa: ANN001
    """Post one by one; return the accepted ones (any error other than a refusal is raised)."""
    accepted = []
    for movement in movements:
        try:
            ledger.post(movement)
        except (InvalidInput, NotFound, PostingRejected):
            continue
        accepted.append(movement)
    return accepted


def imported(ledger, monkeypatch: pytest.MonkeyPatch, run: Callable[[list[InvalidInput]], object], *,  # noqa: ANN001
             preload: bool) -> list[tuple]:
    """Run an import with ``keep_going``; return its refusals as (line, field, message)."""
    errors: list[InvalidInput] = []
    with monkeypatch.context() as patch:
        if not preload:
            patch.setattr(Poster, "preload", lambda self, movements: None)
        try:
            run(errors)
        except InvalidInput:
            assert errors
    return [(e.row, e.field, e.detail) for e in errors]


def stored(ledger) -> list:  # noqa: ANN001
    return ledger.entries(limit=100_000)[::-1]


# how many items' state an import keeps before writing and forgetting it (Poster.forget_items):
# after every chunk, after a few items, or never
FORGET = st.sampled_from([1, 3, 10**9])
EXAMPLES = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@EXAMPLES
@given(before=st.lists(raw_movement([*STAGE_SERIALS, *STAGE_LOTS]), max_size=20),
       rows=st.lists(raw_movement([*STAGE_SERIALS, *STAGE_LOTS]), min_size=1, max_size=30),
       chunk=st.integers(1, 8), forget=FORGET)
def test_movements_import_with_and_without_preload_and_one_by_one_agree(
        monkeypatch: pytest.MonkeyPatch, before: list[dict], rows: list[dict], chunk: int, forget: int) -> None:
    monkeypatch.setattr(ledger_module, "_IMPORT_CHUNK", chunk)
    monkeypatch.setattr(ledger_module, "_FORGET_AFTER", forget)
    with ledgers(3) as (with_preload, without, alone):
        for ledger in (with_preload, without, alone):
            stage(ledger)
        history = post_each(alone, [*opening(), *built(before)])
        for ledger in (with_preload, without):
            assert post_each(ledger, [*opening(), *built(before)]) == history
        movements = list(enumerate(built(rows), start=2))

        accepted = post_each(alone, [m for _, m in movements])
        outcomes = []
        for ledger, preload in ((with_preload, True), (without, False)):
            outcomes.append(imported(ledger, monkeypatch, lambda errors, ledger=ledger:
                                     ledger.import_movements(movements, keep_going=errors), preload=preload))
        assert outcomes[0] == outcomes[1]
        refused = _same_rows_refused(outcomes[0], movements, accepted)

        # the accepted rows alone import, and give the entries posted one by one
        kept = [(line, m) for line, m in movements if line not in refused]
        recorded = to_micros(fixed_clock())
        for ledger, preload in ((with_preload, True), (without, False)):
            if refused:  # else the first import wrote them
                assert imported(ledger, monkeypatch, lambda errors, ledger=ledger:
                                ledger.import_movements(kept, keep_going=errors), preload=preload) == []
        for ledger in (with_preload, without, alone):
            assert stored(ledger) == chain_of([*history, *accepted], origin=ledger.uuid, recorded_at=recorded)
            assert ledger.verify().ok


def _same_rows_refused(errors: list[tuple], movements: list[tuple[int, Movement]],
                       accepted: list[Movement]) -> set[int]:
    """Check that the import refused the lines that Ledger.post refused; return them."""
    # A movement may appear twice in a file (the same fields): then "accepted" holds it as often
    # as Ledger.post accepted it; count rather than test membership.
    left = list(accepted)
    expected = set()
    for line, m in movements:
        if m in left:
            left.remove(m)
        else:
            expected.add(line)
    assert {line for line, _, _ in errors} == expected
    return expected


@EXAMPLES
@given(before=st.lists(raw_movement([*STAGE_SERIALS, *STAGE_LOTS]), max_size=15),
       stock=st.lists(st.tuples(st.sampled_from([*STAGE_SERIALS, *NEW_SERIALS, *STAGE_LOTS, "new-lot"]),
                                st.sampled_from(STORES), st.sampled_from([1, 1, 7])), min_size=1, max_size=20),
       chunk=st.integers(1, 8), forget=FORGET)
def test_stock_import_with_and_without_preload_and_one_by_one_agree(
        monkeypatch: pytest.MonkeyPatch, before: list[dict], stock: list[tuple], chunk: int, forget: int) -> None:
    monkeypatch.setattr(ledger_module, "_IMPORT_CHUNK", chunk)
    monkeypatch.setattr(ledger_module, "_FORGET_AFTER", forget)
    catalog = {item.key: item for item in (rifle("56-00001"), rifle("56-00002"), pistol(),
                                           *(rifle(f"NEW-{n}") for n in range(3)), ball_rounds(), grenades())}
    catalog["new-lot"] = ball_rounds("POF-2024-01")
    with ledgers(3) as (with_preload, without, alone):
        for ledger in (with_preload, without, alone):
            stage(ledger)
        history = post_each(alone, [*opening(), *built(before)])
        for ledger in (with_preload, without):
            assert post_each(ledger, [*opening(), *built(before)]) == history
        items: list[Item] = [catalog[key] for key, _, _ in stock]
        lines = [(line, item, holder, 1 if item.serial else quantity, "supply:BGD")
                 for line, (item, (_, holder, quantity)) in enumerate(zip(items, stock, strict=True), start=2)]
        receipts = [(line, make_movement(kind=MovementKind.RECEIPT, item=item.key, quantity=quantity, source=supplier,
                                         target=holder, occurred_at=at(hours=31), actor="clerk", note="opening stock"))
                    for line, item, holder, quantity, supplier in lines]

        alone.register_items(items)
        accepted = post_each(alone, [m for _, m in receipts])
        outcomes = []
        for ledger, preload in ((with_preload, True), (without, False)):
            outcomes.append(imported(ledger, monkeypatch, lambda errors, ledger=ledger: ledger.import_stock(
                lines, actor="clerk", occurred_at=at(hours=31), keep_going=errors), preload=preload))
        assert outcomes[0] == outcomes[1]
        _same_rows_refused(outcomes[0], receipts, accepted)

        bad = {line for line, _, _ in outcomes[0]}
        kept = [row for row in lines if row[0] not in bad]
        recorded = to_micros(fixed_clock())
        for ledger, preload in ((with_preload, True), (without, False)):
            if bad:  # else the first import wrote them
                assert imported(ledger, monkeypatch, lambda errors, ledger=ledger: ledger.import_stock(
                    kept, actor="clerk", occurred_at=at(hours=31), keep_going=errors), preload=preload) == []
        for ledger in (with_preload, without, alone):
            assert stored(ledger) == chain_of([*history, *accepted], origin=ledger.uuid, recorded_at=recorded)
            assert ledger.verify().ok
