"""The records chain: append, history, head, bulk append, guards, and verify's view of tampering.

The attacker has the database: they bypass the append-only guards and alter, delete, insert or
reorder records, sometimes moving the head as well; verify reports each, and what a consistent
rewrite hides from the chain is caught by a signed checkpoint (format v2 signs the records' head).
"""

from __future__ import annotations

import importlib.util
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.builders import own_db_url_fixture, own_ledger_fixture  # noqa: F401  (db_url, ledger)
from wam.domain.chain import GENESIS
from wam.domain.errors import ConcurrentAppend, InvalidInput
from wam.domain.records import Record, canonical_json, record_hash
from wam.services import records
from wam.storage import tables as t
from wam.storage.engine import write_connection

AT = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def _guard_ddl(dialect: str) -> list[str]:
    path = Path(t.__file__).parent / "migrations" / "versions" / "0008_records.py"
    spec = importlib.util.spec_from_file_location("wam_migration_0008", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [s for s in module.guard_ddl(dialect) if s.startswith("CREATE TRIGGER")]


def bypass(engine, *statements: str, **params: object) -> None:  # noqa: ANN001
    """Run statements on the records tables past their guards, then put the guards back as they were."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for name in ("records_no_update", "records_no_delete"):
                conn.exec_driver_sql(f"DROP TRIGGER {name}")
        else:
            for name in ("records_append_only", "records_no_truncate"):
                conn.exec_driver_sql(f"DROP TRIGGER {name} ON records")
        for statement in statements:
            conn.execute(text(statement), params)
        for statement in _guard_ddl(engine.dialect.name):
            conn.exec_driver_sql(statement)


def append(ledger, kind: str, ref: str, body: dict, actor: str | None = "alice") -> int:  # noqa: ANN001
    with write_connection(ledger.engine) as conn, conn.begin():
        return records.append(conn, kind=kind, ref=ref, body=body, actor=actor, at=AT)


def problems(ledger) -> list[str]:  # noqa: ANN001
    return [p.message for p in ledger.verify().problems]


def three(ledger) -> None:  # noqa: ANN001
    append(ledger, "memo", "GAO", {"name": "Gao camp", "parent": "BGD-BATT"})
    append(ledger, "memo", "GAO-ARM", {"name": "Gao armoury", "parent": "GAO"})
    append(ledger, "memo", "GAO", {"name": "Gao camp", "parent": "SEN-BATT"}, actor=None)


def test_it_appends_and_reads_each_things_history(ledger):
    three(ledger)
    with ledger.engine.connect() as conn:
        gao = records.history(conn, "memo", "GAO")
        assert [(r.seq, r.data["parent"], r.actor) for r in gao] == [(1, "BGD-BATT", "alice"), (3, "SEN-BATT", None)]
        assert records.latest(conn, "memo", "GAO") == gao[-1]
        assert records.latest(conn, "memo", "NOWHERE") is None
        assert records.history(conn, "other", "GAO") == []
        seq, head = records.head(conn)
    assert (seq, head) == (3, gao[-1].hash)
    assert gao[0].prev_hash == GENESIS
    assert gao[0].body == '{"name":"Gao camp","parent":"BGD-BATT"}'
    assert gao[0].recorded_at == int(AT.timestamp() * 1_000_000)
    assert all(r.content_hash() == r.hash for r in gao)
    assert ledger.verify().ok


def test_the_body_is_canonical_json():
    assert canonical_json({"b": 1, "a": ["é", None, True, 1.5]}) == '{"a":["é",null,true,1.5],"b":1}'
    assert canonical_json({"x": "\x1f\x00"}) == '{"x":"\\u001f\\u0000"}'  # no separator can be forged


@pytest.mark.parametrize(("fields", "field"), [
    ({"kind": "hol\x1fder"}, "kind"), ({"kind": ""}, "kind"), ({"ref": " GAO"}, "ref"), ({"ref": "x" * 301}, "ref"),
    ({"actor": "al\x00ice"}, "actor"), ({"body": {"neq": float("nan")}}, "body"), ({"body": {"when": AT}}, "body"),
])
def test_it_refuses_what_cannot_be_chained_and_writes_nothing(ledger, fields, field):
    values = {"kind": "memo", "ref": "GAO", "body": {"name": "Gao"}, "actor": "alice", **fields}
    with pytest.raises(InvalidInput) as refused, write_connection(ledger.engine) as conn, conn.begin():
        records.append(conn, **values)
    assert refused.value.field == field
    with ledger.engine.connect() as conn:
        assert records.head(conn) == (0, GENESIS)


def test_append_many_chains_as_one_at_a_time_does(ledger):
    rows = [("memo", f"rifle-{n}", {"serial": f"S{n}", "n": n}, "importer") for n in range(12_345)]
    append(ledger, "memo", "GAO", {"name": "Gao camp"})
    with write_connection(ledger.engine) as conn, conn.begin():
        last = records.append_many(conn, rows, at=AT)
    assert last == 12_346
    with ledger.engine.connect() as conn:
        stored = list(records.all_records(conn))
        assert records.head(conn) == (last, stored[-1].hash)
    prev = stored[0].hash
    for (kind, ref, body, actor), record in zip(rows, stored[1:], strict=True):
        want = record_hash(prev, record.seq, kind, ref, canonical_json(body), actor, record.recorded_at)
        assert (record.kind, record.ref, record.hash, record.prev_hash) == (kind, ref, want, prev)
        prev = record.hash
    assert ledger.verify().ok
    with write_connection(ledger.engine) as conn, conn.begin():
        assert records.append_many(conn, []) == last  # nothing to append: the head stays


def test_the_database_refuses_to_change_or_delete_a_record(ledger):
    three(ledger)
    for statement in ("UPDATE records SET body = '{}' WHERE seq = 1", "DELETE FROM records WHERE seq = 3",
                      "DELETE FROM records"):
        with pytest.raises(DBAPIError, match="records are append-only"), ledger.engine.begin() as conn:
            conn.execute(text(statement))
    if ledger.engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="records are append-only"), ledger.engine.begin() as conn:
            conn.execute(text("TRUNCATE records"))
    assert ledger.verify().ok


def test_verify_reports_an_altered_record(ledger):
    three(ledger)
    bypass(ledger.engine, """UPDATE records SET body = '{"name":"Gao camp","parent":"UNMISS"}' WHERE seq = 1""")
    assert problems(ledger) == ["record 1: content does not match its hash (the memo record of GAO was altered)"]


@pytest.mark.parametrize("column", ["kind", "ref", "actor", "recorded_at"])
def test_verify_reports_a_change_to_any_column(ledger, column):
    three(ledger)
    value = {"kind": "'item'", "ref": "'JUBA'", "actor": "'mallory'", "recorded_at": "recorded_at + 1"}[column]
    bypass(ledger.engine, f"UPDATE records SET {column} = {value} WHERE seq = 2")
    assert any("record 2: content does not match its hash" in m for m in problems(ledger))


def test_verify_reports_a_deleted_record(ledger):
    three(ledger)
    bypass(ledger.engine, "DELETE FROM records WHERE seq = 2")
    found = problems(ledger)
    assert "record 3: expected record 2 (records missing)" in found
    assert any(m.startswith("record 3: does not link") for m in found)


def test_verify_reports_the_last_record_deleted(ledger):
    three(ledger)
    bypass(ledger.engine, "DELETE FROM records WHERE seq = 3")
    assert problems(ledger) == ["the records head says record 3 but the chain ends at record 2 "
                                "(records removed or added outside wam)"]


def test_verify_reports_a_forged_record_even_with_a_good_hash(ledger):
    """A record added at the end with a hash computed as wam would: the head still says 3."""
    three(ledger)
    with ledger.engine.connect() as conn:
        _, prev = records.head(conn)
    body = '{"name":"Ghost store","parent":"GAO"}'
    digest = record_hash(prev, 4, "memo", "GHOST", body, "alice", 0)
    bypass(ledger.engine, "INSERT INTO records VALUES (4, 'memo', 'GHOST', :body, 'alice', 0, :prev, :hash)",
           body=body, prev=prev, hash=digest)
    assert problems(ledger) == ["the records head says record 3 but the chain ends at record 4 "
                                "(records removed or added outside wam)"]


def test_verify_reports_records_swapped(ledger):
    three(ledger)
    bypass(ledger.engine, "UPDATE records SET seq = 99 WHERE seq = 1", "UPDATE records SET seq = 1 WHERE seq = 2",
           "UPDATE records SET seq = 2 WHERE seq = 99")
    found = problems(ledger)
    assert any(m.startswith("record 1: content does not match") for m in found)
    assert any(m.startswith("record 2: does not link") for m in found)


def test_a_signed_checkpoint_catches_a_consistent_rewrite_of_the_records(ledger, tmp_path):
    """Rewrite the last record, rehash it and move the head: the chain alone is consistent, but the
    checkpoint signed the records' head before."""
    three(ledger)
    cp = ledger.checkpoint(tmp_path / "key.pem")
    assert (cp.records_seq, cp.records_hash) == (3, records_head_hex(ledger))
    with ledger.engine.connect() as conn:
        last = records.history(conn, "memo", "GAO")[-1]
    body = '{"name":"Gao camp","parent":"UNMISS"}'
    forged = Record(3, "memo", "GAO", body, None, last.recorded_at, last.prev_hash, b"")
    digest = record_hash(forged.prev_hash, 3, "memo", "GAO", body, None, last.recorded_at)
    bypass(ledger.engine, "UPDATE records SET body = :body, hash = :hash WHERE seq = 3", body=body, hash=digest)
    with ledger.engine.begin() as conn:
        conn.execute(text("UPDATE records_head SET hash = :hash"), {"hash": digest})
    found = problems(ledger)
    assert found == ["stored checkpoint at entry 0: record 3's hash differs from the signed one (the records were "
                     "rewritten)"]


def test_a_signed_checkpoint_catches_records_removed_behind_it(ledger, tmp_path):
    three(ledger)
    ledger.checkpoint(tmp_path / "key.pem")
    with ledger.engine.connect() as conn:
        second = records.history(conn, "memo", "GAO-ARM")[0]
    bypass(ledger.engine, "DELETE FROM records WHERE seq = 3")
    with ledger.engine.begin() as conn:
        conn.execute(text("UPDATE records_head SET seq = 2, hash = :hash"), {"hash": second.hash})
    assert problems(ledger) == ["stored checkpoint at entry 0: the records chain ends at record 2, so records were "
                                "removed behind the signed record 3"]


def records_head_hex(ledger) -> str:  # noqa: ANN001
    with ledger.engine.connect() as conn:
        return records.head(conn)[1].hex()


def test_verify_reports_missing_guards(ledger):
    three(ledger)
    with ledger.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER records_no_update" if ledger.engine.dialect.name == "sqlite"
                             else "DROP TRIGGER records_append_only ON records")
    try:
        assert any("records' append-only guards are missing" in m for m in problems(ledger))
    finally:
        with ledger.engine.begin() as conn:
            conn.exec_driver_sql(_guard_ddl(ledger.engine.dialect.name)[0])


def test_a_second_appender_at_a_taken_seq_is_told_to_try_again(ledger):
    """An appender that read a stale head meets the unique seq: ConcurrentAppend, nothing written."""
    three(ledger)
    with ledger.engine.begin() as conn:  # the head is not guarded: set it back as a stale read would see it
        conn.execute(text("UPDATE records_head SET seq = 2"))
    with pytest.raises(ConcurrentAppend), write_connection(ledger.engine) as conn, conn.begin():
        records.append(conn, kind="memo", ref="JUBA", body={}, actor="bob")
    with ledger.engine.connect() as conn:
        assert [r.seq for r in records.all_records(conn)] == [1, 2, 3]


def test_concurrent_appenders_each_get_their_own_seq(ledger):
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for k in range(15):
                records.record(ledger.engine, kind="memo", ref=f"user-{n}", body={"k": k}, actor=f"admin-{n}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with ledger.engine.connect() as conn:
        assert [r.seq for r in records.all_records(conn)] == list(range(1, 61))
    assert ledger.verify().ok
