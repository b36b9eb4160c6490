"""Backup drill, `wam audit`, and `wam move --idempotency-key` (issue 9)."""

from __future__ import annotations

import json
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL
from tests.factories import T0, ball_rounds
from wam.cli.main import run
from wam.domain.movements import make_movement
from wam.services.accounts import Accounts
from wam.services.ledger import Ledger
from wam.storage import tables as t
from wam.storage.engine import normalise_url


@pytest.fixture(autouse=True)
def _key(monkeypatch, tmp_path) -> None:  # noqa: ANN001
    monkeypatch.setenv("WAM_SIGNING_KEY", str(tmp_path / "keys" / "signing-key.pem"))
    monkeypatch.setenv("WAM_KEY_BESIDE_DATA", "1")  # these tests keep the database and the key in one tmp_path
    (tmp_path / "keys").mkdir()
    monkeypatch.delenv("WAM_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")


def wam(url: str, capsys, *args: str) -> tuple[int, str, str]:  # noqa: ANN001
    code = run(["--db", url, *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _count(url: str) -> int:
    ledger = Ledger.open(url)
    try:
        with ledger.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(t.entries)).scalar()
    finally:
        ledger.engine.dispose()


@contextmanager
def elsewhere(tmp_path) -> Iterator[str]:  # noqa: ANN001
    """An empty database somewhere else: another SQLite file, or another PostgreSQL database."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'restored' / 'wam.db'}"
        return
    name = f"drill_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _target_url(source_url: str, target: str) -> str:
    if not PG_URL:
        return target
    return make_url(normalise_url(source_url)).set(database=target).render_as_string(hide_password=False)


def test_the_backup_drill_write_back_up_under_load_restore_verify_checkpoint(world, db_url, tmp_path, capsys) -> None:  # noqa: ANN001, E501
    ledger = world.ledger
    assert wam(db_url, capsys, "checkpoint")[0] == 0
    rounds = ball_rounds().key
    stop = threading.Event()
    written = []

    def writer() -> None:  # a clerk recording while the backup runs
        n = 0
        while not stop.is_set() and n < 2000:
            n += 1
            ledger.post(make_movement(kind="transfer", item=rounds, quantity=1, source="GAO-ASP", target="GAO-ARM",
                                      occurred_at=T0 + timedelta(days=1, seconds=n), actor="clerk"))
            written.append(n)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            stop.wait(0.01)
        code, out, err = wam(db_url, capsys, "backup", str(tmp_path / "ledger.wam"),
                             "--key-out", str(tmp_path / "key-copy.pem"))
    finally:
        stop.set()
        thread.join()
    assert code == 0, err
    backed_up = int(out.split("backed up ")[1].split(" ")[0])
    assert backed_up >= 20 + 1  # at least what was acknowledged before the backup began
    assert not (tmp_path / "ledger.wam.partial").exists()
    with elsewhere(tmp_path) as target:
        url = _target_url(db_url, target)
        if not PG_URL:
            (tmp_path / "restored").mkdir()
        code, out, err = wam(url, capsys, "restore", str(tmp_path / "ledger.wam"))
        assert code == 0, err
        assert _count(url) == backed_up
        code, out, _ = wam(url, capsys, "verify")
        assert code == 0 and out.strip().endswith("ok"), out
        # the restored ledger signs with its own key, brought back from its separate copy
        shutil.copy(tmp_path / "key-copy.pem", tmp_path / "keys" / "restored.pem")
        import os

        os.environ["WAM_SIGNING_KEY"] = str(tmp_path / "keys" / "restored.pem")
        code, out, err = wam(url, capsys, "checkpoint")
        assert code == 0, err
        assert wam(url, capsys, "verify")[0] == 0
        assert wam(url, capsys, "restore", str(tmp_path / "ledger.wam"))[0] != 0  # never over a ledger


@pytest.mark.skipif(bool(PG_URL), reason="the WAL is SQLite's")
def test_a_plain_copy_of_a_running_sqlite_ledger_lacks_its_wal_and_the_backup_does_not(world, db_url, tmp_path,  # noqa: ANN001
                                                                                       capsys) -> None:
    """The negative control: the drill above would see what a plain copy loses."""
    before = _count(db_url)
    with world.ledger.engine.connect() as conn:  # a reader holds the WAL open, as a running server does
        conn.execute(text("SELECT 1"))
        world.ledger.post(make_movement(kind="transfer", item=ball_rounds().key, quantity=1, source="GAO-ASP",
                                        target="GAO-ARM", occurred_at=T0 + timedelta(days=1), actor="clerk"))
        path = make_url(db_url).database
        shutil.copy(path, tmp_path / "plain.db")
        assert wam(db_url, capsys, "backup", str(tmp_path / "api.db"))[0] == 0
    import sqlite3

    plain = sqlite3.connect(tmp_path / "plain.db")
    try:
        copied = plain.execute("SELECT count(*) FROM entries").fetchone()[0]
    except sqlite3.OperationalError:  # even the tables were still only in the WAL
        copied = 0
    finally:
        plain.close()
    assert copied < before + 1
    assert _count(f"sqlite:///{tmp_path / 'api.db'}") == before + 1


def test_a_backup_never_contains_the_signing_key(world, db_url, tmp_path, capsys) -> None:  # noqa: ANN001
    assert wam(db_url, capsys, "checkpoint")[0] == 0
    code, _, err = wam(db_url, capsys, "backup", str(tmp_path / "b.wam"))
    assert code == 0 and "not in the backup" in err
    key = (tmp_path / "keys" / "signing-key.pem").read_bytes()
    assert b"PRIVATE KEY" in key and key.strip().splitlines()[1] not in (tmp_path / "b.wam").read_bytes()


def test_move_with_an_idempotency_key_records_once(world, db_url, capsys) -> None:  # noqa: ANN001
    args = ("move", "--kind", "transfer", "--item", ball_rounds().key, "--from", "GAO-ASP", "--to", "GAO-ARM",
            "-q", "5", "--at", "2024-01-02T08:00:00Z", "--actor", "clerk", "--json", "--idempotency-key", "m-1")
    before = _count(db_url)
    code, first, err = wam(db_url, capsys, *args)
    assert code == 0, err
    code, again, _ = wam(db_url, capsys, *args)
    assert code == 0 and json.loads(again) == json.loads(first)
    assert _count(db_url) == before + 1
    changed = list(args)
    changed[changed.index("5")] = "6"
    code, _, err = wam(db_url, capsys, *changed)
    assert code != 0 and "different request" in err
    assert _count(db_url) == before + 1


def test_wam_audit_lists_the_log_as_json(world, db_url, capsys) -> None:  # noqa: ANN001
    accounts = Accounts(world.ledger.engine)
    accounts.add_user("clerk", "a long password", by="admin", address="10.1.2.3")
    code, out, _ = wam(db_url, capsys, "audit", "--json")
    assert code == 0
    (row,) = json.loads(out)
    assert (row["action"], row["actor"], row["target"], row["address"]) == ("user_created", "admin", "clerk",
                                                                            "10.1.2.3")
    code, out, _ = wam(db_url, capsys, "audit")
    assert code == 0 and "user_created" in out
