"""A holder's balance now: the one query, and a read of a SQLite file that needs no SQLAlchemy.

`wam balance STORE` is what an armourer runs most, often on a slow machine, and SQLAlchemy's import
alone took 0.3-0.45 s of its 0.4-0.6 s here (docs/benchmarks.md, issue 8 item 4). The query of a
holder's current lines is a few joins on indexed columns, so :func:`read_sqlite` runs the same SQL
text as :func:`wam.services.queries.balances` with Python's sqlite3 for a SQLite file. It answers
only the ordinary case (an initialised ledger, a holder that exists) and returns None for anything
else, so that the full path gives every error in its one wording (a missing or unusable file, no
ledger, an unknown holder, a server database). tests/services/test_current_balance.py proves the two
equal. This module imports neither SQLAlchemy nor the storage layer.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class BalanceLine:
    holder: str
    item: str
    quantity: int
    type: str
    label: str


#: a holder's non-zero lines now, by item key; ``{items}`` joins the items, ``{mark}`` is the holder id
CURRENT_SQL = (
    'SELECT h.code, i."key", b.quantity, i.type, i.shape, i.make, i.model, i.serial, i.lot '
    "FROM balances AS b JOIN holders AS h ON h.id = b.holder_id {items} "
    'WHERE b.holder_id = {mark} AND b.quantity != 0 ORDER BY i."key"'
)
CURRENT_SQL_SQLITE = CURRENT_SQL.format(items="JOIN items AS i ON i.id = b.item_id", mark="?")


def line_of(code: str, key: str, quantity: int, type_: str, shape: str, make: str, model: str,
            serial: str | None, lot: str | None) -> BalanceLine:
    """One row of :data:`CURRENT_SQL` as a balance line (its label: make, model and serial or lot)."""
    ident = serial if shape == "serial" else f"lot {lot}"
    return BalanceLine(code, key, int(quantity), type_, f"{make} {model} {ident}")


def sqlite_path(database: str) -> Path | None:
    """The file a database name means when it is a plain path or a ``sqlite:///`` URL, else None
    (a server, a driver named in the URL, memory: the full path reads those)."""
    if database.startswith("sqlite:///"):
        return Path(database[len("sqlite:///"):]) if database != "sqlite:///" else None
    if "://" in database or not database.strip():
        return None
    return Path(database).expanduser()  # as wam.storage.engine.normalise_url reads a plain path


def read_sqlite(database: str, holder: str) -> list[BalanceLine] | None:
    """``holder``'s lines now in the SQLite ledger ``database`` (a path or a ``sqlite:///`` URL), or
    None when this read does not answer (see the module's docstring): the caller then opens the
    ledger. Opening never creates a file, and nothing is written."""
    path = sqlite_path(database)
    if path is None or not path.is_file():
        return None
    try:
        conn = sqlite3.connect(path, timeout=30)
    except sqlite3.Error:
        return None
    try:
        if conn.execute("SELECT 1 FROM ledgers WHERE is_local").fetchone() is None:
            return None
        found = conn.execute("SELECT id FROM holders WHERE code = ?", (holder,)).fetchone()
        if found is None:
            return None
        return [line_of(*row) for row in conn.execute(CURRENT_SQL_SQLITE, (found[0],))]
    except (sqlite3.Error, TypeError, ValueError):
        return None
    finally:
        conn.close()
