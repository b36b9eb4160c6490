"""The records chain's tables (migration ``0008_records``; see :mod:`wam.domain.records`).

``records`` is append-only: the database refuses UPDATE, DELETE (and TRUNCATE on PostgreSQL).
``records_head`` is derived state kept in the same transaction as each append, like
``chain_head`` for the entries; ``wam verify`` recomputes it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, String, Table, Text

from wam.storage.tables import metadata

records = Table(
    "records",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(40), nullable=False),
    Column("ref", String(300), nullable=False),
    Column("body", Text, nullable=False),  # canonical JSON text
    Column("actor", String(100)),
    Column("recorded_at", BigInteger, nullable=False),  # microseconds since the epoch, UTC, the server's clock
    Column("prev_hash", LargeBinary(32), nullable=False),
    Column("hash", LargeBinary(32), nullable=False),
    Index("ix_records_kind_ref", "kind", "ref", "seq"),  # a thing's history
)

records_head = Table(
    "records_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", LargeBinary(32), nullable=False),
)
