"""Where the ledger's signing key lives, and how it is protected (docs/security.md, "The signing key").

Whoever holds both the data and the key can re-sign a rewritten history, so the key is kept
apart from the data by default:

- the operator names it (``wam checkpoint --key PATH``, or ``WAM_SIGNING_KEY``), or
- it lives in the user's own configuration folder, one key per ledger:
  ``$WAM_KEY_DIR`` or ``$XDG_CONFIG_HOME/wam/keys`` or ``~/.config/wam/keys``, file
  ``<ledger uuid>.pem``, the folder 0700 and the file 0600.

A new key is never created inside the SQLite database's own folder (or below it), where a copy
of the folder would carry it along, unless the operator insists (``--key-beside-data`` or
``WAM_KEY_BESIDE_DATA=1``). A key can be protected by a passphrase (``WAM_KEY_PASSPHRASE``):
it is then written encrypted (PKCS#8 with cryptography's ``BestAvailableEncryption``) and read
with the same passphrase.

Beside the key, ``<key>.json`` records the public key and the last checkpoint signed with it
(number, entry, hash): ``wam verify`` compares the ledger with this record, so the removal of
the latest stored checkpoints, or a replaced public key, is reported even when nothing in the
database shows it. The record holds nothing secret and is read without the passphrase.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wam.domain.errors import InvalidInput

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from .signing import Checkpoint

LEGACY_SUFFIX = ".signing-key.pem"  # before issue 9: the key beside the SQLite file


class KeyRefused(InvalidInput):
    """The signing key cannot be used or created where asked (beside the data, wrong passphrase)."""


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def key_dir() -> Path:
    """The folder of per-ledger keys: ``WAM_KEY_DIR``, else the user's configuration folder."""
    if os.environ.get("WAM_KEY_DIR"):
        return Path(os.environ["WAM_KEY_DIR"])
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "wam" / "keys"


def default_path(ledger_uuid: str) -> Path:
    return key_dir() / f"{ledger_uuid}.pem"


def legacy_path(sqlite_file: str | None) -> Path | None:
    return Path(sqlite_file + LEGACY_SUFFIX) if sqlite_file else None


@dataclass(frozen=True, slots=True)
class KeyChoice:
    path: Path
    how: str  # "option", "environment", "beside the data (before issue 9)", "configuration folder"


def choose(ledger_uuid: str, sqlite_file: str | None, given: Path | None = None) -> KeyChoice:
    """The key's path: ``given`` (--key), else WAM_SIGNING_KEY, else an existing key beside the
    SQLite file (where wam kept it before issue 9; move it), else the configuration folder's."""
    if given is not None:
        return KeyChoice(Path(given), "option")
    if os.environ.get("WAM_SIGNING_KEY"):
        return KeyChoice(Path(os.environ["WAM_SIGNING_KEY"]), "environment")
    legacy = legacy_path(sqlite_file)
    if legacy is not None and legacy.exists():
        return KeyChoice(legacy, "beside the data (before issue 9)")
    return KeyChoice(default_path(ledger_uuid), "configuration folder")


def beside_data(path: Path, sqlite_file: str | None) -> bool:
    """Whether ``path`` is in the SQLite database's folder or below it."""
    if not sqlite_file or sqlite_file == ":memory:":
        return False
    folder = Path(sqlite_file).resolve().parent
    where = Path(path).resolve().parent
    return where == folder or folder in where.parents


def _passphrase(passphrase: str | None) -> bytes | None:
    text = passphrase if passphrase is not None else os.environ.get("WAM_KEY_PASSPHRASE")
    return text.encode() if text else None


def load(path: Path, passphrase: str | None = None) -> Ed25519PrivateKey:
    """Read a key (with the passphrase if it is protected by one)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    secret = _passphrase(passphrase)
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=secret)
    except TypeError:
        if secret is None:
            raise KeyRefused(f"the signing key {path} is protected by a passphrase: set WAM_KEY_PASSPHRASE",
                             field="key") from None
        raise KeyRefused(f"the signing key {path} is not protected by a passphrase: unset WAM_KEY_PASSPHRASE",
                         field="key") from None
    except ValueError:
        what = "the passphrase is wrong, or it" if secret is not None else "it"
        raise KeyRefused(f"cannot read the signing key {path}: {what} is not a PEM private key", field="key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyRefused(f"{path} is not an Ed25519 key", field="key")
    return key


def create(path: Path, *, sqlite_file: str | None = None, beside_ok: bool = False,
           passphrase: str | None = None) -> Ed25519PrivateKey:
    """Create a new key at ``path`` (never overwriting): 0600 in a 0700 folder made if missing,
    encrypted if a passphrase is given; refused in the database's folder unless ``beside_ok``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = Path(path)
    if beside_data(path, sqlite_file) and not (beside_ok or truthy(os.environ.get("WAM_KEY_BESIDE_DATA"))):
        raise KeyRefused(
            f"refusing to create the signing key {path} in the database's own folder: whoever copies the folder "
            "could re-sign a rewritten history. Choose a path on other media (--key or WAM_SIGNING_KEY), or insist "
            "with --key-beside-data", field="key")
    secret = _passphrase(passphrase)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(secret) if secret else serialization.NoEncryption())
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    return key


def load_or_create(path: Path, *, sqlite_file: str | None = None, beside_ok: bool = False,
                   passphrase: str | None = None) -> Ed25519PrivateKey:
    if Path(path).exists():
        return load(path, passphrase)
    return create(path, sqlite_file=sqlite_file, beside_ok=beside_ok, passphrase=passphrase)


# --- the key's record of what it signed -------------------------------------------------------------
def record_path(key_path: Path) -> Path:
    return Path(str(key_path) + ".json")


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """What the key's holder knows: the ledger, its public key, the last checkpoint signed."""

    ledger: str
    public_key: str
    number: int | None
    seq: int
    checkpoint_hash: str | None


def write_record(key_path: Path, cp: Checkpoint) -> None:
    """Remember ``cp`` as the last checkpoint signed with the key (atomically, beside it)."""
    from .signing import checkpoint_hash

    body = {"format": "wam-key-record/v1", "ledger": cp.ledger, "public_key": cp.public_key,
            "number": cp.number, "seq": cp.seq, "checkpoint_hash": checkpoint_hash(cp)}
    target = record_path(key_path)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, target)


def read_record(key_path: Path) -> KeyRecord | None:
    target = record_path(key_path)
    if not target.exists():
        return None
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
        return KeyRecord(str(data["ledger"]), str(data["public_key"]), data.get("number"), int(data["seq"]),
                         data.get("checkpoint_hash"))
    except (OSError, ValueError, KeyError, TypeError):
        raise InvalidInput(f"{target} is not a wam key record", field="key") from None
