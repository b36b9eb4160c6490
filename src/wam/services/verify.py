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
6. Check the records chain (holders, items, grants, documents: ``wam.services.records``) and
   the records' heads that v2 checkpoints sign, and the audit log's own chain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from hashlib import sha256

from sqlalchemy import Connection, Engine, select

from wam.domain.chain import GENESIS, NONE
from wam.domain.errors import LedgerProblem
from wam.domain.holders import is_external
from wam.domain.laws import Replay
from wam.storage import tables as t
from wam.storage.schema import append_only_guards, expected_guards

from .assessments import verify_assessments
from .audit import verify_audit
from .confirmation_records import verify_confirmations
from .documents import verify_documents
from .facts import verify_facts
from .records import check_records
from .signing import Checkpoint
from .trust import Anchors, check_anchors, check_checkpoint_chain, check_guard_definitions, stored_checkpoint
from .verify_rules import rule_problems
from .verify_storage import storage_problems

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


def verify(engine: Engine, ledger_uuid: str, checkpoints: list[Checkpoint], anchors: Anchors | None = None) -> VerifyReport:
    """Run every check and return the report (never raises for a problem it finds). ``anchors``:
    what is held outside the database (key record, witnessed heads, pinned key: services/trust.py)."""
    anchors = anchors if anchors is not None else Anchors()
    report = VerifyReport()
    problems = report.problems
    with engine.connect() as conn:
        codes = dict(conn.execute(select(t.holders.c.id, t.holders.c.code)).all())
        key_rows = conn.execute(select(t.items.c.id, t.items.c.key, t.items.c.shape)).all()
        keys = {r.id: r.key for r in key_rows}
        serial_keys = {r.key for r in key_rows if r.shape == "serial"}
        origins = dict(conn.execute(select(t.ledgers.c.id, t.ledgers.c.uuid)).all())
        wanted = {c.seq for c in [*checkpoints, *anchors.witnessed]}
        wanted.update(conn.execute(select(t.checkpoints.c.seq)).scalars())
        head = conn.execute(select(t.chain_head.c.seq, t.chain_head.c.hash).where(t.chain_head.c.id == 1)).first()
        head_seq = head.seq if head is not None else 0
        tables = (codes, keys, origins, wanted)
        found_hashes: dict[int, bytes] = {}
        with _ChainCheck(engine, conn, tables, head_seq) as chain:
            replay = Replay(is_external, serial_keys.__contains__)
            in_order = _replay_pass(conn, codes, keys, replay, "seq")
            if not in_order:
                replay = Replay(is_external, serial_keys.__contains__)
                _replay_pass(conn, codes, keys, replay, "occurred_at, seq")
            chain.collect(report, found_hashes)
        problems.extend(replay.problems)
        problems.extend(rule_problems(conn))  # the rules that read no state, once per distinct kind of entry
        problems.extend(storage_problems(conn))  # the storage rules, against the state each entry was posted in
        _compare_balances(conn, codes, keys, replay, problems)
        last_seq = report.head_seq
        last_hash = bytes.fromhex(report.head_hash) if report.head_hash else GENESIS
        if head is None:
            problems.append(LedgerProblem("head", "the chain head is missing"))
        elif head.seq != last_seq or bytes(head.hash) != last_hash:
            problems.append(
                LedgerProblem("head", f"the chain head says entry {head.seq} but the ledger ends at entry {last_seq} (entries removed or added outside wam)")
            )
        stored = [stored_checkpoint(r) for r in conn.execute(select(t.checkpoints)).mappings()]
        records_found: dict[int, bytes] = {}
        wanted_records = {c.records_seq for c in [*stored, *checkpoints, *anchors.witnessed] if c.records_seq is not None}
        records_problems, records_last = check_records(conn, wanted=wanted_records, found=records_found)
        problems.extend(records_problems)
        problems.extend(verify_facts(conn))  # holders, items, users, grants against their records
        public_key = conn.execute(select(t.ledgers.c.public_key).where(t.ledgers.c.uuid == ledger_uuid)).scalar()
        problems.extend(verify_audit(conn))  # the audit log's own chain and guards (wam.services.audit)
        problems.extend(verify_confirmations(conn))  # each confirmation against its record (records chain)
        problems.extend(verify_documents(conn))  # documents replay, citations resolve (wam.services.documents)
        problems.extend(verify_assessments(conn))  # site security assessments replay (wam.services.assessments)
    for source, group in (("stored", stored), ("file", checkpoints), ("witnessed", anchors.witnessed)):
        for cp in group:
            report.checkpoints_checked += 1
            problems.extend(_check_checkpoint(cp, source, ledger_uuid, public_key, last_seq, found_hashes))
            if cp.ledger == ledger_uuid and cp.records_seq is not None:
                problems.extend(_check_records_head(cp, source, records_last, records_found))
    problems.extend(check_checkpoint_chain(stored, ledger_uuid))  # numbered checkpoints: gaps, links, forks
    problems.extend(check_anchors(stored, ledger_uuid, public_key, anchors, checkpoints))
    problems.extend(check_guard_definitions(engine))  # a guard of the right name that does nothing
    missing = expected_guards(engine.dialect.name) - append_only_guards(engine)
    for name in sorted(missing):
        problems.append(LedgerProblem("law 4", f"append-only guard {name} is missing from the database"))
    return report


_COLUMNS = ("seq, origin_id, origin_seq, kind, item_id, quantity, source_id, target_id, occurred_at, recorded_at, "
            "actor, witness, document, note, reason, reverses, prev_hash, hash")


def _raw_rows(conn: Connection, sql: str):  # noqa: ANN202
    """Stream rows straight from the driver: SQLAlchemy's row objects cost more than the
    hashing itself at millions of entries. PostgreSQL uses a server-side cursor."""
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        cursor = raw.cursor(name="wam_verify")
        cursor.itersize = FETCH
    else:
        cursor = raw.cursor()
        cursor.arraysize = FETCH
    cursor.execute(sql)
    try:
        while rows := cursor.fetchmany(FETCH):
            yield from rows
    finally:
        cursor.close()


@dataclass
class _RangeResult:
    """What hashing one range of seqs found; ranges are joined by their boundary hashes."""

    lo: int
    count: int = 0
    first_seq: int | None = None
    first_prev: bytes | None = None
    last_seq: int = 0
    last_hash: bytes = GENESIS
    problems: list[LedgerProblem] = field(default_factory=list)
    found: dict[int, bytes] = field(default_factory=dict)


def _hash_range(conn: Connection, tables, lo: int, hi: int | None) -> _RangeResult:  # noqa: ANN001
    """Check seq continuity, links and content hashes of the entries with lo <= seq < hi.

    The first range (lo = 1) has no lower bound and the last no upper one, so that an entry
    whose seq was changed to anything at all is still read and reported.
    """
    codes, keys, origins, wanted = tables
    result = _RangeResult(lo)
    problems = result.problems
    expected_seq, expected_prev = lo, None
    digest = GENESIS
    seq = lo - 1
    bounds = ([f"seq >= {int(lo)}"] if lo > 1 else []) + ([f"seq < {int(hi)}"] if hi is not None else [])
    where = ("WHERE " + " AND ".join(bounds)) if bounds else ""
    for row in _raw_rows(conn, f"SELECT {_COLUMNS} FROM entries {where} ORDER BY seq"):
        result.count += 1
        seq = row[0]
        try:
            (_, origin_id, origin_seq, kind, item_id, qty, source_id, target_id, occurred, recorded,
             actor, witness, document, note, reason, reverses, prev_hash, digest) = row
            if type(prev_hash) is not bytes:
                prev_hash, digest = bytes(prev_hash), bytes(digest)
            if expected_prev is None:
                result.first_prev = expected_prev = prev_hash
                result.first_seq = seq
            if seq != expected_seq:
                what = "missing" if seq > expected_seq else "repeated"
                problems.append(LedgerProblem("chain", f"expected entry {expected_seq}, found {seq} (entries {what})", seq))
            if prev_hash != expected_prev:
                problems.append(LedgerProblem("chain", "does not link to the previous entry's hash (an entry before it was removed, inserted or rewritten)", seq))
            item, source, target = keys.get(item_id), codes.get(source_id), codes.get(target_id)
            # canonical_bytes, inlined: the same text for every value (tested against it)
            canonical = (
                f"{seq}\x1f{origins.get(origin_id, NONE)}\x1f{origin_seq}\x1f{kind}\x1f{NONE if item is None else item}\x1f"
                f"{qty}\x1f{NONE if source is None else source}\x1f{NONE if target is None else target}\x1f{occurred}\x1f"
                f"{recorded}\x1f{actor}\x1f{NONE if witness is None else witness}\x1f"
                f"{NONE if document is None else document}\x1f{NONE if note is None else note}\x1f"
                f"{NONE if reason is None else reason}\x1f{NONE if reverses is None else reverses}"
            ).encode()
            if sha256(prev_hash + b"\x1e" + canonical).digest() != digest:
                problems.append(LedgerProblem("chain", "content does not match its hash (the entry was altered)", seq, item, source))
            if seq in wanted:
                result.found[seq] = digest
        except (TypeError, ValueError, KeyError, UnicodeError) as exc:
            problems.append(LedgerProblem("chain", f"holds a value of the wrong type, so it cannot be checked ({exc})", seq))
            digest = row[17] if isinstance(row[17], bytes) else b""
        if not isinstance(seq, int):
            seq = expected_seq
        expected_seq, expected_prev = seq + 1, digest
    result.last_seq, result.last_hash = expected_seq - 1, digest
    return result


def _hash_range_in_child(url: str, tables, lo: int, hi: int | None) -> _RangeResult:  # noqa: ANN001
    from wam.storage.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return _hash_range(conn, tables, lo, hi)
    finally:
        engine.dispose()


PARALLEL_MIN = 200_000  # below this, one process hashes faster than starting two


def _can_fork() -> bool:
    """Fork only a single-threaded process (the command line), never a server with threads:
    a fork copies locks held by other threads. The children open their own connections and
    leave with ``os._exit``, so the parent's inherited connections are never touched."""
    import os
    import threading

    return hasattr(os, "fork") and threading.active_count() == 1


class _ChainCheck:
    """Hash the chain while the caller replays: in two worker processes for a large ledger
    (hashing is the costly half and the ranges are independent but for their boundary), else
    in this process when collected."""

    def __init__(self, engine: Engine, conn: Connection, tables, head_seq: int) -> None:  # noqa: ANN001
        self.conn, self.tables = conn, tables
        self.pool = None
        self.futures = []
        if head_seq >= PARALLEL_MIN and _can_fork():
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            url = engine.url.render_as_string(hide_password=False)
            middle = head_seq // 2 + 1
            self.pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork"))
            self.futures = [self.pool.submit(_hash_range_in_child, url, tables, 1, middle),
                            self.pool.submit(_hash_range_in_child, url, tables, middle, None)]

    def __enter__(self) -> _ChainCheck:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def collect(self, report: VerifyReport, found: dict[int, bytes]) -> None:
        results = [f.result() for f in self.futures] if self.futures else [_hash_range(self.conn, self.tables, 1, None)]
        expected_prev = GENESIS
        for number, part in enumerate(results):
            if number == 0 and part.count and part.first_prev != GENESIS:
                report.problems.append(LedgerProblem("chain", "does not link to the previous entry's hash (an entry before it was removed, inserted or rewritten)", part.first_seq))
            if number > 0 and part.count and part.first_prev != expected_prev:
                report.problems.append(LedgerProblem("chain", "does not link to the previous entry's hash (an entry before it was removed, inserted or rewritten)", part.first_seq))
            report.problems.extend(part.problems)
            found.update(part.found)
            report.entries += part.count
            if part.count:
                expected_prev = part.last_hash
                report.head_seq = part.last_seq
        report.problems.sort(key=lambda p: (p.seq is None, p.seq or 0))
        report.head_hash = expected_prev.hex() if report.entries else ""


def _replay_pass(conn: Connection, codes, keys, replay: Replay, order: str) -> bool:  # noqa: ANN001
    """Replay the movements in ``order``; return whether seq order was also occurrence order."""
    rows = _raw_rows(conn, f"SELECT seq, item_id, quantity, source_id, target_id, occurred_at FROM entries ORDER BY {order}")
    return replay.apply_rows(rows, keys, codes)


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


def _check_records_head(cp: Checkpoint, source: str, last_seq: int, found: dict[int, bytes]) -> list[LedgerProblem]:
    """The records chain's head that a v2 checkpoint signed: still there, with the same hash."""
    where = f"{source} checkpoint at entry {cp.seq}"
    records_seq = cp.records_seq or 0
    if records_seq > last_seq:
        return [LedgerProblem("checkpoint", f"{where}: the records chain ends at record {last_seq}, so records were "
                                            f"removed behind the signed record {records_seq}", cp.seq)]
    signed = GENESIS.hex() if records_seq == 0 else found.get(records_seq, b"").hex()
    if signed != cp.records_hash:
        return [LedgerProblem("checkpoint", f"{where}: record {records_seq}'s hash differs from the signed one "
                                            "(the records were rewritten)", cp.seq)]
    return []
