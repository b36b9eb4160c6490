"""Crash harness: SIGKILL a process writing movements, then every acknowledged movement is there.

Reference: ../shared/reference/reliability.md §4.6 and targets D1/D5. A writer process
(``tests/crash/writer.py``) posts movements through the ledger's service and appends each one's
id to a synced file once its commit returned; the harness kills it with SIGKILL at a random
moment, again and again, then checks that every acknowledged movement is in the ledger, that
``wam verify`` is clean (chain, laws, balances, guards), and on SQLite that
``PRAGMA integrity_check`` is ``ok``.

The negative controls acknowledge before the commit (a test-only mode of the writer), and the
same check must then report lost movements: it can see a loss.

A short run is part of the suite (CI); ``WAM_LONG_TESTS=1`` runs the long one: 200 kills on
SQLite, 100 on PostgreSQL (with ``WAM_TEST_DATABASE_URL``), recorded in docs/reliability.md.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests.conftest import PG_URL, postgres_schema
from tests.factories import build_world
from wam.services.ledger import Ledger
from wam.storage import tables as t

ROOT = Path(__file__).resolve().parents[2]
LONG = os.environ.get("WAM_LONG_TESTS") == "1"


@contextmanager
def crash_db(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'crash.db'}"
        return
    with postgres_schema("crash") as url:
        yield url


def acked(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def run_kills(url: str, acks: Path, kills: int, mode: str, seed: int) -> dict[str, object]:
    """Start the writer ``kills`` times, killing it with SIGKILL at a random moment after it has
    started writing; return what the ledger holds against what was acknowledged."""
    rng = random.Random(seed)
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}"}
    for kill in range(kills):
        before = len(acked(acks))
        start = (kill + 1) * 1_000_000 + seed * 1_000_000_000  # ids unique across kills and runs
        writer = subprocess.Popen([sys.executable, "-m", "tests.crash.writer", url, str(acks), str(start), mode],
                                  cwd=ROOT, env=env)
        deadline = time.monotonic() + 60
        while len(acked(acks)) == before and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)  # wait for its first acknowledgement: it has opened the ledger and is writing
        time.sleep(rng.uniform(0, 0.25))
        if writer.poll() is None:
            os.kill(writer.pid, signal.SIGKILL)
        writer.wait(30)
    ledger = Ledger.open(url)
    try:
        with ledger.engine.connect() as conn:
            present = set(conn.execute(select(t.entries.c.document).where(t.entries.c.document.like("crash-%")))
                          .scalars())
            integrity = (conn.execute(text("PRAGMA integrity_check")).scalar()
                         if ledger.engine.dialect.name == "sqlite" else "ok")
        report = ledger.verify()
    finally:
        ledger.engine.dispose()
    sent = acked(acks)
    return {"acked": len(sent), "present": len(present), "lost": sorted(set(sent) - present),
            "verify_ok": report.ok, "problems": [str(p) for p in report.problems[:5]], "integrity": integrity}


def fresh(url: str) -> None:
    ledger = Ledger.open(url)
    ledger.init("crash ledger")
    build_world(ledger)
    ledger.engine.dispose()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL"))]


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_acknowledged_movement_is_lost_when_the_writer_is_killed(backend, tmp_path):
    kills = (200 if backend == "sqlite" else 100) if LONG else 4
    with crash_db(backend, tmp_path) as url:
        fresh(url)
        result = run_kills(url, tmp_path / "acks", kills, "commit", seed=kills)
    print(f"crash harness {backend}: {kills} kills, {result}")  # noqa: T201  (kept in the long run's log)
    assert result["acked"] > 0
    assert result["lost"] == []
    assert result["verify_ok"], result["problems"]
    assert result["integrity"] == "ok"


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_harness_sees_a_loss_when_movements_are_acknowledged_before_their_commit(backend, tmp_path):
    # certain: the writer acknowledges, then leaves before posting (early-exit)
    with crash_db(backend, tmp_path) as url:
        fresh(url)
        result = run_kills(url, tmp_path / "acks", 2, "early-exit", seed=1)
        assert len(result["lost"]) == 2 and result["verify_ok"]
        if LONG:  # random kills of a writer that acknowledges 10 ms before each commit
            late = run_kills(url, tmp_path / "acks-early", 20, "early", seed=2)
            print(f"negative control {backend}: 20 kills, {late}")  # noqa: T201
            assert late["lost"], "random kills never fell between an early acknowledgement and its commit"
