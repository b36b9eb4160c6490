"""Verification of a large ledger hashes the chain in two worker processes; the result must be
the same as in one process, problems included."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.factories import build_world
from wam.services import verify as verify_module


@pytest.fixture
def parallel(monkeypatch):
    monkeypatch.setattr(verify_module, "PARALLEL_MIN", 4)


def _drop_guards_and(ledger, statement: str) -> None:  # noqa: ANN001
    with ledger.engine.begin() as conn:
        if ledger.engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER entries_no_update"))
            conn.execute(text("DROP TRIGGER entries_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER entries_append_only ON entries"))
        conn.execute(text(statement))


def test_it_verifies_a_clean_ledger_in_two_processes(ledger, parallel):
    world = build_world(ledger)
    for day in range(1, 6):
        world.move("issue", world.rifles[0], "GAO-ARM", "PTE-RAHMAN", days=day)
        world.move("return", world.rifles[0], "PTE-RAHMAN", "GAO-ARM", days=day + 0.5)
    report = ledger.verify()
    assert report.ok, report.problems
    assert report.entries == 14
    assert report.head_hash == ledger.head()[1].hex()


def test_it_finds_the_same_problems_in_two_processes_as_in_one(ledger, monkeypatch):
    world = build_world(ledger)
    for day in range(1, 6):
        world.move("issue", world.rifles[0], "GAO-ARM", "PTE-RAHMAN", days=day)
        world.move("return", world.rifles[0], "PTE-RAHMAN", "GAO-ARM", days=day + 0.5)
    _drop_guards_and(ledger, "DELETE FROM entries WHERE seq = 8")
    with ledger.engine.begin() as conn:
        conn.execute(text("UPDATE entries SET actor = 'someone else' WHERE seq = 3"))
    one = [(p.check, p.seq, p.message) for p in ledger.verify().problems]
    monkeypatch.setattr(verify_module, "PARALLEL_MIN", 4)
    two = [(p.check, p.seq, p.message) for p in ledger.verify().problems]
    assert sorted(one, key=str) == sorted(two, key=str)
    assert {3, 9} <= {seq for _, seq, _ in two}
