"""The ``wam`` command: entry point, global options and the single error handler.

Errors are one clear line on stderr and a non-zero exit, never a traceback:

====  ==========================================================
exit  meaning
====  ==========================================================
0     done
1     verification found problems
2     bad input or usage (the message names the row and field)
3     not found
4     refused by the ledger's state (a law; a confirmation made before; a document's state)
5     another writer got there first; try again
6     permission denied
70    an internal error (set WAM_DEBUG=1 to see the traceback)
130   interrupted (Ctrl-C)
====  ==========================================================
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any

import typer

from wam.domain.errors import (
    ConcurrentAppend,
    InvalidInput,
    NotFound,
    PermissionDenied,
    PostingRejected,
    WamError,
)

from . import common

# Only Typer, rich and the domain's errors load here; every command imports the services (and
# SQLAlchemy, Alembic, FastAPI) inside its function, so `wam --help` answers in well under a
# second. tests/cli/test_startup.py holds this.

_SETTINGS: dict[str, Any] = dict(
    name="wam",
    help="Weapons and ammunition management for peace operations: a tamper-evident custody ledger.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help and usage errors: rich's help formatter costs a third of `wam --help`
)


def _global(
    db: str | None = typer.Option(None, "--db",
                                  help="Database URL or SQLite file (default: WAM_DATABASE_URL, else wam.db)."),
) -> None:
    common.set_database(db)


def _ledger(app: typer.Typer) -> None:
    from . import ledger_commands

    _public_data_imports()
    ledger_commands.register(app)


@functools.cache
def _public_data_imports() -> None:
    """`wam import geopko`, `ipi`, ... join the import group once, whichever app is built."""
    from . import ledger_commands, public_data

    public_data.register(ledger_commands.import_app)


def _users(app: typer.Typer) -> None:
    from .users import users_app

    app.add_typer(users_app, name="users", help="Manage users and their grants.")


def _serve(app: typer.Typer) -> None:
    from .serve import serve

    app.command("serve", help="Serve the web application and the JSON API.")(serve)


def _demo(app: typer.Typer) -> None:
    from .demo import demo

    app.command("demo", help="Build a realistic demo world and serve it.")(demo)


def _module(name: str) -> Callable[[typer.Typer], None]:
    def register(app: typer.Typer) -> None:
        __import__(f"wam.cli.{name}", fromlist=["register"]).register(app)

    return register


# Each top-level command, and what registers it (with the commands registered beside it), in the
# order `wam --help` lists them. A command names one of them, so only its module is imported and
# only its group is built: Typer reads every command function's signature when it builds a group,
# and importing and building all of them was a fifth of `wam balance` on a small ledger (issue 8:
# under 0.5 s). tests/cli/test_startup.py checks that each command's app and the whole app agree.
REGISTRARS: dict[str, Callable[[typer.Typer], None]] = {
    **dict.fromkeys(("init", "import", "move", "balance", "history", "verify", "checkpoint"), _ledger),
    "users": _users,
    "serve": _serve,
    "demo": _demo,
    **dict.fromkeys(("backup", "restore"), _module("backup")),
    "audit": _module("audit"),
    **dict.fromkeys(("disposal", "document"), _module("documents")),
    "incidents": _module("incidents"),
    "recoveries": _module("recoveries"),
    "ammo": _module("ammo"),
    "assess": _module("assess"),
    "counts": _module("counts"),
    **dict.fromkeys(("report", "export"), _module("report")),
}


def _new_app(registrars: list[Callable[[typer.Typer], None]]) -> typer.Typer:
    made = typer.Typer(**_SETTINGS)
    made.callback()(_global)
    for register in registrars:
        register(made)
    return made


@functools.cache
def whole_app() -> typer.Typer:
    """The whole command line: `wam --help`, a mistyped command, and the tests that add to it."""
    return _new_app(list(dict.fromkeys(REGISTRARS.values())))


def __getattr__(name: str) -> Any:
    if name == "app":  # built on first use: `wam balance` needs only its own group
        return whole_app()
    raise AttributeError(name)


def command_named(argv: list[str]) -> str | None:
    """The top-level command ``argv`` names after the global options, or None (none, or --help)."""
    rest = iter(argv)
    for arg in rest:
        if arg == "--db":
            next(rest, None)
        elif not arg.startswith("-"):
            return arg
        elif not arg.startswith("--db="):
            return None
    return None


def app_for(argv: list[str]) -> typer.Typer:
    """The app that runs ``argv``: only its command's group if it names a known one, else the whole."""
    name = command_named(argv)
    register = REGISTRARS.get(name) if name is not None else None
    return _new_app([register]) if register is not None else whole_app()


def _click_exceptions() -> tuple[tuple[type[BaseException], ...], ...]:
    """(exits, aborts, usage errors) of Typer's own click and, when something loaded it, of click.

    Typer 0.2x vendors click, whose exceptions are not click's. click itself costs a tenth of
    `wam --help`'s time to import, and none of its exceptions can be raised until it is loaded.
    """
    from typer._click import exceptions as vendored

    exits: list[type[BaseException]] = [typer.Exit]
    aborts: list[type[BaseException]] = [typer.Abort]
    errors: list[type[BaseException]] = [vendored.ClickException]
    click = sys.modules.get("click")
    if click is not None:
        exits.append(click.exceptions.Exit)
        aborts.append(click.exceptions.Abort)
        errors.append(click.ClickException)
    return tuple(exits), tuple(aborts), tuple(errors)

# Exit codes by error code, as the web maps codes to statuses (wam.web.errors.STATUS): by code, not
# class, so that errors of the services (ConfirmationRefused, NotInitialised) need not be imported
# here; the services are not loaded until a command needs them. Any other WamError exits 2, among
# them NotInitialised ("run `wam init` first"). docs/errors.md lists them (tests/test_errors_doc.py).
EXIT_CODES: dict[str, int] = {
    InvalidInput.code: 2,
    NotFound.code: 3,
    PostingRejected.code: 4,
    "confirmation_refused": 4,
    "document_refused": 4,
    "database_unavailable": 2,
    ConcurrentAppend.code: 5,
    PermissionDenied.code: 6,
}


def exit_code(exc: WamError) -> int:
    """The exit code of ``exc``: its code's, else its nearest base's with a listed code, else 2."""
    for klass in type(exc).__mro__:
        code = vars(klass).get("code")
        if code in EXIT_CODES:
            return EXIT_CODES[code]
    return 2


def run(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv``; return the exit code. Tests call this."""
    common.set_database(None)
    exits, aborts, click_errors = _click_exceptions()
    try:
        result = app_for(sys.argv[1:] if argv is None else argv)(args=argv, prog_name="wam", standalone_mode=False)
    except exits as exc:
        return exc.exit_code  # type: ignore[attr-defined]
    except aborts:
        common.stderr.print("wam: aborted")
        return 130
    except click_errors as exc:
        exc.show()  # type: ignore[attr-defined]
        return exc.exit_code  # type: ignore[attr-defined]
    except WamError as exc:
        for error in getattr(exc, "errors", []):
            common.stderr.print(f"wam: {error.message}", markup=False)
        common.stderr.print(f"wam: error: {exc.message}", markup=False)
        return exit_code(exc)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the one place that turns a bug into a line, not a traceback
        if os.environ.get("WAM_DEBUG"):
            raise
        common.stderr.print(f"wam: internal error: {type(exc).__name__}: {exc} (run with WAM_DEBUG=1 for details)",
                            markup=False)
        return 70
    return result if isinstance(result, int) else 0


def main() -> None:
    sys.exit(run(sys.argv[1:]))
