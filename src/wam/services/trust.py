"""What ``wam verify`` checks about keys, checkpoints and guards, beyond the chain itself.

- **The checkpoints' own chain** (format v3, :mod:`wam.services.signing`): the stored checkpoints
  are numbered 1, 2, ... and each signs the hash of the one before, so one removed from the middle
  leaves a gap, one replaced breaks the link, and two different ones with one number are a fork.
- **Anchors held outside the database**: the key's record of the last checkpoint it signed
  (:mod:`wam.services.keys`), heads kept by witnesses (:mod:`wam.services.witness`) and checkpoint
  files, and a pinned public key. A checkpoint they hold that the database no longer stores shows
  that the latest stored checkpoints were deleted; a public key they hold that differs from the
  ledger's shows that the ledger's key was replaced (or set to NULL).
- **The guards by definition**: a trigger of the right name that does not do what wam's does
  (:func:`wam.storage.schema.altered_guards`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from wam.domain.errors import LedgerProblem
from wam.storage import tables as t
from wam.storage.schema import altered_guards

from .signing import FIRST_PREV, Checkpoint, checkpoint_hash

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from .keys import KeyRecord


@dataclass
class Anchors:
    """What verify compares the database with, held apart from it."""

    key_record: KeyRecord | None = None  # beside the signing key
    public_key: str | None = None  # pinned by the operator (--public-key, WAM_PUBLIC_KEY)
    witnessed: list[Checkpoint] = field(default_factory=list)  # from witnesses (--witness)


def next_number(conn: Connection, ledger_uuid: str, public_key: str, record: KeyRecord | None) -> tuple[int, str]:
    """The number and ``prev_checkpoint`` of the next checkpoint: after the latest stored one of
    this ledger and key, or after the key's record when that is later (the stored ones were
    removed: the gap then stays visible in the stored chain)."""
    rows = conn.execute(
        select(t.checkpoints).where(t.checkpoints.c.ledger_uuid == ledger_uuid,
                                    t.checkpoints.c.public_key == public_key,
                                    t.checkpoints.c.number.is_not(None))
        .order_by(t.checkpoints.c.number.desc()).limit(1)).mappings().all()
    number, prev = 0, FIRST_PREV
    if rows:
        latest = stored_checkpoint(rows[0])
        number, prev = latest.number or 0, checkpoint_hash(latest)
    if (record is not None and record.ledger == ledger_uuid and record.public_key == public_key
            and record.number is not None and record.number > number and record.checkpoint_hash):
        number, prev = record.number, record.checkpoint_hash
    return number + 1, prev


def stored_checkpoint(row: Any) -> Checkpoint:  # noqa: ANN401  (a row mapping of checkpoints or witnessed_heads)
    return Checkpoint(row["ledger_uuid"], row["seq"], row["head_hash"], row["signed_at"], row["public_key"],
                      row["signature"], row["records_seq"], row["records_hash"], row["number"],
                      row["prev_checkpoint"])


def _span(numbers: list[int]) -> str:
    return str(numbers[0]) if len(numbers) == 1 else f"{numbers[0]} to {numbers[-1]}"


def check_checkpoint_chain(stored: Iterable[Checkpoint], ledger_uuid: str) -> list[LedgerProblem]:
    """Gaps, broken links and forks among the stored numbered checkpoints of this ledger."""
    problems: list[LedgerProblem] = []
    by_number: dict[int, dict[str, Checkpoint]] = {}
    for cp in stored:
        if cp.ledger == ledger_uuid and cp.number is not None:
            by_number.setdefault(cp.number, {})[checkpoint_hash(cp)] = cp
    if not by_number:
        return problems
    last = max(by_number)
    missing = [n for n in range(1, last + 1) if n not in by_number]
    runs: list[list[int]] = []
    for n in missing:
        if runs and runs[-1][-1] == n - 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    for run in runs:
        problems.append(LedgerProblem(
            "checkpoint", f"stored checkpoint number {_span(run)} is missing: checkpoints were deleted "
                          f"(the stored ones run to number {last})"))
    for number in sorted(by_number):
        versions = by_number[number]
        cp = next(iter(versions.values()))
        if len(versions) > 1:
            problems.append(LedgerProblem(
                "checkpoint", f"{len(versions)} different checkpoints are numbered {number} (one was replaced, or "
                              "the ledger was signed twice from one state: a fork)", cp.seq))
        before = by_number.get(number - 1)
        expected = {FIRST_PREV} if number == 1 else (set(before) if before else None)
        for version in versions.values():
            if expected is not None and version.prev_checkpoint not in expected:
                problems.append(LedgerProblem(
                    "checkpoint", f"stored checkpoint number {number} does not sign the hash of checkpoint "
                                  f"{number - 1}: one of them was replaced", version.seq))
    return problems


def check_anchors(stored: list[Checkpoint], ledger_uuid: str, public_key: str | None, anchors: Anchors,
                  files: Iterable[Checkpoint] = ()) -> list[LedgerProblem]:
    """Compare the database's checkpoints and public key with what is held outside it."""
    problems: list[LedgerProblem] = []
    own_stored = [cp for cp in stored if cp.ledger == ledger_uuid]
    outside = [("witness", cp) for cp in anchors.witnessed if cp.ledger == ledger_uuid]
    outside += [("file", cp) for cp in files if cp.ledger == ledger_uuid]
    record = anchors.key_record if anchors.key_record and anchors.key_record.ledger == ledger_uuid else None

    if public_key is None and (own_stored or outside or record):
        problems.append(LedgerProblem(
            "key", "the ledger has no public key (NULL) though checkpoints were signed for it: the key was removed"))
    known: list[tuple[str, str]] = []
    if anchors.public_key:
        known.append(("the pinned public key", anchors.public_key.lower()))
    if record is not None:
        known.append(("the signing key's record", record.public_key))
    known += sorted({(f"a {source}'s checkpoint", cp.public_key) for source, cp in outside if cp.signature_valid()})
    if public_key is not None:
        for who, key in known:
            if key != public_key:
                other = "" if who.startswith("the") else f" (or {who[2:]} was not signed by this ledger)"
                problems.append(LedgerProblem(
                    "key", f"the ledger's public key {public_key[:16]}… differs from {who} ({key[:16]}…): "
                           f"the ledger's key was replaced{other}"))

    stored_hashes: dict[int, set[str]] = {}
    for cp in own_stored:
        if cp.number is not None:
            stored_hashes.setdefault(cp.number, set()).add(checkpoint_hash(cp))
    last_stored = max(stored_hashes, default=0)
    held: list[tuple[str, int, int, str | None]] = [
        (f"a {source}", cp.number, cp.seq, checkpoint_hash(cp)) for source, cp in outside
            if cp.number is not None and cp.signature_valid()]
    if record is not None and record.number is not None:
        held.append(("the signing key's record", record.number, record.seq, record.checkpoint_hash))
    reported: set[tuple[str, int]] = set()
    for who, number, seq, digest in sorted(held, key=lambda h: (h[1], h[0])):
        if number > last_stored and (who, number) not in reported:
            reported.add((who, number))
            problems.append(LedgerProblem(
                "checkpoint", f"checkpoint number {number} (entry {seq}), held by {who}, is not among the stored "
                              f"checkpoints (they end at number {last_stored}): the latest checkpoints were deleted",
                seq))
        elif number in stored_hashes and digest not in stored_hashes[number]:
            problems.append(LedgerProblem(
                "checkpoint", f"checkpoint number {number} held by {who} differs from the stored one (replaced)",
                seq))
    return problems


def check_guard_definitions(engine: Engine) -> list[LedgerProblem]:
    return [LedgerProblem("law 4", f"guard {name} is not as wam defines it (it may do nothing): the database has "
                                   f"{definition[:300]}")
            for name, definition in altered_guards(engine)]
