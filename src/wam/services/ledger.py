"""The ledger service: the one object the command line, the web and importers talk to.

Example::

    ledger = Ledger.open("sqlite:///wam.db")
    ledger.init("MINUSMA ledger")
    ledger.add_holders([make_holder(code="UN", name="United Nations", kind="organisation")])
    ledger.post(make_movement(kind="receipt", ...))
    ledger.balance("STORE-1")
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import DBAPIError

from wam.domain.chain import GENESIS
from wam.domain.errors import InvalidInput, LedgerProblem, NotFound, PostingRejected, WamError
from wam.domain.holders import Holder
from wam.domain.materiel import Item
from wam.domain.movements import Entry, Movement
from wam.domain.timefmt import iso, to_micros
from wam.domain.timewindow import TimeWindow, check_occurred_at, window_from_settings
from wam.storage import schema
from wam.storage import tables as t
from wam.storage.engine import make_engine, write_connection

from . import queries, records
from .catalog import Catalog, HolderRef, ItemRef, item_from_row, item_tuple
from .current_balance import BalanceLine
from .marks import wrong_marks

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from wam.domain.rules import Rule

    from . import signing
    from .keys import KeyRecord
    from .posting import Poster
    from .trust import Anchors
    from .verify import VerifyReport

Then = Callable[[Connection, Entry], None]  # work done in a posting's own transaction
T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Refused(Exception):
    """The movement at ``position`` of a group commit was refused with ``error``."""

    def __init__(self, position: int, error: WamError) -> None:
        super().__init__(error.message)
        self.position = position
        self.error = error


_IMPORT_CHUNK = 5000  # rows whose new items are registered together, then posted
_FORGET_AFTER = 200_000  # items whose state an import keeps before writing it and forgetting it


def _stock_field(exc: WamError, movement: Movement) -> str | None:
    """The stock file's column a refusal of an opening-stock receipt concerns."""
    if isinstance(exc, InvalidInput):
        return exc.field
    if isinstance(exc, NotFound):
        return "holder"
    # a law: a weapon listed twice breaks law 1 (its serial), ammunition law 2 (its quantity)
    return "serial" if getattr(exc, "law", None) == 1 else "quantity"


def _generic(movements: Iterable[Movement]) -> Iterable[Movement]:
    """``movements``, refusing a kind that only its register posts (:mod:`wam.services.documents`);
    a refusal names its position in the stream."""
    from wam.domain.documents import refuse_generic
    from wam.domain.movements import DOCUMENT_KINDS

    for number, movement in enumerate(movements, start=1):
        if movement[0] in DOCUMENT_KINDS:
            refuse_generic(movement[0], row=number)
        yield movement


def _generic_rows(rows: Iterable[tuple[int, Movement]], keep_going: list[InvalidInput] | None
                  ) -> Iterable[tuple[int, Movement]]:
    """A file's (line, movement) rows, refusing a kind that only its register posts (naming the line)."""
    from wam.domain.documents import DocumentRequired, refuse_generic
    from wam.domain.movements import DOCUMENT_KINDS

    for row, movement in rows:
        if movement[0] in DOCUMENT_KINDS:
            try:
                refuse_generic(movement[0], row=row)
            except DocumentRequired as exc:
                if keep_going is None:
                    raise
                keep_going.append(exc)
                continue
        yield row, movement


_MOVEMENT_COLUMNS = {"source": "from", "target": "to"}


def _movement_field(exc: WamError, movement: Movement) -> str | None:
    """The movements file's column a refusal concerns (``from`` and ``to`` for source and target)."""
    if isinstance(exc, InvalidInput):
        return _MOVEMENT_COLUMNS.get(exc.field or "", exc.field)
    if isinstance(exc, NotFound):
        if exc.what == "holder":
            return "from" if exc.key == movement.source else "to"
        return "item"
    if isinstance(exc, PostingRejected):
        return "item" if exc.law == 1 else "quantity" if exc.law in (2, 3) else None
    return None


class NotInitialised(WamError):
    code = "not_initialised"


class DatabaseUnavailable(WamError):
    """The database named cannot be used at all: a file that is not SQLite's, a folder that does not
    exist, a server that refuses the connection or the user, a schema that does not exist."""

    code = "database_unavailable"


def unusable(exc: DBAPIError, engine: Engine) -> DatabaseUnavailable | None:
    """The error to show for ``exc`` if it says that the database itself cannot be used; None if
    it is about a table that is missing (a database without a ledger yet), or about anything else."""
    orig = exc.orig
    state = getattr(orig, "sqlstate", None)  # psycopg's; SQLite's errors carry only their text
    lines = str(orig).strip().splitlines()
    text = lines[0] if lines else type(orig).__name__
    if text.startswith("no such table") or state == "42P01":  # undefined_table
        return None
    if state == "3F000":  # invalid_schema_name
        text = "the schema its search_path names does not exist"
    elif not isinstance(orig, engine.dialect.loaded_dbapi.OperationalError) and not (
            engine.dialect.name == "sqlite" and isinstance(orig, engine.dialect.loaded_dbapi.DatabaseError)):
        return None  # not the database's state: a bug, shown as one
    url = engine.url
    shown = url.database if url.get_backend_name() == "sqlite" else url.set(drivername=url.get_backend_name()
                                                                             ).render_as_string(hide_password=True)
    return DatabaseUnavailable(f"cannot use the database {shown}: {text}")


@contextmanager
def usable(engine: Engine) -> Iterator[None]:
    """Turn an error that says the database cannot be used at all (:func:`unusable`) into
    DatabaseUnavailable; let every other error through as it is."""
    try:
        yield
    except DBAPIError as exc:
        problem = unusable(exc, engine)
        if problem is not None:
            raise problem from None
        raise


class Ledger:
    """A custody ledger on one database.

    ``clock`` gives every entry's ``recorded_at``; ``window`` (default: from the environment,
    :func:`~wam.domain.timewindow.window_from_settings`) bounds the ``occurred_at`` that the
    posting entry points accept, against that clock.
    """

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utcnow,
                 window: TimeWindow | None = None, rules: tuple[Rule, ...] | None = None) -> None:
        self.engine = engine
        self.clock = clock
        self._rules = rules  # every path posts through the same rules (domain.rules): see rules
        self.window = window if window is not None else window_from_settings(os.environ)
        self.catalog = Catalog()
        self._identity: tuple[int, str] | None = None

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules every posting runs (domain.rules by default): imported when a movement is
        first posted, so that a command that only reads (``wam balance``) does not load them."""
        if self._rules is None:
            from wam.domain.rules import RULES

            self._rules = RULES
        return self._rules

    @classmethod
    def open(cls, url: str, **kwargs: object) -> Ledger:
        return cls(make_engine(url), **kwargs)  # type: ignore[arg-type]

    def refresh_statistics(self) -> None:
        """Let the query planner know the tables' sizes and index selectivity (``ANALYZE``).

        Without them SQLite guesses: at 1,000,000 movements a serial search over the movements list took
        10 s (every entry in scope gathered, then filtered) and 28 ms with them (entries of the matching
        items, by the item index). 0.7 s on SQLite at 1,000,000 movements; the server runs it when it starts.
        """
        with write_connection(self.engine) as conn, conn.begin():
            conn.exec_driver_sql("ANALYZE")

    # set-up ------------------------------------------------------------------------------
    def init(self, name: str = "wam ledger", *, public_key: str | None = None) -> str:
        """Create the schema and this ledger's identity (idempotent). Returns the ledger id."""
        with usable(self.engine):
            schema.upgrade(self.engine)
        with write_connection(self.engine) as conn, conn.begin():
            row = conn.execute(select(t.ledgers.c.uuid).where(t.ledgers.c.is_local.is_(True))).first()
            if row is not None:
                return row.uuid
            ledger_uuid = str(uuid.uuid4())
            conn.execute(
                insert(t.ledgers).values(
                    uuid=ledger_uuid, name=name, is_local=True, public_key=public_key, created_at=to_micros(self.clock())
                )
            )
            conn.execute(insert(t.chain_head).values(id=1, seq=0, hash=GENESIS))
            return ledger_uuid

    @property
    def identity(self) -> tuple[int, str]:
        """(database id, uuid) of the local ledger."""
        if self._identity is None:
            try:
                with usable(self.engine), self.engine.connect() as conn:
                    row = conn.execute(select(t.ledgers.c.id, t.ledgers.c.uuid).where(t.ledgers.c.is_local.is_(True))).first()
            except DBAPIError:  # a table missing: no ledger yet
                row = None
            if row is None:
                raise NotInitialised("the database has no ledger yet: run `wam init` first")
            self._identity = (row.id, row.uuid)
        return self._identity

    @property
    def uuid(self) -> str:
        return self.identity[1]

    # reference data ----------------------------------------------------------------------
    def add_holders(self, holders: Iterable[Holder | tuple[int | None, Holder]]) -> int:
        """Add holders in one transaction (all or none); parents may come in any order."""
        pairs = [h if isinstance(h, tuple) else (None, h) for h in holders]
        return self._write(lambda conn: self.catalog.add_holders(conn, pairs))

    def register_items(self, items: Iterable[Item]) -> int:
        """Register items that are not known yet; return how many were new."""

        def run(conn) -> int:  # noqa: ANN001
            before = len(self.catalog._items)
            for item in items:
                self.catalog.ensure_item(conn, item)
            return len(self.catalog._items) - before

        return self._write(run)

    def _write(self, work: Callable) -> object:  # noqa: ANN001
        try:
            with write_connection(self.engine) as conn, conn.begin():
                return work(conn)
        except BaseException:
            self.catalog.forget_uncommitted()
            raise

    # posting -----------------------------------------------------------------------------
    def _time_check(self) -> Callable[..., None]:
        """The time window's check (:func:`~wam.domain.timewindow.check_occurred_at`) against the
        recording clock as it reads now: ``check(occurred_at, field="occurred_at")``. Every posting
        entry point below calls it for each movement; the replay in ``verify`` does not (a setting
        changed later must not make old history invalid).

        A million movements pass here in an import: a time inside the window's bounds, the
        domain check's own first test, passes without calling it (a third of the time); any
        other goes to the domain check, which decides (tests/domain/test_timewindow.py shows
        that the two agree).
        """
        recorded_at, window = self.clock(), self.window
        earliest, latest = window.earliest, window.latest(recorded_at)

        def check(occurred_at: object, field: str = "occurred_at") -> None:
            try:
                if type(occurred_at) is datetime and earliest <= occurred_at <= latest:
                    return
            except TypeError:  # naive: the domain check names it
                pass
            check_occurred_at(occurred_at, recorded_at, window, field=field)

        return check

    def _in_window(self, movements: Iterable[Movement]) -> Iterator[Movement]:
        """``movements``, each checked by :meth:`_time_check` as it is read (a refusal names its
        position in the stream, as the poster's do)."""
        check = self._time_check()
        for number, movement in enumerate(movements, start=1):
            try:
                check(movement.occurred_at)
            except InvalidInput as exc:
                raise InvalidInput(exc.detail, field=exc.field, row=number) from None
            yield movement

    def post(self, movement: Movement, *, then: Then | None = None) -> Entry:
        """Post one movement; return the recorded entry. ``then(conn, entry)`` runs in the same
        transaction (an idempotency key's answer, kept with its movement or not at all)."""
        from wam.domain.documents import refuse_generic

        refuse_generic(movement.kind)  # loss, recovery, adjustment, disposal: through their registers
        self._time_check()(movement.occurred_at)
        entries: list[Entry] = []

        def run(conn) -> None:  # noqa: ANN001
            with self._poster(conn) as poster:
                poster.keep_entries = True
                poster.post(movement)
                poster.finish()
                entries.extend(poster.entries)
                if then is not None:
                    then(conn, poster.entries[0])

        self._write(run)
        return entries[0]

    def post_each(self, movements: Sequence[Movement], then: Sequence[Then | None] = ()) -> list[Entry | WamError]:
        """Post independent movements (from different users) in one transaction: group commit.

        Each is accepted or refused on its own, as if posted alone in that order; the result
        at each position is its entry or the error refusing it. One transaction and one
        fsync serve them all, which is what lets a server keep up with many clerks at once.
        A refused movement rolls the attempt back and the others are posted again without
        it: a refusal changes nothing, so the others' checks come out the same.
        """
        results: list[Entry | WamError | None] = [None] * len(movements)
        pending = list(range(len(movements)))
        while pending:
            try:
                entries = self._write(lambda conn: self._post_in_order(conn, movements, pending, then))
            except _Refused as refused:
                results[refused.position] = refused.error
                pending.remove(refused.position)
                continue
            for position, entry in zip(pending, entries, strict=True):
                results[position] = entry
            break
        return results  # type: ignore[return-value]

    def _post_in_order(self, conn, movements: Sequence[Movement], positions: list[int],  # noqa: ANN001
                       then: Sequence[Then | None] = ()) -> list[Entry]:
        """Post the movements at ``positions`` on ``conn``; raise _Refused for the first refused.
        ``then[position](conn, entry)``, when given, runs in the same transaction; its WamError
        refuses that movement alone."""
        from wam.domain.documents import refuse_generic

        check = self._time_check()
        with self._poster(conn) as poster:
            poster.keep_entries = True
            for position in positions:
                try:
                    check(movements[position].occurred_at)
                    refuse_generic(movements[position].kind)
                    poster.post(movements[position])
                except (InvalidInput, NotFound, PostingRejected) as exc:
                    raise _Refused(position, exc) from exc
            poster.finish()
            for position, entry in zip(positions, poster.entries, strict=True):
                hook = then[position] if then else None
                if hook is not None:
                    try:
                        hook(conn, entry)
                    except WamError as exc:
                        raise _Refused(position, exc) from exc
            return poster.entries

    def post_many(self, movements: Iterable[Movement], *, on_each: Callable[[], None] | None = None) -> int:
        """Post a stream of movements in one transaction: all are recorded or none."""
        movements = _generic(movements)
        from .posting import post_all

        return self._write(lambda conn: post_all(self._poster(conn), self._in_window(movements), on_each))

    def document_transaction(self, work: Callable[[Connection, Poster], T]) -> T:
        """The documents seam (:mod:`wam.services.documents`): run ``work(conn, poster)`` in one
        write transaction. The poster posts every kind: the unit of work that ``work`` builds posts
        a document kind only as the lines of a document's posting step, and finishes the poster."""

        def run(conn: Connection) -> T:
            with self._poster(conn) as poster:
                return work(conn, poster)

        return self._write(run)  # type: ignore[no-any-return]

    def _poster(self, conn) -> Poster:  # noqa: ANN001
        ledger_id, ledger_uuid = self.identity
        from .posting import Poster

        return Poster(conn, self.catalog, ledger_id=ledger_id, ledger_uuid=ledger_uuid, recorded_at=to_micros(self.clock()),
                      rules=self.rules)

    def import_stock(self, rows: Iterable[tuple[int, Item, str, int, str]], *, actor: str, occurred_at: datetime,
                     keep_going: list[InvalidInput] | None = None) -> int:
        """Record opening stock: each (row, item, holder, quantity, supplier) becomes a receipt.

        All rows are posted in one transaction; new items are registered in bulk, a chunk at a
        time, so memory follows the chunk, not the file. A bad row raises InvalidInput naming
        its line and field; with ``keep_going``, bad rows are appended to it instead, the rest
        are checked too, and nothing is written if any was bad.
        """
        return self.import_stock_values(((row, item_tuple(item), holder, quantity, supplier)
                                         for row, item, holder, quantity, supplier in rows),
                                        actor=actor, occurred_at=occurred_at, keep_going=keep_going)

    def import_stock_values(self, rows: Iterable[tuple[int, tuple[object, ...], str, int, str]], *, actor: str,
                            occurred_at: datetime, keep_going: list[InvalidInput] | None = None) -> int:
        """:meth:`import_stock` of rows whose item is given by its stored values
        (:func:`~wam.services.catalog.item_tuple`'s, the key first): a file's importer builds them
        without an :class:`Item` per row (``wam.importers.ledger_files.StockMaker``)."""
        from wam.domain.movements import MovementKind

        self._time_check()(occurred_at, "at")  # once for the file, not once per row
        receipt, note = MovementKind.RECEIPT, "opening stock"
        receipts = (
            (row, Movement(receipt, values[0], quantity, supplier, holder, occurred_at, actor,  # type: ignore[arg-type]
                           None, None, note), values)
            for row, values, holder, quantity, supplier in rows
        )
        return self._import_rows(receipts, keep_going, _stock_field, timed=False)  # the one time is checked above

    def import_movements(self, rows: Iterable[tuple[int, Movement]], *,
                         keep_going: list[InvalidInput] | None = None) -> int:
        """Post a history of movements, each with its line in the file, in one transaction.

        Every movement goes through the same posting, laws and rules as :meth:`post_many`. A
        refused one raises InvalidInput naming its line and the field it concerns; with
        ``keep_going``, refusals are appended to it instead and the following rows are checked
        as if the refused ones were absent; nothing is written if any was refused.
        """
        rows = _generic_rows(rows, keep_going)
        return self._import_rows(((row, mv, None) for row, mv in rows), keep_going, _movement_field)

    def _import_rows(self, rows: Iterable[tuple[int, Movement, tuple[object, ...] | None]],
                     keep_going: list[InvalidInput] | None, field_of: Callable[[WamError, Movement], str | None], *,
                     timed: bool = True) -> int:
        """Post (line, movement, stored values of the item to register or None) rows in chunks on one poster;
        each movement's time is checked (:meth:`_time_check`) unless the caller checked them (``timed``)."""

        check = self._time_check() if timed else None

        def run(conn) -> int:  # noqa: ANN001
            with self._poster(conn) as poster:
                poster.defer_indexes()
                chunk: list[tuple[int, Movement, tuple[object, ...] | None]] = []
                for row in rows:
                    chunk.append(row)
                    if len(chunk) >= _IMPORT_CHUNK:
                        # before a chunk rather than after, so that the end of a file does not
                        # write and forget a state that finish writes anyway
                        if max(len(poster.state.last_at), len(poster.state.custody)) >= _FORGET_AFTER:
                            poster.forget_items()  # memory flat as the file grows
                        post_chunk(poster, conn, chunk)
                        chunk = []
                post_chunk(poster, conn, chunk)
                if keep_going:
                    raise InvalidInput(f"{len(keep_going)} bad row(s); nothing was written")
                return poster.finish()

        def post_chunk(poster: Poster, conn, chunk: list[tuple[int, Movement, tuple[object, ...] | None]]) -> None:  # noqa: ANN001
            items = [item for _, _, item in chunk if item is not None]
            if items:
                poster.drain()  # the connection is ours alone while items are registered
                new_ids: list[int] = []
                # on SQLite their INSERTs run on the writer thread, before the chunk's entries
                self.catalog.ensure_item_values(conn, items, new_ids=new_ids, submit=poster.submit)
                poster.registered(new_ids)
                restated = self.catalog.restated_conflicts(
                    conn, [(row, item) for row, _, item in chunk if item is not None], new_ids, poster.drain)
            else:
                restated = {}
                keys = [movement.item for _, movement, _ in chunk]
                cached = self.catalog._items
                if any(key not in cached for key in keys):  # a query: the connection must be ours alone
                    poster.drain()
                    self.catalog.load_items(conn, keys)
            poster.preload([movement for _, movement, _ in chunk])  # the chunk's state, read in bulk
            current: list[tuple[int, Movement]] = []  # the row being posted

            def refuse(exc: WamError, row: int, movement: Movement) -> None:
                detail = exc.detail if isinstance(exc, InvalidInput) else exc.message
                error = InvalidInput(detail, field=field_of(exc, movement), row=row)
                if keep_going is None:
                    raise error from None
                keep_going.append(error)

            def stream() -> Iterator[Movement]:
                for row, movement, _ in chunk:
                    current[:] = [(row, movement)]
                    if row in restated:  # an item's facts stated otherwise than registered
                        refuse(restated[row], row, movement)
                        continue
                    if check is None:
                        yield movement
                        continue
                    try:
                        check(movement.occurred_at)
                    except WamError as exc:
                        if keep_going is None:
                            raise  # named by the loop below
                        refuse(exc, row, movement)
                        continue
                    yield movement

            # one stream per chunk, resumed after each refused row: the poster's loop keeps its
            # state in locals, and a call per row would cost more than the fast path itself
            movements = stream()
            while True:
                try:
                    poster.post_stream(movements, numbered=False)
                    break
                except WamError as exc:
                    refuse(exc, *current[0])

        return self._write(run)

    def mark_balances(self) -> int:
        """Build the missing monthly balance marks (see :mod:`wam.services.marks`)."""
        from . import marks

        return self._write(marks.mark_balances)

    # reads -------------------------------------------------------------------------------
    def holder_ref(self, code: str) -> HolderRef:
        with self.engine.connect() as conn:
            return self.catalog.holder(conn, code)

    def item_ref(self, key: str) -> ItemRef:
        with self.engine.connect() as conn:
            return self.catalog.item(conn, key)

    def holder(self, code: str) -> Holder:
        with self.engine.connect() as conn:
            return queries.holder_details(conn, code)

    def item(self, key: str) -> Item:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.items).where(t.items.c.key == key)).first()
        if row is None:
            raise NotFound("item", key)
        return item_from_row(row)

    def find_items(self, serial: str) -> list[Item]:
        """Return the items whose serial (normalised) is ``serial``: serials repeat across models."""
        from wam.domain.materiel import normalise_serial

        with self.engine.connect() as conn:
            rows = conn.execute(select(t.items).where(t.items.c.serial == normalise_serial(serial))).all()
        return [item_from_row(r) for r in rows]

    def item_keys_by_serial(self, serials: Iterable[str]) -> dict[str, list[str]]:
        """Map each normalised serial of ``serials`` that some item has to the keys of those items
        (a file of movements names weapons by serial: one query per 500, not one per row). Their
        ids are cached on the way, so that posting them does not look them up again by key."""
        wanted = list(dict.fromkeys(serials))
        found: dict[str, list[str]] = {}
        remember = self.catalog.remember_item
        with self.engine.connect() as conn:
            mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            for start in range(0, len(wanted), 500):
                chunk = tuple(wanted[start:start + 500])
                for serial, key, item_id, shape in conn.exec_driver_sql(  # plain tuples: many rows
                        f'SELECT serial, "key", id, shape FROM items WHERE serial IN ({", ".join([mark] * len(chunk))})',
                        chunk).fetchall():
                    found.setdefault(serial, []).append(key)
                    remember(item_id, key, shape)
        return found

    def balance(self, holder: str, *, at: datetime | None = None, tree: bool = False) -> list[BalanceLine]:
        """Return what ``holder`` (and its subtree with ``tree``) holds now, or held at ``at``."""
        with self.engine.connect() as conn:
            ref = self.catalog.holder(conn, holder)
            return queries.balances(conn, ref.id, at=None if at is None else to_micros(at), tree=tree)

    def history(self, item_key: str) -> list[Entry]:
        """Return the item's custody from first to last."""
        with self.engine.connect() as conn:
            ref = self.catalog.item(conn, item_key)
            return queries.history(conn, ref.id)

    def custodian(self, item_key: str) -> str | None:
        with self.engine.connect() as conn:
            return queries.custodian(conn, self.catalog.item(conn, item_key).id)

    def entries(self, *, holder: str | None = None, tree: bool = False, item: str | None = None, kind: str | None = None,
                before_seq: int | None = None, limit: int = 50) -> list[Entry]:
        with self.engine.connect() as conn:
            holder_id = self.catalog.holder(conn, holder).id if holder else None
            item_id = self.catalog.item(conn, item).id if item else None
            return queries.entries(conn, holder_id=holder_id, tree=tree, item_id=item_id, kind=kind,
                                   before_seq=before_seq, limit=limit)

    def children(self, holder: str | None) -> list[Holder]:
        with self.engine.connect() as conn:
            holder_id = self.catalog.holder(conn, holder).id if holder else None
            return queries.children(conn, holder_id)

    def subtree(self, holder: str) -> list[Holder]:
        with self.engine.connect() as conn:
            return queries.holders_in(conn, self.catalog.holder(conn, holder).id)

    def head(self) -> tuple[int, bytes]:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.chain_head.c.seq, t.chain_head.c.hash).where(t.chain_head.c.id == 1)).one()
        return row.seq, bytes(row.hash)

    # integrity ---------------------------------------------------------------------------
    def verify(self, checkpoints: Iterable[signing.Checkpoint] = (), *, marks: bool = False,
               anchors: Anchors | None = None) -> VerifyReport:
        """Check chain, checkpoints, laws, balances and guards; report every problem. With
        ``marks``, also recompute the monthly balance marks that past balances are read from
        (about doubles the time)."""
        from .verify import verify

        report = verify(self.engine, self.uuid, list(checkpoints), anchors)
        if marks:
            with self.engine.connect() as conn:
                for holder, boundary, item, have, want in wrong_marks(conn):
                    report.problems.append(LedgerProblem(
                        "marks", f"the balance mark of {iso(boundary)} says {have} of {item} at {holder}; the entries give {want}",
                        None, item, holder))
        return report

    def checkpoint(self, key_path: Path | None = None, *, key: Ed25519PrivateKey | None = None,
                   record: KeyRecord | None = None) -> signing.Checkpoint:
        """Sign the current head with the ledger's key (``key``, or the one at ``key_path``) and
        store the checkpoint, numbered after the latest stored one or the key's ``record``."""
        from . import signing
        from .trust import next_number

        if key is None:
            assert key_path is not None, "give the key or its path"
            key = signing.load_or_create_key(key_path)
        public = signing.public_hex(key)

        def run(conn) -> signing.Checkpoint:  # noqa: ANN001
            row = conn.execute(select(t.ledgers.c.id, t.ledgers.c.public_key).where(t.ledgers.c.is_local.is_(True))).one()
            if row.public_key is None:
                conn.execute(t.ledgers.update().where(t.ledgers.c.id == row.id).values(public_key=public))
            elif row.public_key != public:
                raise InvalidInput("this key is not the ledger's signing key", field="signing_key")
            head = conn.execute(select(t.chain_head.c.seq, t.chain_head.c.hash).where(t.chain_head.c.id == 1)).one()
            records_seq, records_hash = records.head(conn)  # v2: the records chain's head too
            number, prev = next_number(conn, self.uuid, public, record)  # v3: numbered and chained
            cp = signing.sign(key, ledger=self.uuid, seq=head.seq, head_hash=bytes(head.hash).hex(), signed_at=to_micros(self.clock()),
                              records_seq=records_seq, records_hash=records_hash.hex(), number=number, prev_checkpoint=prev)
            self._store_checkpoint(conn, cp)
            return cp

        return self._write(run)

    def import_checkpoints(self, checkpoints: Iterable[signing.Checkpoint]) -> int:
        """Store checkpoints received from another party (after checking their signatures)."""

        def run(conn) -> int:  # noqa: ANN001
            known = {(r.seq, r.signature) for r in conn.execute(select(t.checkpoints.c.seq, t.checkpoints.c.signature))}
            added = 0
            for cp in checkpoints:
                if cp.ledger != self.uuid:
                    raise InvalidInput(f"checkpoint at entry {cp.seq} belongs to ledger {cp.ledger}", field="ledger")
                if not cp.signature_valid():
                    raise InvalidInput(f"checkpoint at entry {cp.seq} has an invalid signature", field="signature")
                if (cp.seq, cp.signature) not in known:
                    self._store_checkpoint(conn, cp)
                    added += 1
            return added

        return self._write(run)

    @staticmethod
    def _store_checkpoint(conn, cp: signing.Checkpoint) -> None:  # noqa: ANN001
        conn.execute(
            insert(t.checkpoints).values(ledger_uuid=cp.ledger, seq=cp.seq, head_hash=cp.head_hash, signed_at=cp.signed_at,
                                         public_key=cp.public_key, signature=cp.signature, records_seq=cp.records_seq,
                                         records_hash=cp.records_hash, number=cp.number, prev_checkpoint=cp.prev_checkpoint)
        )
