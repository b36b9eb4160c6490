"""Signed checkpoints: a ledger's head, signed with Ed25519 and kept by another party.

A checkpoint says "ledger L had entry n with hash h, and record r with hash g, at time T",
signed by the ledger's key. Format v2 signs the records chain's head (``wam.services.records``:
holders, items, grants, documents) with the entries' head; a v1 checkpoint (entries only, from
before the records chain) carries no ``records_seq`` and still verifies as it was signed.
Whoever holds a copy (the mission's oversight body, the contributing country) can later ask
``wam verify --checkpoints FILE`` to prove that the history up to n was not rewritten, and that
the ledger was not truncated behind it.

Format v3 also numbers the checkpoints (1, 2, ...) and signs the hash of the previous one
(:func:`checkpoint_hash`), so the stored checkpoints form a chain of their own: one removed from
the middle leaves a gap, and the removal of the latest ones is seen against the key's record
(``wam.services.keys``) or a witness that holds a later one (``wam.services.witness``).

The file is JSON: ``{"format": "wam-checkpoints/v1", "checkpoints": [{...}, ...]}``; each
checkpoint carries the public key it was signed with, so the file can be checked alone.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wam.domain.errors import InvalidInput

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# cryptography is imported by the functions that sign and check: every command loads this module
# with the ledger, and a read such as `wam balance` must not pay for it (docs/benchmarks.md).

FORMAT = "wam-checkpoints/v1"  # the file's format: it holds checkpoints of v1, v2 and v3
_OPTIONAL = ("records_seq", "records_hash", "number", "prev_checkpoint")  # fields a v1 checkpoint lacks
FIRST_PREV = "0" * 64  # what checkpoint number 1 signs as its predecessor's hash


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
    number: int | None = None  # v3: 1, 2, ... per ledger and key (None before v3)
    prev_checkpoint: str | None = None  # v3: checkpoint_hash of number - 1 (FIRST_PREV for number 1)

    def message(self) -> bytes:
        return signed_message(self.ledger, self.seq, self.head_hash, self.signed_at, self.records_seq,
                              self.records_hash, self.number, self.prev_checkpoint)

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
                   records_hash: str | None = None, number: int | None = None,
                   prev_checkpoint: str | None = None) -> bytes:
    """The bytes signed: v1 without the records chain's head, v2 with it, v3 numbered and chained."""
    if number is not None:
        return (f"wam-checkpoint/v3\n{ledger}\n{seq}\n{head_hash}\n{signed_at}\n{records_seq}\n{records_hash}\n"
                f"{number}\n{prev_checkpoint}").encode()
    if records_seq is None:
        return f"wam-checkpoint/v1\n{ledger}\n{seq}\n{head_hash}\n{signed_at}".encode()
    return f"wam-checkpoint/v2\n{ledger}\n{seq}\n{head_hash}\n{signed_at}\n{records_seq}\n{records_hash}".encode()


def checkpoint_hash(cp: Checkpoint) -> str:
    """The hash the next checkpoint signs as ``prev_checkpoint``: SHA-256 of the signed message
    and the signature (so a checkpoint re-signed with another key has another hash)."""
    from hashlib import sha256

    try:
        signature = bytes.fromhex(cp.signature)
    except ValueError:
        signature = cp.signature.encode()
    return sha256(cp.message() + b"\n" + signature).hexdigest()


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """Load the ledger's signing key, creating it (readable by the owner only) if absent.

    Kept for tests and callers that name the key's path themselves; the command line chooses
    the path and the passphrase with :mod:`wam.services.keys`."""
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
         records_seq: int | None = None, records_hash: str | None = None, number: int | None = None,
         prev_checkpoint: str | None = None) -> Checkpoint:
    message = signed_message(ledger, seq, head_hash, signed_at, records_seq, records_hash, number, prev_checkpoint)
    return Checkpoint(ledger, seq, head_hash, signed_at, public_hex(key), key.sign(message).hex(), records_seq,
                      records_hash, number, prev_checkpoint)


_TYPES: dict[str, type | tuple[type, ...]] = {
    "ledger": str, "seq": int, "head_hash": str, "signed_at": int, "public_key": str, "signature": str,
    "records_seq": (int, type(None)), "records_hash": (str, type(None)), "number": (int, type(None)),
    "prev_checkpoint": (str, type(None)),
}


def from_dict(raw: object) -> Checkpoint:
    """A checkpoint from its JSON form; ValueError if a field is missing or of the wrong type."""
    if not isinstance(raw, dict):
        raise ValueError("a checkpoint is a JSON object")
    values: dict[str, Any] = {}
    for name, kind in _TYPES.items():
        if name not in raw:
            if name in _OPTIONAL:
                continue
            raise ValueError(f"the field {name} is missing")
        value = raw[name]
        if isinstance(value, bool) or not isinstance(value, kind):
            raise ValueError(f"the field {name} has the wrong type")
        values[name] = value
    return Checkpoint(**values)


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
            result.append(from_dict(raw))
        except ValueError:
            raise InvalidInput(f"checkpoint {number} in {path} is incomplete", field="checkpoints") from None
    return result


def append_to_file(path: Path, checkpoint: Checkpoint) -> None:
    """Add ``checkpoint`` to the file at ``path`` (created if missing), written atomically."""
    existing = read_file(path) if path.exists() else []
    body = {"format": FORMAT, "checkpoints": [asdict(c) for c in [*existing, checkpoint]]}
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:  # synced before the rename: a crash keeps the old file
        handle.write(json.dumps(body, indent=2) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)
