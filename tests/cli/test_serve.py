"""``wam serve --workers 2``: two server processes on one SQLite file, as a site would run it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from tests.factories import build_world
from wam.domain.access import Grant, Role
from wam.domain.materiel import make_item
from wam.domain.movements import make_movement
from wam.services.accounts import Accounts
from wam.services.ledger import Ledger


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(base: str, token: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_two_workers_share_one_sqlite_ledger(tmp_path):
    url = f"sqlite:///{tmp_path / 'site.db'}"
    ledger = Ledger.open(url)
    ledger.init("site")
    build_world(ledger)
    rifles = [make_item(type="weapon", make="FN", model="FAL", serial=f"SRV-{n:02d}") for n in range(24)]
    ledger.register_items(rifles)
    ledger.post_many(make_movement(kind="receipt", item=r.key, quantity=1, source="supply:BGD", target="GAO-ARM",
                                   occurred_at=datetime(2024, 1, 1, tzinfo=UTC), actor="officer") for r in rifles)
    accounts = Accounts(ledger.engine)
    user = accounts.add_user("officer", "a long enough password")
    accounts.grant("officer", Grant(Role.MISSION_OFFICER, "MINUSMA"), by="test")
    token, _ = accounts.open_session(user, kind="token", lifetime=3600)
    ledger.engine.dispose()

    port = _free_port()
    env = {**os.environ, "WAM_SECRET_KEY": "k" * 48}
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "wam", "--db", url, "serve", "--port", str(port), "--workers",
                               "2"],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # two workers start slowly on a loaded machine (CI runs two suites)
        while True:
            try:
                urllib.request.urlopen(base + "/api/openapi.json", timeout=2).close()
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                assert time.monotonic() < deadline, "the server did not answer in 120 s"
                time.sleep(0.2)

        def move(n: int) -> tuple[int, dict]:
            # one in six comes from the wrong store: refused alone, the rest of its batch goes on
            source, target = ("ANSONGO-ARM", "GAO-ASP") if n % 6 == 0 else ("GAO-ARM", "ANSONGO-ARM")
            return _call(base, token, "POST", "/api/movements", {"kind": "transfer", "item": rifles[n].key,
                                                                  "source": source, "target": target})

        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(move, range(24)))
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    assert [status for status, _ in answers] == [409 if n % 6 == 0 else 201 for n in range(24)]
    assert all(body["error"]["law"] == 1 for status, body in answers if status == 409)
    ledger = Ledger.open(url)
    try:
        for n, rifle in enumerate(rifles):
            assert ledger.custodian(rifle.key) == ("GAO-ARM" if n % 6 == 0 else "ANSONGO-ARM")
        assert ledger.verify().ok
    finally:
        ledger.engine.dispose()
