"""Planner statistics on the items' ``lower(category)`` and ``lower(calibre)`` (PostgreSQL).

The lists filter on these expressions (wam.services.lists). Without statistics on them PostgreSQL
guesses that 0.5 % of the items match (28 pistols of 5,500, where there are 1,375), so at 1,000,000
movements it took a store's 8,800 pistol movements for 180 and, after one ``ANALYZE`` in two,
gathered all 36,000 of the store's movements to sort them for one page (110 ms) instead of walking
the time index to the page's 50 (1 ms). ``CREATE STATISTICS`` on an expression (PostgreSQL 14 and
later) gives ``ANALYZE`` the expression's common values; nothing is written when an item is.

SQLite has no such statistics and is left as it is.

Revision ID: 0012_item_statistics
Revises: 0001
"""

from alembic import op

revision = "0012_item_statistics"
down_revision = "0001"
branch_labels = None
depends_on = None

EXPRESSIONS = {"items_lower_category": "lower(category)", "items_lower_calibre": "lower(calibre)"}


def _postgresql_14() -> bool:
    bind = op.get_bind()
    return bind.dialect.name == "postgresql" and (bind.dialect.server_version_info or (0,)) >= (14,)


def upgrade() -> None:
    if _postgresql_14():
        for name, expression in EXPRESSIONS.items():
            op.execute(f"CREATE STATISTICS IF NOT EXISTS {name} ON ({expression}) FROM items")
        op.execute("ANALYZE items")


def downgrade() -> None:
    if _postgresql_14():
        for name in EXPRESSIONS:
            op.execute(f"DROP STATISTICS IF EXISTS {name}")
