"""The audit log: denied accesses and administrative changes, append-only and hash-chained.

Revision ID: 0007_audit
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_audit"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLE = "audit_log"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
    )
    for statement in guard_ddl(op.get_bind().dialect.name):
        op.execute(statement)


GUARDS = {"sqlite": {"audit_log_no_update", "audit_log_no_delete"},
          "postgresql": {"audit_log_append_only", "audit_log_no_truncate"}}


def guard_ddl(dialect: str) -> list[str]:
    """Triggers that make the database refuse UPDATE and DELETE (and TRUNCATE) on the audit log,
    the pattern of migration 0005's guards."""
    message = "the audit log is append-only"
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {TABLE}_no_{action.lower()} BEFORE {action} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            for action in ("UPDATE", "DELETE")
        ]
    return [
        "CREATE FUNCTION wam_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{message}'; END $$",
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION wam_audit_append_only()",
        f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION wam_audit_append_only()",
    ]


def downgrade() -> None:
    op.drop_table(TABLE)
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION wam_audit_append_only()")
