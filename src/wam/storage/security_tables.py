"""Tables of issue 9's protections: idempotency keys of retried writes, and the audit log.

``idempotency_keys`` (migration ``0007_idempotency``) holds, for each key a client sent with
a write, who sent it, a fingerprint of the request and the answer it got. The row is written
in the same transaction as the write it answers, so a crash keeps both or neither: a client
that never heard back can send the request again and is answered from here.

``audit_log`` (migration ``0007_audit``) records denied accesses, sign-in failures and
throttles, and administrative changes: who, what, when, from where. It is append-only (the
database refuses UPDATE, DELETE and TRUNCATE) and hash-chained like the entries, with a chain
of its own (``wam.services.audit``).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from wam.storage.tables import metadata

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("owner", String(80), nullable=False),  # the user's name (API) or "cli:<actor>"
    Column("key", String(200), nullable=False),
    Column("fingerprint", String(64), nullable=False),  # SHA-256 of method, path and canonical body
    Column("status", Integer, nullable=False),
    Column("body", Text, nullable=False),  # the answer, as JSON
    Column("created_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("owner", "key", name="pk_idempotency_keys"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", BigInteger, nullable=False),  # microseconds since the epoch, UTC
    Column("actor", String(64), nullable=False),  # a user's name, "-" when nobody is signed in
    Column("action", String(40), nullable=False),
    Column("target", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("address", String(64), nullable=False),
    Column("prev_hash", LargeBinary(32), nullable=False),
    Column("hash", LargeBinary(32), nullable=False),
)
