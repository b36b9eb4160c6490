"""Signed checkpoints: signing the head, files another party keeps, importing them back."""

from __future__ import annotations

import json
import os
import stat

import pytest
from sqlalchemy import select

from tests.builders import own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)
from wam.domain.errors import InvalidInput
from wam.services import records, signing
from wam.storage import tables as t


def test_it_signs_the_current_head(world, tmp_path):
    ledger = world.ledger
    cp = ledger.checkpoint(tmp_path / "key.pem")
    seq, head = ledger.head()
    assert (cp.ledger, cp.seq, cp.head_hash) == (ledger.uuid, seq, head.hex())
    assert cp.signature_valid()
    with ledger.engine.connect() as conn:
        records_seq, records_head = records.head(conn)
    assert (cp.records_seq, cp.records_hash) == (records_seq, records_head.hex())
    assert (cp.number, cp.prev_checkpoint) == (1, "0" * 64)  # v3: the first of the ledger's numbered checkpoints
    assert cp.message() == (f"wam-checkpoint/v3\n{ledger.uuid}\n{seq}\n{head.hex()}\n{cp.signed_at}\n"
                            f"{records_seq}\n{records_head.hex()}\n1\n{'0' * 64}").encode()


def test_it_signs_with_ed25519_over_the_documented_message(world, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    cp = world.ledger.checkpoint(tmp_path / "key.pem")
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(cp.public_key))
    key.verify(bytes.fromhex(cp.signature), signing.signed_message(cp.ledger, cp.seq, cp.head_hash, cp.signed_at,
                                                                   cp.records_seq, cp.records_hash, cp.number,
                                                                   cp.prev_checkpoint))


def test_it_stores_each_checkpoint_and_the_ledgers_key(world, tmp_path):
    ledger = world.ledger
    first = ledger.checkpoint(tmp_path / "key.pem")
    world.move("transfer", world.rounds, "GAO-ASP", "JUBA-ARM", quantity=5, days=1)
    second = ledger.checkpoint(tmp_path / "key.pem")
    assert (first.seq, second.seq) == (4, 5) and first.public_key == second.public_key
    with ledger.engine.connect() as conn:
        assert conn.execute(select(t.checkpoints.c.seq).order_by(t.checkpoints.c.id)).scalars().all() == [4, 5]
        assert conn.execute(select(t.ledgers.c.public_key)).scalar() == first.public_key
    report = ledger.verify()
    assert report.ok and report.checkpoints_checked == 2


def test_it_keeps_the_signing_key_to_its_owner(world, tmp_path):
    path = tmp_path / "keys" / "ledger.pem"
    world.ledger.checkpoint(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")


def test_it_refuses_a_key_that_is_not_the_ledgers(world, tmp_path):
    ledger = world.ledger
    ledger.checkpoint(tmp_path / "key.pem")
    with pytest.raises(InvalidInput, match="not the ledger's signing key") as refused:
        ledger.checkpoint(tmp_path / "other.pem")
    assert refused.value.field == "signing_key"


def test_it_refuses_a_key_file_that_is_not_ed25519(world, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    (tmp_path / "ec.pem").write_bytes(pem)
    with pytest.raises(InvalidInput, match="not an Ed25519 key"):
        world.ledger.checkpoint(tmp_path / "ec.pem")


def test_it_writes_a_file_another_party_can_keep(world, tmp_path):
    ledger = world.ledger
    exported = tmp_path / "oversight.json"
    first = ledger.checkpoint(tmp_path / "key.pem")
    signing.append_to_file(exported, first)
    world.move("transfer", world.rounds, "GAO-ASP", "JUBA-ARM", quantity=5, days=1)
    second = ledger.checkpoint(tmp_path / "key.pem")
    signing.append_to_file(exported, second)
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert data["format"] == "wam-checkpoints/v1"
    assert [c["seq"] for c in data["checkpoints"]] == [4, 5]
    assert set(data["checkpoints"][0]) == {"ledger", "seq", "head_hash", "signed_at", "public_key", "signature",
                                           "records_seq", "records_hash", "number", "prev_checkpoint"}
    assert signing.read_file(exported) == [first, second]  # read back exactly
    assert not exported.with_suffix(".json.tmp").exists()
    report = ledger.verify(signing.read_file(exported))
    assert report.ok and report.checkpoints_checked == 4


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("not json", "cannot read"),
        ('{"format": "something-else", "checkpoints": []}', "is not a wam-checkpoints/v1 file"),
        ('["wam-checkpoints/v1"]', "is not a wam-checkpoints/v1 file"),
        ('{"format": "wam-checkpoints/v1", "checkpoints": [{"ledger": "x", "seq": 1}]}', "checkpoint 1 in"),
    ],
)
def test_it_refuses_a_file_that_is_not_a_checkpoint_file(tmp_path, content, words):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput, match=words) as refused:
        signing.read_file(path)
    assert refused.value.field == "checkpoints"


def test_it_refuses_a_missing_file(tmp_path):
    with pytest.raises(InvalidInput, match="cannot read"):
        signing.read_file(tmp_path / "nowhere.json")


def test_it_imports_checkpoints_kept_elsewhere_once(world, tmp_path):
    ledger = world.ledger
    exported = tmp_path / "oversight.json"
    signing.append_to_file(exported, ledger.checkpoint(tmp_path / "key.pem"))
    assert ledger.import_checkpoints(signing.read_file(exported)) == 0  # already known
    key = signing.load_or_create_key(tmp_path / "key.pem")
    seq, head = ledger.head()
    older = signing.sign(key, ledger=ledger.uuid, seq=seq, head_hash=head.hex(), signed_at=1)
    assert ledger.import_checkpoints([older]) == 1
    assert ledger.import_checkpoints([older]) == 0
    assert ledger.verify().checkpoints_checked == 2


def test_it_refuses_to_import_a_checkpoint_of_another_ledger(world, tmp_path):
    ledger = world.ledger
    key = signing.load_or_create_key(tmp_path / "key.pem")
    foreign = signing.sign(key, ledger="11111111-2222-4333-8444-555555555555", seq=4, head_hash="00" * 32, signed_at=0)
    with pytest.raises(InvalidInput, match="belongs to ledger 11111111") as refused:
        ledger.import_checkpoints([foreign])
    assert refused.value.field == "ledger"
    assert ledger.verify().checkpoints_checked == 0


def test_it_refuses_to_import_a_checkpoint_with_a_bad_signature(world, tmp_path):
    ledger = world.ledger
    key = signing.load_or_create_key(tmp_path / "key.pem")
    seq, head = ledger.head()
    good = signing.sign(key, ledger=ledger.uuid, seq=seq, head_hash=head.hex(), signed_at=0)
    bad = signing.Checkpoint(good.ledger, good.seq, good.head_hash, good.signed_at + 1, good.public_key, good.signature)
    with pytest.raises(InvalidInput, match="invalid signature") as refused:
        ledger.import_checkpoints([good, bad])
    assert refused.value.field == "signature"
    assert ledger.verify().checkpoints_checked == 0  # all or nothing


@pytest.mark.parametrize("field", ["public_key", "signature"])
def test_it_treats_garbage_keys_and_signatures_as_invalid(field):
    values = {"ledger": "l", "seq": 1, "head_hash": "00", "signed_at": 0, "public_key": "00" * 32,
              "signature": "00" * 64}
    values[field] = "not hex"
    assert not signing.Checkpoint(**values).signature_valid()


def test_it_checks_a_checkpoint_of_an_empty_ledger(ledger, tmp_path):
    cp = ledger.checkpoint(tmp_path / "key.pem")
    assert (cp.seq, cp.head_hash) == (0, "00" * 32)
    assert ledger.verify([cp]).ok


def test_a_v1_checkpoint_without_the_records_head_still_verifies(world, tmp_path):
    """Checkpoints signed before the records chain existed (format v1) keep verifying, from a file
    that lacks the records fields and from the database."""
    ledger = world.ledger
    key = signing.load_or_create_key(tmp_path / "key.pem")
    seq, head = ledger.head()
    old = signing.sign(key, ledger=ledger.uuid, seq=seq, head_hash=head.hex(), signed_at=0)
    assert old.records_seq is None and old.message().startswith(b"wam-checkpoint/v1\n")
    exported = tmp_path / "old.json"
    exported.write_text(json.dumps({"format": "wam-checkpoints/v1", "checkpoints": [
        {"ledger": old.ledger, "seq": old.seq, "head_hash": old.head_hash, "signed_at": old.signed_at,
         "public_key": old.public_key, "signature": old.signature}]}), encoding="utf-8")
    assert signing.read_file(exported) == [old]
    assert ledger.import_checkpoints([old]) == 1
    ledger.checkpoint(tmp_path / "key.pem")  # the ledger's public key is set (a NULL key with checkpoints is reported)
    report = ledger.verify(signing.read_file(exported))
    assert report.ok and report.checkpoints_checked == 3
