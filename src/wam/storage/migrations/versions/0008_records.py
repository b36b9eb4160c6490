"""The records chain: facts other than movements, append-only and hash-chained; checkpoints cover its head.

Revision ID: 0008_records
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_records"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLE = "records"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("ref", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("actor", sa.String(100)),
        sa.Column("recorded_at", sa.BigInteger, nullable=False),
        sa.Column("prev_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
    )
    op.create_index("ix_records_kind_ref", TABLE, ["kind", "ref", "seq"])
    head = op.create_table(
        "records_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": bytes(32)}])
    # signed checkpoints of format v2 also sign the records chain's head (wam.services.signing);
    # adding columns is not an UPDATE, so the checkpoints' guards allow it
    op.add_column("checkpoints", sa.Column("records_seq", sa.BigInteger))
    op.add_column("checkpoints", sa.Column("records_hash", sa.String(64)))
    for statement in guard_ddl(op.get_bind().dialect.name):
        op.execute(statement)


def guard_ddl(dialect: str) -> list[str]:
    """Triggers that make the database refuse UPDATE and DELETE (and TRUNCATE) on records,
    the pattern of migration 0005's guards, with a function of its own on PostgreSQL."""
    message = "records are append-only: append a new record instead"
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {TABLE}_no_{action.lower()} BEFORE {action} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            for action in ("UPDATE", "DELETE")
        ]
    return [
        "CREATE FUNCTION wam_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{message}'; END $$",
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION wam_records_append_only()",
        f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION wam_records_append_only()",
    ]


def downgrade() -> None:
    op.drop_column("checkpoints", "records_hash")
    op.drop_column("checkpoints", "records_seq")
    op.drop_table("records_head")
    op.drop_table(TABLE)  # drops its triggers with it
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION wam_records_append_only()")
