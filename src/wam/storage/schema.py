"""Create and upgrade the database schema with Alembic, and check the append-only guards."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"

# Alembic is imported by the functions that migrate, not with this module: the services import
# this module (verify reads the guards), and a read such as `wam balance` must not pay the third
# of a second Alembic takes to import (docs/benchmarks.md, "Command start-up").


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision of every branch (idempotent)."""
    from alembic import command

    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "heads")


def is_initialised(engine: Engine) -> bool:
    """Tell whether the ledger tables exist."""
    from sqlalchemy import inspect

    return inspect(engine).has_table("entries")


def append_only_guards(engine: Engine) -> set[str]:
    """Return the names of the triggers that guard the ledger tables, as the database has them."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        else:
            rows = conn.execute(
                text(
                    "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
                )
            )
        return {row[0] for row in rows}


def expected_guards(dialect: str) -> set[str]:
    tables = ("entries", "checkpoints", "confirmations")
    if dialect == "sqlite":
        return {f"{t}_no_{a}" for t in tables for a in ("update", "delete")}
    return {f"{t}_{g}" for t in tables for g in ("append_only", "no_truncate")}
