"""The ``confirmations`` table: the receiving side's word that a movement arrived.

A transfer is recorded by the side that sends it; someone at the receiving
end confirms the receipt. A confirmation is evidence, like an entry: the migration
``0005_confirmations`` makes the database refuse UPDATE and DELETE on it (and TRUNCATE on
PostgreSQL), and a unique index lets a movement be confirmed once only, even when two people
press the button at the same moment.

The table sits outside the hash chain: a confirmation says something about an entry, it does
not change custody. ``entry_seq`` is the entry's position in this database (``entries.seq``);
it carries no foreign key, so that the ledger tables keep the shape the tamper tests and the
bulk loader expect (the service only ever confirms an entry it has just read).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, Table, Text

from wam.storage import auth_tables  # noqa: F401  (users, which user_id refers to, on the same metadata)
from wam.storage.tables import metadata

confirmations = Table(
    "confirmations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("entry_seq", BigInteger, nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("confirmed_at", BigInteger, nullable=False),  # microseconds since the epoch, UTC
    Column("note", Text),
    # one confirmation per movement; also "is it confirmed?" for each pending candidate
    Index("uq_confirmations_entry", "entry_seq", unique=True),
)

APPEND_ONLY = ("confirmations",)
