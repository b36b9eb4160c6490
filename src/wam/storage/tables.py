"""The tables, as SQLAlchemy Core metadata.

The ledger tables (``entries``, ``checkpoints``) are append-only: the migrations install
triggers that refuse UPDATE and DELETE in the database itself. ``balances`` and ``chain_head``
are derived state kept in the same transaction as each entry; ``wam verify`` recomputes both.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData()

# SQLite makes only "INTEGER PRIMARY KEY" a rowid alias; keep BIGINT on PostgreSQL.
BigId = BigInteger().with_variant(Integer(), "sqlite")

ledgers = Table(
    "ledgers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("is_local", Boolean, nullable=False),
    Column("public_key", String(64)),
    Column("created_at", BigInteger, nullable=False),
)

holders = Table(
    "holders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("parent_id", Integer, ForeignKey("holders.id")),
    Column("country", String(3)),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("external", Boolean, nullable=False),
    Index("ix_holders_parent", "parent_id"),  # children of a holder: the tree page and subtree scopes
)

items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(300), nullable=False, unique=True),
    Column("type", String(20), nullable=False),
    Column("shape", String(10), nullable=False),
    Column("make", String(100), nullable=False),
    Column("model", String(100), nullable=False),
    Column("serial", String(64)),
    Column("lot", String(64)),
    Column("category", String(60)),
    Column("calibre", String(40)),
    Column("country_of_manufacture", String(3)),
    Column("year_of_manufacture", Integer),
    Column("markings", Text),
    Column("hazard_division", String(4)),
    Column("compatibility_group", String(1)),
    Column("neq_kg", String(32)),  # exact decimal text; SQLite has no decimal type
    Column("condition", String(20)),
    Index("ix_items_serial", "serial"),  # look-up by serial alone (scanner input, recovered materiel)
)

entries = Table(
    "entries",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=False),
    Column("origin_id", Integer, ForeignKey("ledgers.id"), nullable=False),
    Column("origin_seq", BigInteger, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("item_id", Integer, ForeignKey("items.id"), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("source_id", Integer, ForeignKey("holders.id"), nullable=False),
    Column("target_id", Integer, ForeignKey("holders.id"), nullable=False),
    Column("occurred_at", BigInteger, nullable=False),
    Column("recorded_at", BigInteger, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("witness", String(100)),
    Column("document", String(200)),
    Column("note", Text),
    Column("reason", String(40)),
    Column("reverses", String(100)),
    Column("prev_hash", LargeBinary(32), nullable=False),
    Column("hash", LargeBinary(32), nullable=False),
    # an entry's global id is unique
    Index("uq_entries_origin", "origin_id", "origin_seq", unique=True),
    # an item's custody history, and its holder at a moment (law 1, back-dating checks)
    Index("ix_entries_item_time", "item_id", "occurred_at", "seq"),
    # balance of a holder at a past date: covering indexes on both sides of the movement; on
    # PostgreSQL each carries the other end, so a holder set's entries are counted from the two
    # indexes alone (lists' totals, the dashboard's days: migration 0011_entry_ends)
    Index("ix_entries_source_time", "source_id", "occurred_at", "item_id", "quantity"),
    Index("ix_entries_target_time", "target_id", "occurred_at", "item_id", "quantity"),
    # the movements lists' sorts (by date, by quantity): a large list walks one of them and stops at
    # its page (wam.services.lists), where gathering its entries to sort them would take seconds
    Index("ix_entries_time", "occurred_at", "seq"),
    Index("ix_entries_quantity", "quantity", "seq"),
    # which entry reverses a given one (a movement may be reversed only once); partial, as
    # reversals are rare and every other entry would only make the index slower to write
    Index("ix_entries_reverses", "reverses", sqlite_where=text("reverses IS NOT NULL")),
    # the transfers, the only movements that await a confirmation of receipt (migration 0013_transfers)
    Index("ix_entries_transfers", "seq", sqlite_where=text("kind = 'transfer'")),
)

# The PostgreSQL options of the entries' indexes, as the migrations create them (0001, 0011, 0013).
# They are attached when a PostgreSQL engine is made (wam.storage.engine), not here: naming one in
# ``Index(...)`` loads SQLAlchemy's PostgreSQL dialect to check it, a tenth of the start-up of every
# command on SQLite (`wam balance`, issue 8). The bulk load rebuilds these indexes from this metadata.
_POSTGRESQL_INDEX_OPTIONS: dict[str, dict[str, object]] = {
    "ix_entries_source_time": {"include": ["target_id"]},
    "ix_entries_target_time": {"include": ["source_id"]},
    "ix_entries_reverses": {"where": text("reverses IS NOT NULL")},
    "ix_entries_transfers": {"where": text("kind = 'transfer'")},
}


def add_postgresql_options() -> None:
    """Give the entries' indexes their PostgreSQL options (idempotent; loads the dialect)."""
    for index in entries.indexes:
        for key, value in _POSTGRESQL_INDEX_OPTIONS.get(str(index.name), {}).items():
            index.dialect_options["postgresql"][key] = value

balances = Table(
    "balances",
    metadata,
    Column("holder_id", Integer, ForeignKey("holders.id"), primary_key=True),
    Column("item_id", Integer, ForeignKey("items.id"), primary_key=True),
    Column("quantity", BigInteger, nullable=False),
    Index("ix_balances_item", "item_id"),  # who holds a serialised item now
)

chain_head = Table(
    "chain_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", LargeBinary(32), nullable=False),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ledger_uuid", String(36), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("head_hash", String(64), nullable=False),
    Column("signed_at", BigInteger, nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("signature", String(128), nullable=False),
    # format v2 (migration 0008_records): the records chain's head, signed with the entries' head
    Column("records_seq", BigInteger),
    Column("records_hash", String(64)),
    # format v3 (migration 0009_keys): numbered, each signing the hash of the one before
    Column("number", BigInteger),
    Column("prev_checkpoint", String(64)),
)

# heads that other ledgers sent this instance to witness (POST /api/witness, migration 0009_keys):
# append-only, kept as received, so that their ledger can later be checked against them
witnessed_heads = Table(
    "witnessed_heads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ledger_uuid", String(36), nullable=False),
    Column("number", BigInteger),
    Column("seq", BigInteger, nullable=False),
    Column("head_hash", String(64), nullable=False),
    Column("signed_at", BigInteger, nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("signature", String(128), nullable=False),
    Column("records_seq", BigInteger),
    Column("records_hash", String(64)),
    Column("prev_checkpoint", String(64)),
    Column("received_at", BigInteger, nullable=False),
    Column("received_by", String(64), nullable=False),
    Index("ix_witnessed_heads_ledger", "ledger_uuid", "number"),
)

APPEND_ONLY_TABLES = ("entries", "checkpoints")

# Monthly marks of each holder's balances, so that a balance at a past date sums at most a
# month of movements. Derived data like ``balances``: a mark set (holder, boundary) holds the
# holder's non-zero balances over every entry that occurred before ``boundary``; posting a
# movement that occurred before a holder's boundary deletes that holder's later marks.
mark_sets = Table(
    "mark_sets",
    metadata,
    Column("holder_id", Integer, ForeignKey("holders.id"), primary_key=True),
    Column("boundary", BigInteger, primary_key=True, autoincrement=False),
)

balance_marks = Table(
    "balance_marks",
    metadata,
    Column("holder_id", Integer, ForeignKey("holders.id"), primary_key=True),
    Column("boundary", BigInteger, primary_key=True, autoincrement=False),
    Column("item_id", Integer, ForeignKey("items.id"), primary_key=True),
    Column("quantity", BigInteger, nullable=False),
)
