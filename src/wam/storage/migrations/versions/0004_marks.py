"""Monthly balance marks, for fast balances at a past date.

Revision ID: 0004_marks
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_marks"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mark_sets",
        sa.Column("holder_id", sa.Integer, sa.ForeignKey("holders.id"), primary_key=True),
        sa.Column("boundary", sa.BigInteger, primary_key=True, autoincrement=False),
    )
    op.create_table(
        "balance_marks",
        sa.Column("holder_id", sa.Integer, sa.ForeignKey("holders.id"), primary_key=True),
        sa.Column("boundary", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), primary_key=True),
        sa.Column("quantity", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("balance_marks")
    op.drop_table("mark_sets")
