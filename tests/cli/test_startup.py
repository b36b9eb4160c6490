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


@pytest.mark.parametrize("argv", [["balance", "--help"], ["import", "--help"], ["users", "--help"]])
def test_each_command_help_loads_nothing_heavy(argv: list[str]) -> None:
    code = ("import contextlib, io\nfrom wam.cli.main import run\n"
            f"with contextlib.redirect_stdout(io.StringIO()):\n    assert run({argv!r}) == 0")
    assert _loaded_after(code, *HEAVY) == []
