"""The records chain: append facts, read a thing's history, verify the chain.

Every fact that decides custody or access and is not a movement (a holder and its place in the
tree, an item and its attributes, a grant, a register's document and its states) is written
here, in the same transaction as the row it describes, by the service that writes that row::

    with write_connection(engine) as conn, conn.begin():
        conn.execute(insert(t.holders).values(...))
        records.append(conn, kind="holder", ref=code, body={...}, actor="alice")

A record is never changed: a later record of the same ``kind`` and ``ref`` supersedes it, and
:func:`history` returns them all, oldest first. The encoding and hashing are the domain's
(:mod:`wam.domain.records`); the database refuses UPDATE and DELETE on ``records`` (migration
``0008_records``); ``records_head`` holds the last seq and hash, and the signed checkpoints sign
it with the entries' head (``wam.services.signing``, format v2).

Appenders are serialised as the ledger's posters are: on SQLite by the write transaction
(``BEGIN IMMEDIATE`` on a :func:`wam.storage.engine.write_connection`), on PostgreSQL by row
locks taken in one order, the entries' head first (as a poster takes it), then the records'
head, so that a transaction that posts movements and appends records never deadlocks with
another. Should two appenders still meet (a deferred SQLite transaction), the unique seq or
the head's compare-and-set refuses the second with :class:`ConcurrentAppend` (retryable):
its transaction is to be rolled back and run again (:func:`record` does so).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from wam.domain.chain import GENESIS
from wam.domain.errors import ConcurrentAppend, LedgerError, LedgerProblem
from wam.domain.records import Record, canonical_json, chain_rows, check_chain, check_label
from wam.domain.text import is_clean
from wam.domain.timefmt import to_micros
from wam.storage import bulk
from wam.storage import tables as t
from wam.storage.engine import write_connection
from wam.storage.record_tables import records as r
from wam.storage.record_tables import records_head as head_table

__all__ = ["Record", "append", "append_canonical", "append_many", "check_records", "head", "history", "latest",
           "record", "verify_records"]

_COLUMNS = ("seq", "kind", "ref", "body", "actor", "recorded_at", "prev_hash", "hash")
INSERT_ROWS = 1000  # records per INSERT: 8 parameters each, well under SQLite's limit of 32,766
CHUNK = 5000  # records hashed and written per round of append_many
T = TypeVar("T")

RecordRow = tuple[str, str, Mapping[str, object], str | None]  # kind, ref, body, actor


def _now(at: datetime | None) -> int:
    return to_micros(at if at is not None else datetime.now(UTC))


def _lock_head(conn: Connection) -> tuple[int, bytes]:
    """Read the records' head, locked for this transaction on PostgreSQL (entries' head first)."""
    query = select(head_table.c.seq, head_table.c.hash).where(head_table.c.id == 1)
    if conn.dialect.name == "postgresql":
        conn.execute(select(t.chain_head.c.id).where(t.chain_head.c.id == 1).with_for_update())
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is not None:
        return row.seq, bytes(row.hash)
    if conn.execute(select(r.c.seq).limit(1)).first() is not None:
        # a head removed behind wam's back: appending after a guess could fork the chain
        raise LedgerError("the records chain has records but no head row; run `wam verify`")
    # an emptied database (a test harness's schema): the head starts again at the genesis;
    # two appenders doing this at once meet on its primary key (ConcurrentAppend)
    try:
        conn.execute(head_table.insert().values(id=1, seq=0, hash=GENESIS))
    except IntegrityError as exc:
        raise ConcurrentAppend("another writer started the records chain at the same time; try again") from exc
    return 0, GENESIS


def _move_head(conn: Connection, old: tuple[int, bytes], new: tuple[int, bytes]) -> None:
    moved = conn.execute(
        update(head_table).where(head_table.c.id == 1, head_table.c.seq == old[0], head_table.c.hash == old[1])
        .values(seq=new[0], hash=new[1])
    ).rowcount
    if moved != 1:
        raise ConcurrentAppend("the records chain's head moved while appending; try again")


def _insert(conn: Connection, rows: list[tuple[int, str, str, str, str | None, int, bytes, bytes]]) -> None:
    if conn.dialect.name == "postgresql":  # multi-row INSERT text is parsed in Python per batch there
        dbapi = conn.dialect.dbapi
        assert dbapi is not None
        try:
            bulk.copy_rows(bulk.driver(conn), "records", _COLUMNS, rows)
        except dbapi.IntegrityError as exc:
            raise ConcurrentAppend("another writer appended to the records chain at the same time; try again") from exc
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    one = "(" + ", ".join([mark] * len(_COLUMNS)) + ")"
    head_sql = f"INSERT INTO records ({', '.join(_COLUMNS)}) VALUES "
    statements: dict[int, str] = {}
    try:
        for start in range(0, len(rows), INSERT_ROWS):
            batch = rows[start:start + INSERT_ROWS]
            sql = statements.get(len(batch))
            if sql is None:
                sql = statements[len(batch)] = head_sql + ", ".join([one] * len(batch))
            conn.exec_driver_sql(sql, tuple(v for row in batch for v in row))
    except IntegrityError as exc:
        raise ConcurrentAppend("another writer appended to the records chain at the same time; try again") from exc


def append(conn: Connection, *, kind: str, ref: str, body: Mapping[str, object], actor: str | None,
           at: datetime | None = None) -> int:
    """Append one record inside the caller's write transaction; return its seq.

    ``at`` is for a service's own clock (tests); the default is the server's clock now.

    Raises:
        InvalidInput: a kind, ref or actor that is empty, too long or holds a control separator,
            or a body that is not plain JSON.
        ConcurrentAppend: another writer appended first; roll back and try again.
    """
    return append_many(conn, [(kind, ref, body, actor)], at=at)


def append_many(conn: Connection, rows: Iterable[RecordRow], *, at: datetime | None = None) -> int:
    """Append (kind, ref, body, actor) records in order inside the caller's write transaction,
    all with the same ``recorded_at``; return the seq of the last (the head's if none).

    Hashing runs in one loop and each chunk goes in multi-row INSERTs: a stock import appends
    one record per new item.
    """
    return append_canonical(conn, (_checked(kind, ref, body, actor) for kind, ref, body, actor in rows), at=at)


def _checked(kind: str, ref: str, body: Mapping[str, object], actor: str | None) -> tuple[str, str, str, str | None]:
    check_label(kind, "kind")
    check_label(ref, "ref")
    check_label(actor, "actor", optional=True)
    return kind, ref, canonical_json(body), actor


def append_canonical(conn: Connection, rows: Iterable[tuple[str, str, str, str | None]], *,
                     at: datetime | None = None) -> int:
    """:func:`append_many` of (kind, ref, body text, actor) rows whose bodies are canonical JSON
    text already, written by :func:`wam.domain.records.canonical_json` or a writer tested equal to
    it (``wam.domain.facts.item_body_text``); kind, ref and actor are still checked."""
    recorded_at = _now(at)
    start = _lock_head(conn)
    seq, prev = start
    chunk: list[tuple[str, str, str, str | None]] = []
    labels: set[tuple[str, str | None]] = set()  # (kind, actor) pairs checked: a bulk append repeats one
    for row in rows:
        if not is_clean(row[1], 300) or (row[0], row[3]) not in labels:
            _checked(row[0], row[1], {}, row[3])  # raises, naming the field
            labels.add((row[0], row[3]))
        chunk.append(row)
        if len(chunk) >= CHUNK:
            seq, prev = _write_chunk(conn, chunk, seq, prev, recorded_at)
            chunk = []
    if chunk:
        seq, prev = _write_chunk(conn, chunk, seq, prev, recorded_at)
    if seq != start[0]:
        _move_head(conn, start, (seq, prev))
    return seq


def _write_chunk(conn: Connection, chunk: list[tuple[str, str, str, str | None]], seq: int, prev: bytes,
                 recorded_at: int) -> tuple[int, bytes]:
    rows = chain_rows(chunk, seq=seq, prev=prev, recorded_at=recorded_at)
    _insert(conn, rows)
    return rows[-1][0], rows[-1][7]


def record(engine: Engine, *, kind: str, ref: str, body: Mapping[str, object], actor: str | None) -> int:
    """Append one record in a transaction of its own, trying again if another writer came first."""
    return retrying(engine, lambda conn: append(conn, kind=kind, ref=ref, body=body, actor=actor))


def retrying(engine: Engine, work: Callable[[Connection], T], *, attempts: int = 5) -> T:
    """Run ``work(conn)`` in a write transaction; run it again on ConcurrentAppend."""
    for attempt in range(attempts):
        try:
            with write_connection(engine) as conn, conn.begin():
                return work(conn)
        except ConcurrentAppend:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _record(row: Any) -> Record:
    return Record(row.seq, row.kind, row.ref, row.body, row.actor, row.recorded_at, bytes(row.prev_hash),
                  bytes(row.hash))


def history(conn: Connection, kind: str, ref: str) -> list[Record]:
    """Every record of ``kind`` ``ref``, oldest first."""
    query = select(r).where(r.c.kind == kind, r.c.ref == ref).order_by(r.c.seq)
    return [_record(row) for row in conn.execute(query)]


def latest(conn: Connection, kind: str, ref: str) -> Record | None:
    """The last record of ``kind`` ``ref`` (its current state), or None."""
    query = select(r).where(r.c.kind == kind, r.c.ref == ref).order_by(r.c.seq.desc()).limit(1)
    row = conn.execute(query).first()
    return None if row is None else _record(row)


def head(conn: Connection) -> tuple[int, bytes]:
    """(seq, hash) of the last record: (0, GENESIS) when there is none."""
    if not inspect(conn).has_table("records_head"):
        return 0, GENESIS
    row = conn.execute(select(head_table.c.seq, head_table.c.hash).where(head_table.c.id == 1)).first()
    return (0, GENESIS) if row is None else (row.seq, bytes(row.hash))


def all_records(conn: Connection, *, kinds: Iterable[str] | None = None) -> Iterator[Record]:
    """Every record in seq order (of ``kinds`` only, if given), streamed."""
    query = select(r).order_by(r.c.seq)
    if kinds is not None:
        query = query.where(r.c.kind.in_(list(kinds)))
    for row in conn.execution_options(yield_per=5000).execute(query):
        yield _record(row)


GUARDS = {"sqlite": {"records_no_update", "records_no_delete"},
          "postgresql": {"records_append_only", "records_no_truncate"}}


def verify_records(conn: Connection) -> list[LedgerProblem]:
    """Every problem of the records chain: a record altered, removed, inserted or reordered (its
    chain from the first record to the last), a head that does not match, a missing guard."""
    return check_records(conn)[0]


def check_records(conn: Connection, *, wanted: Iterable[int] = (), found: dict[int, bytes] | None = None
                  ) -> tuple[list[LedgerProblem], int]:
    """:func:`verify_records`, and the seq the chain ends at; the hashes of the seqs in ``wanted``
    (those signed checkpoints name) are put in ``found``."""
    if not inspect(conn).has_table("records"):
        return [], 0
    problems, last_seq, last_hash = check_chain(all_records(conn), found=found, wanted=set(wanted))
    stored = head(conn)
    if stored != (last_seq, last_hash):
        problems.append(LedgerProblem(
            "records", f"the records head says record {stored[0]} but the chain ends at record {last_seq} "
                       "(records removed or added outside wam)"))
    missing = GUARDS.get(conn.dialect.name, set()) - _triggers(conn)
    if missing:
        problems.append(LedgerProblem("records", f"the records' append-only guards are missing: "
                                                 f"{', '.join(sorted(missing))}"))
    return problems, last_seq


def _triggers(conn: Connection) -> set[str]:
    if conn.dialect.name == "sqlite":
        found = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'records'"))
    else:
        found = conn.execute(text(
            "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT t.tgisinternal AND n.nspname = current_schema() AND c.relname = 'records'"))
    return {row[0] for row in found}
