"""Setting a database up: where it is, whether it holds a ledger, bringing its schema up to date.

The command line, the web application and the demo ask these questions through this module, so
that none of them reaches the storage layer (SQLAlchemy engines, Alembic) itself. The schema is
upgraded by the commands that create or change tables (``wam init``, ``wam users``, ``wam import
geopko``, ``wam serve``), never by a read such as ``wam balance``: Alembic costs about a third of
a second to import, and a read needs nothing it brings.

Example::

    url = database_url("wam.db")              # "sqlite:///wam.db"
    require_ledger(url)                      # NotInitialised: "... run `wam --db wam.db init` first"
    ledger = open_ledger(url, upgrade=True)  # a database made by an older wam gets the newer tables
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import insert, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from wam.domain.chain import GENESIS
from wam.domain.timefmt import to_micros
from wam.storage import schema
from wam.storage import tables as t
from wam.storage.engine import DEFAULT_URL, make_engine, normalise_url, write_connection

from .ledger import DatabaseUnavailable, Ledger, NotInitialised, usable

__all__ = [
    "DEFAULT_URL", "DatabaseUnavailable", "NotInitialised", "database_url", "fresh_database", "init_ledger",
    "ledger_status", "open_ledger",
    "require_ledger", "seeded_uuid", "sqlite_file", "upgrade",
]


def database_url(db: str) -> str:
    """A SQLAlchemy URL for ``db``: a URL as given (PostgreSQL with psycopg 3) or a SQLite file path.
    Refuses (InvalidInput, field ``db``) an empty name and a database wam does not run on."""
    from sqlalchemy.exc import ArgumentError

    from wam.domain.errors import InvalidInput

    if not db.strip():
        raise InvalidInput("is empty: give a SQLite file or a postgresql:// URL", field="db")
    url = normalise_url(db)
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        raise InvalidInput(f"{db!r} is not a database URL or a file name", field="db") from None
    if backend not in ("sqlite", "postgresql"):
        raise InvalidInput(f"wam runs on SQLite and PostgreSQL, not {backend!r}: give a SQLite file or a "
                           "postgresql:// URL", field="db")
    return url


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL; None for a server database or an in-memory one."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        return Path(parsed.database)
    return None


def ledger_status(url: str) -> str:
    """"missing" (no SQLite file), "empty" (no ledger tables), "uninitialised" (tables but no
    ledger identity) or "ready". Never creates a SQLite file that does not exist."""
    file = sqlite_file(url)
    if file is not None and not file.exists():
        return "missing"
    engine = make_engine(url)
    try:
        with usable(engine):
            if not inspect(engine).has_table("ledgers"):
                return "empty"
            with engine.connect() as conn:
                row = conn.execute(select(t.ledgers.c.id).where(t.ledgers.c.is_local.is_(True))).first()
        return "ready" if row is not None else "uninitialised"
    except DBAPIError:  # a table missing (usable turned the database's own failures into DatabaseUnavailable)
        return "empty"
    finally:
        engine.dispose()


def require_ledger(url: str, *, shown: str | None = None) -> None:
    """Raise NotInitialised, saying what to run, unless ``url`` holds an initialised ledger.

    ``shown`` is how the user named the database (a path or a URL), used in the message.
    """
    status = ledger_status(url)
    if status == "ready":
        return
    name = shown or url
    what = {"missing": f"{name} does not exist", "empty": f"{name} has no ledger",
            "uninitialised": f"{name} has no ledger yet"}[status]
    raise NotInitialised(f"{what}: run `wam --db {name} init` (or `wam demo --no-serve --db {name}`) first")


def upgrade(url: str) -> None:
    """Bring the schema of ``url`` to the newest revision (idempotent; creates the tables)."""
    engine = make_engine(url)
    try:
        schema.upgrade(engine)
    finally:
        engine.dispose()


def open_ledger(url: str, *, initialised: bool = True, upgrade: bool = False) -> Ledger:
    """Open the ledger at ``url``. Unless ``initialised`` is False, refuse (NotInitialised) a
    database without a ledger before anything reads it; with ``upgrade``, first bring an
    initialised database's schema up to date (the tables of a newer wam)."""
    file = sqlite_file(url)
    if initialised and file is not None and not file.exists():  # opening it would create it, empty
        raise NotInitialised(f"{file} does not exist: run `wam --db {file} init` first")
    ledger = Ledger.open(url)
    if initialised:
        _ = ledger.identity
    if upgrade:
        schema.upgrade(ledger.engine)
    return ledger


def fresh_database(db: str) -> str:
    """Prepare an empty database for a build that starts from nothing (the demo): delete a
    SQLite file and its journals; refuse a server database that already has tables. Returns the URL."""
    from wam.domain.errors import InvalidInput

    url = normalise_url(db)
    file = sqlite_file(url)
    if file is not None:
        for extra in ("", "-wal", "-shm", "-journal"):
            Path(str(file) + extra).unlink(missing_ok=True)
        return url
    engine = make_engine(url)
    try:
        if inspect(engine).get_table_names():
            raise InvalidInput("the demo needs an empty database (it rebuilds SQLite files, never a server's tables)",
                               field="db")
    finally:
        engine.dispose()
    return url


def seeded_uuid(seed: object) -> str:
    """A version-4 UUID drawn from ``seed``: the same seed, the same ledger identity."""
    return str(uuid.UUID(int=random.Random(f"wam-demo-ledger-{seed}").getrandbits(128), version=4))


def init_ledger(url: str, name: str, *, ledger_uuid: str, clock: Callable[[], datetime]) -> Ledger:
    """Create the schema and a ledger with a chosen identity and clock (idempotent).

    ``Ledger.init`` draws its uuid at random; a build that must come out the same every time
    (the demo: the same seed gives the same head hash, and every entry's hash covers the
    ledger's uuid and the time it was recorded) chooses both. An existing local ledger is kept.
    """
    engine = make_engine(url)
    with usable(engine):
        schema.upgrade(engine)
    with write_connection(engine) as conn, conn.begin():
        if conn.execute(select(t.ledgers.c.id)).first() is None:
            conn.execute(insert(t.ledgers).values(uuid=ledger_uuid, name=name, is_local=True, public_key=None,
                                                  created_at=to_micros(clock())))
            conn.execute(insert(t.chain_head).values(id=1, seq=0, hash=GENESIS))
    ledger = Ledger(engine, clock=clock)
    ledger.init(name)
    return ledger
