"""What every command shares: opening the ledger, printing, the one error handler.

Nothing heavy is imported here: the services (and SQLAlchemy with them) load when a command
opens the database, so that ``wam --help`` answers at once (docs/benchmarks.md).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from rich.console import Console

    from wam.services.ledger import Ledger

    stdout: Console
    stderr: Console

DEFAULT_DB = "wam.db"
T = TypeVar("T")
_consoles: dict[str, Any] = {}


def console(name: str) -> Any:
    """The rich console ``stdout`` or ``stderr``, made when a command first prints (rich costs a
    tenth of `wam --help`'s start-up, and most answers to --help never need it)."""
    if name not in _consoles:
        from rich.console import Console

        _consoles[name] = Console(stderr=name == "stderr", highlight=False, soft_wrap=True)
    return _consoles[name]


def __getattr__(name: str) -> Any:
    """``common.stdout`` and ``common.stderr`` for the commands: :func:`console`."""
    if name not in ("stdout", "stderr"):
        raise AttributeError(name)
    return console(name)


_state: dict[str, str | None] = {"db": None}


def set_database(url: str | None) -> None:
    _state["db"] = url


def given_database() -> str | None:
    """The ``--db`` given before the command, if any (not the environment's default)."""
    return _state["db"]


def database_name(db: str | None = None) -> str:
    """The database as the user named it: ``--db``, else ``WAM_DATABASE_URL``, else ``wam.db``."""
    for given in (db, _state["db"]):
        if given is not None:  # an empty one is refused by database_url, not taken for the default
            return given
    return os.environ.get("WAM_DATABASE_URL") or DEFAULT_DB


def database_url(db: str | None = None) -> str:
    """The database's URL: ``--db``, else ``WAM_DATABASE_URL``, else ``wam.db`` in the current folder."""
    from wam.services.setup import database_url as url_of

    return url_of(database_name(db))


def open_ledger(db: str | None = None, *, initialised: bool = True, upgrade: bool = False) -> Ledger:
    """Open the ledger; unless ``initialised`` is False, refuse a database without one
    (NotInitialised: "run `wam init` first") before any command reads it. ``upgrade`` brings
    the schema of an initialised database up to date first (commands that write new tables);
    reads never run Alembic."""
    from wam.services.setup import open_ledger as open_at

    return open_at(database_url(db), initialised=initialised, upgrade=upgrade)


def sqlite_file(ledger: Ledger) -> str | None:
    """The SQLite database's file, or None (PostgreSQL, or in memory)."""
    engine = ledger.engine
    return engine.url.database if engine.dialect.name == "sqlite" and engine.url.database != ":memory:" else None


def signing_key_path(ledger: Ledger, given: Path | None = None) -> Path:
    """Where the ledger's signing key lives (wam.services.keys.choose): ``--key``, else
    ``WAM_SIGNING_KEY``, else a key left beside the SQLite file before issue 9 (with a warning to
    move it), else ``~/.config/wam/keys/<ledger uuid>.pem``."""
    from wam.services import keys

    choice = keys.choose(ledger.uuid, sqlite_file(ledger), given)
    if choice.how.startswith("beside the data"):
        console("stderr").print(
            f"warning: the signing key {choice.path} is beside the database: whoever copies the folder can "
            "re-sign a rewritten history. Move it to other media and set WAM_SIGNING_KEY (or --key).", markup=False)
    return choice.path


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def progress_enabled() -> bool:
    return sys.stderr.isatty()


def act(actor: str | None, type_name: str | None, doing: str, whole: Callable[[Any, str], T],
        scoped: Callable[[Any], T]) -> T:
    """A register's step as the command line takes it: ``whole(ledger, actor)`` on a ledger without
    accounts (any actor is taken at its word), else ``scoped(scoped_ledger)`` as that user, with a
    refusal naming the actor and ``doing`` (:func:`wam.services.registers.refusals`)."""
    import getpass

    from wam.services.registers import acting, refusals

    ledger = open_ledger()
    name = actor or getpass.getuser()
    as_user = acting(ledger, name)
    if as_user is None:
        return whole(ledger, name)
    with refusals(as_user, type_name, doing):
        return scoped(as_user)
