"""Reference data from public sources: operations, strength, deployments, fatalities.

Revision ID: 0003_reference
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_reference"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ref_operations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("acronym", sa.String(40), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("start", sa.Date),
        sa.Column("end", sa.Date),
        sa.Column("active", sa.Boolean),
        sa.Column("hq", sa.String(200)),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("host_country", sa.String(3)),
        sa.Column("source", sa.String(40), nullable=False),
        sa.UniqueConstraint("acronym", "source", name="uq_ref_operations"),
    )
    op.create_table(
        "ref_strength",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("mission", sa.String(40), nullable=False),
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("contingent", sa.String(64)),
        sa.Column("troops", sa.Integer),
        sa.Column("police", sa.Integer),
        sa.Column("experts", sa.Integer),
        sa.Column("total", sa.Integer),
        sa.Column("source", sa.String(40), nullable=False),
        sa.UniqueConstraint("mission", "country", "month", "source", name="uq_ref_strength"),
    )
    op.create_table(
        "ref_mission_strength",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("mission", sa.String(40), nullable=False),
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("contributors", sa.Integer),
        sa.Column("troops", sa.Integer),
        sa.Column("police", sa.Integer),
        sa.Column("observers", sa.Integer),
        sa.Column("total", sa.Integer),
        sa.Column("source", sa.String(40), nullable=False),
        sa.UniqueConstraint("mission", "month", "source", name="uq_ref_mission_strength"),
    )
    op.create_table(
        "ref_deployments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("mission", sa.String(40), nullable=False),
        sa.Column("site", sa.String(200), nullable=False),
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("part", sa.Integer,
                  nullable=False),  # the nth row for this site, month and map (a place may have two)
        sa.Column("slot", sa.Integer, nullable=False),
        sa.Column("country", sa.String(3)),
        sa.Column("site_holder", sa.String(64)),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("troops", sa.Integer),
        sa.Column("source_map", sa.String(100), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.UniqueConstraint("mission", "site", "month", "source_map", "part", "slot", "source",
                            name="uq_ref_deployments"),
    )
    op.create_table(
        "ref_fatalities",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, nullable=False),
        sa.Column("casualty_id", sa.String(40)),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("mission", sa.String(40), nullable=False),
        sa.Column("nationality", sa.String(3)),
        sa.Column("nationality_name", sa.String(100)),
        sa.Column("gender", sa.String(1)),
        sa.Column("personnel_type", sa.String(60)),
        sa.Column("incident_type", sa.String(60)),
        sa.Column("source", sa.String(40), nullable=False),
        sa.UniqueConstraint("source_id", "source", name="uq_ref_fatalities"),
    )


def downgrade() -> None:
    for table in ("ref_fatalities", "ref_deployments", "ref_mission_strength", "ref_strength", "ref_operations"):
        op.drop_table(table)
