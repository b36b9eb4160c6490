"""Idempotency keys: a write retried with the same key records nothing new.

A client whose connection drops after the server committed cannot tell whether its movement
was recorded. It sends its writes with a key of its choosing (the ``Idempotency-Key`` header,
``wam move --idempotency-key``); the answer to the first request is stored under the key, in
the same transaction as the write itself (:func:`remember`, called by the ledger once the
movement is posted), so a crash keeps both or neither. A retry with the same key and the same
request is answered from the store; the same key with a different request is refused.

Keys belong to whoever sent them (the user's name, ``cli:<actor>`` on the command line): two
users never see each other's answers. Only successful writes are stored: a refused request
wrote nothing, so its retry is simply checked again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from wam.domain.errors import InvalidInput, WamError
from wam.domain.timefmt import to_micros
from wam.storage.security_tables import idempotency_keys as k

if TYPE_CHECKING:
    from wam.domain.movements import Entry, Movement

    from .ledger import Ledger

FIELD = "Idempotency-Key"
MAX_KEY = 200


class KeyInUse(WamError):
    """Another request with this key was recorded first (concurrent retries): answer from the store."""

    code = "posting_rejected"

    def __init__(self, key: str) -> None:
        super().__init__(f"a request with the idempotency key {key!r} was recorded first")
        self.key = key


@dataclass(frozen=True, slots=True)
class Stored:
    fingerprint: str
    status: int
    body: str


def check_key(key: str) -> str:
    """Refuse an unusable key (empty, too long, not printable ASCII)."""
    if not key or len(key) > MAX_KEY or not all(" " < ch < "\x7f" for ch in key):
        raise InvalidInput(f"use 1-{MAX_KEY} printable ASCII characters without spaces", field=FIELD)
    return key


def fingerprint(method: str, path: str, body: bytes | str | object) -> str:
    """SHA-256 of the request: method, path and body (JSON compared by content, not spacing)."""
    if isinstance(body, (bytes, str)):
        try:
            canonical = json.dumps(json.loads(body or "null"), sort_keys=True, separators=(",", ":"))
        except ValueError:
            canonical = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    else:
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method.upper()}\x1f{path}\x1f{canonical}".encode()).hexdigest()


def lookup(engine: Engine, owner: str, key: str) -> Stored | None:
    with engine.connect() as conn:
        row = conn.execute(select(k.c.fingerprint, k.c.status, k.c.body).where(
            k.c.owner == owner, k.c.key == key)).first()
    return None if row is None else Stored(row.fingerprint, row.status, row.body)


def replay(stored: Stored | None, fp: str) -> Stored | None:
    """The stored answer to return for a request with fingerprint ``fp``; refuse a different request."""
    if stored is not None and stored.fingerprint != fp:
        raise InvalidInput("this Idempotency-Key was already used for a different request: "
                           "use a new key for a new request", field=FIELD)
    return stored


def remember(conn: Connection, owner: str, key: str, fp: str, status: int, body: str) -> None:
    """Store the answer inside the write's own transaction; KeyInUse when the key is taken."""
    try:  # a failed insert aborts the transaction; the ledger posts the others again without this one
        conn.execute(insert(k).values(owner=owner, key=key, fingerprint=fp, status=status, body=body,
                                      created_at=to_micros(datetime.now(UTC))))
    except IntegrityError:
        raise KeyInUse(key) from None


def remember_alone(engine: Engine, owner: str, key: str, fp: str, status: int, body: str) -> None:
    """Store the answer of a write that committed in a transaction of its own, just after it."""
    from wam.storage.engine import write_connection

    with write_connection(engine) as conn, conn.begin():
        remember(conn, owner, key, fp, status, body)


def post_once(ledger: Ledger, movement: Movement, *, owner: str, key: str, request: object,
              answer: Callable[[Entry], dict[str, Any]]) -> tuple[dict[str, Any], bool]:
    """Post ``movement`` under ``key`` (the command line's retries); return (answer, replayed).

    ``request`` is what identifies the request (the command's arguments); ``answer(entry)``
    the JSON-able answer stored with the entry, in its transaction, and given back to a retry.
    """
    check_key(key)
    fp = fingerprint("POST", "wam move", request)
    found = replay(lookup(ledger.engine, owner, key), fp)
    if found is not None:
        return json.loads(found.body), True

    def then(conn: Connection, entry: Entry) -> None:
        remember(conn, owner, key, fp, 201, json.dumps(answer(entry)))

    try:
        entry = ledger.post(movement, then=then)
    except WamError:  # a concurrent retry may have been recorded first: its answer is ours
        found = replay(lookup(ledger.engine, owner, key), fp)
        if found is None:
            raise
        return json.loads(found.body), True
    return answer(entry), False
