"""The holders' entry indexes carry the movement's other end (PostgreSQL: ``INCLUDE``).

``ix_entries_source_time`` gains ``target_id`` and ``ix_entries_target_time`` gains ``source_id``,
as included (non-key) columns, so that "the entries touching these holders" can be counted from
the two indexes alone (an index-only scan), each entry once: those leaving the holders, then
those entering them from elsewhere (wam.services.lists counts a list's total so,
wam.services.dashboard its movements per day). Without them, PostgreSQL read 18,000 heap pages
to count one store's ~8,800 pistol movements at 1,000,000 movements.

SQLite has no included columns and is left as it is (its lists count as before).

Revision ID: 0011_entry_ends
Revises: 0001
"""

from alembic import op

revision = "0011_entry_ends"
down_revision = "0001"
branch_labels = None
depends_on = None

KEYS = ["occurred_at", "item_id", "quantity"]


def _rebuild(include: bool) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for end, other in (("source", "target"), ("target", "source")):
        name = f"ix_entries_{end}_time"
        op.drop_index(name, "entries")
        op.create_index(name, "entries", [f"{end}_id", *KEYS],
                        postgresql_include=[f"{other}_id"] if include else [])


def upgrade() -> None:
    _rebuild(include=True)


def downgrade() -> None:
    _rebuild(include=False)
