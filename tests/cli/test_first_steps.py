"""A newcomer's first steps (issue 10): `wam demo --no-serve`, then `wam serve` on what it built.

`wam serve` on a missing or empty database used to create an empty `wam.db` and answer every
sign-in with 500 ("no such table: login_attempts"), and the demo's accounts existed only while
the demo served. Now `wam serve` refuses such a database with the command to run, and the demo
keeps its accounts in the database it built and prints how to serve it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import PG_URL
from wam.cli.main import run
from wam.services.accounts import Accounts
from wam.services.ledger import Ledger
from wam.services.setup import upgrade

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def _error_line(capsys) -> str:  # noqa: ANN001
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("wam: error: "), err
    assert "Traceback" not in out + err
    return lines[0]


@pytest.mark.skipif(bool(PG_URL), reason="a missing file is an SQLite case")
def test_serve_refuses_a_missing_database_and_does_not_create_it(tmp_path, capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    assert run(["serve"]) == 2  # the default, wam.db in the current folder
    line = _error_line(capsys)
    assert line == ("wam: error: wam.db does not exist: run `wam --db wam.db init` "
                    "(or `wam demo --no-serve --db wam.db`) first")
    assert not (tmp_path / "wam.db").exists()
    assert run(["serve", "--db", str(tmp_path / "other.db")]) == 2
    assert "other.db does not exist" in _error_line(capsys)
    assert not (tmp_path / "other.db").exists()


def test_serve_refuses_a_database_without_tables(db_url_without_tables, tmp_path, capsys) -> None:  # noqa: ANN001
    db_url = db_url_without_tables  # db_url's may hold the tables already (tests/conftest.py)
    if db_url.startswith("sqlite:///"):
        Path(db_url[len("sqlite:///"):]).touch()  # an empty file, as the old `wam serve` left behind
    assert run(["--db", db_url, "serve"]) == 2
    line = _error_line(capsys)
    assert "has no ledger: run `wam --db " in line and " init`" in line


def test_serve_refuses_tables_without_a_ledger(db_url, capsys) -> None:  # noqa: ANN001
    upgrade(db_url)  # the tables, but no `wam init`
    assert run(["serve", "--db", db_url]) == 2
    assert "has no ledger yet: run `wam --db " in _error_line(capsys)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(base: str, path: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(base + path, method="POST", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_demo_keeps_its_accounts_and_prints_the_command_that_serves_them(db_url_without_tables, tmp_path,  # noqa: ANN001
                                                                        capsys, monkeypatch) -> None:
    db_url = db_url_without_tables  # the demo refuses a server database that has tables (db_url's may)
    monkeypatch.chdir(tmp_path)
    db = "demo.db" if db_url.startswith("sqlite:///") else db_url  # a relative path, as a newcomer types it
    assert run(["demo", "--scale", "small", "--no-serve", "--db", db]) == 0
    out = capsys.readouterr().out
    command = f"wam serve --db {shlex.quote(db)}"
    assert f"\n  {command}\n" in out, out
    accounts = {m.group(2): (m.group(1), m.group(3))
                for m in re.finditer(r"^  (\S+)\s+(\S+)\s+(\S{16})\s+.*$", out, re.MULTILINE) if m.group(1) != "role"}
    assert {role for role, _ in accounts.values()} == {
        "administrator", "mission-officer", "quartermaster", "armourer", "auditor", "researcher", "viewer"}
    assert len(accounts) == 8
    url = f"sqlite:///{tmp_path / db}" if db == "demo.db" else db
    if db == "demo.db":
        assert (tmp_path / "demo.db").exists() and not (tmp_path / "wam-demo.db").exists()

    # the accounts outlive the demo: each signs in with the printed password, with its role
    ledger = Ledger.open(url)
    try:
        book = Accounts(ledger.engine)
        for name, (role, password) in accounts.items():
            user = book.authenticate(name, password)
            assert user.name == name
            assert role in {g.grant.role.value for g in book.user(name).grants} or role == "administrator"
    finally:
        ledger.engine.dispose()

    # and the printed command serves them
    port = _free_port()
    argv = [sys.executable, "-m", "wam", *shlex.split(command)[1:], "--port", str(port)]
    env = {**os.environ, "WAM_SECRET_KEY": "k" * 48}
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/login", timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                time.sleep(0.1)
        admin_password = accounts["admin"][1]
        status, body = _post(base, "/api/auth/token", {"name": "admin", "password": admin_password})
        assert status == 201, body
        status, body = _post(base, "/api/auth/token", {"name": "armourer", "password": "not the password"})
        assert status == 401, body
    finally:
        server.terminate()
        server.wait(30)
        log.close()
