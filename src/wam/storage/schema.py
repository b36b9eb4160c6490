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
    tables = ("entries", "checkpoints", "confirmations", "witnessed_heads")
    if dialect == "sqlite":
        return {f"{t}_no_{a}" for t in tables for a in ("update", "delete")} | {"ledgers_key_fixed"}
    return {f"{t}_{g}" for t in tables for g in ("append_only", "no_truncate")} | {"ledgers_key_fixed"}


# --- the guards' definitions ---------------------------------------------------------------------
# A guard is checked by what it does, not only by its name: a trigger of the right name whose body
# does nothing (``BEGIN SELECT 1; END``), that fires only ``WHEN 0``, only on ``UPDATE OF`` one
# column, or (PostgreSQL) that is disabled or runs a function that no longer raises, is reported.
# These are the definitions the migrations create (0001, 0005, 0007_audit, 0008_records, 0009_keys);
# tests/storage/test_guards.py checks them against a freshly migrated database.
_LEDGER_MESSAGE = "{table} is append-only: record a reversal instead"
_CONFIRMED = "confirmations are append-only: a confirmed receipt stays confirmed"
GUARD_DEFINITIONS: dict[str, tuple[str, str, str]] = {
    # table: (SQLite's RAISE message, PostgreSQL's function, that function's body)
    "entries": (_LEDGER_MESSAGE, "wam_append_only",
                "BEGIN RAISE EXCEPTION '% is append-only: record a reversal instead', TG_TABLE_NAME; END"),
    "checkpoints": (_LEDGER_MESSAGE, "wam_append_only",
                    "BEGIN RAISE EXCEPTION '% is append-only: record a reversal instead', TG_TABLE_NAME; END"),
    "confirmations": (_CONFIRMED, "wam_confirmations_append_only", f"BEGIN RAISE EXCEPTION '{_CONFIRMED}'; END"),
    "audit_log": ("the audit log is append-only", "wam_audit_append_only",
                  "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END"),
    "records": ("records are append-only: append a new record instead", "wam_records_append_only",
                "BEGIN RAISE EXCEPTION 'records are append-only: append a new record instead'; END"),
    "witnessed_heads": ("witnessed heads are append-only", "wam_witnessed_append_only",
                        "BEGIN RAISE EXCEPTION 'witnessed heads are append-only'; END"),
}


def witness_guard_ddl(dialect: str) -> list[str]:
    """The append-only guards of ``witnessed_heads`` (migration 0009_keys), from the definitions above."""
    table = "witnessed_heads"
    message, function, body = GUARD_DEFINITIONS[table]
    if dialect == "sqlite":
        return [f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END" for action in ("UPDATE", "DELETE")]
    return [f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ {body} $$",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"]


def _squeeze(sql: str | None) -> str:
    return " ".join((sql or "").split())


def expected_definitions(dialect: str) -> dict[str, str]:
    """Each guard's expected definition, whitespace squeezed: SQLite's ``CREATE TRIGGER`` text;
    PostgreSQL's ``pg_get_triggerdef`` (without the schema) and its function's language and body."""
    result: dict[str, str] = {}
    for table, (message, function, body) in GUARD_DEFINITIONS.items():
        if dialect == "sqlite":
            text_ = message.format(table=table)
            for action in ("UPDATE", "DELETE"):
                result[f"{table}_no_{action.lower()}"] = _squeeze(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{text_}'); END")
        else:
            for name, when in ((f"{table}_append_only", "BEFORE DELETE OR UPDATE ON {t} FOR EACH ROW"),
                               (f"{table}_no_truncate", "BEFORE TRUNCATE ON {t} FOR EACH STATEMENT")):
                result[name] = _squeeze(f"CREATE TRIGGER {name} {when.format(t=table)} EXECUTE FUNCTION {function}() "
                                        f"| enabled | plpgsql | {body}")
    for name, definition in _extra_definitions(dialect).items():
        result[name] = _squeeze(definition)
    return result


def _extra_definitions(dialect: str) -> dict[str, str]:
    """Guards other than append-only ones (the ledger's public key, once set, is fixed: 0009_keys)."""
    if dialect == "sqlite":
        return {"ledgers_key_fixed": KEY_FIXED_SQLITE}
    return {"ledgers_key_fixed": "CREATE TRIGGER ledgers_key_fixed BEFORE UPDATE ON ledgers FOR EACH ROW "
                                 "EXECUTE FUNCTION wam_key_fixed() | enabled | plpgsql | " + KEY_FIXED_PG_BODY}


KEY_FIXED_MESSAGE = "the public key of a ledger is fixed once set"
KEY_FIXED_SQLITE = (
    "CREATE TRIGGER ledgers_key_fixed BEFORE UPDATE OF public_key ON ledgers "
    "WHEN OLD.public_key IS NOT NULL AND (NEW.public_key IS NULL OR NEW.public_key <> OLD.public_key) "
    f"BEGIN SELECT RAISE(ABORT, '{KEY_FIXED_MESSAGE}'); END"
)
KEY_FIXED_PG_BODY = (
    "BEGIN IF OLD.public_key IS NOT NULL AND NEW.public_key IS DISTINCT FROM OLD.public_key THEN "
    f"RAISE EXCEPTION '{KEY_FIXED_MESSAGE}'; END IF; RETURN NEW; END"
)


def guard_definitions(engine: Engine) -> dict[str, list[str]]:
    """Each trigger's definition as the database has it (whitespace squeezed), by name."""
    found: dict[str, list[str]] = {}
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            for name, sql in conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")):
                found.setdefault(name, []).append(_squeeze(sql))
            return found
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        rows = conn.execute(text(
            "SELECT t.tgname, pg_get_triggerdef(t.oid), t.tgenabled, l.lanname, p.prosrc "
            "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_language l ON l.oid = p.prolang "
            "WHERE NOT t.tgisinternal AND n.nspname = current_schema()"))
        for name, definition, enabled, language, body in rows:
            definition = definition.replace(f" ON {schema}.", " ON ").replace(f'" ON "{schema}".', " ON ")
            state = "enabled" if enabled in ("O", "A") else f"disabled ({enabled})"
            found.setdefault(name, []).append(_squeeze(f"{definition} | {state} | {language} | {body}"))
    return found


def altered_guards(engine: Engine) -> list[tuple[str, str]]:
    """The guards present by name whose definition is not wam's: ``(name, what the database has)``."""
    expected = expected_definitions(engine.dialect.name)
    altered = []
    for name, definitions in sorted(guard_definitions(engine).items()):
        want = expected.get(name)
        if want is None:
            continue
        for definition in definitions:
            if definition != want:
                altered.append((name, definition))
    return altered
