"""Bulk inserts on PostgreSQL through ``COPY``.

psycopg finds a statement's placeholders by parsing its text in Python and keeps the result
only for short statements, so a multi-row ``INSERT`` of a thousand rows is parsed again for
every batch: 50,000 items took 5.3 s that way, 1.5 s by ``executemany`` of one row, and 0.76 s
by ``COPY`` into a temporary table and one ``INSERT .. SELECT`` (bench/pg_copy.py). ``COPY``
sends the rows through the driver's C code with no SQL text per row.

The rows written are the same whichever way they travel: the import, posting and records
tests run on PostgreSQL and read them back. The names of tables and columns given here are
wam's own constants, never user input.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection


def driver(conn: Connection) -> Any:
    """The psycopg connection under ``conn``, in ``conn``'s transaction."""
    return conn.connection.driver_connection


def copy_rows(dbapi_conn: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Append ``rows`` (values in ``columns``' order) to ``table`` with one ``COPY .. FROM STDIN``.

    Takes the driver's connection so that the posting's writer thread can use it. A unique key
    already taken raises the driver's ``IntegrityError`` as an ``INSERT`` would.
    """
    with dbapi_conn.cursor() as cursor, cursor.copy(f"COPY {table} ({_names(columns)}) FROM STDIN") as copy:
        write = copy.write_row
        for row in rows:
            write(row)


def insert_new(conn: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]], *,
               conflict: str, returning: Sequence[str]) -> list[tuple[Any, ...]]:
    """Insert those of ``rows`` whose ``conflict`` key is not taken, in the order given, and
    return ``returning`` of each row inserted (``INSERT .. ON CONFLICT DO NOTHING RETURNING``).

    The rows go by ``COPY`` into a temporary table of the same columns (dropped at commit),
    then into ``table`` by one ``INSERT .. SELECT`` in their order, so ids from a sequence follow
    the order given, as on SQLite.
    """
    if not rows:
        return []
    names = _names(columns)
    raw = driver(conn)
    staging = _staging(raw, table, columns, "new", ordered=True)
    copy_rows(raw, staging, [*columns, "_wam_order"], ((*row, n) for n, row in enumerate(rows)))
    with raw.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} ORDER BY _wam_order "
                       f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {', '.join(returning)}")
        return [tuple(row) for row in cursor.fetchall()]


def upsert_rows(dbapi_conn: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]], *,
                conflict: Sequence[str]) -> None:
    """Insert ``rows``, or where their ``conflict`` key is taken set the other columns to theirs
    (``INSERT .. ON CONFLICT DO UPDATE``), through a temporary table filled by ``COPY``. No two
    rows may share a key (PostgreSQL refuses to update a row twice in one statement)."""
    if not rows:
        return
    names = _names(columns)
    staging = _staging(dbapi_conn, table, columns, "set")
    copy_rows(dbapi_conn, staging, columns, rows)
    updates = ", ".join(f'"{name}" = excluded."{name}"' for name in columns if name not in conflict)
    with dbapi_conn.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} "
                       f"ON CONFLICT ({_names(conflict)}) DO UPDATE SET {updates}")


def delete_rows(dbapi_conn: Any, table: str, columns: Sequence[str], keys: Sequence[Sequence[object]]) -> None:
    """Delete the rows of ``table`` whose ``columns`` hold one of ``keys``, through a temporary
    table filled by ``COPY``."""
    if not keys:
        return
    names = _names(columns)
    staging = _staging(dbapi_conn, table, columns, "gone")
    copy_rows(dbapi_conn, staging, columns, keys)
    with dbapi_conn.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE ({names}) IN (SELECT {names} FROM {staging})")


def _names(columns: Sequence[str]) -> str:
    return ", ".join(f'"{name}"' for name in columns)


def _staging(dbapi_conn: Any, table: str, columns: Sequence[str], purpose: str, *, ordered: bool = False) -> str:
    """An empty temporary table of ``table``'s ``columns`` (and an order), dropped at commit."""
    staging = f"_wam_{purpose}_{table}"
    order = ", 0 AS _wam_order" if ordered else ""
    with dbapi_conn.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "
                       f"SELECT {_names(columns)}{order} FROM {table} WITH NO DATA")
        cursor.execute(f"TRUNCATE {staging}")
    return staging


def drop_foreign_keys(conn: Connection, tables: Sequence[str]) -> list[tuple[str, str, str]]:
    """Drop the foreign keys of ``tables`` for the rest of ``conn``'s transaction, and return
    (table, name, definition) of each for :func:`restore_foreign_keys`.

    For a bulk load into an empty ledger, which holds the tables' locks until it commits (as its
    dropped indexes do): PostgreSQL checks a foreign key row by row, one query per key and row
    (2.7 s against 0.9 s for 100,000 balances), and checks a key added back with one join.
    The transaction is all or nothing, so a load that fails leaves the keys as they were.
    """
    found = conn.exec_driver_sql(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2", (list(tables),)).fetchall()
    for table, name, _ in found:
        conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return [(table, name, definition) for table, name, definition in found]


def restore_foreign_keys(conn: Connection, dropped: Sequence[tuple[str, str, str]]) -> None:
    """Add back the foreign keys :func:`drop_foreign_keys` dropped, as they were; each is checked
    against every row then, and a row that breaks one fails the transaction."""
    for table, name, definition in dropped:
        conn.exec_driver_sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def analyze(conn: Connection, tables: Sequence[str]) -> None:
    """Gather the planner's statistics of ``tables`` inside ``conn``'s transaction, which counts
    the rows it wrote itself; they are kept when it commits.

    After a bulk load, PostgreSQL plans with the statistics of the last ``ANALYZE``: a ledger
    loaded a moment ago still looks empty until autovacuum comes by, and each look-up of a
    serial, a balance or a last movement scans a whole table. The next command's reads (a
    movements import after the opening stock: 59 s, and 34 s with the statistics gathered)
    and the load's own reads after it forgets its state need them now.
    """
    for table in tables:
        conn.exec_driver_sql(f"ANALYZE {table}")
