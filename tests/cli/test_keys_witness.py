"""The signing key apart from the data, checkpoints chained, witnesses (issue 9, finding 3)."""

from __future__ import annotations

import json
import os
import stat

import pytest

from tests.builders import all_entries, drop_guards, rebuild_balances, restore_guards, tamper
from tests.factories import build_world
from wam.cli.main import run
from wam.services import signing, witness
from wam.services.ledger import Ledger
from wam.storage.schema import KEY_FIXED_SQLITE


def wam(url: str, capsys, *args: str) -> tuple[int, str, str]:  # noqa: ANN001
    code = run(["--db", url, *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def stocked(tmp_path, capsys, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("WAM_DATABASE_URL", raising=False)
    data = tmp_path / "data"
    data.mkdir()
    url = f"sqlite:///{data / 'wam.db'}"
    assert wam(url, capsys, "init", "--name", "Gao ledger")[0] == 0
    ledger = Ledger.open(url)
    ledger.world = build_world(ledger)  # 4 entries
    yield url, ledger
    ledger.engine.dispose()


def move(ledger, n: int) -> None:  # noqa: ANN001
    for i in range(n):
        ledger.world.move("transfer", ledger.world.rounds, "GAO-ASP", "JUBA-ARM", quantity=5 + i, days=1 + i)


def test_the_key_goes_to_the_users_folder_by_default_readable_by_the_owner_only(stocked, capsys):
    url, ledger = stocked
    code, out, err = wam(url, capsys, "checkpoint")
    assert code == 0 and "number 1" in out
    key = os.environ["WAM_KEY_DIR"] + f"/{ledger.uuid}.pem"
    assert f"created the ledger's signing key {key}" in err and "back it up" in err  # said once, when made
    code, out, err = wam(url, capsys, "checkpoint")
    assert code == 0 and "number 2" in out and "created" not in err
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    with open(key + ".json", encoding="utf-8") as handle:
        record = json.load(handle)
    assert (record["ledger"], record["number"]) == (ledger.uuid, 2)
    assert [f for f in os.listdir(os.path.dirname(url[len("sqlite:///"):])) if "key" in f or f.endswith(".pem")] == []


def test_it_refuses_to_create_the_key_beside_the_database_unless_insisted(stocked, capsys):
    url, _ = stocked
    beside = url[len("sqlite:///"):] + ".key.pem"
    code, _, err = wam(url, capsys, "checkpoint", "--key", beside)
    assert code == 2 and "refusing to create the signing key" in err and not os.path.exists(beside)
    code, _, _ = wam(url, capsys, "checkpoint", "--key", beside, "--key-beside-data")
    assert code == 0 and os.path.exists(beside)


def test_a_passphrase_protects_the_key(stocked, capsys, monkeypatch, tmp_path):
    url, _ = stocked
    key = tmp_path / "other-media" / "gao.pem"
    monkeypatch.setenv("WAM_KEY_PASSPHRASE", "correct horse")
    assert wam(url, capsys, "checkpoint", "--key", str(key))[0] == 0
    assert key.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    monkeypatch.delenv("WAM_KEY_PASSPHRASE")
    code, _, err = wam(url, capsys, "checkpoint", "--key", str(key))
    assert code == 2 and "protected by a passphrase" in err
    monkeypatch.setenv("WAM_KEY_PASSPHRASE", "wrong")
    code, _, err = wam(url, capsys, "checkpoint", "--key", str(key))
    assert code == 2 and "passphrase is wrong" in err


def test_verify_reports_deleted_latest_checkpoints_against_the_keys_record(stocked, capsys):
    url, ledger = stocked
    move(ledger, 2)
    for _ in range(3):
        assert wam(url, capsys, "checkpoint")[0] == 0
    assert wam(url, capsys, "verify")[0] == 0
    tamper(ledger.engine, "DROP TRIGGER checkpoints_no_delete")
    tamper(ledger.engine, "DELETE FROM checkpoints WHERE number = 3")
    code, out, _ = wam(url, capsys, "verify")
    assert code == 1 and "checkpoint number 3" in out and "held by the signing key's record" in out
    tamper(ledger.engine, "DELETE FROM checkpoints WHERE number = 2")
    restore_guards(ledger.engine)  # the attacker puts the guard back
    code, out, _ = wam(url, capsys, "verify", "--key", "/nonexistent/key.pem")  # without the record: nothing shows
    assert code == 0, out
    tamper(ledger.engine, "DROP TRIGGER checkpoints_no_delete")
    tamper(ledger.engine, "DELETE FROM checkpoints WHERE number = 1")
    tamper(ledger.engine, "INSERT INTO checkpoints (ledger_uuid, seq, head_hash, signed_at, public_key, signature) "
                          "VALUES (:u, 0, :z, 0, :k, :s)", u=ledger.uuid, z="0" * 64, k="1" * 64, s="2" * 128)
    code, out, _ = wam(url, capsys, "verify", "--key", "/nonexistent/key.pem")
    assert code == 1 and "the signature is not valid" in out


def test_verify_reports_a_replaced_or_removed_public_key(stocked, capsys, tmp_path):
    url, ledger = stocked
    assert wam(url, capsys, "checkpoint")[0] == 0
    public = json.loads(wam(url, capsys, "checkpoint", "--json")[1])["public_key"]
    tamper(ledger.engine, "DROP TRIGGER ledgers_key_fixed")
    tamper(ledger.engine, "DROP TRIGGER checkpoints_no_delete")
    tamper(ledger.engine, "UPDATE ledgers SET public_key = NULL")
    code, out, _ = wam(url, capsys, "verify")
    assert code == 1 and "has no public key (NULL)" in out
    # the attacker deletes every checkpoint and signs with a key of their own
    tamper(ledger.engine, "DELETE FROM checkpoints")
    intruder = tmp_path / "intruder.pem"
    assert wam(url, capsys, "checkpoint", "--key", str(intruder))[0] == 0
    restore_guards(ledger.engine)
    tamper(ledger.engine, KEY_FIXED_SQLITE)
    assert wam(url, capsys, "verify", "--key", str(intruder))[0] == 0  # consistent in itself
    code, out, _ = wam(url, capsys, "verify", "--public-key", public, "--key", str(intruder))
    assert code == 1 and "differs from the pinned public key" in out
    code, out, _ = wam(url, capsys, "verify")  # the real key's record
    assert code == 1 and "differs from the signing key's record" in out and "latest checkpoints were deleted" in out


def test_verify_with_a_witness_reports_entries_truncated_after_the_last_local_checkpoint(stocked, capsys, tmp_path):
    url, ledger = stocked
    witness_dir = tmp_path / "usb"
    witness_dir.mkdir()
    move(ledger, 2)
    assert wam(url, capsys, "checkpoint")[0] == 0  # local only: entry 2
    move(ledger, 3)
    code, out, _ = wam(url, capsys, "checkpoint", "--witness", str(witness_dir))  # witnessed: entry 5
    assert code == 0 and "sent to 1 witness" in out
    assert (witness_dir / f"{ledger.uuid}.checkpoints.json").exists()
    # the attacker truncates to entry 7 behind the local checkpoint 1, deletes checkpoint 2 and the key's record
    entries = all_entries(ledger)
    drop_guards(ledger.engine)
    tamper(ledger.engine, "DELETE FROM entries WHERE seq > 7")
    tamper(ledger.engine, "UPDATE chain_head SET seq = 7, hash = :h", h=entries[6].hash)
    tamper(ledger.engine, "DELETE FROM checkpoints WHERE number = 2")
    rebuild_balances(ledger.engine)
    restore_guards(ledger.engine)
    os.remove(os.environ["WAM_KEY_DIR"] + f"/{ledger.uuid}.pem.json")
    assert wam(url, capsys, "verify")[0] == 0  # nothing local shows it
    code, out, _ = wam(url, capsys, "verify", "--witness", str(witness_dir))
    assert code == 1
    assert "witnessed checkpoint at entry 9: the ledger ends at entry 7" in out
    assert "checkpoint number 2 (entry 9), held by a witness, is not among the stored checkpoints" in out


def test_an_unreachable_witness_does_not_stop_the_others(stocked, capsys, tmp_path):
    url, _ = stocked
    good = tmp_path / "good.json"
    missing = str(tmp_path / "missing" / "dir")
    code, _, err = wam(url, capsys, "checkpoint", "--witness", missing, "--witness", str(good))
    assert code == 1 and "cannot write to the witness" in err and good.exists()
    code, _, err = wam(url, capsys, "verify", "--witness", str(tmp_path / "elsewhere"))
    assert code == 2 and "holds no checkpoint of this ledger" in err


@pytest.fixture
def witness_server(tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    """Another wam instance, served over HTTP in a thread, with an administrator's token in WAM_WITNESS_TOKEN."""
    import socket
    import threading
    import time

    import uvicorn

    from tests.web.conftest import fast_settings
    from wam.domain.access import Grant, Role
    from wam.services.accounts import Accounts
    from wam.web.app import create_app

    url = f"sqlite:///{tmp_path / 'hq' / 'hq.db'}"
    (tmp_path / "hq").mkdir()
    hq = Ledger.open(url)
    hq.init("HQ")
    accounts = Accounts(hq.engine)
    user = accounts.add_user("gao-witness", "a long enough password")
    accounts.grant("gao-witness", Grant(Role.ADMINISTRATOR), by="test")
    token, _ = accounts.open_session(user, kind="token", lifetime=3600)
    monkeypatch.setenv("WAM_WITNESS_TOKEN", token)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(fast_settings(url, tmp_path), ledger=hq), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(600):  # up to 30 s: CI runs two suites side by side
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", hq
    server.should_exit = True
    thread.join(10)
    hq.engine.dispose()


def test_another_wam_instance_witnesses_heads_over_http(stocked, capsys, witness_server, tmp_path):
    url, ledger = stocked
    base, hq = witness_server
    move(ledger, 2)
    assert wam(url, capsys, "checkpoint", "--witness", base)[0] == 0
    move(ledger, 2)
    code, out, err = wam(url, capsys, "checkpoint", "--witness", base + "/")
    assert code == 0 and "sent to 1 witness" in out, err
    assert [cp.number for cp in witness.heads(hq.engine, ledger.uuid)] == [1, 2]
    assert wam(url, capsys, "verify", "--witness", base)[0] == 0
    # the ledger's key replaced: the witness refuses heads signed by another key
    code, _, err = wam(url, capsys, "checkpoint", "--key", str(tmp_path / "other.pem"), "--witness", base)
    assert code == 2 and "this key is not the ledger's signing key" in err
    forged = signing.sign(signing.load_or_create_key(tmp_path / "forger.pem"), ledger=ledger.uuid, seq=8,
                          head_hash="00" * 32, signed_at=1, records_seq=0, records_hash="00" * 32, number=3,
                          prev_checkpoint=signing.FIRST_PREV)
    with pytest.raises(witness.WitnessUnreachable, match=r"409 .*signed its earlier heads with another key"):
        witness.send(base, forged)
    # the last 2 entries removed with checkpoint 2 and the key's record: only the witness shows it
    entries = all_entries(ledger)
    drop_guards(ledger.engine)
    tamper(ledger.engine, "DELETE FROM entries WHERE seq > 6")
    tamper(ledger.engine, "UPDATE chain_head SET seq = 6, hash = :h", h=entries[5].hash)
    tamper(ledger.engine, "DELETE FROM checkpoints WHERE number = 2")
    rebuild_balances(ledger.engine)
    restore_guards(ledger.engine)
    os.remove(os.environ["WAM_KEY_DIR"] + f"/{ledger.uuid}.pem.json")
    assert wam(url, capsys, "verify")[0] == 0
    code, out, _ = wam(url, capsys, "verify", "--witness", base)
    assert code == 1 and "witnessed checkpoint at entry 8: the ledger ends at entry 6" in out


def test_the_drill_restore_then_verify_against_the_last_witnessed_checkpoint(stocked, capsys, tmp_path):
    url, ledger = stocked
    usb = tmp_path / "usb"
    usb.mkdir()
    move(ledger, 2)
    assert wam(url, capsys, "checkpoint", "--witness", str(usb))[0] == 0
    backup = tmp_path / "backups" / "gao.wam"
    backup.parent.mkdir()
    assert wam(url, capsys, "backup", str(backup))[0] == 0
    restored = f"sqlite:///{tmp_path / 'restored' / 'wam.db'}"
    (tmp_path / "restored").mkdir()
    assert wam(restored, capsys, "restore", str(backup))[0] == 0
    code, out, _ = wam(restored, capsys, "verify", "--witness", str(usb))
    assert code == 0 and "ok" in out
    # the witness saw more than the backup holds: a restore of a stale backup is reported
    move(ledger, 1)
    assert wam(url, capsys, "checkpoint", "--witness", str(usb))[0] == 0
    code, out, _ = wam(restored, capsys, "verify", "--witness", str(usb))
    assert code == 1 and "witnessed checkpoint at entry 7: the ledger ends at entry 6" in out


def test_checkpoint_every_signs_again_until_stopped(stocked, capsys, tmp_path):
    import subprocess
    import sys
    import time

    url, ledger = stocked
    assert wam(url, capsys, "checkpoint", "--every", "soon")[0] == 2  # not a duration
    usb = tmp_path / "usb"
    usb.mkdir()
    loop = subprocess.Popen([sys.executable, "-m", "wam", "--db", url, "checkpoint", "--every", "1s", "--witness",
                             str(usb)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        file = usb / f"{ledger.uuid}.checkpoints.json"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(signing.read_file(file) if file.exists() else []) < 2:
            time.sleep(0.2)
    finally:
        loop.terminate()
        loop.wait(30)
    assert [cp.number for cp in signing.read_file(file)][:2] == [1, 2]
