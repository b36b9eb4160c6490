"""A partial index of the transfers' seqs: the movements that may await a confirmation of receipt.

Only a transfer awaits confirmation (wam.services.confirmations). The home page and the dashboard
count what awaits the user (up to 1,000) and list the oldest; without this index they walked every
entry from the low-water mark in seq order to find the transfers among them: at ten million
movements, of which 2,121 transfers, 0.5 s for the mission's WAM officer (docs/benchmarks.md,
"Dashboard at 10 million movements"). Partial: only a transfer writes to it.

Revision ID: 0013_transfers
Revises: 0012_item_statistics
"""

from alembic import op
from sqlalchemy import text

revision = "0013_transfers"
down_revision = "0012_item_statistics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    where = text("kind = 'transfer'")
    op.create_index("ix_entries_transfers", "entries", ["seq"], sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    op.drop_index("ix_entries_transfers", "entries")
