"""Keys and checkpoints: numbered, chained checkpoints; the ledger's public key fixed once set;
heads witnessed for other ledgers.

Revision ID: 0009_keys
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from wam.storage.schema import KEY_FIXED_PG_BODY, KEY_FIXED_SQLITE, witness_guard_ddl

revision = "0009_keys"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # each checkpoint carries its number and the hash of the one before it (wam.services.signing,
    # format v3), so a removed checkpoint leaves a gap; adding columns is not an UPDATE
    op.add_column("checkpoints", sa.Column("number", sa.BigInteger))
    op.add_column("checkpoints", sa.Column("prev_checkpoint", sa.String(64)))
    if dialect == "sqlite":
        op.execute(KEY_FIXED_SQLITE)
    else:
        op.execute(f"CREATE FUNCTION wam_key_fixed() RETURNS trigger LANGUAGE plpgsql AS $$ {KEY_FIXED_PG_BODY} $$")
        op.execute("CREATE TRIGGER ledgers_key_fixed BEFORE UPDATE ON ledgers FOR EACH ROW "
                   "EXECUTE FUNCTION wam_key_fixed()")
    # signed heads that other ledgers sent this instance to witness (POST /api/witness)
    op.create_table(
        "witnessed_heads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ledger_uuid", sa.String(36), nullable=False),
        sa.Column("number", sa.BigInteger),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("signed_at", sa.BigInteger, nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("records_seq", sa.BigInteger),
        sa.Column("records_hash", sa.String(64)),
        sa.Column("prev_checkpoint", sa.String(64)),
        sa.Column("received_at", sa.BigInteger, nullable=False),
        sa.Column("received_by", sa.String(64), nullable=False),
    )
    op.create_index("ix_witnessed_heads_ledger", "witnessed_heads", ["ledger_uuid", "number"])
    for statement in witness_guard_ddl(dialect):
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("checkpoints are never dropped by a migration")
