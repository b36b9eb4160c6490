"""Reference data beside the ledger: operations, strength over time, deployments, fatalities.

These tables hold facts read from public data (Geo-PKO, IPI Providing for Peacekeeping, the UN
Peace and Security Data Hub). They are not part of the hash chain: they are context for the
ledger, above all the *denominator* of loss rates (how many personnel a contingent had, when).

Every table has a natural unique key, so an import can be run twice: rows whose key is already
present are left alone (insert-if-absent). Months are stored as the first day of the month.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Float, Integer, String, Table, UniqueConstraint

from .tables import metadata

operations = Table(
    "ref_operations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("acronym", String(40), nullable=False),
    Column("name", String(300), nullable=False),
    Column("start", Date),
    Column("end", Date),
    Column("active", Boolean),
    Column("hq", String(200)),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("host_country", String(3)),
    Column("source", String(40), nullable=False),
    UniqueConstraint("acronym", "source", name="uq_ref_operations"),
)

strength = Table(
    "ref_strength",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("mission", String(40), nullable=False),
    Column("country", String(3), nullable=False),  # the contributing country (ISO 3166 alpha-3)
    Column("month", Date, nullable=False),
    Column("contingent", String(64)),  # holder code of the contingent, when the ledger has one
    Column("troops", Integer),
    Column("police", Integer),
    Column("experts", Integer),
    Column("total", Integer),
    Column("source", String(40), nullable=False),  # geopko | ipi
    UniqueConstraint("mission", "country", "month", "source", name="uq_ref_strength"),
)

mission_strength = Table(
    "ref_mission_strength",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("mission", String(40), nullable=False),
    Column("month", Date, nullable=False),
    Column("contributors", Integer),
    Column("troops", Integer),
    Column("police", Integer),
    Column("observers", Integer),
    Column("total", Integer),
    Column("source", String(40), nullable=False),
    UniqueConstraint("mission", "month", "source", name="uq_ref_mission_strength"),
)

deployments = Table(
    "ref_deployments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("mission", String(40), nullable=False),
    Column("site", String(200), nullable=False),  # the location as written in the source
    Column("month", Date, nullable=False),
    Column("part", Integer, nullable=False),  # the nth row for this site, month and map (a place may have two)
    Column("slot", Integer, nullable=False),  # the n of TCCn in Geo-PKO (0: the site row itself)
    Column("country", String(3)),  # contributing country; None for the site row or an unknown TCC
    Column("site_holder", String(64)),  # holder code of the site, when the ledger has one
    Column("latitude", Float),
    Column("longitude", Float),
    Column("troops", Integer),
    Column("source_map", String(100), nullable=False),
    Column("source", String(40), nullable=False),
    UniqueConstraint("mission", "site", "month", "source_map", "part", "slot", "source", name="uq_ref_deployments"),
)

fatalities = Table(
    "ref_fatalities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, nullable=False),  # the file's id
    Column("casualty_id", String(40)),
    Column("date", Date, nullable=False),
    Column("mission", String(40), nullable=False),
    Column("nationality", String(3)),
    Column("nationality_name", String(100)),
    Column("gender", String(1)),
    Column("personnel_type", String(60)),
    Column("incident_type", String(60)),
    Column("source", String(40), nullable=False),
    UniqueConstraint("source_id", "source", name="uq_ref_fatalities"),
)

REFERENCE_TABLES = (operations, strength, mission_strength, deployments, fatalities)
