"""Posting's fast path, the checked path and verify each write an entry's canonical bytes
inline for speed; all must give what ``wam.domain.chain`` defines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import T0, build_world
from wam.domain.chain import entry_hash
from wam.domain.errors import InvalidInput
from wam.domain.materiel import make_item
from wam.domain.movements import MAX_QUANTITY, Movement, MovementKind


def test_it_hashes_entries_of_both_posting_paths_as_the_chain_defines(ledger):
    world = build_world(ledger)
    rifle, rounds = world.rifles[0], world.rounds
    movements = []
    for day in range(1, 30):  # the same shapes again and again: after the first, the fast path
        when = T0 + timedelta(days=day)
        movements += [
            Movement(MovementKind.ISSUE, rifle.key, 1, "GAO-ARM", "PTE-RAHMAN", when, "armourer"),
            Movement(MovementKind.ISSUE, rounds.key, 120, "GAO-ASP", "PTE-RAHMAN", when, "armourer",
                     witness="Sgt Alam"),
            Movement(MovementKind.EXPENDITURE, rounds.key, 30, "PTE-RAHMAN", "expended", when + timedelta(hours=2),
                     "armourer", reason="training", document=f"RANGE-{day:03d}"),
            Movement(MovementKind.RETURN, rounds.key, 90, "PTE-RAHMAN", "GAO-ASP", when + timedelta(hours=3),
                     "armourer"),
            Movement(MovementKind.RETURN, rifle.key, 1, "PTE-RAHMAN", "GAO-ARM", when + timedelta(hours=3), "armourer",
                     note="cleaned"),
        ]
    ledger.post_many(movements)
    for item in (rifle.key, rounds.key):
        for entry in ledger.history(item):
            assert entry_hash(entry) == entry.hash, entry.seq
    assert ledger.verify().ok


def _bulk_stream(rounds_key: str, quantity: int, start: datetime = T0) -> list[Movement]:
    """Transfers of one lot back and forth, with text the JSON rows must carry exactly."""
    movements = [Movement(MovementKind.RECEIPT, rounds_key, quantity, "supply:BGD", "GAO-ASP", start, "quartermaster")]
    for n in range(1, 40):
        source, target = ("GAO-ASP", "GAO-ARM") if n % 2 else ("GAO-ARM", "GAO-ASP")
        movements.append(Movement(MovementKind.TRANSFER, rounds_key, quantity, source, target,
                                  start + timedelta(hours=n),
                                  "Adjudant Lefèvre", witness="Sgt « Diop » 中士", document=f"BON-{n:04d}/é\\\"q"))
    return movements


def test_bulk_rows_keep_every_value_exactly(ledger):
    """The fast path's rows reach SQLite as fixed-width integers and JSON text: text with
    quotes, backslashes and non-Latin letters, and the largest quantity, must come back
    exactly as posted."""
    world = build_world(ledger)
    quantity = MAX_QUANTITY  # the largest allowed
    movements = _bulk_stream(world.rounds.key, quantity)
    assert ledger.post_many(movements) == len(movements)
    stored = ledger.history(world.rounds.key)[-len(movements):]  # after the world's own receipt
    assert [(e.kind, e.quantity, e.source, e.target, e.actor, e.witness, e.document) for e in stored] == [
        (m.kind.value, m.quantity, m.source, m.target, m.actor, m.witness, m.document) for m in movements
    ]
    assert all(entry_hash(e) == e.hash for e in stored)
    held = {line.item: line.quantity for line in ledger.balance("GAO-ARM")}
    assert held[world.rounds.key] == quantity  # 39 transfers: an odd number, so the lot ends there
    assert ledger.verify().ok


def test_json_rows_and_row_by_row_inserts_store_the_same_entries(tmp_path):
    """Where SQLite has no JSON functions, posting falls back to one row at a time; both
    must store the same entries, each hashed as the chain defines."""
    from wam.services import posting
    from wam.services.ledger import Ledger

    heads = []
    for name, fallback in (("json", False), ("rows", True)):
        ledger = Ledger.open(f"sqlite:///{tmp_path / name}.db", clock=lambda: T0 + timedelta(days=400))
        ledger.init("same")
        world = build_world(ledger)
        original = posting._json_insert_sql
        if fallback:
            posting._json_insert_sql = lambda conn: None
        try:
            ledger.post_many(_bulk_stream(world.rounds.key, 500))
        finally:
            posting._json_insert_sql = original
        entries = ledger.history(world.rounds.key)
        assert all(entry_hash(e) == e.hash for e in entries) and ledger.verify().ok
        heads.append([(e.seq, e.kind, e.quantity, e.source, e.target, e.occurred_at, e.recorded_at, e.actor, e.witness,
                       e.document, e.note, e.reason, e.reverses) for e in entries])
        ledger.engine.dispose()
    assert heads[0] == heads[1]


def test_bulk_rows_keep_times_before_1970(ledger):
    """Times are microseconds since 1970: a lot received in 1965 has negative ones."""
    build_world(ledger)
    old_lot = make_item(type="ammunition", make="RG", model="7.62x51mm ball", lot="RG-1964", calibre="7.62x51mm")
    ledger.register_items([old_lot])
    movements = _bulk_stream(old_lot.key, 3, start=datetime(1965, 3, 1, tzinfo=UTC))
    ledger.post_many(movements)
    assert [e.occurred_at for e in ledger.history(old_lot.key)] == [
        int((m.occurred_at - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(microseconds=1)) for m in movements]
    assert ledger.verify().ok


def test_a_quantity_beyond_the_limit_is_refused_in_bulk(ledger):
    world = build_world(ledger)
    movements = _bulk_stream(world.rounds.key, MAX_QUANTITY + 1)
    with pytest.raises(InvalidInput) as refused:
        ledger.post_many(movements)
    assert refused.value.field == "quantity" and refused.value.row == 1
