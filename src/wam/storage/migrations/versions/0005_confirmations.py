"""Confirmations of receipt, append-only like the ledger.

Revision ID: 0005_confirmations
Revises: 0001 (and needs 0002_auth's users)
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_confirmations"
down_revision = "0001"
branch_labels = None
depends_on = "0002_auth"

TABLE = "confirmations"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entry_seq", sa.BigInteger, nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("confirmed_at", sa.BigInteger, nullable=False),
        sa.Column("note", sa.Text),
    )
    op.create_index("uq_confirmations_entry", TABLE, ["entry_seq"], unique=True)
    for statement in guard_ddl(op.get_bind().dialect.name):
        op.execute(statement)


def guard_ddl(dialect: str) -> list[str]:
    """Triggers that make the database refuse UPDATE and DELETE (and TRUNCATE) on confirmations.

    The same pattern as migration 0001's guards of the ledger tables, with a function of its
    own on PostgreSQL so that its message fits (a confirmation is not undone by a reversal).
    """
    message = "confirmations are append-only: a confirmed receipt stays confirmed"
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {TABLE}_no_{action.lower()} BEFORE {action} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            for action in ("UPDATE", "DELETE")
        ]
    return [
        "CREATE FUNCTION wam_confirmations_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{message}'; END $$",
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION wam_confirmations_append_only()",
        f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION wam_confirmations_append_only()",
    ]


def downgrade() -> None:
    op.drop_table(TABLE)  # drops its triggers with it
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION wam_confirmations_append_only()")
