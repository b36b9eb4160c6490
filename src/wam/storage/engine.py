"""Engines for SQLite and PostgreSQL, configured for a ledger.

SQLite: WAL journal, ``synchronous=FULL`` (a committed entry survives a power cut), foreign
keys on, a busy timeout, and ``BEGIN IMMEDIATE`` so that two writers queue at the start of a
transaction instead of failing at its end. PostgreSQL: psycopg 3.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

DEFAULT_URL = "sqlite:///wam.db"


def normalise_url(url: str) -> str:
    """Accept a plain file path or a URL; use psycopg 3 for PostgreSQL."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser()}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


POOL_SIZE = 16


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``.

    Args:
        url: a SQLAlchemy URL or a path to an SQLite file. A PostgreSQL URL may choose its
            schema with ``?options=-csearch_path%3Dname`` (the tests do).
    """
    url = normalise_url(url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        # Opening an SQLite connection costs five pragmas; a web server's worker threads (16,
        # see wam.web.app) each keep one rather than open and close one per query.
        database = make_url(url).database
        pool = {} if database in (None, "", ":memory:") else {"pool_size": POOL_SIZE, "max_overflow": 2 * POOL_SIZE}
        engine = create_engine(url, connect_args={"timeout": 30}, **pool)
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        from wam.storage.tables import add_postgresql_options

        add_postgresql_options()
        # No ping before each checkout: it is a round trip per query, a third of a balance read
        # under load. A connection the server dropped fails one request, and SQLAlchemy then
        # replaces the whole pool; connections are renewed every half hour regardless.
        engine = create_engine(url, pool_size=POOL_SIZE, max_overflow=2 * POOL_SIZE, pool_recycle=1800)
        return engine
    raise ValueError(f"unsupported database {backend!r}: use SQLite or PostgreSQL")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        # Let SQLAlchemy, not the driver, decide when transactions begin (see the "begin" hook).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA cache_size=-65536")  # 64 MiB: index pages of a large ledger stay in memory
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        # Writers take the write lock at the start; readers stay deferred and never block.
        writing = conn.get_execution_options().get("wam_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def write_connection(engine: Engine):  # noqa: ANN201
    """Return a connection whose transactions are writes (``BEGIN IMMEDIATE`` on SQLite)."""
    return engine.connect().execution_options(wam_write=True)
