"""The audit log: who was refused what, and who changed users and grants, when and from where.

Every denied access (403, and 404 from scope), every failed or throttled sign-in and every
administrative change (user created, password changed, user deactivated or reactivated,
grant added or revoked) is one row of ``audit_log``. The database refuses UPDATE and DELETE
on it (migration ``0007_audit``), and each row is chained to the one before with the ledger's
own hashing (:func:`wam.domain.chain.link` over :func:`wam.domain.chain.canonical_bytes`), so
a row changed or removed behind wam's back breaks the chain and :func:`verify_audit` (run by
``wam verify``) reports it. The chain is the audit log's own: it is not covered by the
ledger's signed checkpoints, so rewriting the whole log from some row on with recomputed
hashes is not detectable from the log alone (docs/security.md).

Administrative changes are appended inside the transaction that makes them (:func:`append`):
a change is never kept without its audit row, nor the reverse.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from wam.domain.chain import GENESIS, canonical_bytes, link
from wam.domain.errors import LedgerProblem
from wam.domain.timefmt import to_micros
from wam.storage.engine import write_connection
from wam.storage.security_tables import audit_log as log

# where the current request comes from, set by the web app for each request (after trusted
# proxies are resolved): rows appended without an explicit address get this one
ADDRESS: ContextVar[str] = ContextVar("wam_audit_address", default="-")
FIELDS = ("seq", "at", "actor", "action", "target", "detail", "address")
_LOCK = 0x7A0D17  # PostgreSQL advisory lock serialising appends to the audit chain
_CONTROL = {c: f"\\x{c:02x}" for c in range(32)}  # CR, LF and other controls are written escaped


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: int
    actor: str
    action: str
    target: str
    detail: str
    address: str
    prev_hash: bytes
    hash: bytes

    def as_dict(self) -> dict[str, object]:
        return {"seq": self.seq, "at": datetime.fromtimestamp(self.at / 1e6, UTC).isoformat(),
                "actor": self.actor, "action": self.action, "target": self.target, "detail": self.detail,
                "address": self.address, "hash": self.hash.hex()}


def clean(value: object, limit: int) -> str:
    """Text fit for the log: control characters (CR, LF, NUL, the chain's separators) escaped, bounded."""
    return str(value if value is not None else "-").translate(_CONTROL)[:limit] or "-"


def append(conn: Connection, *, action: str, actor: str | None, target: object = "-", detail: object = "",
           address: str | None = None, at: datetime | None = None) -> int:
    """Append one row inside the caller's write transaction; return its seq."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK})
    last = conn.execute(select(log.c.seq, log.c.hash).order_by(log.c.seq.desc()).limit(1)).first()
    seq, prev = (last.seq + 1, bytes(last.hash)) if last else (1, GENESIS)
    if not isinstance(detail, str):
        detail = json.dumps(detail, sort_keys=True, ensure_ascii=False)
    values = {"seq": seq, "at": to_micros(at or datetime.now(UTC)), "actor": clean(actor, 64),
              "action": clean(action, 40), "target": clean(target, 500),
              "detail": clean(detail, 2000) if detail else "",
              "address": clean(address or ADDRESS.get(), 64)}
    digest = link(prev, canonical_bytes(tuple(values[f] for f in FIELDS)))
    conn.execute(insert(log).values(**values, prev_hash=prev, hash=digest))
    return seq


def record(engine: Engine, **fields: object) -> int:
    """Append one row in a transaction of its own (a denied access, a failed sign-in)."""
    for attempt in range(5):
        try:
            with write_connection(engine) as conn, conn.begin():
                return append(conn, **fields)  # type: ignore[arg-type]
        except IntegrityError:  # another process appended the same seq first (no advisory lock on SQLite)
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def entries(conn: Connection, *, after: int = 0, limit: int | None = None) -> list[AuditEntry]:
    query = select(log).where(log.c.seq > after).order_by(log.c.seq)
    if limit is not None:
        query = query.limit(limit)
    return [_entry(r) for r in conn.execute(query)]


def last_entries(engine: Engine, last: int) -> list[AuditEntry]:
    """The last ``last`` rows of the audit log, oldest first (what `wam audit --last N` shows)."""
    with engine.connect() as conn:
        top = conn.execute(select(func.max(log.c.seq))).scalar() or 0
        return entries(conn, after=max(0, top - last))


def _entry(r: Row[Any]) -> AuditEntry:
    return AuditEntry(r.seq, r.at, r.actor, r.action, r.target, r.detail, r.address, bytes(r.prev_hash), bytes(r.hash))


def check_chain(rows: Iterable[AuditEntry]) -> list[LedgerProblem]:
    """Every break in the audit chain: a gap, a broken link, a row whose content does not match its hash."""
    problems: list[LedgerProblem] = []
    expected_seq, expected_prev = 1, GENESIS
    for row in rows:
        if row.seq != expected_seq:
            problems.append(LedgerProblem("audit",
                                          f"audit row {row.seq}: expected {expected_seq} (rows missing or repeated)"))
        if row.prev_hash != expected_prev:
            problems.append(LedgerProblem("audit", f"audit row {row.seq}: does not link to the row before it"))
        values = (row.seq, row.at, row.actor, row.action, row.target, row.detail, row.address)
        if link(row.prev_hash, canonical_bytes(values)) != row.hash:
            problems.append(LedgerProblem("audit", f"audit row {row.seq}: content does not match its hash (altered)"))
        expected_seq, expected_prev = row.seq + 1, row.hash
    return problems


def _guards(conn: Connection) -> set[str]:
    if conn.dialect.name == "sqlite":
        found = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"))
    else:
        found = conn.execute(text(
            "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT t.tgisinternal AND n.nspname = current_schema() AND c.relname = 'audit_log'"))
    return {r[0] for r in found}


GUARDS = {"sqlite": {"audit_log_no_update", "audit_log_no_delete"},
          "postgresql": {"audit_log_append_only", "audit_log_no_truncate"}}


def verify_audit(conn: Connection) -> list[LedgerProblem]:
    """Check the audit log: its chain from the first row to the last, and its append-only guards.

    A database made before the audit log existed (no table) has nothing to check.
    """
    if not inspect(conn).has_table("audit_log"):
        return []
    problems = check_chain(entries(conn))
    missing = GUARDS.get(conn.dialect.name, set()) - _guards(conn)
    if missing:
        problems.append(LedgerProblem("audit",
                                      f"the audit log's append-only guards are missing: {', '.join(sorted(missing))}"))
    return problems
