"""Bulk writes on PostgreSQL go by COPY (wam.storage.bulk); what they write is what the ledger
reads back, on both databases, and a bulk load into an empty ledger leaves its foreign keys as
they were, whether it succeeds or fails."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.builders import mv, rifle
from tests.factories import T0
from tests.conftest import backend
from wam.domain.errors import PostingRejected
from wam.importers.ledger_files import import_stock
from wam.storage import bulk

pg_only = pytest.mark.skipif(backend() != "postgresql", reason="COPY and dropped foreign keys are PostgreSQL's")

STOCK_CSV = "holder,type,make,model,serial\n"


def _foreign_keys(ledger) -> list[tuple[str, str, str]]:  # noqa: ANN001
    with ledger.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid IN ('entries'::regclass, 'balances'::regclass) ORDER BY 1, 2"))]


def _entry_indexes(ledger) -> dict[str, str]:  # noqa: ANN001
    with ledger.engine.connect() as conn:
        return dict(conn.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = 'entries'")).all())


def _held(ledger, holder: str) -> dict[str, int]:  # noqa: ANN001
    return {line.item: line.quantity for line in ledger.balance(holder)}


def test_a_batch_of_many_balances_is_written_and_emptied_as_the_entries_say(world):
    # A ledger that holds entries already: the batch's balances are upserted (more than the
    # threshold at which PostgreSQL takes them by COPY), then emptied and deleted.
    ledger = world.ledger
    rifles = [rifle(f"70-{n:05d}") for n in range(150)]
    ledger.register_items(rifles)
    ledger.post_many(mv("receipt", r, "supply:BGD", "GAO-ARM", days=1) for r in rifles)
    persons = ("PTE-RAHMAN", "SGT-DIOP")
    ledger.post_many(mv("transfer", r, "GAO-ARM", "ANSONGO-ARM", days=2) for r in rifles[100:])
    ledger.post_many(mv("issue", r, "GAO-ARM", persons[0], days=3) for r in rifles[:100])
    assert len(_held(ledger, "PTE-RAHMAN")) == 100
    assert all(k not in _held(ledger, "GAO-ARM") for k in (r.key for r in rifles[:100]))
    ledger.post_many(mv("return", r, persons[0], "GAO-ARM", days=4) for r in rifles[:100])
    assert _held(ledger, "PTE-RAHMAN") == {}
    at_gao = _held(ledger, "GAO-ARM")
    assert all(at_gao[r.key] == 1 for r in rifles[:100])
    assert all(ledger.custodian(r.key) == "ANSONGO-ARM" for r in rifles[100:])
    report = ledger.verify()
    assert report.ok, report.problems


@pg_only
def test_a_bulk_load_into_an_empty_ledger_keeps_its_foreign_keys(ledger, tmp_path):
    from tests.factories import HOLDERS
    from wam.domain.holders import make_holder

    ledger.add_holders([make_holder(code=c, name=n, kind=k, parent=p, country=ctry) for c, n, k, p, ctry in HOLDERS])
    before = _foreign_keys(ledger)
    assert len(before) == 6  # entries: item, origin, source, target; balances: holder, item
    indexes = _entry_indexes(ledger)  # as the migrations made them
    assert "INCLUDE (target_id)" in indexes["ix_entries_source_time"]
    assert "WHERE ((kind)::text = 'transfer'::text)" in indexes["ix_entries_transfers"]
    path = tmp_path / "stock.csv"
    path.write_text(STOCK_CSV + "".join(f"GAO-ARM,weapon,FN,FAL,B-{n:05d}\n" for n in range(300)))
    report = import_stock(ledger, path, actor="clerk", occurred_at=T0)
    assert (report.written, report.errors) == (300, [])
    assert _foreign_keys(ledger) == before
    # the load dropped six of them and rebuilt them from wam.storage.tables, whose PostgreSQL
    # options (INCLUDE, WHERE) are attached when the engine is made
    assert _entry_indexes(ledger) == indexes
    assert len(_held(ledger, "GAO-ARM")) == 300
    assert ledger.verify().ok


@pg_only
def test_a_failed_bulk_load_into_an_empty_ledger_writes_nothing_and_keeps_its_foreign_keys(ledger):
    from tests.factories import HOLDERS
    from wam.domain.holders import make_holder

    ledger.add_holders([make_holder(code=c, name=n, kind=k, parent=p, country=ctry) for c, n, k, p, ctry in HOLDERS])
    rifles = [rifle(f"71-{n:05d}") for n in range(200)]
    ledger.register_items(rifles)
    before = _foreign_keys(ledger)
    moves = [mv("receipt", r, "supply:BGD", "GAO-ARM", days=1) for r in rifles]
    moves.append(mv("issue", rifles[0], "JUBA-ARM", "PTE-RAHMAN", days=2))  # not held there: law 1
    with pytest.raises(PostingRejected):
        ledger.post_many(moves)
    assert _foreign_keys(ledger) == before
    assert _held(ledger, "GAO-ARM") == {}
    with ledger.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM entries")).scalar_one() == 0


@pg_only
def test_insert_new_keeps_the_order_given_and_skips_taken_keys(ledger):
    columns = ("code", "name", "kind", "external")
    with ledger.engine.connect() as conn:  # rolled back at the end: these holders have no records
        first = bulk.insert_new(conn, "holders", columns, [("H-B", "b", "store", False), ("H-A", "a", "store", False)],
                                conflict='"code"', returning=("id", '"code"'))
        again = bulk.insert_new(conn, "holders", columns, [("H-C", "c", "store", False), ("H-A", "a2", "store", False)],
                                conflict='"code"', returning=("id", '"code"'))
        names = dict(conn.execute(text("SELECT code, name FROM holders WHERE code LIKE 'H-%'")).all())
    assert [code for _, code in first] == ["H-B", "H-A"]
    assert first[0][0] < first[1][0]  # ids follow the order given
    assert [code for _, code in again] == ["H-C"]  # H-A was taken: not inserted, not returned
    assert names == {"H-A": "a", "H-B": "b", "H-C": "c"}


@pg_only
def test_a_bulk_load_leaves_the_planner_statistics_that_count_its_rows(ledger, tmp_path):
    # Without them, the next import's look-ups of serials and balances scanned whole tables.
    from tests.factories import HOLDERS
    from wam.domain.holders import make_holder

    ledger.add_holders([make_holder(code=c, name=n, kind=k, parent=p, country=ctry) for c, n, k, p, ctry in HOLDERS])
    path = tmp_path / "stock.csv"
    path.write_text(STOCK_CSV + "".join(f"GAO-ARM,weapon,FN,FAL,C-{n:05d}\n" for n in range(10_000)))
    assert import_stock(ledger, path, actor="clerk", occurred_at=T0).written == 10_000
    with ledger.engine.connect() as conn:
        counted = dict(conn.execute(text(
            "SELECT relname, reltuples FROM pg_class WHERE oid IN "
            "('items'::regclass, 'entries'::regclass, 'balances'::regclass)")).all())
    assert counted == {"items": 10_000, "entries": 10_000, "balances": 20_000}  # a store's +1, a supplier's -1
