"""Tables of the web application's users: accounts, grants, sessions and sign-in attempts.

They live on the ledger's ``metadata`` but outside the ledger proper: users and grants change
(a grant is revoked by deleting it), while entries never do. The migration ``0002_auth``
creates them.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, String, Table

from wam.storage.tables import metadata

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

grants = Table(
    "grants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("role", String(20), nullable=False),
    Column("holder_id", Integer, ForeignKey("holders.id")),  # NULL with country NULL: everywhere
    Column("country", String(3)),
    Column("created_at", BigInteger, nullable=False),
    Column("created_by", String(64), nullable=False),
    Index("ix_grants_user", "user_id"),  # a user's grants, read on every request
)

# Cookie sessions and API tokens: only the SHA-256 of the secret is stored, so a copy of the
# database does not let anyone sign in.
sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("kind", String(10), nullable=False),  # "cookie" or "token"
    Column("label", String(100)),
    Column("csrf", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Index("ix_sessions_user", "user_id"),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False),
    Column("address", String(64), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("ok", Boolean, nullable=False),
    Index("ix_login_attempts_name_at", "name", "at"),  # failures for a name in the throttle window
    Index("ix_login_attempts_address_at", "address", "at"),  # failures from an address
)
