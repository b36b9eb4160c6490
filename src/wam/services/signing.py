"""Signed checkpoints: a ledger's head, signed with Ed25519 and kept by another party.

A checkpoint says "ledger L had entry n with hash h, and record r with hash g, at time T",
signed by the ledger's key. Format v2 signs the records chain's head (``wam.services.records``:
holders, items, grants, documents) with the entries' head; a v1 checkpoint (entries only, from
before the records chain) carries no ``records_seq`` and still verifies as it was signed.
Whoever holds a copy (the mission's oversight body, the contributing country) can later ask
``wam verify --checkpoints FILE`` to prove that the history up to n was not rewritten, and that
the ledger was not truncated behind it.

The file is JSON: ``{"format": "wam-checkpoints/v1", "checkpoints": [{...}, ...]}``; each
checkpoint carries the public key it was signed with, so the file can be checked alone.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wam.domain.errors import InvalidInput

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# cryptography is imported by the functions that sign and check: every command loads this module
# with the ledger, and a read such as `wam balance` must not pay for it (docs/benchmarks.md).

FORMAT = "wam-checkpoints/v1"  # the file's format: it holds checkpoints of both v1 and v2
_V2 = ("records_seq", "records_hash")  # fields a v1 checkpoint lacks


@dataclass(frozen=True, slots=True)
class Checkpoint:
    ledger: str
    seq: int
    head_hash: str
    signed_at: int
    public_key: str
    signature: str
    records_seq: int | None = None  # v2: the records chain's head (None in a v1 checkpoint)
    records_hash: str | None = None

    def message(self) -> bytes:
        return signed_message(self.ledger, self.seq, self.head_hash, self.signed_at, self.records_seq,
                              self.records_hash)

    def signature_valid(self) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(self.public_key))
            key.verify(bytes.fromhex(self.signature), self.message())
        except (InvalidSignature, ValueError):
            return False
        return True


def signed_message(ledger: str, seq: int, head_hash: str, signed_at: int, records_seq: int | None = None,
                   records_hash: str | None = None) -> bytes:
    """The bytes signed: v1 without the records chain's head, v2 with it."""
    if records_seq is None:
        return f"wam-checkpoint/v1\n{ledger}\n{seq}\n{head_hash}\n{signed_at}".encode()
    return f"wam-checkpoint/v2\n{ledger}\n{seq}\n{head_hash}\n{signed_at}\n{records_seq}\n{records_hash}".encode()


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """Load the ledger's signing key, creating it (readable by the owner only) if absent."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise InvalidInput(f"{path} is not an Ed25519 key", field="signing_key")
        return key
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def public_hex(key: Ed25519PrivateKey) -> str:
    from cryptography.hazmat.primitives import serialization

    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def sign(key: Ed25519PrivateKey, *, ledger: str, seq: int, head_hash: str, signed_at: int,
         records_seq: int | None = None, records_hash: str | None = None) -> Checkpoint:
    signature = key.sign(signed_message(ledger, seq, head_hash, signed_at, records_seq, records_hash)).hex()
    return Checkpoint(ledger, seq, head_hash, signed_at, public_hex(key), signature, records_seq, records_hash)


def read_file(path: Path) -> list[Checkpoint]:
    """Read a checkpoint file; refuse one that is not in the expected form."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}", field="checkpoints") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidInput(f"{path} is not a {FORMAT} file", field="checkpoints")
    result = []
    for number, raw in enumerate(data.get("checkpoints", []), start=1):
        try:
            fields = [k for k in Checkpoint.__dataclass_fields__ if k not in _V2 or k in raw]
            result.append(Checkpoint(**{k: raw[k] for k in fields}))
        except (KeyError, TypeError):
            raise InvalidInput(f"checkpoint {number} in {path} is incomplete", field="checkpoints") from None
    return result


def append_to_file(path: Path, checkpoint: Checkpoint) -> None:
    """Add ``checkpoint`` to the file at ``path`` (created if missing), written atomically."""
    existing = read_file(path) if path.exists() else []
    body = {"format": FORMAT, "checkpoints": [asdict(c) for c in [*existing, checkpoint]]}
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
