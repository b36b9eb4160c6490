"""Verify the ledger: chain, checkpoints, laws, balances, append-only guards.

One pipeline, each stage adding problems to one report (an auditor needs every break):

1. Read every entry in seq order, streaming. Recompute each hash from the entry's content and
   check each link and seq (the chain), remember the hashes checkpoints refer to, and replay
   the movements (laws 1-3, and the balances for law 5).
2. If some entry was back-dated (its occurrence is earlier than one before it in seq order),
   replay again in occurrence order, since the laws are about occurrence order.
3. Compare the replayed balances with the stored ones (law 5) and the chain head with the last
   entry (truncation).
4. Check every checkpoint (stored, and from files kept by other parties): signature, ledger,
   the entry at its seq and that entry's hash (rewriting, truncation behind a checkpoint).
5. Check that the database still has its append-only guards (law 4).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, select

from wam.domain.chain import GENESIS, canonical_bytes, link
from wam.domain.errors import LedgerProblem
from wam.domain.holders import is_external
from wam.domain.laws import Replay
from wam.storage import tables as t
from wam.storage.schema import append_only_guards, expected_guards

from .signing import Checkpoint

FETCH = 20_000


@dataclass
class VerifyReport:
    entries: int = 0
    head_seq: int = 0
    head_hash: str = ""
    checkpoints_checked: int = 0
    problems: list[LedgerProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "checkpoints_checked": self.checkpoints_checked,
            "problems": [
                {"check": p.check, "seq": p.seq, "message": p.message, "item": p.item, "holder": p.holder}
                for p in self.problems
            ],
        }


def verify(engine: Engine, ledger_uuid: str, checkpoints: list[Checkpoint]) -> VerifyReport:
    """Run every check and return the report (never raises for a problem it finds)."""
    report = VerifyReport()
    problems = report.problems
    with engine.connect() as conn:
        codes = dict(conn.execute(select(t.holders.c.id, t.holders.c.code)).all())
        key_rows = conn.execute(select(t.items.c.id, t.items.c.key, t.items.c.shape)).all()
        keys = {r.id: r.key for r in key_rows}
        serial_keys = {r.key for r in key_rows if r.shape == "serial"}
        origins = dict(conn.execute(select(t.ledgers.c.id, t.ledgers.c.uuid)).all())
        wanted = {c.seq for c in checkpoints}
        wanted.update(conn.execute(select(t.checkpoints.c.seq)).scalars())
        found_hashes: dict[int, bytes] = {}
        replay = Replay(is_external, serial_keys.__contains__)
        in_order = _chain_pass(conn, codes, keys, origins, replay, wanted, found_hashes, report)
        if not in_order:
            replay = Replay(is_external, serial_keys.__contains__)
            _occurrence_pass(conn, codes, keys, replay)
        problems.extend(replay.problems)
        _compare_balances(conn, codes, keys, replay, problems)
        head = conn.execute(select(t.chain_head.c.seq, t.chain_head.c.hash).where(t.chain_head.c.id == 1)).first()
        last_seq = report.head_seq
        last_hash = bytes.fromhex(report.head_hash) if report.head_hash else GENESIS
        if head is None:
            problems.append(LedgerProblem("head", "the chain head is missing"))
        elif head.seq != last_seq or bytes(head.hash) != last_hash:
            problems.append(
                LedgerProblem("head", f"the chain head says entry {head.seq} but the ledger ends at entry {last_seq} (entries removed or added outside wam)")
            )
        stored = [
            Checkpoint(r.ledger_uuid, r.seq, r.head_hash, r.signed_at, r.public_key, r.signature)
            for r in conn.execute(select(t.checkpoints))
        ]
        public_key = conn.execute(select(t.ledgers.c.public_key).where(t.ledgers.c.uuid == ledger_uuid)).scalar()
    for source, group in (("stored", stored), ("file", checkpoints)):
        for cp in group:
            report.checkpoints_checked += 1
            problems.extend(_check_checkpoint(cp, source, ledger_uuid, public_key, last_seq, found_hashes))
    missing = expected_guards(engine.dialect.name) - append_only_guards(engine)
    for name in sorted(missing):
        problems.append(LedgerProblem("law 4", f"append-only guard {name} is missing from the database"))
    return report


def _chain_pass(conn: Connection, codes, keys, origins, replay: Replay, wanted, found_hashes, report: VerifyReport) -> bool:  # noqa: ANN001, PLR0913
    """Walk entries in seq order; return whether they were also in occurrence order."""
    problems = report.problems
    expected_seq, expected_prev = 1, GENESIS
    last_at = None
    in_order = True
    apply = replay.apply
    e = t.entries
    result = conn.execution_options(stream_results=True, yield_per=FETCH).execute(
        select(
            e.c.seq, e.c.origin_id, e.c.origin_seq, e.c.kind, e.c.item_id, e.c.quantity, e.c.source_id, e.c.target_id,
            e.c.occurred_at, e.c.recorded_at, e.c.actor, e.c.witness, e.c.document, e.c.note, e.c.reason,
            e.c.reverses, e.c.prev_hash, e.c.hash,
        ).order_by(e.c.seq)
    )
    count = 0
    for rows in result.partitions(FETCH):
        for (seq, origin_id, origin_seq, kind, item_id, qty, source_id, target_id, occurred, recorded,
             actor, witness, document, note, reason, reverses, prev_hash, digest) in rows:
            count += 1
            prev_hash, digest = bytes(prev_hash), bytes(digest)
            item, source, target = keys.get(item_id), codes.get(source_id), codes.get(target_id)
            if seq != expected_seq:
                what = "missing" if seq > expected_seq else "repeated"
                problems.append(LedgerProblem("chain", f"expected entry {expected_seq}, found {seq} (entries {what})", seq))
            if prev_hash != expected_prev:
                problems.append(LedgerProblem("chain", "does not link to the previous entry's hash (an entry before it was removed, inserted or rewritten)", seq))
            values = (seq, origins.get(origin_id), origin_seq, kind, item, qty, source, target, occurred, recorded,
                      actor, witness, document, note, reason, reverses)
            if link(prev_hash, canonical_bytes(values)) != digest:
                problems.append(LedgerProblem("chain", "content does not match its hash (the entry was altered)", seq, item, source))
            if seq in wanted:
                found_hashes[seq] = digest
            if last_at is not None and occurred < last_at:
                in_order = False
            else:
                last_at = occurred
            apply(seq, item, qty, source, target)
            expected_seq, expected_prev = seq + 1, digest
    report.entries = count
    report.head_seq = expected_seq - 1
    report.head_hash = expected_prev.hex() if count else ""
    return in_order


def _occurrence_pass(conn: Connection, codes, keys, replay: Replay) -> None:  # noqa: ANN001
    e = t.entries
    result = conn.execution_options(stream_results=True, yield_per=FETCH).execute(
        select(e.c.seq, e.c.item_id, e.c.quantity, e.c.source_id, e.c.target_id).order_by(e.c.occurred_at, e.c.seq)
    )
    for rows in result.partitions(FETCH):
        for seq, item_id, qty, source_id, target_id in rows:
            replay.apply(seq, keys.get(item_id), qty, codes.get(source_id), codes.get(target_id))


def _compare_balances(conn: Connection, codes, keys, replay: Replay, problems: list[LedgerProblem]) -> None:  # noqa: ANN001
    expected = replay.nonzero_balances()
    stored = {}
    for holder_id, item_id, qty in conn.execute(select(t.balances.c.holder_id, t.balances.c.item_id, t.balances.c.quantity)):
        if qty != 0:
            stored[(codes.get(holder_id), keys.get(item_id))] = qty
    for key in sorted(set(expected) | set(stored), key=str):
        want, have = expected.get(key, 0), stored.get(key, 0)
        if want != have:
            holder, item = key
            problems.append(
                LedgerProblem("law 5", f"stored balance {have} of {item} at {holder} differs from the replay ({want})", None, item, holder)
            )


def _check_checkpoint(cp: Checkpoint, source: str, ledger_uuid: str, public_key: str | None, last_seq: int, found: dict[int, bytes]) -> list[LedgerProblem]:
    where = f"{source} checkpoint at entry {cp.seq}"
    if cp.ledger != ledger_uuid:
        return [LedgerProblem("checkpoint", f"{where} belongs to another ledger ({cp.ledger})")]
    problems = []
    if not cp.signature_valid():
        problems.append(LedgerProblem("checkpoint", f"{where}: the signature is not valid", cp.seq))
    elif public_key and cp.public_key != public_key:
        problems.append(LedgerProblem("checkpoint", f"{where} was signed by a key that is not this ledger's", cp.seq))
    if cp.seq > last_seq:
        problems.append(LedgerProblem("checkpoint", f"{where}: the ledger ends at entry {last_seq}, so it was truncated behind a signed checkpoint", cp.seq))
    elif cp.seq > 0 and found.get(cp.seq, b"").hex() != cp.head_hash:
        problems.append(LedgerProblem("checkpoint", f"{where}: the entry's hash differs from the signed one (history was rewritten)", cp.seq))
    return problems
