"""Backup and restore of a whole ledger database (``wam backup FILE``, ``wam restore FILE``).

SQLite: the online backup API (``sqlite3.Connection.backup``), which copies the database as
one consistent snapshot *including the transactions still in its WAL file*, while writers
carry on. A plain ``cp`` of a running ledger silently lacks those. The copy is written to a
temporary file, checked (``PRAGMA integrity_check``, and it must hold a ledger), switched to
a single-file journal, synced, and only then renamed to FILE: a crash leaves the old FILE.

PostgreSQL: ``pg_dump --format=custom`` of the ledger's schema (a consistent snapshot taken
in one transaction), and ``pg_restore`` into an empty database or schema.

The signing key is never put in the backup: whoever holds a copy of the data and the key
could re-sign a rewritten history. Back it up on other media (``--key-out``, a separate file
readable only by its owner), and bring it back beside the restored ledger (docs/reliability.md).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from wam.domain.errors import InvalidInput


class BackupFailed(InvalidInput):
    """The backup or restore could not be made; nothing was replaced."""


def _sqlite_path(engine: Engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupFailed("an in-memory database cannot be backed up", field="database")
    return database


def _libpq_url(engine: Engine) -> str:
    return make_url(engine.url).set(drivername="postgresql").render_as_string(hide_password=False)


def _schema(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT current_schema()")).scalar_one())


def backup(engine: Engine, dest: Path) -> int:
    """Back the database up to ``dest``; return the number of entries in the copy."""
    dest = Path(dest)
    if engine.dialect.name == "sqlite":
        return _backup_sqlite(_sqlite_path(engine), dest)
    tool = shutil.which("pg_dump")
    if tool is None:
        raise BackupFailed("pg_dump is not installed (Debian: apt-get install postgresql-client)", field="pg_dump")
    partial = dest.with_name(dest.name + ".partial")
    schema = _schema(engine)
    # pg_dump reads the snapshot of this open transaction, so the count said is the count saved
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
        entries = int(conn.execute(text("SELECT count(*) FROM entries")).scalar_one())
        done = subprocess.run([tool, "--format=custom", "--no-owner", "--no-privileges", f"--schema={schema}",
                               f"--snapshot={snapshot}", f"--file={partial}", f"--dbname={_libpq_url(engine)}"],
                              capture_output=True, text=True)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupFailed(f"pg_dump failed: {done.stderr.strip()[:500]}", field="pg_dump")
    _sync_rename(partial, dest)
    return entries


def _backup_sqlite(source: str, dest: Path) -> int:
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    try:
        out = sqlite3.connect(partial)
        try:
            src.backup(out)  # one consistent snapshot, WAL included; writers are not blocked in WAL mode
            out.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
            entries = _check_sqlite(out)
        finally:
            out.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    _sync_rename(partial, dest)
    return entries


def _check_sqlite(conn: sqlite3.Connection) -> int:
    status = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if status != "ok":
        raise BackupFailed(f"the copy failed SQLite's integrity check: {status}", field="file")
    try:
        return int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])
    except sqlite3.DatabaseError:
        raise BackupFailed("the file is not a wam ledger (no entries table)", field="file") from None


def _sync_rename(partial: Path, dest: Path) -> None:
    fd = os.open(partial, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(partial, dest)
    directory = os.open(dest.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def restore(engine: Engine, source: Path, *, replace: bool = False) -> int:
    """Restore the backup ``source`` into the (empty) database of ``engine``; return its entries.

    Refuses a database that already holds a ledger unless ``replace`` (SQLite only: the file
    is overwritten by the backup as one transaction).
    """
    source = Path(source)
    if not source.is_file():
        raise BackupFailed(f"no backup file at {source}", field="file")
    from wam.storage import schema

    holds_ledger = schema.is_initialised(engine)
    if engine.dialect.name == "sqlite":
        if holds_ledger and not replace:
            raise BackupFailed("this database already holds a ledger: restore into a new one, or pass --replace",
                               field="database")
        backup_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            entries = _check_sqlite(backup_conn)
            target = sqlite3.connect(_sqlite_path(engine), timeout=30)
            try:
                backup_conn.backup(target)
                target.execute("PRAGMA journal_mode=WAL")
            finally:
                target.close()
        finally:
            backup_conn.close()
        engine.dispose()
        return entries
    if holds_ledger:
        raise BackupFailed("this database already holds a ledger: restore into an empty database", field="database")
    tool = shutil.which("pg_restore")
    if tool is None:
        raise BackupFailed("pg_restore is not installed (Debian: apt-get install postgresql-client)",
                           field="pg_restore")
    done = subprocess.run([tool, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                           f"--dbname={_libpq_url(engine)}", str(source)], capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupFailed(f"pg_restore failed: {done.stderr.strip()[:500]}", field="pg_restore")
    engine.dispose()
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM entries")).scalar_one())


def copy_key(key: Path, dest: Path) -> None:
    """Copy the signing key to ``dest`` (a separate file, readable by its owner only)."""
    if not key.is_file():
        raise BackupFailed(f"no signing key at {key}", field="key")
    if dest.exists():
        raise BackupFailed(f"{dest} exists already: choose a new file for the key", field="key")
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.read_bytes())
        handle.flush()
        os.fsync(handle.fileno())
