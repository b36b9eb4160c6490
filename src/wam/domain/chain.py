"""The hash chain that makes the ledger tamper-evident.

Genesis
    The first entry (seq 1) links to ``GENESIS``, 32 zero bytes.

Canonical bytes
    Every stored field of an entry, in the fixed order of :data:`FIELDS`, as text, joined by
    U+001F and encoded as UTF-8. Integers (seq, quantity, times in microseconds) are written in
    decimal; an absent optional field as a single NUL, which no stored text may contain (the
    domain refuses U+001E, U+001F and NUL in any text), so an absent value and an empty text
    written into the database behind wam's back differ. Holders and
    items appear by their codes and keys, never by a database's surrogate ids, so the same
    entry has the same bytes in every database.

    A fixed field order is used instead of JSON with sorted keys: it is as canonical (one
    byte string per entry) and several times faster, which matters at millions of entries.

Linking
    ``hash = SHA-256(prev_hash || 0x1E || canonical bytes)``, and ``prev_hash`` of entry n is
    the ``hash`` of entry n-1. Changing any byte of any entry changes its hash; rewriting the
    hash too breaks the next entry's link; rewriting everything after it is caught by signed
    checkpoints kept by another party (see ``wam.services.signing``).

Verification
    :func:`verify_chain` walks the entries in seq order and reports every problem: a gap or
    repeat in seq, a broken link, a hash that does not match the content.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from hashlib import sha256

from .errors import LedgerProblem
from .movements import Entry

GENESIS = bytes(32)

FIELDS = (
    "seq",
    "origin",
    "origin_seq",
    "kind",
    "item",
    "quantity",
    "source",
    "target",
    "occurred_at",
    "recorded_at",
    "actor",
    "witness",
    "document",
    "note",
    "reason",
    "reverses",
)

_SEP = "\x1f"
NONE = "\x00"  # the text of an absent value: NUL, which no stored text may contain


def canonical_bytes(values: tuple[object, ...]) -> bytes:
    """Return the canonical bytes of an entry given its values in :data:`FIELDS` order."""
    return _SEP.join([NONE if v is None else v if type(v) is str else str(v) for v in values]).encode("utf-8")


def entry_values(entry: Entry) -> tuple[object, ...]:
    """Return an entry's values in :data:`FIELDS` order."""
    return (
        entry.seq,
        entry.origin,
        entry.origin_seq,
        entry.kind,
        entry.item,
        entry.quantity,
        entry.source,
        entry.target,
        entry.occurred_at,
        entry.recorded_at,
        entry.actor,
        entry.witness,
        entry.document,
        entry.note,
        entry.reason,
        entry.reverses,
    )


def link(prev_hash: bytes, canonical: bytes) -> bytes:
    """Return the hash of an entry whose canonical bytes are ``canonical``."""
    return sha256(prev_hash + b"\x1e" + canonical).digest()


def entry_hash(entry: Entry) -> bytes:
    """Recompute an entry's hash from its content and its ``prev_hash``."""
    return link(entry.prev_hash, canonical_bytes(entry_values(entry)))


def verify_chain(entries: Iterable[Entry], *, start_seq: int = 1,
                 start_hash: bytes = GENESIS) -> Iterator[LedgerProblem]:
    """Yield every break in ``entries`` (in seq order), not just the first.

    Args:
        entries: the entries in ascending seq order.
        start_seq: the seq the first entry must have.
        start_hash: the hash the first entry must link to.
    """
    expected_seq, expected_prev = start_seq, start_hash
    for entry in entries:
        if entry.seq != expected_seq:
            what = "missing" if entry.seq > expected_seq else "repeated or out of order"
            yield LedgerProblem("chain", f"expected seq {expected_seq}, found {entry.seq} (entries {what})", entry.seq)
        if entry.prev_hash != expected_prev:
            yield LedgerProblem("chain", "prev_hash does not match the previous entry's hash", entry.seq)
        if entry_hash(entry) != entry.hash:
            yield LedgerProblem("chain", "content does not match its hash (the entry was altered)", entry.seq)
        expected_seq, expected_prev = entry.seq + 1, entry.hash
