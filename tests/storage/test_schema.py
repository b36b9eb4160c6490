"""The schema: migrations make what the tables declare, init is idempotent, SQLite is set up safely."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from tests.builders import is_postgres
from tests.factories import build_world
from wam.services.ledger import Ledger, NotInitialised
from wam.storage import schema
from wam.storage import tables as t
from wam.storage.engine import make_engine, normalise_url

LEDGER_TABLES = set(t.metadata.tables)


def differences(engine) -> list:  # noqa: ANN001
    """What autogenerate would change to make the database match ``wam.storage.tables``.

    Tables that other branches of the migrations add (users, reference data...) are not
    declared in this metadata and are left out.
    """

    def ours(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
        table = obj if type_ == "table" else getattr(obj, "table", None)
        table_name = name if type_ == "table" else getattr(table, "name", None)
        return table_name in LEDGER_TABLES

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True, "include_object": ours}
        )
        return compare_metadata(context, t.metadata)


def test_it_migrates_to_exactly_the_declared_ledger_tables(ledger):
    assert differences(ledger.engine) == []
    assert set(inspect(ledger.engine).get_table_names()) >= LEDGER_TABLES


def test_it_declares_the_ledger_tables():
    assert {"ledgers", "holders", "items", "entries", "balances", "chain_head", "checkpoints"} <= LEDGER_TABLES
    assert set(t.APPEND_ONLY_TABLES) == {"entries", "checkpoints"}


def test_it_would_notice_a_table_that_drifts_from_the_declaration(ledger):
    # the comparison above can fail: drop an index and it says so
    with ledger.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_items_serial")
    assert any(d[0] == "add_index" and d[1].name == "ix_items_serial" for d in differences(ledger.engine))


def test_it_indexes_what_the_queries_need(ledger):
    indexes = {i["name"]: i["column_names"] for i in inspect(ledger.engine).get_indexes("entries")}
    assert indexes["ix_entries_item_time"] == ["item_id", "occurred_at", "seq"]
    assert indexes["ix_entries_source_time"] == ["source_id", "occurred_at", "item_id", "quantity"]
    assert indexes["ix_entries_target_time"] == ["target_id", "occurred_at", "item_id", "quantity"]
    unique = {i["name"]: i["column_names"] for i in inspect(ledger.engine).get_indexes("entries") if i["unique"]}
    assert unique["uq_entries_origin"] == ["origin_id", "origin_seq"]


def test_it_installs_the_append_only_guards(ledger):
    guards = schema.append_only_guards(ledger.engine)
    assert schema.expected_guards(ledger.engine.dialect.name) <= guards
    if is_postgres():
        assert schema.expected_guards("postgresql") == {
            "entries_append_only", "entries_no_truncate", "checkpoints_append_only", "checkpoints_no_truncate",
            "confirmations_append_only", "confirmations_no_truncate", "witnessed_heads_append_only",
            "witnessed_heads_no_truncate", "ledgers_key_fixed"}
    else:
        assert schema.expected_guards("sqlite") == {
            "entries_no_update", "entries_no_delete", "checkpoints_no_update", "checkpoints_no_delete",
            "confirmations_no_update", "confirmations_no_delete", "witnessed_heads_no_update",
            "witnessed_heads_no_delete", "ledgers_key_fixed"}


def test_it_creates_the_ledger_on_init(db_url_without_tables):
    # a database without tables: db_url's may hold them already (tests/conftest.py)
    ledger = Ledger.open(db_url_without_tables)
    try:
        assert not schema.is_initialised(ledger.engine)
        ledger_id = ledger.init("MINUSMA Sector East")
        assert schema.is_initialised(ledger.engine)
        assert ledger.uuid == ledger_id
        assert ledger.head() == (0, bytes(32))
        with ledger.engine.connect() as conn:
            row = conn.execute(select(t.ledgers)).one()
        assert (row.name, row.is_local, row.public_key) == ("MINUSMA Sector East", True, None)
        assert ledger.verify().ok
    finally:
        ledger.engine.dispose()


def test_it_inits_idempotently(db_url_without_tables):
    # the first init creates the tables, the next ones find them: a database without tables to start
    ledger = Ledger.open(db_url_without_tables)
    try:
        ledger.init("test ledger")
        build_world(ledger)
        head, first_id = ledger.head(), ledger.uuid
        for _ in range(2):
            again = Ledger.open(db_url_without_tables)
            try:
                assert again.init("another name") == first_id
            finally:
                again.engine.dispose()
        with ledger.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(t.ledgers)).scalar() == 1
            assert conn.execute(select(func.count()).select_from(t.chain_head)).scalar() == 1
            assert conn.execute(select(t.ledgers.c.name)).scalar() == "test ledger"
        assert ledger.head() == head
        assert differences(ledger.engine) == []
        assert ledger.verify().ok
    finally:
        ledger.engine.dispose()


def test_it_says_to_run_init_on_an_empty_database(db_url_without_tables):
    # no table at all (tables without a ledger: tests/cli/test_first_steps.py)
    ledger = Ledger.open(db_url_without_tables)
    try:
        with pytest.raises(NotInitialised, match="run `wam init` first"):
            _ = ledger.uuid
    finally:
        ledger.engine.dispose()


def test_it_gives_every_ledger_its_own_id(tmp_path):
    if is_postgres():
        pytest.skip("one SQLite file per ledger is enough to show it")
    ids = set()
    for name in ("a", "b"):
        ledger = Ledger.open(str(tmp_path / f"{name}.db"))
        ids.add(ledger.init(name))
        ledger.engine.dispose()
    assert len(ids) == 2


@pytest.mark.skipif(is_postgres(), reason="SQLite settings")
def test_it_sets_sqlite_up_for_a_ledger(db_url):
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 2  # FULL: a committed entry survives a power cut
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") == 30000
    finally:
        engine.dispose()


@pytest.mark.skipif(is_postgres(), reason="SQLite settings")
def test_it_sets_every_new_sqlite_connection_up(db_url):
    engine = make_engine(db_url)
    try:
        connections = [engine.connect() for _ in range(3)]
        assert [c.exec_driver_sql("PRAGMA foreign_keys").scalar() for c in connections] == [1, 1, 1]
        assert [c.exec_driver_sql("PRAGMA synchronous").scalar() for c in connections] == [2, 2, 2]
        for c in connections:
            c.close()
    finally:
        engine.dispose()


@pytest.mark.skipif(is_postgres(), reason="SQLite settings")
def test_it_enforces_foreign_keys_on_sqlite(ledger):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError, match="FOREIGN KEY"), ledger.engine.begin() as conn:
        conn.execute(t.holders.insert().values(code="ORPHAN", name="x", kind="store", parent_id=999, external=False))


@pytest.mark.parametrize(
    ("given", "url"),
    [
        ("wam.db", "sqlite:///wam.db"),
        ("postgresql://u@host/db", "postgresql+psycopg://u@host/db"),
        ("postgres://u@host/db", "postgresql+psycopg://u@host/db"),
        ("sqlite:////var/lib/wam.db", "sqlite:////var/lib/wam.db"),
    ],
)
def test_it_accepts_a_path_or_a_url(given, url):
    assert normalise_url(given) == url


def test_it_refuses_other_databases():
    with pytest.raises(ValueError, match="use SQLite or PostgreSQL"):
        make_engine("mysql://u@host/db")
