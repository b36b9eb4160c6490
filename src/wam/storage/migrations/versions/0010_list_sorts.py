"""The movements lists' sorts: indexes on (occurred_at, seq) and (quantity, seq).

A list past the count's cap (wam.services.lists) reads its page down the sort's index, checking
each entry against the user's holders, instead of gathering every matching entry to sort it.

Revision ID: 0010_list_sorts
Revises: 0001
"""

from alembic import op

revision = "0010_list_sorts"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_entries_time", "entries", ["occurred_at", "seq"])
    op.create_index("ix_entries_quantity", "entries", ["quantity", "seq"])


def downgrade() -> None:
    op.drop_index("ix_entries_quantity", "entries")
    op.drop_index("ix_entries_time", "entries")
