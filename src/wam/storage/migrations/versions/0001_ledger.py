"""The custody ledger: ledgers, holders, items, entries, balances, chain head, checkpoints.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APPEND_ONLY = ("entries", "checkpoints")


def upgrade() -> None:
    op.create_table(
        "ledgers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("is_local", sa.Boolean, nullable=False),
        sa.Column("public_key", sa.String(64)),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "holders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("holders.id")),
        sa.Column("country", sa.String(3)),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("external", sa.Boolean, nullable=False),
    )
    op.create_index("ix_holders_parent", "holders", ["parent_id"])
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("shape", sa.String(10), nullable=False),
        sa.Column("make", sa.String(100), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("serial", sa.String(64)),
        sa.Column("lot", sa.String(64)),
        sa.Column("category", sa.String(60)),
        sa.Column("calibre", sa.String(40)),
        sa.Column("country_of_manufacture", sa.String(3)),
        sa.Column("year_of_manufacture", sa.Integer),
        sa.Column("markings", sa.Text),
        sa.Column("hazard_division", sa.String(4)),
        sa.Column("compatibility_group", sa.String(1)),
        sa.Column("neq_kg", sa.String(32)),
        sa.Column("condition", sa.String(20)),
    )
    op.create_index("ix_items_serial", "items", ["serial"])
    op.create_table(
        "entries",
        sa.Column("seq", BigId, primary_key=True, autoincrement=False),
        sa.Column("origin_id", sa.Integer, sa.ForeignKey("ledgers.id"), nullable=False),
        sa.Column("origin_seq", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False),
        sa.Column("quantity", sa.BigInteger, nullable=False),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("holders.id"), nullable=False),
        sa.Column("target_id", sa.Integer, sa.ForeignKey("holders.id"), nullable=False),
        sa.Column("occurred_at", sa.BigInteger, nullable=False),
        sa.Column("recorded_at", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("witness", sa.String(100)),
        sa.Column("document", sa.String(200)),
        sa.Column("note", sa.Text),
        sa.Column("reason", sa.String(40)),
        sa.Column("reverses", sa.String(100)),
        sa.Column("prev_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
    )
    op.create_index("uq_entries_origin", "entries", ["origin_id", "origin_seq"], unique=True)
    op.create_index("ix_entries_item_time", "entries", ["item_id", "occurred_at", "seq"])
    op.create_index("ix_entries_source_time", "entries", ["source_id", "occurred_at", "item_id", "quantity"])
    op.create_index("ix_entries_target_time", "entries", ["target_id", "occurred_at", "item_id", "quantity"])
    op.create_index("ix_entries_reverses", "entries", ["reverses"], sqlite_where=sa.text("reverses IS NOT NULL"),
                    postgresql_where=sa.text("reverses IS NOT NULL"))
    op.create_table(
        "balances",
        sa.Column("holder_id", sa.Integer, sa.ForeignKey("holders.id"), primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), primary_key=True),
        sa.Column("quantity", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_balances_item", "balances", ["item_id"])
    op.create_table(
        "chain_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
    )
    op.create_table(
        "checkpoints",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ledger_uuid", sa.String(36), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("signed_at", sa.BigInteger, nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
    )
    for statement in append_only_ddl(op.get_bind().dialect.name):
        op.execute(statement)


def append_only_ddl(dialect: str) -> list[str]:
    """Triggers that make the database itself refuse UPDATE and DELETE on ledger tables."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: record a reversal instead'); END"
            for table in APPEND_ONLY
            for action in ("UPDATE", "DELETE")
        ]
    statements = [
        "CREATE FUNCTION wam_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION '% is append-only: record a reversal instead', TG_TABLE_NAME; END $$"
    ]
    for table in APPEND_ONLY:
        statements.append(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION wam_append_only()"
        )
        statements.append(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION wam_append_only()"
        )
    return statements


def downgrade() -> None:
    raise NotImplementedError("the ledger is never dropped by a migration")
