"""The differential test of the rule pipeline (issue 8): every posting path runs the same rules.

Any stream of movements — valid or not, back-dated or not, reversals included — is posted three
ways on databases of their own: one by one (``Ledger.post``, each in its own transaction, the
checked path for every first sight), in bulk (``Ledger.post_each``: one poster, the fast path
serving whatever it has seen before, split in two so that the second half meets a ledger that
already holds entries), and as an imported file (``Ledger.import_movements``, the path of
``wam import movements``). Each movement must be accepted or refused alike on every path, with
the same error; the accepted ones must give the same entries and the same hashes (the chain as
:func:`tests.builders.chain_of` computes it without any database); and ``wam verify``'s replay
must find each ledger clean. Runs on SQLite, and on PostgreSQL with WAM_TEST_DATABASE_URL.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.builders import STAGE_LOTS, STAGE_SERIALS, SUPPLIERS, at, chain_of, fixed_clock, fresh_ledger, stage
from tests.builders import REAL as REAL_HOLDERS
from tests.factories import ball_rounds, make_item, rifle
from wam.domain.errors import InvalidInput, WamError
from wam.domain.movements import Movement, make_movement
from wam.domain.rules import RULES, Reads, Rule
from wam.domain.timefmt import to_micros
from wam.services import ledger as ledger_module

pytestmark = pytest.mark.slow

KINDS = ("receipt", "transfer", "transfer", "issue", "return", "expenditure", "reversal", "loss", "recovery",
         "disposal", "adjustment")
ENDS = (*REAL_HOLDERS, *REAL_HOLDERS, *SUPPLIERS, "expended", "lost", "destroyed", "count-adjustment",
        "recovered:patrol", "handed-over:MLI", "NOWHERE-ARM")


@st.composite
def raw_movements(draw: st.DrawFn) -> dict:
    """The fields of one movement, as a clerk might type them: often right, sometimes not."""
    kind = draw(st.sampled_from(KINDS))
    return {
        "kind": kind,
        "item": draw(st.sampled_from([*STAGE_SERIALS, *STAGE_LOTS])),
        "quantity": draw(st.sampled_from([1, 1, 1, 2, 3, 50])),
        "source": draw(st.sampled_from(ENDS)),
        "target": draw(st.sampled_from(ENDS)),
        "hours": draw(st.integers(0, 40)),
        "actor": draw(st.sampled_from(["armourer", "armourer", "quartermaster"])),
        "witness": draw(st.sampled_from([None, None, "Capt. Diallo"])),
        "document": draw(st.sampled_from([None, None, "INC-1", "DC-7"])),
        "reason": "training" if kind == "expenditure" else draw(st.sampled_from([None, None, "training"])),
        "reverses": draw(st.integers(1, 30)) if kind == "reversal" else draw(st.sampled_from([None] * 9 + [1])),
        "note": draw(st.sampled_from([None, None, None, "night patrol"])),
    }


def build(raw: list[dict], ledger_uuid: str) -> list[Movement]:
    """The movements of ``raw`` that can be built at all (make_movement refuses the rest)."""
    built = []
    for r in raw:
        fields = dict(r)
        hours = fields.pop("hours")
        reverses = fields.pop("reverses")
        try:
            built.append(make_movement(**fields, occurred_at=at(hours=hours),
                                       reverses=None if reverses is None else f"{ledger_uuid}:{reverses}"))
        except InvalidInput:
            continue
    return built


def stored(ledger) -> list:  # noqa: ANN001
    return ledger.entries(limit=10_000)[::-1]


def outcome(result: object, ledger_uuid: str) -> str:
    """What a path said of a movement, the ledger's own id left out (each path has its own)."""
    if not isinstance(result, WamError):
        return "accepted"
    return f"{type(result).__name__}: {result}".replace(ledger_uuid, "<ledger>")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.lists(raw_movements(), min_size=1, max_size=24), split=st.integers(0, 24))
def test_one_by_one_in_bulk_and_imported_agree(raw: list[dict], split: int) -> None:
    paths_agree(raw, split)


# Items registered with no movement yet, and few ends: the bulk paths meet many first movements
# whose kind and ends they have already checked, which the fast path serves when the batch knows
# the item has no history (a fresh ledger; a stored item the batch found with none; an item
# registered in the same import). The split makes the second half meet a ledger with entries.
NEW_ITEMS = [rifle(f"FIRST-{n}") for n in range(4)] + [ball_rounds(f"FIRST-LOT-{n}") for n in range(2)]
SOURCES = ("supply:BGD", "GAO-ARM", "GAO-ASP", "PTE-RAHMAN")
TARGETS = ("GAO-ARM", "GAO-ASP", "PTE-RAHMAN", "expended")


@st.composite
def first_movements(draw: st.DrawFn) -> dict:
    kind = draw(st.sampled_from(("receipt", "transfer", "transfer", "issue", "return", "expenditure")))
    return {
        "kind": kind,
        "item": draw(st.sampled_from([item.key for item in NEW_ITEMS])),
        "quantity": draw(st.sampled_from([1, 1, 1, 2, 50])),
        "source": draw(st.sampled_from(SOURCES)),
        "target": draw(st.sampled_from(TARGETS)),
        "hours": draw(st.integers(0, 6)),
        "actor": "armourer",
        "witness": None,
        "document": None,
        "reason": "training" if kind == "expenditure" else None,
        "reverses": None,
        "note": draw(st.sampled_from([None, "opening stock"])),
    }


def _first(kind: str, n: int, source: str, target: str, hours: int, quantity: int = 1) -> dict:
    return {"kind": kind, "item": NEW_ITEMS[n].key, "quantity": quantity, "source": source, "target": target,
            "hours": hours, "actor": "armourer", "witness": None, "document": None,
            "reason": "training" if kind == "expenditure" else None, "reverses": None, "note": None}


# the cases the fast path must refuse as the checked one does: a new weapon moved from a store
# (or issued) with the kind and ends of an accepted movement of another weapon; a new lot
# moved out of a store that holds none of it; and a first receipt, which it accepts
_SEEN_ENDS = [_first("receipt", 0, "supply:BGD", "GAO-ARM", 1), _first("transfer", 0, "GAO-ARM", "GAO-ASP", 2),
              _first("transfer", 1, "GAO-ARM", "GAO-ASP", 3), _first("receipt", 1, "supply:BGD", "GAO-ARM", 4),
              _first("receipt", 4, "supply:BGD", "GAO-ARM", 1, 50), _first("transfer", 4, "GAO-ARM", "GAO-ASP", 2, 2),
              _first("transfer", 5, "GAO-ARM", "GAO-ASP", 3, 2), _first("receipt", 2, "supply:BGD", "GAO-ASP", 5),
              _first("issue", 2, "GAO-ASP", "PTE-RAHMAN", 6), _first("issue", 3, "GAO-ASP", "PTE-RAHMAN", 6)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.lists(first_movements(), min_size=1, max_size=24), split=st.integers(0, 24))
@example(raw=_SEEN_ENDS, split=0)
@example(raw=_SEEN_ENDS, split=4)
@example(raw=_SEEN_ENDS, split=7)
def test_first_movements_of_new_items_agree_on_every_path(raw: list[dict], split: int) -> None:
    # the import in chunks of two rows, forgetting its items' state after each (Poster.forget_items):
    # a fresh ledger's batch then goes on as one whose state is stored
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ledger_module, "_IMPORT_CHUNK", 2)
        patch.setattr(ledger_module, "_FORGET_AFTER", 1)
        paths_agree(raw, split, NEW_ITEMS)


def paths_agree(raw: list[dict], split: int, extra: list | None = None,
                setup: Callable[[object], None] | None = None) -> None:
    with (fresh_ledger(clock=fixed_clock) as alone, fresh_ledger(clock=fixed_clock) as bulk,
          fresh_ledger(clock=fixed_clock) as imported):
        for ledger in (alone, bulk, imported):
            stage(ledger)
            if extra:
                ledger.register_items(extra)
            if setup is not None:
                setup(ledger)

        one_by_one = []
        for movement in build(raw, alone.uuid):
            try:
                one_by_one.append(alone.post(movement))
            except WamError as exc:
                one_by_one.append(exc)

        movements = build(raw, bulk.uuid)
        in_bulk = bulk.post_each(movements[:split]) + bulk.post_each(movements[split:])
        assert [outcome(r, bulk.uuid) for r in in_bulk] == [outcome(r, alone.uuid) for r in one_by_one]

        refused_rows: list[InvalidInput] = []
        rows = list(enumerate(build(raw, imported.uuid), start=2))
        try:
            imported.import_movements(rows, keep_going=refused_rows)
        except InvalidInput:
            pass
        assert {e.row for e in refused_rows} == {
            line for (line, _), r in zip(rows, one_by_one, strict=True) if isinstance(r, WamError)}

        recorded = to_micros(fixed_clock())
        for ledger, results in ((alone, one_by_one), (bulk, in_bulk)):
            accepted = [m for m, r in zip(build(raw, ledger.uuid), results, strict=True) if not isinstance(r, WamError)]
            assert stored(ledger) == chain_of(accepted, origin=ledger.uuid, recorded_at=recorded)
            report = ledger.verify()
            assert report.ok, report.problems
        if not refused_rows:
            assert stored(imported) == chain_of([m for _, m in rows], origin=imported.uuid, recorded_at=recorded)
            assert imported.verify().ok
        else:
            assert stored(imported) == []  # all or nothing


# The storage rules (issue 13): lots whose groups may not share a store (D and K; K and S, F), a store
# whose survey allows 157.9 kg of HD 1.1 (which 1.2 and 1.3 count with), an officer's override for the
# irritant at one store, a lot suspended from hour 10 to hour 30. Back-dated movements, reversals
# and transfers for disposal are drawn too.
STORAGE_ITEMS = [
    make_item(type="ammunition", make="Expal", model="HE 81mm", lot="B-1", hazard_division="1.1",
              compatibility_group="D", neq_kg="1"),
    make_item(type="ammunition", make="X", model="irritant", lot="K-1", hazard_division="1.2",
              compatibility_group="K", neq_kg="0.1"),
    make_item(type="ammunition", make="Y", model="smoke", lot="G-1", hazard_division="1.3",
              compatibility_group="G", neq_kg="0.2"),
]
STORAGE_LOTS = [*(item.key for item in STORAGE_ITEMS), *STAGE_LOTS]
STORAGE_ENDS = ("GAO-ASP", "GAO-ASP", "GAO-ARM", "JUBA-ARM", "PTE-RAHMAN", "supply:BGD", "expended")


def storage_setup(ledger) -> None:  # noqa: ANN001
    from wam.services import ammo

    ammo.record_distances(ledger, "GAO-ASP", {"inhabited_building": 120}, actor="maj.sy")
    ammo.record_override(ledger, "GAO-ARM", STORAGE_ITEMS[1].key, "awaiting demolition", actor="maj.sy")
    ammo.set_status(ledger, STORAGE_ITEMS[0].key, "suspended", "fuze notice", actor="maj.sy", since=at(hours=10))
    ammo.set_status(ledger, STORAGE_ITEMS[0].key, "released", "tested", actor="maj.sy", since=at(hours=30))


def _storage_move(kind: str, lot: int, quantity: int, source: str, target: str, hours: int) -> dict:
    return {"kind": kind, "item": STORAGE_LOTS[lot], "quantity": quantity, "source": source, "target": target,
            "hours": hours, "actor": "armourer", "witness": None, "document": None, "note": None, "reason": None,
            "reverses": None}


@st.composite
def storage_movements(draw: st.DrawFn) -> dict:
    kind = draw(st.sampled_from(("receipt", "receipt", "transfer", "transfer", "issue", "return", "expenditure",
                                 "reversal")))
    return {
        "kind": kind,
        "item": draw(st.sampled_from(STORAGE_LOTS)),
        "quantity": draw(st.sampled_from([1, 10, 60, 150])),
        "source": draw(st.sampled_from(STORAGE_ENDS)),
        "target": draw(st.sampled_from(STORAGE_ENDS)),
        "hours": draw(st.integers(0, 40)),
        "actor": "armourer", "witness": None, "document": None, "note": None,
        "reason": "training" if kind == "expenditure" else draw(st.sampled_from([None, None, "disposal"])),
        "reverses": draw(st.integers(1, 20)) if kind == "reversal" else None,
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.lists(storage_movements(), min_size=1, max_size=24), split=st.integers(0, 24))
@example(raw=[  # a back-dated receipt of the irritant next to bombs that arrive later
    _storage_move("receipt", 0, 10, "supply:BGD", "GAO-ASP", 5),
    _storage_move("receipt", 1, 10, "supply:BGD", "GAO-ASP", 1)], split=1)
@example(raw=[  # the second issue meets a batch that has served the same issue before: not the suspended lot
    _storage_move("receipt", 0, 150, "supply:BGD", "GAO-ARM", 1),
    _storage_move("issue", 0, 10, "GAO-ARM", "PTE-RAHMAN", 2),
    _storage_move("issue", 0, 10, "GAO-ARM", "PTE-RAHMAN", 12)], split=3)
@example(raw=[  # the irritant's receipt meets a batch that has served that receipt before, back-dated for the
    # store (not for the lot): the store is empty now, but held the bombs from hour 20 to hour 30
    _storage_move("receipt", 0, 10, "supply:BGD", "GAO-ASP", 20),
    _storage_move("transfer", 0, 10, "GAO-ASP", "JUBA-ARM", 30),
    _storage_move("receipt", 1, 10, "supply:BGD", "GAO-ASP", 5)], split=3)
def test_the_storage_rules_agree_on_every_path(raw: list[dict], split: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ledger_module, "_IMPORT_CHUNK", 3)  # an import forgets its state between chunks too
        patch.setattr(ledger_module, "_FORGET_AFTER", 1)
        paths_agree(raw, split, STORAGE_ITEMS, storage_setup)


def _no_void_documents(facts) -> None:  # noqa: ANN001
    if facts.movement.document == "VOID":
        raise InvalidInput("a void document cannot be cited", field="document")


VOID_RULE = Rule("no void documents", _no_void_documents, frozenset({Reads.FIELDS}), fields=("document",))


def test_a_rule_added_to_the_registry_is_run_by_every_path() -> None:
    """Issue 8's finding: the fast path decided from a key holding whether a document was given,
    not which, so a rule on the document's text was skipped in bulk. Now the kinds it may serve
    follow from what the rules read, and the new rule holds on every path."""
    with fresh_ledger(clock=fixed_clock, rules=(*RULES, VOID_RULE)) as ledger:
        stage(ledger)
        moves = [make_movement(kind="receipt", item=STAGE_LOTS[0], quantity=100, source="supply:BGD",
                               target="GAO-ASP", occurred_at=at(hours=1), actor="armourer", document=doc)
                 for doc in ("CRV-1", "CRV-2", "VOID", "CRV-3")]
        results = ledger.post_each(moves)
        assert [outcome(r, ledger.uuid) for r in results] == [
            "accepted", "accepted", "InvalidInput: field 'document': a void document cannot be cited", "accepted"]
        refused: list[InvalidInput] = []
        with pytest.raises(InvalidInput):
            ledger.import_movements(enumerate(moves, start=2), keep_going=refused)
        assert [(e.row, e.field) for e in refused] == [(4, "document")]
