"""Tamper suite: one byte changed in every stored column of every chained table is reported.

The attacker changes one value behind wam's back (the table's guard taken down for the change and
put back as it was, so only the data can tell) in: the entries, the audit log, the records chain,
the confirmations (checked against their records) and the stored checkpoints (signed). Every
change must make ``verify`` report a problem other than a missing guard.

(The hypothesis test of tests/storage/test_tamper.py draws any value for any field of any entry;
this one walks every column of every table once, deterministically.)
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from tests.builders import fresh_ledger, is_postgres
from tests.factories import T0, build_world
from wam.domain.access import Grant, Role
from wam.domain.movements import make_movement
from wam.services import audit, records
from wam.services.accounts import Accounts
from wam.services.confirmations import Confirmations
from wam.services.scoped import Ancestry, ScopedLedger
from wam.storage import tables as t
from wam.storage.schema import expected_definitions

TABLES = {
    "entries": [c.name for c in t.entries.columns],
    "audit_log": [c.name for c in t.metadata.tables["audit_log"].columns],
    "records": [c.name for c in t.metadata.tables["records"].columns],
    "confirmations": [c.name for c in t.metadata.tables["confirmations"].columns],
    # a checkpoint's id is only its row's number here: everything it says is signed
    "checkpoints": [c.name for c in t.checkpoints.columns if c.name != "id"],
}
KEYS = {"entries": "seq", "audit_log": "seq", "records": "seq", "confirmations": "id", "checkpoints": "id"}


def populate(ledger, tmp_path) -> None:  # noqa: ANN001
    """A row in every chained table: entries, a confirmed transfer, audit rows, records, a checkpoint."""
    world = build_world(ledger)
    accounts = Accounts(ledger.engine, hasher=PasswordHasher(time_cost=1, memory_cost=8192))
    user = accounts.add_user("armourer-juba", "correct horse battery")
    accounts.add_user("spare", "correct horse battery")  # so that a changed user_id can name someone
    with ledger.engine.begin() as conn:  # another ledger, so that a changed origin_id can name one
        conn.execute(t.ledgers.insert().values(uuid="11111111-2222-4333-8444-555555555555", name="Ansongo site",
                                               is_local=False, created_at=0))
    ledger.post(make_movement(kind="transfer", item=world.rounds.key, quantity=50, source="GAO-ASP",
                              target="JUBA-ARM", occurred_at=T0 + timedelta(days=2), actor="bob", note="by road"))
    scoped = ScopedLedger(ledger, Ancestry(), (Grant(Role.ARMOURER, "JUBA-ARM"),), "armourer-juba")
    Confirmations(scoped, user.id).confirm(ledger.history(world.rounds.key)[-1].uid, note="50 counted")
    audit.record(ledger.engine, action="user.created", actor="admin", target="armourer-juba", detail="test",
                 address="10.0.0.7")
    records.record(ledger.engine, kind="note", ref="tamper-suite", body={"text": "a record"}, actor="admin")
    ledger.checkpoint(tmp_path / "key.pem")


def changed(value: object, *, key: bool = False) -> object:
    """``value`` with one byte changed (a missing value becomes one). A row's key changes in its
    second byte (so that it does not take another row's); an id in its first, to another row's."""
    if value is None:
        return "x"
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value ^ 256 if key else value ^ 1
    if isinstance(value, (bytes, memoryview)):
        raw = bytearray(bytes(value))
        raw[0] ^= 0x01
        return bytes(raw)
    text = str(value)
    if not text:
        return "x"
    first = "0" if text[0] != "0" else "1"
    return first + text[1:]


def guard_statements(engine, table: str) -> tuple[list[str], list[str]]:  # noqa: ANN001
    """(drop, create) statements of the table's UPDATE guard, to take it down and put it back."""
    definitions = expected_definitions(engine.dialect.name)
    if is_postgres():
        name = f"{table}_append_only"
        return [f"DROP TRIGGER {name} ON {table}"], [definitions[name].split(" | ")[0]]
    name = f"{table}_no_update"
    return [f"DROP TRIGGER {name}"], [definitions[name]]


def set_value(ledger, table: str, key: str, at: object, column: str, value: object) -> None:  # noqa: ANN001
    """Store ``value`` behind wam's back: the guard dropped and put back in one transaction."""
    target = t.metadata.tables[table]
    drop, create = guard_statements(ledger.engine, table)
    with ledger.engine.begin() as conn:
        for statement in drop:
            conn.exec_driver_sql(statement)
        conn.execute(target.update().where(target.c[key] == at).values({column: value}))
        for statement in create:
            conn.exec_driver_sql(statement)


@pytest.mark.parametrize("table", list(TABLES))
def test_one_byte_changed_in_any_column_of_any_chained_table_is_reported(table, tmp_path):
    with fresh_ledger() as ledger:
        populate(ledger, tmp_path)
        assert ledger.verify().ok, ledger.verify().problems
        key = KEYS[table]
        target = t.metadata.tables[table]
        with ledger.engine.connect() as conn:
            row = conn.execute(select(target).order_by(target.c[key].desc()).limit(1)).mappings().one()
        unseen = []
        for column in TABLES[table]:
            references = list(target.c[column].foreign_keys)
            if references:  # another row's id (the ids here are small: a byte or two changed)
                other = references[0].column.table
                with ledger.engine.connect() as conn:
                    new = conn.execute(select(other.c.id).where(other.c.id != row[column]).limit(1)).scalar_one()
            else:
                new = changed(row[column], key=column in (key, "origin_seq"))
            set_value(ledger, table, key, row[key], column, new)
            report = ledger.verify()
            if report.ok or not {p.check for p in report.problems} - {"law 4"}:
                unseen.append(f"{table}.{column}: {row[column]!r} -> {new!r}: {report.problems}")
            at = new if column == key else row[key]
            set_value(ledger, table, key, at, column, row[column])  # put back for the next column
        assert unseen == []
        assert ledger.verify().ok  # every value put back: nothing else was disturbed
