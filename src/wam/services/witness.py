"""Witnesses: signed heads sent away as they are made, and the ledger checked against them later.

``wam checkpoint --witness DEST`` sends each new signed checkpoint to every DEST:

- a **directory** (another disk, a mounted share, a USB key): the checkpoint is appended to
  ``DEST/<ledger uuid>.checkpoints.json`` (the checkpoint file format, written atomically);
- a **file** ending in ``.json``: appended to it;
- an **http(s) URL** of another wam instance: ``POST {URL}/api/witness`` with the bearer token
  in ``WAM_WITNESS_TOKEN`` (an account there with the ``witness`` or ``administrator`` role).
  That instance checks the signature and keeps the head, append-only (:func:`accept`).

``wam verify --witness DEST`` reads the heads back (``GET {URL}/api/witness/{ledger}`` for a
URL) and checks the ledger against every one of them (:mod:`wam.services.trust`, ``verify``).

A witness refuses (``WitnessConflict``) a head that contradicts what it already holds for the
ledger: another public key (the key was replaced), another checkpoint with the same number (a
fork), or a head that goes backwards (fewer entries than an earlier-numbered head).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from wam.domain.errors import InvalidInput, WamError
from wam.storage import tables as t
from wam.storage.engine import write_connection

from . import signing
from .trust import stored_checkpoint

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from .signing import Checkpoint

TIMEOUT = 15  # seconds for one witness over HTTP


class WitnessConflict(WamError):
    """A witness refuses a head that contradicts one it holds (another key, a fork, a head going back)."""

    code = "witness_conflict"


class WitnessUnreachable(InvalidInput):
    """A witness could not be written to or read from (``.field`` names the destination)."""


def is_url(dest: str) -> bool:
    return dest.startswith(("http://", "https://"))


def file_for(dest: str, ledger_uuid: str) -> Path:
    """The checkpoint file a directory or file destination means for this ledger."""
    path = Path(dest)
    if path.suffix == ".json" and not path.is_dir():
        return path
    return path / f"{ledger_uuid}.checkpoints.json"


def _request(url: str, *, body: bytes | None = None) -> object:
    headers = {"Accept": "application/json"}
    token = os.environ.get("WAM_WITNESS_TOKEN")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310  (http(s) only: is_url)
            return json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read()).get("error", {}).get("message", "")
        except (ValueError, AttributeError):
            detail = ""
        raise WitnessUnreachable(f"the witness {url} answered {exc.code} {detail}".strip(), field=url) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise WitnessUnreachable(f"cannot reach the witness {url}: {exc}", field=url) from None


def send(dest: str, cp: Checkpoint) -> str:
    """Send ``cp`` to the witness ``dest``; return where it went."""
    if is_url(dest):
        url = dest.rstrip("/") + "/api/witness"
        _request(url, body=json.dumps(asdict(cp)).encode())
        return url
    path = file_for(dest, cp.ledger)
    try:
        if not path.parent.is_dir():
            raise OSError(f"the folder {path.parent} does not exist")
        signing.append_to_file(path, cp)
    except OSError as exc:
        raise WitnessUnreachable(f"cannot write to the witness {path}: {exc}", field=str(dest)) from None
    return str(path)


def fetch(dest: str, ledger_uuid: str) -> list[Checkpoint]:
    """The heads the witness ``dest`` holds for ``ledger_uuid`` (an error if it holds none)."""
    if is_url(dest):
        url = f"{dest.rstrip('/')}/api/witness/{ledger_uuid}"
        data = _request(url)
        raw = data.get("checkpoints") if isinstance(data, dict) else None
        if not isinstance(raw, list):
            raise WitnessUnreachable(f"the witness {url} did not answer a list of checkpoints", field=url)
        try:
            heads = [signing.from_dict(item) for item in raw]
        except ValueError as exc:
            raise WitnessUnreachable(f"the witness {url} answered a malformed checkpoint: {exc}", field=url) from None
    else:
        path = file_for(dest, ledger_uuid)
        if not path.exists():
            raise WitnessUnreachable(f"the witness {path} holds no checkpoint of this ledger", field=str(dest))
        heads = signing.read_file(path)
    return [cp for cp in heads if cp.ledger == ledger_uuid]


# --- the witness's side: POST /api/witness -------------------------------------------------------------
def accept(engine: Engine, cp: Checkpoint, *, by: str, received_at: int) -> bool:
    """Keep a head sent by another ledger; False if it was held already. Refuses a bad signature
    (InvalidInput) and a head that contradicts those held (WitnessConflict)."""
    if not cp.signature_valid():
        raise InvalidInput("the checkpoint's signature is not valid", field="signature")
    with write_connection(engine) as conn, conn.begin():
        held = [stored_checkpoint(r) for r in conn.execute(
            select(t.witnessed_heads).where(t.witnessed_heads.c.ledger_uuid == cp.ledger)).mappings()]
        digest = signing.checkpoint_hash(cp)
        if any(signing.checkpoint_hash(h) == digest for h in held):
            return False
        for h in held:
            if h.public_key != cp.public_key:
                raise WitnessConflict(f"ledger {cp.ledger} signed its earlier heads with another key: its key was "
                                      "replaced, or this head is forged")
            if cp.number is not None and h.number == cp.number:
                raise WitnessConflict(f"another checkpoint numbered {cp.number} of ledger {cp.ledger} is held: a fork")
            if h.number is not None and cp.number is not None and (
                    (h.number < cp.number and h.seq > cp.seq) or (h.number > cp.number and h.seq < cp.seq)):
                raise WitnessConflict(f"checkpoint {cp.number} of ledger {cp.ledger} (entry {cp.seq}) goes back "
                                      f"behind checkpoint {h.number} (entry {h.seq}): the ledger was truncated")
        values = asdict(cp)
        values["ledger_uuid"] = values.pop("ledger")
        conn.execute(insert(t.witnessed_heads).values(**values, received_at=received_at, received_by=by[:64]))
    return True


def heads(engine: Engine, ledger_uuid: str) -> list[Checkpoint]:
    """The heads held for ``ledger_uuid``, in the order received."""
    with engine.connect() as conn:
        rows = conn.execute(select(t.witnessed_heads).where(t.witnessed_heads.c.ledger_uuid == ledger_uuid)
                            .order_by(t.witnessed_heads.c.id)).mappings()
        return [stored_checkpoint(r) for r in rows]
