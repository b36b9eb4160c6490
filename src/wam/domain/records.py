"""The records chain: facts other than movements, append-only and hash-chained.

A *record* says "at ``recorded_at``, ``actor`` recorded ``body`` about the ``kind`` thing
``ref``": a holder's name and parent, an item's serial and hazard division, a grant, a
register's document and each change of its state. Records are never changed; a new record of
the same ``kind`` and ``ref`` supersedes the one before, so the current state of a thing is
the body of its last record (:func:`replay`), and its history is every record of it.

Canonical bytes
    ``seq``, ``kind``, ``ref``, ``body``, ``actor``, ``recorded_at``, in that order, written as
    the entries' chain writes its fields (:func:`wam.domain.chain.canonical_bytes`): integers in
    decimal, an absent actor as NUL, joined by U+001F. ``body`` is the canonical JSON text of
    the record's mapping (:func:`canonical_json`: keys sorted, no spaces, UTF-8, no NaN), which
    escapes every control character, so no body can forge a separator; ``kind``, ``ref`` and
    ``actor`` are refused if they hold one (:func:`check_label`).

Linking
    ``hash = SHA-256(prev_hash || 0x1E || canonical bytes)`` from ``GENESIS`` (32 zero bytes),
    the entries' rule (:func:`wam.domain.chain.link`), in a chain of its own whose head the
    signed checkpoints also cover (``wam.services.signing``, checkpoint format v2).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from .chain import GENESIS, NONE, canonical_bytes, link
from .errors import InvalidInput, LedgerProblem
from .text import is_clean

FIELDS = ("seq", "kind", "ref", "body", "actor", "recorded_at")
LIMITS = {"kind": 40, "ref": 300, "actor": 100}


def canonical_json(body: Mapping[str, object]) -> str:
    """The one JSON text of ``body``: sorted keys, no spaces, non-ASCII kept, NaN refused.

    Values must be JSON's own (text, integers, floats, booleans, None, lists, mappings);
    decimals and times are the caller's to write as text or integers first.
    """
    try:
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"cannot be written as canonical JSON ({exc})", field="body") from None


def check_label(value: object, field: str, *, optional: bool = False) -> None:
    """Refuse a kind, ref or actor that is empty, too long or holds a separator of the chain."""
    if optional and value is None:
        return
    if not is_clean(value, LIMITS[field]):
        raise InvalidInput(f"must be text of 1 to {LIMITS[field]} characters, trimmed, without control separators",
                           field=field)


def record_bytes(seq: int, kind: str, ref: str, body: str, actor: str | None, recorded_at: int) -> bytes:
    """The canonical bytes of a record (``body`` as its canonical JSON text)."""
    return canonical_bytes((seq, kind, ref, body, actor, recorded_at))


def record_hash(prev_hash: bytes, seq: int, kind: str, ref: str, body: str, actor: str | None,
                recorded_at: int) -> bytes:
    return link(prev_hash, record_bytes(seq, kind, ref, body, actor, recorded_at))


def chain_rows(rows: Iterable[tuple[str, str, str, str | None]], *, seq: int, prev: bytes,
               recorded_at: int) -> list[tuple[int, str, str, str, str | None, int, bytes, bytes]]:
    """Number and hash (kind, ref, body text, actor) rows that follow the record ``seq`` whose
    hash is ``prev``: the stored rows, in :data:`FIELDS` order, then prev_hash and hash.

    One tight loop, :func:`record_hash` inlined (a bulk import chains hundreds of thousands).
    """
    out = []
    at = str(recorded_at)
    for kind, ref, body, actor in rows:
        seq += 1
        canonical = f"{seq}\x1f{kind}\x1f{ref}\x1f{body}\x1f{NONE if actor is None else actor}\x1f{at}".encode()
        digest = sha256(prev + b"\x1e" + canonical).digest()
        out.append((seq, kind, ref, body, actor, recorded_at, prev, digest))
        prev = digest
    return out


@dataclass(frozen=True, slots=True)
class Record:
    """One stored record; ``body`` is its canonical JSON text, :attr:`data` the mapping."""

    seq: int
    kind: str
    ref: str
    body: str
    actor: str | None
    recorded_at: int
    prev_hash: bytes
    hash: bytes

    @property
    def data(self) -> dict[str, Any]:
        value = json.loads(self.body)
        return value if isinstance(value, dict) else {}

    def content_hash(self) -> bytes:
        """The hash this record's content and prev_hash give (equal to ``hash`` unless altered)."""
        return record_hash(self.prev_hash, self.seq, self.kind, self.ref, self.body, self.actor, self.recorded_at)


def check_chain(records: Iterable[Record], *, found: dict[int, bytes] | None = None,
                wanted: set[int] | frozenset[int] = frozenset()) -> tuple[list[LedgerProblem], int, bytes]:
    """Every break in ``records`` (in seq order): a gap or repeat, a broken link, an altered record.

    Returns the problems, the last seq and the last hash (0 and GENESIS when empty); the hashes
    of the seqs in ``wanted`` (those signed checkpoints name) are put in ``found``.
    """
    problems: list[LedgerProblem] = []
    expected_seq, expected_prev = 1, GENESIS
    last_seq, last_hash = 0, GENESIS
    for record in records:
        if record.seq != expected_seq:
            what = "missing" if record.seq > expected_seq else "repeated or out of order"
            problems.append(LedgerProblem("records", f"record {record.seq}: expected record {expected_seq} "
                                                     f"(records {what})"))
        if record.prev_hash != expected_prev:
            problems.append(LedgerProblem("records", f"record {record.seq}: does not link to the record before it "
                                                     "(a record was removed, inserted or rewritten)"))
        try:
            intact = record.content_hash() == record.hash
        except (TypeError, ValueError, UnicodeError):
            intact = False
        if not intact:
            problems.append(LedgerProblem("records", f"record {record.seq}: content does not match its hash "
                                                     f"(the {record.kind} record of {record.ref} was altered)"))
        if found is not None and record.seq in wanted:
            found[record.seq] = record.hash
        expected_seq, expected_prev = record.seq + 1, record.hash
        last_seq, last_hash = record.seq, record.hash
    return problems, last_seq, last_hash


def replay(records: Iterable[Record], kinds: Iterable[str] | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    """The current state of each (kind, ref): the body of its last record (seq order)."""
    wanted = None if kinds is None else set(kinds)
    state: dict[tuple[str, str], dict[str, Any]] = {}
    for record in records:
        if wanted is None or record.kind in wanted:
            state[(record.kind, record.ref)] = record.data
    return state
