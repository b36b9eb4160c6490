"""`wam --help` and reads start fast: the command line loads the heavy libraries only when a
command needs them (targets in docs/benchmarks.md, "Command start-up"; timings in
bench/cli_startup.py). Each check runs in a fresh interpreter, since this one has them loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from wam.services.example import build_example
from wam.services.ledger import Ledger

HEAVY = ("sqlalchemy", "alembic", "fastapi", "starlette", "uvicorn", "cryptography", "argon2", "openpyxl", "click")


def _loaded_after(code: str, *modules: str) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {list(modules)!r} if m in sys.modules]))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_the_command_line_loads_no_database_web_or_crypto_library() -> None:
    assert _loaded_after("import wam.cli.main", *HEAVY) == []


def test_help_lists_every_command_without_loading_them() -> None:
    probe = ("import contextlib, io, json, sys\nfrom wam.cli.main import run\nbuf = io.StringIO()\n"
             "with contextlib.redirect_stdout(buf):\n    code = run(['--help'])\n"
             f"print(json.dumps([code, buf.getvalue(), [m for m in {list(HEAVY)!r} if m in sys.modules]]))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    exit_code, text, loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert exit_code == 0 and loaded == []
    for command in ("init", "import", "move", "balance", "history", "verify", "checkpoint", "users", "serve", "demo"):
        assert f" {command} " in text, f"{command} missing from wam --help:\n{text}"


def test_a_balance_read_does_not_load_alembic_or_upgrade_the_schema(db_url) -> None:  # noqa: ANN001
    ledger = Ledger.open(db_url)
    ledger.init("small")
    build_example(ledger)
    ledger.engine.dispose()
    argv = ["--db", db_url, "balance", "GAO-ARM"]
    code = ("import contextlib, io\nfrom wam.cli.main import run\n"
            f"with contextlib.redirect_stdout(io.StringIO()):\n    assert run({argv!r}) == 0")
    assert _loaded_after(code, "alembic", "fastapi", "cryptography", "sqlalchemy.orm") == []


def _balance_read_on_sqlite(folder, *options: str) -> str:  # noqa: ANN001
    """The code of a `wam balance GAO-ARM` run on a small SQLite ledger made in ``folder``."""
    ledger = Ledger.open(f"sqlite:///{folder / 'small.db'}")
    ledger.init("small")
    build_example(ledger)
    ledger.engine.dispose()
    argv = ["--db", str(folder / "small.db"), "balance", "GAO-ARM", *options]
    return ("import contextlib, io\nfrom wam.cli.main import run\n"
            f"with contextlib.redirect_stdout(io.StringIO()):\n    assert run({argv!r}) == 0")


def test_a_balance_read_on_sqlite_does_not_load_the_postgresql_dialect(tmp_path) -> None:  # noqa: ANN001
    # a tenth of the read's start-up: the entries' PostgreSQL index options are attached only when a
    # PostgreSQL engine is made (wam.storage.tables.add_postgresql_options)
    code = _balance_read_on_sqlite(tmp_path, "--tree")
    assert _loaded_after(code, "sqlalchemy.dialects.sqlite", "sqlalchemy.dialects.postgresql") == [
        "sqlalchemy.dialects.sqlite"]


def test_a_store_balance_now_on_sqlite_loads_no_sqlalchemy(tmp_path) -> None:  # noqa: ANN001
    # `wam balance STORE`, the read run most: wam.services.current_balance reads it with sqlite3
    code = _balance_read_on_sqlite(tmp_path)
    assert _loaded_after(code, *HEAVY) == []


@pytest.mark.parametrize("argv", [["balance", "--help"], ["import", "--help"], ["users", "--help"]])
def test_each_command_help_loads_nothing_heavy(argv: list[str]) -> None:
    code = ("import contextlib, io\nfrom wam.cli.main import run\n"
            f"with contextlib.redirect_stdout(io.StringIO()):\n    assert run({argv!r}) == 0")
    assert _loaded_after(code, *HEAVY) == []


def _group(app):  # noqa: ANN001, ANN202
    import typer.main

    return typer.main.get_command(app)


def test_each_command_has_one_registrar_and_every_registrar_a_command() -> None:
    from wam.cli.main import REGISTRARS, whole_app

    assert set(_group(whole_app()).commands) == set(REGISTRARS)


@pytest.mark.parametrize("name", sorted(__import__("wam.cli.main", fromlist=["REGISTRARS"]).REGISTRARS))
def test_a_command_run_alone_is_the_command_of_the_whole_line(name: str) -> None:
    # `wam NAME ...` builds only NAME's group (wam.cli.main.app_for): it must be the same command,
    # with the same options, subcommands and help, as in the whole command line
    from wam.cli.main import app_for, whole_app

    def described(command) -> tuple:  # noqa: ANN001
        params = [(p.name, tuple(getattr(p, "opts", ())), getattr(p, "help", None)) for p in command.params]
        return (command.help, params, sorted(getattr(command, "commands", {})))

    alone = _group(app_for(["--db", "x.db", name, "--help"]))
    assert name in alone.commands
    whole = _group(whole_app()).commands[name]
    assert described(alone.commands[name]) == described(whole)
    for sub in getattr(whole, "commands", {}):
        assert described(alone.commands[name].commands[sub]) == described(whole.commands[sub])


@pytest.mark.parametrize(("argv", "named"), [
    (["balance", "GAO-ARM"], "balance"), (["--db", "x.db", "move", "--kind", "issue"], "move"),
    (["--db=x.db", "import", "stock"], "import"), (["--help"], None), ([], None), (["--db", "x.db"], None),
    (["--db", "balance", "verify"], "verify"), (["nosuch"], "nosuch"),
])
def test_the_command_is_the_first_word_after_the_global_options(argv: list[str], named: str | None) -> None:
    from wam.cli.main import app_for, command_named, whole_app

    assert command_named(argv) == named
    if named is None or named == "nosuch":
        assert app_for(argv) is whole_app()  # --help lists all; a mistyped one is told the others


def test_a_balance_read_builds_no_other_command_group(tmp_path) -> None:  # noqa: ANN001
    code = _balance_read_on_sqlite(tmp_path)
    assert _loaded_after(code, "wam.cli.ledger_commands", "wam.cli.incidents", "wam.cli.users", "wam.cli.demo",
                         "wam.cli.report") == ["wam.cli.ledger_commands"]
