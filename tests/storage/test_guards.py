"""The append-only guards are checked by their definition, not by their name (issue 9, finding 3).

An attacker with the database file (SQLite) or the owner's login (PostgreSQL) can replace a guard
by a trigger of the same name that does nothing; ``wam verify`` must report it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from tests.builders import fresh_db_url, is_postgres, tamper
from tests.factories import build_world
from tests.builders import own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)
from wam.storage import tables as t
from wam.storage.schema import KEY_FIXED_SQLITE, altered_guards, expected_definitions, guard_definitions


def law4(report) -> list[str]:  # noqa: ANN001
    return [p.message for p in report.problems if p.check == "law 4"]


def test_a_freshly_migrated_database_has_every_guard_as_defined(ledger):
    assert altered_guards(ledger.engine) == []
    found = guard_definitions(ledger.engine)
    for name, definition in expected_definitions(ledger.engine.dialect.name).items():
        assert found[name] == [definition]
    assert ledger.verify().ok


RAISE = "BEGIN SELECT RAISE(ABORT, 'entries is append-only: record a reversal instead'); END"


@pytest.mark.skipif(is_postgres(), reason="SQLite's triggers")
@pytest.mark.parametrize("body", [
    "BEFORE UPDATE ON entries BEGIN SELECT 1; END",  # does nothing
    f"BEFORE UPDATE ON entries WHEN 0 {RAISE}",  # never fires
    f"BEFORE UPDATE OF kind ON entries {RAISE}",  # only for one column
    "AFTER INSERT ON entries BEGIN SELECT 1; END",  # on another event
])
def test_it_reports_a_no_op_sqlite_trigger_of_the_right_name(world, body):
    ledger = world.ledger
    with ledger.engine.begin() as conn:  # one transaction: another pooled connection's schema may be stale
        conn.exec_driver_sql("DROP TRIGGER entries_no_update")
        conn.exec_driver_sql(f"CREATE TRIGGER entries_no_update {body}")
    if "WHEN 0" in body or "SELECT 1" in body:  # the no-op lets an entry be changed
        tamper(ledger.engine, "UPDATE entries SET note = 'changed' WHERE seq = 1")
    problems = law4(ledger.verify())
    assert any(m.startswith("guard entries_no_update is not as wam defines it") for m in problems), problems


@pytest.mark.skipif(not is_postgres(), reason="PostgreSQL's triggers and functions")
@pytest.mark.parametrize("attack", [
    "CREATE OR REPLACE FUNCTION wam_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
    "ALTER TABLE entries DISABLE TRIGGER entries_append_only",
    "ALTER TABLE entries ENABLE REPLICA TRIGGER entries_append_only",
    "DROP TRIGGER entries_append_only ON entries; CREATE TRIGGER entries_append_only BEFORE INSERT ON entries "
    "FOR EACH ROW EXECUTE FUNCTION wam_append_only()",
    "DROP TRIGGER entries_append_only ON entries; CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE "
    "ON entries FOR EACH ROW WHEN (false) EXECUTE FUNCTION wam_append_only()",
])
def test_it_reports_a_no_op_postgresql_guard_of_the_right_name(attack):
    from wam.services.ledger import Ledger

    with fresh_db_url() as url:  # a schema of its own, dropped after: the attack is not undone for others
        ledger = Ledger.open(url)
        ledger.init("test ledger")
        build_world(ledger)
        with ledger.engine.begin() as conn:
            conn.exec_driver_sql(attack)
        problems = law4(ledger.verify())
        ledger.engine.dispose()
        assert any(m.startswith("guard entries_append_only is not as wam defines it") for m in problems), problems


def test_the_ledgers_public_key_is_fixed_once_set(world, tmp_path):
    ledger = world.ledger
    ledger.checkpoint(tmp_path / "key.pem")
    for value in ("'00'", "NULL"):
        with pytest.raises(DBAPIError, match="the public key of a ledger is fixed once set"):
            tamper(ledger.engine, f"UPDATE ledgers SET public_key = {value}")
    tamper(ledger.engine, "UPDATE ledgers SET name = 'renamed'")  # the rest of the row is not frozen
    with ledger.engine.connect() as conn:
        assert conn.execute(select(t.ledgers.c.public_key)).scalar() is not None
    assert ledger.verify().ok


def test_it_reports_a_missing_key_guard(world):
    ledger = world.ledger
    on = " ON ledgers" if is_postgres() else ""
    tamper(ledger.engine, f"DROP TRIGGER ledgers_key_fixed{on}")
    assert law4(ledger.verify()) == ["append-only guard ledgers_key_fixed is missing from the database"]
    with ledger.engine.begin() as conn:  # put it back: a PostgreSQL schema is handed to the next test
        conn.exec_driver_sql(KEY_FIXED_SQLITE if not is_postgres() else
                             "CREATE TRIGGER ledgers_key_fixed BEFORE UPDATE ON ledgers FOR EACH ROW "
                             "EXECUTE FUNCTION wam_key_fixed()")
    assert ledger.verify().ok
