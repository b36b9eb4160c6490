"""What every command shares: opening the ledger, printing, the one error handler."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from rich.console import Console

from wam.services.ledger import Ledger
from wam.storage.engine import DEFAULT_URL, normalise_url

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)

_state: dict[str, str | None] = {"db": None}


def set_database(url: str | None) -> None:
    _state["db"] = url


def database_url(db: str | None = None) -> str:
    """The database: ``--db``, else ``WAM_DATABASE_URL``, else ``wam.db`` in the current folder."""
    return normalise_url(db or _state["db"] or os.environ.get("WAM_DATABASE_URL") or DEFAULT_URL)


def open_ledger(db: str | None = None, *, initialised: bool = True) -> Ledger:
    """Open the ledger; unless ``initialised`` is False, refuse a database without one
    (NotInitialised: "run `wam init` first") before any command reads it."""
    ledger = Ledger.open(database_url(db))
    if initialised:
        _ = ledger.identity
    return ledger


def signing_key_path(url: str) -> Path:
    """Where the ledger's signing key lives: ``WAM_SIGNING_KEY``, else beside an SQLite file."""
    if os.environ.get("WAM_SIGNING_KEY"):
        return Path(os.environ["WAM_SIGNING_KEY"])
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///"):] + ".signing-key.pem")
    return Path.home() / ".config" / "wam" / "signing-key.pem"


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def progress_enabled() -> bool:
    return sys.stderr.isatty()
