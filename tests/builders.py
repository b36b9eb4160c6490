"""More builders for the ledger's proof, in the domain's own language.

``tests/factories.py`` builds the shared world; this module adds what the property, tamper and
command-line tests need on top of it:

- :func:`fresh_ledger` / :func:`fresh_db_url`: a brand-new database inside a test (one per
  hypothesis example), on SQLite or on PostgreSQL like the ``db_url`` fixture;
- :func:`mv`: a movement as an armourer would record it, ``days`` after ``T0``;
- :func:`stage`: the world's holders and items, but no movement yet;
- :func:`chain_of`: entries hashed exactly as the ledger hashes them, without a database;
- :class:`CustodyModel` and :func:`valid_steps`: a model of who holds what, and a hypothesis
  strategy that only ever proposes movements the laws allow (receipts, transfers, issues,
  returns, expenditure, losses, recoveries, disposals, adjustments, reversals, back-dated lots);
- :func:`drop_guards` / :func:`restore_guards` / :func:`tamper`: what an attacker with access
  to the database file or server can do;
- :func:`snapshot`: the whole observable state of a ledger, to show a refusal changed nothing.
"""

from __future__ import annotations

import atexit
import functools
import importlib.util
import os
import shutil
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select, text

from tests.factories import HOLDERS, T0, ball_rounds, rifle
from wam.domain.chain import GENESIS, canonical_bytes, entry_values, link
from wam.domain.holders import is_external, make_holder
from wam.domain.materiel import Item, make_item
from wam.domain.movements import DOCUMENT_KINDS, Entry, Movement, make_movement
from wam.domain.timefmt import to_micros
from wam.storage import tables as t
from wam.storage.engine import normalise_url

PG_URL = os.environ.get("WAM_TEST_DATABASE_URL", "")

# Personas: who records, who checks.
ARMOURER = "armourer"
AUDITOR = "auditor"
CLERK = "clerk"

# Settings for property tests that need a database of their own per example.
LEDGER_EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
# Pure property tests over whole movement sequences: cheap, but generating a sequence is not.
SEQUENCE_EXAMPLES = settings(max_examples=80, deadline=None, database=None,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Pure (domain-only) property tests are cheap.
PURE_EXAMPLES = settings(max_examples=200, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --------------------------------------------------------------------------------- databases
# Property tests make hundreds of databases: keep them in memory-backed storage where there is one.
_FAST_TMP = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def is_postgres() -> bool:
    return bool(PG_URL)


@contextmanager
def fresh_db_url() -> Iterator[str]:
    """A URL to a brand-new empty database (a temporary SQLite file or a PostgreSQL schema)."""
    if not PG_URL:
        folder = tempfile.mkdtemp(prefix="wam-test-", dir=_FAST_TMP)
        try:
            yield f"sqlite:///{folder}/wam.db"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    from tests.conftest import postgres_schema

    with postgres_schema("h") as url:
        yield url


class _PostgresSchemas:
    """Schemas on PostgreSQL, migrated once and emptied between the tests (or examples) using them.

    Running every migration for each of hundreds of tests and examples costs far more than the
    tests themselves (0.55 s of the server's CPU per test), so a schema a test is done with is
    emptied (every row of every table deleted, append-only guards put back as the migration makes
    them if they were dropped) and handed to the next one: to the ledger it is a brand-new
    database whose ``wam init`` finds the tables already there. All are dropped at exit.

    A test may leave its schema damaged on purpose (tests/storage drop indexes, triggers and
    constraints, replace guard functions) or by accident; once a reused schema had lost the
    index ix_items_serial and a later test saw the "drift". So before a spare schema is handed
    out, its structure (:func:`_structure`) is compared with that of a schema freshly migrated
    once per process, and a schema that differs is dropped and replaced by a new one.
    """

    def __init__(self) -> None:
        self.spare: list[tuple[str, object]] = []
        self.made: list[str] = []
        self._reference: tuple[str, str] | None = None
        self._admin = None
        atexit.register(self.drop_all)

    def take(self) -> tuple[str, object]:
        from sqlalchemy.exc import DBAPIError

        reference = self.reference()
        while self.spare:
            schema, engine = self.spare.pop()
            try:
                _empty(engine)  # first: it puts back dropped append-only guards, as tamper tests leave them
                if _structure(engine) == reference:
                    return schema, engine
            except DBAPIError:  # too damaged even to empty
                pass
            self._drop(schema, engine)  # not as a fresh migration leaves it: never hand it out
        return self._new()

    def reference(self) -> tuple[str, str]:
        """The structure of a freshly migrated schema, taken once; that schema becomes the first spare."""
        if self._reference is None:
            from wam.storage.schema import upgrade

            schema, engine = self._new()
            upgrade(engine)
            self._reference = _structure(engine)
            self.spare.append((schema, engine))
        return self._reference

    def give_back(self, schema: str, engine) -> None:  # noqa: ANN001
        self.spare.append((schema, engine))

    def admin(self):  # noqa: ANN201
        if self._admin is None:
            self._admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
        return self._admin

    def _new(self) -> tuple[str, object]:
        from wam.storage.engine import make_engine

        schema = f"h_{uuid.uuid4().hex[:12]}"
        with self.admin().connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        self.made.append(schema)
        return schema, make_engine(_schema_url(schema))

    def _drop(self, schema: str, engine) -> None:  # noqa: ANN001
        engine.dispose()
        with self.admin().connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self.made.remove(schema)

    def drop_all(self) -> None:
        for _, engine in self.spare:
            engine.dispose()
        if self.made:
            with self.admin().connect() as conn:
                for schema in self.made:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        if self._admin is not None:
            self._admin.dispose()


def _schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{normalise_url(PG_URL)}{sep}options=-csearch_path%3D{schema}"


# Everything of a schema's structure a test can break, one line each, from pg_catalog: relations
# (tables, indexes, sequences, views), columns (type, NOT NULL, default), index and constraint
# definitions, triggers (definition and whether enabled) and functions (a digest of their body).
# The schema's own name is cut out, so that two schemas compare. Some 10 ms against 550 ms of
# migrations.
_STRUCTURE = """
SELECT md5(coalesce(string_agg(replace(part, current_schema() || '.', ''), E'\\n' ORDER BY part), '')),
       to_regclass('alembic_version') IS NOT NULL
FROM (
  SELECT 'relation ' || c.relname || ' ' || c.relkind::text AS part
  FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace
  UNION ALL
  SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
         || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
        AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'index ' || pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = current_schema()::regnamespace
  UNION ALL
  SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
  UNION ALL
  SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::text
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
  WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace
  UNION ALL
  SELECT 'function ' || p.oid::regprocedure::text || ' ' || md5(p.prosrc)
  FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace
) parts
"""


def _structure(engine) -> tuple[str, str]:  # noqa: ANN001
    """(a digest of the schema's structure, its Alembic revisions): equal for two schemas only if a
    test could not tell one from the other once both are emptied."""
    with engine.connect() as conn:
        digest, versioned = conn.exec_driver_sql(_STRUCTURE).one()
        revisions = ""
        if versioned:
            revisions = ",".join(sorted(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars()))
    return digest, revisions


def _empty(engine) -> None:  # noqa: ANN001
    """Empty every table of a PostgreSQL schema and make sure its append-only guards are in place.

    ``session_replication_role = replica`` switches off triggers (the guards, and the foreign
    keys' checks) for this transaction only, so rows can go in any order; much faster than
    TRUNCATE for a few rows. Then the schema is put back as the migrations leave it: sequences
    start again at 1 (a test run alone and after another sees the same ids) and records_head has
    its first row (migration 0008_records inserts it).
    """
    from sqlalchemy.exc import DBAPIError

    from wam.storage.schema import append_only_guards

    listing = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"
    restart = ("SELECT setval(c.oid::regclass, 1, false) FROM pg_class c "
               "WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            tables = conn.exec_driver_sql(listing).scalars().all()
            for table in tables:
                conn.exec_driver_sql(f'DELETE FROM "{table}"')
            conn.exec_driver_sql(restart)
            _seed(conn, tables)
    except DBAPIError:  # not a superuser: the slower way
        with engine.begin() as conn:
            for name, table in guard_names(engine):
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            tables = conn.exec_driver_sql(listing).scalars().all()
            conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            _seed(conn, tables)
    if {name for name, _ in guard_names(engine)} - append_only_guards(engine):
        restore_guards(engine)


def _seed(conn, tables: Sequence[str]) -> None:  # noqa: ANN001
    """The rows the migrations insert into an empty database (only records_head's, so far)."""
    if "records_head" in tables:
        conn.exec_driver_sql("INSERT INTO records_head (id, seq, hash) VALUES (1, 0, %(hash)s)", {"hash": bytes(32)})


_SCHEMAS: _PostgresSchemas | None = None


@contextmanager
def own_db_url() -> Iterator[str]:
    """A database no other test is using: a new SQLite file, or an emptied PostgreSQL schema.

    Unlike :func:`fresh_db_url`, a PostgreSQL one may already have the (empty) tables: use
    ``fresh_db_url`` to test what ``init`` does to a database without any.
    """
    global _SCHEMAS
    if not PG_URL:
        with fresh_db_url() as url:
            yield url
        return
    if _SCHEMAS is None:
        _SCHEMAS = _PostgresSchemas()
    schema, engine = _SCHEMAS.take()
    try:
        yield _schema_url(schema)
    except BaseException:
        engine.dispose()  # a failed test may leave its schema in any state: do not reuse it
        raise
    _SCHEMAS.give_back(schema, engine)


@contextmanager
def fresh_ledger(name: str = "test ledger", **kwargs: object) -> Iterator[object]:
    """An initialised, empty :class:`~wam.services.ledger.Ledger` on a database of its own (a new id
    every time). For property tests: one per example."""
    from wam.services.ledger import Ledger

    with own_db_url() as url:
        ledger = Ledger.open(url, **kwargs)
        try:
            ledger.init(name)
            yield ledger
        finally:
            ledger.engine.dispose()


# Fixtures with the names and meaning of tests/conftest.py's, on databases from own_db_url: a test
# module imports them to override the shared ones (``from tests.builders import db_url, ledger,
# world``) and so skips running every migration for each of its tests on PostgreSQL.
@pytest.fixture(name="db_url")
def own_db_url_fixture() -> Iterator[str]:
    """A URL to a database of its own, without a ledger yet (see :func:`own_db_url`)."""
    with own_db_url() as url:
        yield url


@pytest.fixture(name="ledger")
def own_ledger_fixture(db_url: str) -> Iterator[object]:
    """An initialised, empty ledger on ``db_url``."""
    from wam.services.ledger import Ledger

    led = Ledger.open(db_url)
    led.init("test ledger")
    yield led
    led.engine.dispose()


@pytest.fixture(name="world")
def own_world_fixture(ledger) -> object:  # noqa: ANN001
    """The small mission of tests/factories.py."""
    from tests.factories import build_world

    return build_world(ledger)


# --------------------------------------------------------------------------------- movements
def at(days: float = 0, hours: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


def mv(kind: str, item: Item | str, source: str, target: str, *, quantity: int = 1, days: float = 0,
       hours: float = 0, actor: str = ARMOURER, **extra: object) -> Movement:
    """A movement as an armourer records it, ``days`` (and ``hours``) after ``T0``."""
    key = item if isinstance(item, str) else item.key
    return make_movement(kind=kind, item=key, quantity=quantity, source=source, target=target,
                         occurred_at=at(days, hours), actor=actor, **extra)


def pistol(serial: str = "BR-2211") -> Item:
    return make_item(type="weapon", make="Browning", model="Hi-Power", serial=serial, category="pistol",
                     calibre="9x19mm")


def grenades(lot: str = "ARG-2019-03") -> Item:
    return make_item(type="ammunition", make="Arges", model="HG 84 hand grenade", lot=lot, hazard_division="1.2",
                     compatibility_group="F", neq_kg="0.155")


STORES = ("GAO-ARM", "GAO-ASP", "ANSONGO-ARM", "JUBA-ARM")
PERSONS = ("PTE-RAHMAN", "SGT-DIOP")
REAL = STORES + PERSONS
SUPPLIERS = ("supply:BGD", "supply:SEN", "supply:NPL")


STAGE_SERIALS = [rifle("56-00001").key, rifle("56-00002").key, pistol().key]
STAGE_LOTS = [ball_rounds().key, grenades().key]
FIXED_NOW = datetime(2025, 6, 30, 12, 0, 0, 123456, tzinfo=T0.tzinfo)


def fixed_clock() -> datetime:
    """The clock of a ledger whose recorded_at must be known in advance."""
    return FIXED_NOW


@dataclass
class Stage:
    ledger: object
    serials: list[Item]
    lots: list[Item]

    @property
    def items(self) -> list[Item]:
        return [*self.serials, *self.lots]


def stage(ledger) -> Stage:  # noqa: ANN001
    """The world's holders and a few items, registered, with no movement yet."""
    ledger.add_holders([make_holder(code=c, name=n, kind=k, parent=p, country=ctry) for c, n, k, p, ctry in HOLDERS])
    serials = [rifle("56-00001"), rifle("56-00002"), pistol()]
    lots = [ball_rounds(), grenades()]
    ledger.register_items([*serials, *lots])
    return Stage(ledger, serials, lots)


# --------------------------------------------------------------------------------- the chain
def chain_of(movements: Sequence[Movement], *, origin: str = "00000000-0000-4000-8000-000000000001",
             recorded_at: int | None = None, start_seq: int = 1, start_hash: bytes = GENESIS) -> list[Entry]:
    """Entries for ``movements``, seq and hashes as the ledger gives them, without a database."""
    entries, prev = [], start_hash
    for offset, m in enumerate(movements):
        seq = start_seq + offset
        entry = Entry(seq=seq, origin=origin, origin_seq=seq, kind=m.kind.value, item=m.item, quantity=m.quantity,
                      source=m.source, target=m.target, occurred_at=to_micros(m.occurred_at),
                      recorded_at=to_micros(m.occurred_at) if recorded_at is None else recorded_at, actor=m.actor,
                      witness=m.witness, document=m.document, note=m.note, reason=m.reason, reverses=m.reverses,
                      prev_hash=prev, hash=b"")
        entry = replace(entry, hash=link(prev, canonical_bytes(entry_values(entry))))
        entries.append(entry)
        prev = entry.hash
    return entries


# ------------------------------------------------------------------------ a model of custody
REGISTER_KINDS = frozenset(k.value for k in DOCUMENT_KINDS)  # the reversal rule refuses to undo these

@dataclass(frozen=True)
class Step:
    """A movement the model proposes; ``reverses`` is the index of the step it undoes."""

    kind: str
    item: str
    quantity: int
    source: str
    target: str
    hours: int
    witness: str | None = None
    document: str | None = None
    reason: str | None = None
    reverses: int | None = None
    backdated: bool = False

    def movement(self, ledger_uuid: str, first_seq: int = 1) -> Movement:
        reverses = None if self.reverses is None else f"{ledger_uuid}:{first_seq + self.reverses}"
        return make_movement(kind=self.kind, item=self.item, quantity=self.quantity, source=self.source,
                             target=self.target, occurred_at=at(hours=self.hours), actor=ARMOURER,
                             witness=self.witness, document=self.document, reason=self.reason, reverses=reverses)


class CustodyModel:
    """Who holds what, replayed in occurrence order ``(time, position)`` from the steps so far.

    Deliberately naive (it replays everything for every question): it is the oracle the
    ledger is compared with, so it must be obviously right rather than fast.
    """

    def __init__(self, serials: Sequence[str], lots: Sequence[str]) -> None:
        self.serials = list(serials)
        self.lots = list(lots)
        self.steps: list[Step] = []
        self.now = 0  # hours after T0 of the latest movement

    def ordered(self, steps: Sequence[Step] | None = None) -> list[tuple[int, Step]]:
        steps = self.steps if steps is None else steps
        return sorted(enumerate(steps), key=lambda pair: (pair[1].hours, pair[0]))

    def balances(self, *, until: int | None = None, steps: Sequence[Step] | None = None) -> dict[tuple[str, str], int]:
        result: defaultdict[tuple[str, str], int] = defaultdict(int)
        for _, s in self.ordered(steps):
            if until is not None and s.hours > until:
                break
            result[(s.source, s.item)] -= s.quantity
            result[(s.target, s.item)] += s.quantity
        return {k: v for k, v in result.items() if v}

    def balance(self, holder: str, item: str) -> int:
        return self.balances().get((holder, item), 0)

    def custody(self, item: str) -> str | None:
        """Where a serialised item is: the target of its latest movement in occurrence order."""
        where = None
        for _, s in self.ordered():
            if s.item == item:
                where = s.target
        return where

    def valid(self, steps: Sequence[Step]) -> bool:
        """Whether no real holder ever goes negative, replaying ``steps`` in occurrence order."""
        running: defaultdict[tuple[str, str], int] = defaultdict(int)
        for _, s in self.ordered(steps):
            running[(s.source, s.item)] -= s.quantity
            running[(s.target, s.item)] += s.quantity
            if running[(s.source, s.item)] < 0 and not is_external(s.source):
                return False
        return True

    def max_backdated(self, holder: str, item: str, hours: int) -> int:
        """The most that can leave ``holder`` at ``hours`` without any balance going negative later."""
        running = 0
        lowest = None
        for _, s in self.ordered():
            if s.item != item or holder not in (s.source, s.target):
                continue
            delta = s.quantity if s.target == holder else -s.quantity
            if s.hours <= hours:
                running += delta
                continue
            if lowest is None:
                lowest = running
            running += delta
            lowest = min(lowest, running)
        return running if lowest is None else min(lowest, running)

    def reversed_indexes(self) -> set[int]:
        return {s.reverses for s in self.steps if s.reverses is not None}

    def add(self, step: Step) -> None:
        assert self.valid([*self.steps, step]), step
        self.steps.append(step)
        self.now = max(self.now, step.hours)


GAPS = (0, 0, 1, 2, 5, 24)  # hours between one movement and the next (0: the same instant)
WEIGHTS = {"receipt": 3, "transfer": 3, "issue": 2, "return": 2, "expenditure": 1, "loss": 1, "disposal": 1,
           "adjustment-out": 1, "adjustment-in": 1, "recovery": 1, "reversal": 2, "backdated": 3}


_INDEX = {n: st.integers(0, n - 1) for n in range(1, 64)}


def pick(draw: st.DrawFn, options: Sequence):  # noqa: ANN201
    """Draw one of ``options`` (cheaper than building a sampled_from strategy for each draw)."""
    n = len(options)
    return options[draw(_INDEX[n] if n in _INDEX else st.integers(0, n - 1))]


@st.composite
def valid_step(draw: st.DrawFn, model: CustodyModel) -> Step | None:
    """One movement the laws allow now (None, rarely, when a back-dated one finds no room)."""
    hours = model.now + pick(draw, GAPS)
    balances = model.balances()
    custody = {serial: model.custody(serial) for serial in model.serials}
    held = sorted((h, i, q) for (h, i), q in balances.items() if q > 0 and h in REAL)
    from_stores = [x for x in held if x[0] in STORES]
    from_persons = [x for x in held if x[0] in PERSONS]
    lots_held = [x for x in held if x[1] in model.lots]
    lots_in_stores = [x for x in lots_held if x[0] in STORES]
    receivable = model.lots + [i for i in model.serials if custody[i] is None or custody[i].startswith("supply:")]
    done = model.reversed_indexes()
    reversible = []
    for index, s in enumerate(model.steps):
        if s.kind == "reversal" or s.kind in REGISTER_KINDS or index in done:
            continue  # a register's line (loss, recovery, adjustment, disposal) is never undone by a movement
        if s.item in model.serials:
            ok = custody[s.item] == s.target
        else:
            ok = is_external(s.target) or balances.get((s.target, s.item), 0) >= s.quantity
        if ok:
            reversible.append(index)
    available = {
        "receipt": bool(receivable), "transfer": bool(from_stores), "issue": bool(from_stores),
        "return": bool(from_persons), "expenditure": bool(lots_held), "loss": bool(held), "disposal": bool(held),
        "adjustment-out": bool(held), "adjustment-in": True, "recovery": True, "reversal": bool(reversible),
        "backdated": any(s.hours < model.now for s in model.steps) and bool(lots_in_stores),
    }
    kinds = [k for k, w in WEIGHTS.items() if available[k] for _ in range(w)]
    kind = pick(draw, kinds)
    doc = f"DOC-{len(model.steps) + 1:03d}"

    def amount(item: str, most: int) -> int:
        return 1 if item in model.serials else draw(st.integers(1, most))

    if kind == "receipt":
        item = pick(draw, receivable)
        target = pick(draw, STORES)
        if item in model.serials:
            return Step("receipt", item, 1, custody[item] or pick(draw, SUPPLIERS), target, hours)
        return Step("receipt", item, draw(st.integers(1, 500)), pick(draw, SUPPLIERS), target, hours)
    if kind == "backdated":
        source, item, _ = pick(draw, lots_in_stores)
        when = pick(draw, sorted({s.hours for s in model.steps if s.hours < model.now}, reverse=True))
        most = model.max_backdated(source, item, when)
        if most <= 0:
            return None
        quantity = draw(st.integers(1, most))
        how = pick(draw, ["transfer", "expenditure", "loss"])
        if how == "transfer":
            target = pick(draw, [s for s in STORES if s != source])
            return Step("transfer", item, quantity, source, target, when, backdated=True)
        if how == "expenditure":
            return Step("expenditure", item, quantity, source, "expended", when, reason="training", backdated=True)
        return Step("loss", item, quantity, source, "lost", when, document=doc, backdated=True)
    if kind == "reversal":
        index = pick(draw, reversible)
        original = model.steps[index]
        return Step("reversal", original.item, original.quantity, original.target, original.source,
                    max(hours, original.hours), reverses=index)
    if kind == "recovery":
        lost = [i for i in model.serials if custody[i] == "lost"]
        item = pick(draw, lost + model.lots)
        target = pick(draw, STORES)
        if item in model.serials:
            return Step("recovery", item, 1, "lost", target, hours, document=doc)
        source = pick(draw, ["lost", "recovered:FAMa", "recovered:weapons-amnesty"])
        return Step("recovery", item, draw(st.integers(1, 50)), source, target, hours, document=doc)
    if kind == "adjustment-in":
        counted = [i for i in model.serials if custody[i] == "count-adjustment"]
        item = pick(draw, model.lots + counted)
        return Step("adjustment", item, amount(item, 20), "count-adjustment", pick(draw, STORES), hours,
                    document=doc)

    # Everything else takes materiel from a real holder that has it.
    pool = {"transfer": from_stores, "issue": from_stores, "return": from_persons, "expenditure": lots_held}.get(kind,
                                                                                                                 held)
    source, item, balance = pick(draw, pool)
    quantity = amount(item, balance)
    if kind == "transfer":
        return Step(kind, item, quantity, source, pick(draw, [s for s in STORES if s != source]), hours)
    if kind == "issue":
        return Step(kind, item, quantity, source, pick(draw, PERSONS), hours)
    if kind == "return":
        return Step(kind, item, quantity, source, pick(draw, STORES), hours)
    if kind == "expenditure":
        return Step(kind, item, quantity, source, "expended", hours,
                    reason=pick(draw, ["training", "operations"]))
    if kind == "loss":
        return Step(kind, item, quantity, source, "lost", hours, document=doc)
    if kind == "disposal":
        if draw(st.booleans()):
            return Step(kind, item, quantity, source, "destroyed", hours, witness="Capt. Okafor", document=doc)
        return Step(kind, item, quantity, source, "handed-over:MLI", hours, document=doc)
    return Step("adjustment", item, quantity, source, "count-adjustment", hours, document=doc)


@st.composite
def valid_steps(draw: st.DrawFn, serials: Sequence[str], lots: Sequence[str], *, min_size: int = 1,
                max_size: int = 25) -> list[Step]:
    """A random sequence of movements that keeps every law, built against a :class:`CustodyModel`."""
    model = CustodyModel(serials, lots)
    target = draw(st.integers(min_size, max_size))
    attempts = 0
    while len(model.steps) < target and attempts < 2 * max_size:
        attempts += 1
        step = draw(valid_step(model))
        if step is not None:
            model.add(step)
    if len(model.steps) < min_size:
        model.add(Step("receipt", lots[0], 100, "supply:BGD", STORES[0], model.now))
    return model.steps


def model_of(steps: Sequence[Step], serials: Sequence[str], lots: Sequence[str]) -> CustodyModel:
    model = CustodyModel(serials, lots)
    for s in steps:
        model.add(s)
    return model


# --------------------------------------------------------------------------------- attackers
@functools.cache
def _migration_module():  # noqa: ANN202
    path = Path(t.__file__).parent / "migrations" / "versions" / "0001_ledger.py"
    spec = importlib.util.spec_from_file_location("wam_migration_0001", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def guard_names(engine) -> list[tuple[str, str]]:  # noqa: ANN001
    """(trigger, table) of every append-only guard the migration installs on this database."""
    if engine.dialect.name == "sqlite":
        return [(f"{tb}_no_{a}", tb) for tb in t.APPEND_ONLY_TABLES for a in ("update", "delete")]
    return [(f"{tb}_{g}", tb) for tb in t.APPEND_ONLY_TABLES for g in ("append_only", "no_truncate")]


def drop_guards(engine) -> None:  # noqa: ANN001
    """Drop the triggers that make the ledger tables append-only, as an attacker with access can."""
    with engine.begin() as conn:
        for name, table in guard_names(engine):
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql(f"DROP TRIGGER {name}")
            else:
                conn.exec_driver_sql(f"DROP TRIGGER {name} ON {table}")


def restore_guards(engine) -> None:  # noqa: ANN001
    """Put the guards back exactly as the migration made them (a careful attacker covers tracks)."""
    statements = _migration_module().append_only_ddl(engine.dialect.name)
    with engine.begin() as conn:
        for name, table in guard_names(engine):
            on_table = f" ON {table}" if engine.dialect.name != "sqlite" else ""
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}{on_table}")
        for statement in statements:
            if statement.startswith("CREATE TRIGGER"):
                conn.exec_driver_sql(statement)


def tamper(engine, sql: str, **params: object) -> None:  # noqa: ANN001
    """Run one statement straight against the database, outside wam."""
    with engine.begin() as conn:
        conn.execute(text(sql), params)


def rewrite_from(engine, entries: list[Entry], start: int) -> None:  # noqa: ANN001
    """Store ``entries`` (domain values) from index ``start`` on, rehashing every one after it, and
    move the chain head: a consistent rewrite of history that the chain alone cannot see."""
    with engine.begin() as conn:
        holders = dict(conn.execute(select(t.holders.c.code, t.holders.c.id)).all())
        items = dict(conn.execute(select(t.items.c.key, t.items.c.id)).all())
        prev = entries[start - 1].hash if start > 0 else GENESIS
        for entry in entries[start:]:
            entry = replace(entry, prev_hash=prev)
            digest = link(prev, canonical_bytes(entry_values(entry)))
            conn.execute(
                t.entries.update().where(t.entries.c.seq == entry.seq).values(
                    kind=entry.kind, item_id=items[entry.item], quantity=entry.quantity,
                    source_id=holders[entry.source], target_id=holders[entry.target], occurred_at=entry.occurred_at,
                    recorded_at=entry.recorded_at, actor=entry.actor, witness=entry.witness, document=entry.document,
                    note=entry.note, reason=entry.reason, reverses=entry.reverses, prev_hash=prev, hash=digest,
                )
            )
            prev = digest
        last = entries[-1].seq if entries else 0
        conn.execute(t.chain_head.update().where(t.chain_head.c.id == 1).values(seq=last, hash=prev))


def rebuild_balances(engine) -> None:  # noqa: ANN001
    """Recompute the stored balances from the entries as they now are (covering tracks for law 5)."""
    with engine.begin() as conn:
        totals: defaultdict[tuple[int, int], int] = defaultdict(int)
        for item_id, qty, source_id, target_id in conn.execute(
            select(t.entries.c.item_id, t.entries.c.quantity, t.entries.c.source_id, t.entries.c.target_id)
        ):
            totals[(source_id, item_id)] -= qty
            totals[(target_id, item_id)] += qty
        conn.execute(t.balances.delete())
        if totals:
            conn.execute(t.balances.insert(),
                         [{"holder_id": h, "item_id": i, "quantity": q} for (h, i), q in totals.items()])


# --------------------------------------------------------------------------------- observing
def all_entries(ledger) -> list[Entry]:  # noqa: ANN001
    """Every entry in seq order, through the ledger's own reads."""
    return list(reversed(ledger.entries(limit=10**9)))


def stored_balances(ledger) -> dict[tuple[str, str], int]:  # noqa: ANN001
    """The balances table as (holder code, item key) -> quantity, zeros left out."""
    with ledger.engine.connect() as conn:
        rows = conn.execute(
            select(t.holders.c.code, t.items.c.key, t.balances.c.quantity)
            .join(t.holders, t.holders.c.id == t.balances.c.holder_id)
            .join(t.items, t.items.c.id == t.balances.c.item_id)
        ).all()
    return {(h, i): q for h, i, q in rows if q}


def snapshot(ledger) -> tuple[object, ...]:  # noqa: ANN001
    """Everything a refused movement must leave as it was: head, entries, balances, holders, items."""
    with ledger.engine.connect() as conn:
        holders = sorted(conn.execute(select(t.holders.c.code)).scalars())
        items = sorted(conn.execute(select(t.items.c.key)).scalars())
    return ledger.head(), all_entries(ledger), stored_balances(ledger), holders, items


def problem_seqs(report) -> set[int | None]:  # noqa: ANN001
    return {p.seq for p in report.problems}


def problem_checks(report) -> set[str]:  # noqa: ANN001
    return {p.check for p in report.problems}



def busy_world(ledger):  # noqa: ANN001, ANN201
    """The shared world and a month of movements of every kind, every optional field used somewhere.

    The same holders, items and first four receipts as ``build_world`` (tests/factories.py),
    then twelve more movements, posted in two batches: the ledger then has 16 entries, and
    entry 14 reverses entry 13. Returns the world.
    """
    from tests.factories import World, post_many

    ledger.add_holders([make_holder(code=c, name=n, kind=k, parent=p, country=ctry) for c, n, k, p, ctry in HOLDERS])
    world = World(ledger, [rifle(f"56-{n:05d}") for n in range(1, 4)], ball_rounds())
    ledger.register_items([*world.rifles, world.rounds])
    r1, r2, r3 = world.rifles
    rounds = world.rounds
    movements = [mv("receipt", r, "supply:BGD", "GAO-ARM") for r in world.rifles]
    movements += [
        mv("receipt", rounds, "supply:BGD", "GAO-ASP", quantity=10_000),
        mv("issue", r1, "GAO-ARM", "PTE-RAHMAN", days=1, document="ISS-0001", note="night patrol"),
        mv("transfer", rounds, "GAO-ASP", "GAO-ARM", quantity=600, days=1),
        mv("issue", rounds, "GAO-ARM", "PTE-RAHMAN", quantity=120, days=1),
        mv("expenditure", rounds, "PTE-RAHMAN", "expended", quantity=30, days=2, reason="training"),
        mv("return", rounds, "PTE-RAHMAN", "GAO-ARM", quantity=90, days=3),
        mv("return", r1, "PTE-RAHMAN", "GAO-ARM", days=3, witness="Sgt. Karim"),
        mv("loss", r2, "GAO-ARM", "lost", days=5, document="INC-2024-004", note="ambush near Ansongo"),
        mv("recovery", r2, "lost", "GAO-ARM", days=9, document="REC-2024-001"),
        mv("transfer", r3, "GAO-ARM", "ANSONGO-ARM", days=10),
        mv("reversal", r3, "ANSONGO-ARM", "GAO-ARM", days=10, reverses=f"{ledger.uuid}:13", note="wrong armoury"),
        mv("disposal", rounds, "GAO-ARM", "destroyed", quantity=50, days=12, witness="Capt. Okafor"),
        mv("adjustment", rounds, "GAO-ASP", "count-adjustment", quantity=3, days=14, document="COUNT-2024-01"),
    ]
    post_many(ledger, movements[:13])  # two batches: the reversal's original is already stored
    post_many(ledger, movements[13:])  # loss, recovery, disposal, adjustment through their registers
    return world


def command_line(db_url: str, capsys: pytest.CaptureFixture[str]):  # noqa: ANN201
    """``wam --db db_url ...`` as a user runs it, in process: (exit code, stdout, stderr), and never a traceback."""
    from wam.cli.main import run

    def call(*args: str) -> tuple[int, str, str]:
        code = run(["--db", db_url, *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return call


# ------------------------------------------------------------------------------ an ammunition point
def ammunition_point(ledger, second: str = "G", *, override: str | None = None) -> tuple[object, object]:  # noqa: ANN001
    """GAO-ASP (of the world of tests/factories.py) receives, on day 3, 1,000 kg of HD 1.1 (group D,
    lot E-81) and 10 of a second lot: smoke of group ``G`` (stored with D only on a condition) or an
    irritant of group ``K`` (forbidden with D: let in by ``override``, "maj.sy"'s reason, which the
    storage rules need first). Its distances are not surveyed. Returns (the bombs, the second lot)."""
    from tests.factories import make_item, post
    from wam.domain.movements import make_movement
    from wam.services import ammo

    bombs = make_item(type="ammunition", make="Expal", model="HE 81mm", lot="E-81", calibre="81mm",
                      hazard_division="1.1", compatibility_group="D", neq_kg="1")
    other = (make_item(type="ammunition", make="X", model="irritant", lot="K-1", calibre="40mm",
                       hazard_division="1.2", compatibility_group="K", neq_kg="0.1") if second == "K" else
             make_item(type="ammunition", make="X", model="smoke", lot="G-1", calibre="81mm",
                       hazard_division="1.2", compatibility_group="G", neq_kg="0.1"))
    ledger.register_items([bombs, other])
    if override is not None:
        ammo.record_override(ledger, "GAO-ASP", other.key, override, actor="maj.sy")
    for item, qty in ((bombs, 1000), (other, 10)):
        post(ledger, make_movement(kind="receipt", item=item.key, quantity=qty, source="supply:BGD", target="GAO-ASP",
                                   occurred_at=T0 + timedelta(days=3), actor="setup"))
    return bombs, other
