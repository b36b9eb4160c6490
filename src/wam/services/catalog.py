"""Holders and items: registering them and resolving codes and keys to database ids.

Holders and items are reference data: the ledger cites them by code and key. Their rows are
never deleted, so an id, once read, can be cached for the life of the process.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from json import JSONEncoder
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Row, insert, select

from wam.domain.errors import InvalidInput, NotFound
from wam.domain.facts import ITEM_FIELDS
from wam.domain.holders import Holder, HolderKind, check_parent, external_holder, is_external
from wam.domain.materiel import RESTATED_FIELDS, Item, ItemType, Shape, check_restated
from wam.storage import bulk
from wam.storage import tables as t

from . import facts, records

Submit = Callable[[list[tuple[str, object, bool]]], None]  # runs (sql, parameters, executemany) jobs later
_IN_CHUNK = 500  # keys per ``IN (...)`` list: well under every driver's limit on parameters
_INSERT_ROWS = 1000  # items per INSERT: 16 parameters each, under SQLite's limit of 32,766
_JSON = JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_ITEM_COLUMNS = ("key", "type", "shape", "make", "model", "serial", "lot", "category", "calibre",
                 "country_of_manufacture", "year_of_manufacture", "markings", "hazard_division", "compatibility_group",
                 "neq_kg", "condition")
_RESTATED = slice(7, 16)  # an item's stored values from category to condition
assert _ITEM_COLUMNS[7:16] == RESTATED_FIELDS


@dataclass(frozen=True, slots=True)
class HolderRef:
    id: int
    code: str
    kind: HolderKind

    @property
    def external(self) -> bool:
        return self.kind is HolderKind.EXTERNAL


@dataclass(frozen=True, slots=True)
class ItemRef:
    id: int
    key: str
    shape: Shape

    @property
    def serialised(self) -> bool:
        return self.shape is Shape.SERIAL


class Catalog:
    """Caches of holder codes and item keys to ids; safe to share, as rows never change."""

    def __init__(self) -> None:
        self._holders: dict[str, HolderRef] = {}
        self._holders_by_id: dict[int, HolderRef] = {}
        self._items: dict[str, ItemRef] = {}

    # holders -----------------------------------------------------------------------------
    def holder(self, conn: Connection, code: str, *, create_external: bool = False) -> HolderRef:
        """Return the holder ``code``; create an external holder on first use if asked."""
        ref = self._holders.get(code)
        if ref is not None:
            return ref
        return self._holder_miss(conn, code, create_external)

    def _holder_miss(self, conn: Connection, code: str, create_external: bool) -> HolderRef:
        row = conn.execute(select(t.holders.c.id, t.holders.c.kind).where(t.holders.c.code == code)).first()
        if row is None:
            if create_external and is_external(code):
                return self._insert_holder(conn, external_holder(code), None)
            raise NotFound("holder", code)
        return self._remember(HolderRef(row.id, code, HolderKind(row.kind)))

    def holder_by_id(self, conn: Connection, holder_id: int) -> HolderRef:
        ref = self._holders_by_id.get(holder_id)
        if ref is None:
            row = conn.execute(select(t.holders.c.code, t.holders.c.kind).where(t.holders.c.id == holder_id)).one()
            ref = self._remember(HolderRef(holder_id, row.code, HolderKind(row.kind)))
        return ref

    def _remember(self, ref: HolderRef) -> HolderRef:
        self._holders[ref.code] = ref
        self._holders_by_id[ref.id] = ref
        return ref

    def _insert_holder(self, conn: Connection, holder: Holder, parent_id: int | None) -> HolderRef:
        new_id = conn.execute(  # type: ignore[index]  # an insert always has its primary key
            insert(t.holders).values(
                code=holder.code,
                name=holder.name,
                kind=holder.kind.value,
                parent_id=parent_id,
                country=holder.country,
                latitude=holder.latitude,
                longitude=holder.longitude,
                external=holder.external,
            )
        ).inserted_primary_key[0]
        records.append_many(conn, [facts.holder_record(holder)])  # the holder's record, in the same transaction
        return self._remember(HolderRef(new_id, holder.code, holder.kind))

    def add_holders(self, conn: Connection, holders: Iterable[tuple[int | None, Holder]]) -> int:
        """Insert holders, parents first; ``holders`` pairs each with its source row number.

        Raises:
            InvalidInput: naming the row and field of the first holder that cannot be added;
                the caller's transaction is then rolled back, so nothing is half-written.
        """
        pending = list(holders)
        known: dict[str, Holder] = {}
        codes = [h.code for _, h in pending]
        seen: set[str] = set()
        for row, holder in pending:
            if holder.code in seen:
                raise InvalidInput(f"holder {holder.code!r} appears twice", field="code", row=row)
            seen.add(holder.code)
        existing = {
            r.code
            for chunk_start in range(0, len(codes), 500)
            for r in conn.execute(
                select(t.holders.c.code).where(t.holders.c.code.in_(codes[chunk_start : chunk_start + 500])))
        }
        added = 0
        # Parents may come after their children in a file: insert in rounds until none is left.
        while pending:
            progress = False
            waiting = []
            for row, holder in pending:
                if holder.code in existing:
                    raise InvalidInput(f"holder {holder.code!r} already exists", field="code", row=row)
                parent_id = None
                if holder.parent is not None:
                    parent = known.get(holder.parent) or self._load_holder(conn, holder.parent)
                    if parent is None:
                        if holder.parent in seen:
                            waiting.append((row, holder))
                            continue
                        raise InvalidInput(f"parent {holder.parent!r} does not exist", field="parent", row=row)
                    try:
                        check_parent(holder, parent)
                    except InvalidInput as exc:
                        raise InvalidInput(exc.detail, field=exc.field, row=row) from None
                    parent_id = self.holder(conn, parent.code).id
                self._insert_holder(conn, holder, parent_id)
                known[holder.code] = holder
                added += 1
                progress = True
            if waiting and not progress:
                row, holder = waiting[0]
                raise InvalidInput(f"parent {holder.parent!r} forms a cycle", field="parent", row=row)
            pending = waiting
        return added

    def _load_holder(self, conn: Connection, code: str) -> Holder | None:
        row = conn.execute(select(t.holders).where(t.holders.c.code == code)).first()
        return None if row is None else holder_from_row(row, None)

    # items -------------------------------------------------------------------------------
    def item(self, conn: Connection, key: str) -> ItemRef:
        ref = self._items.get(key)
        if ref is not None:
            return ref
        row = conn.execute(select(t.items.c.id, t.items.c.shape).where(t.items.c.key == key)).first()
        if row is None:
            raise NotFound("item", key)
        ref = ItemRef(row.id, key, Shape(row.shape))
        self._items[key] = ref
        return ref

    def ensure_item(self, conn: Connection, item: Item) -> ItemRef:
        """Return the item with ``item.key``, registering it if it is new."""
        try:
            return self.item(conn, item.key)
        except NotFound:
            pass
        row = item_row(item)
        new_id = conn.execute(insert(t.items).values(**row)).inserted_primary_key[0]  # type: ignore[index]
        facts.record_items(conn, [item_values(row)])  # the item's record, in the same transaction
        ref = ItemRef(new_id, item.key, item.shape)
        self._items[item.key] = ref
        return ref

    def remember_item(self, item_id: int, key: str, shape: str) -> None:
        """Cache an item's id read elsewhere (a stored row: ids never change)."""
        if key not in self._items:
            self._items[key] = ItemRef(item_id, key, _SHAPES[shape])

    def load_items(self, conn: Connection, keys: Iterable[str]) -> list[str]:
        """Cache the ids of those of ``keys`` that are registered, a query per 500; return them.
        Plain SQL and tuples: a stock import asks this for every key it reads."""
        wanted = [key for key in dict.fromkeys(keys) if key not in self._items]
        found = []
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        items = self._items
        for start in range(0, len(wanted), _IN_CHUNK):
            chunk = tuple(wanted[start:start + _IN_CHUNK])
            for item_id, key, shape in conn.exec_driver_sql(
                    f'SELECT id, "key", shape FROM items WHERE "key" IN ({", ".join([mark] * len(chunk))})', chunk):
                items[key] = ItemRef(item_id, key, _SHAPES[shape])
                found.append(key)
        return found

    def ensure_items(self, conn: Connection, items: Iterable[Item], *, new_ids: list[int] | None = None) -> int:
        """Register every item of ``items`` not known yet, in bulk; return how many were new
        (:meth:`ensure_item_values` of their stored values)."""
        return self.ensure_item_values(conn, [item_tuple(item) for item in items], new_ids=new_ids)

    def ensure_item_values(self, conn: Connection, items: Iterable[tuple[object, ...]], *,
                           new_ids: list[int] | None = None, submit: Submit | None = None) -> int:
        """Register every item not known yet, from its stored values (:func:`item_tuple`'s:
        a stock import builds them without an :class:`Item` per row); return how many were new.

        One query per 500 keys finds which exist (on PostgreSQL the INSERT skips them instead:
        :meth:`_insert_new`), and the rest are inserted in bulk, with
        their ids read from the statement itself (``RETURNING``): registering items one at a
        time costs two statements each and was most of a stock import's time (issue 8). The ids
        are never read from the connection's "last inserted row", which another thread writing
        entries on the same SQLite connection can change in between. ``new_ids``, when given,
        receives the ids of the items registered here.

        ``submit``, on SQLite, is given the INSERTs to run rather than running them (a bulk
        import's writer thread, which runs them before the entries that cite the items): the ids
        are then assigned here, one more than the highest, as SQLite assigns them, which only a
        write transaction that holds the database's lock (``BEGIN IMMEDIATE``) and runs nothing
        else in between may do.
        """
        wanted: dict[str, tuple[object, ...]] = {}
        known = self._items
        for values in items:
            key = values[0]
            if key not in known and key not in wanted:
                wanted[key] = values  # type: ignore[index]
        if not wanted:
            return 0
        if conn.dialect.name != "sqlite":
            returned = self._insert_new(conn, wanted)
        else:
            for key in self.load_items(conn, wanted):
                del wanted[key]
            if not wanted:
                return 0
            rows = list(wanted.values())
            # each new item's record, in the same transaction (bodies written in one loop: facts.record_items)
            facts.record_items(conn, rows)
            if submit is not None:
                first: int = conn.exec_driver_sql("SELECT coalesce(max(id), 0) + 1 FROM items").scalar_one()
                submit(_sqlite_jobs(rows, first))
                returned = [(first + n, str(row[0])) for n, row in enumerate(rows)]
            else:
                returned = _insert_sqlite(conn, rows)
        for new_id, key in returned:
            known[key] = ItemRef(new_id, key, _SHAPES[wanted[key][2]])  # type: ignore[index]
            if new_ids is not None:
                new_ids.append(new_id)
        missing = [key for key in wanted if key not in known]
        if missing:  # cannot happen unless the driver drops rows: say so rather than post without ids
            raise RuntimeError(f"{len(missing)} registered item(s) came back without an id")
        return len(wanted)

    def restated_conflicts(self, conn: Connection, rows: Iterable[tuple[int, tuple[object, ...]]],
                           new_ids: Collection[int], before_reading: Callable[[], None] | None = None
                           ) -> dict[int, InvalidInput]:
        """The rows (line: error) of a file that state their item's facts otherwise than it was
        registered (:func:`~wam.domain.materiel.check_restated`), after :meth:`ensure_item_values`
        registered the new ones (their ids ``new_ids``): a new item against the first row that
        registered it, an item registered before these rows against its stored facts, read back a
        query per 500 such keys (a file of new weapons reads none), ``before_reading`` called first
        (a bulk import's writer thread must be done with the connection)."""
        new, items = set(new_ids), self._items
        first: dict[str, tuple[object, ...]] = {}
        earlier: dict[str, list[tuple[int, tuple[object, ...]]]] = {}
        refused: dict[int, InvalidInput] = {}
        for row, values in rows:
            key = str(values[0])
            if items[key].id in new:
                registered = first.setdefault(key, values)
                if registered is not values:
                    try:
                        check_restated(key, registered[_RESTATED], values[_RESTATED])
                    except InvalidInput as exc:
                        refused[row] = exc
            else:
                earlier.setdefault(key, []).append((row, values))
        keys = list(earlier)
        if keys and before_reading is not None:
            before_reading()
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        for start in range(0, len(keys), _IN_CHUNK):
            chunk = tuple(keys[start:start + _IN_CHUNK])
            for key, *stored in conn.exec_driver_sql(
                    f'SELECT "key", {", ".join(RESTATED_FIELDS)} FROM items '
                    f'WHERE "key" IN ({", ".join([mark] * len(chunk))})', chunk).fetchall():
                for row, values in earlier[key]:
                    try:
                        check_restated(key, stored, values[_RESTATED])
                    except InvalidInput as exc:
                        refused[row] = exc
        return refused

    def _insert_new(self, conn: Connection, wanted: dict[str, tuple[object, ...]]) -> list[tuple[int, str]]:
        """On PostgreSQL: insert the items whose key is not taken (``ON CONFLICT DO NOTHING``) and
        record them; drop the others from ``wanted`` after caching their ids. No look-up first:
        inside an import's transaction the planner still sees the items table as it was at its
        last ANALYZE (empty, for a new ledger), and looked keys up with a sequential scan, a
        second per 500 keys at 100,000 items."""
        returned = bulk.insert_new(conn, "items", _ITEM_COLUMNS, list(wanted.values()), conflict='"key"',
                                   returning=("id", '"key"'))
        inserted = {key for _, key in returned}
        taken = [key for key in wanted if key not in inserted]
        if taken:
            self.load_items(conn, taken)
            for key in taken:
                del wanted[key]
        if wanted:  # each new item's record, in the same transaction, in the order they were given
            facts.record_items(conn, list(wanted.values()))
        return returned

    def forget_uncommitted(self) -> None:
        """Drop every cached id: after a rollback, ids cached inside it may not exist."""
        self._holders.clear()
        self._holders_by_id.clear()
        self._items.clear()


_SHAPES = {shape.value: shape for shape in Shape}
_COLUMN_LIST = ", ".join(f'"{name}"' for name in _ITEM_COLUMNS)  # quoted: "key" is a keyword in SQL
# the columns that differ from one item to the next of a stock file (the others repeat per make and model)
_OWN = (0, 5, 6)  # key, serial, lot
_SHARED = tuple(n for n in range(len(_ITEM_COLUMNS)) if n not in _OWN)
_shared_of = itemgetter(*_SHARED)


def _insert_rows(conn: Connection, rows: list[tuple[object, ...]]) -> list[tuple[int, str]]:
    """Insert items with multi-row ``INSERT .. RETURNING`` of _INSERT_ROWS rows, built as text and
    bound by the driver (an SQLite without JSON functions): SQLAlchemy's insert() builds each
    row's parameters in Python, and asked to return ids in parameter order it inserts one row per
    statement on SQLite."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    row_marks = "(" + ", ".join([mark] * len(_ITEM_COLUMNS)) + ")"
    returned: list[tuple[int, str]] = []
    for start in range(0, len(rows), _INSERT_ROWS):
        batch = rows[start:start + _INSERT_ROWS]
        sql = (f'INSERT INTO items ({_COLUMN_LIST}) VALUES {", ".join([row_marks] * len(batch))}'
               ' RETURNING id, "key"')
        returned.extend(conn.exec_driver_sql(sql, tuple([value for row in batch for value in row])).fetchall())
    return returned


def _insert_sqlite(conn: Connection, rows: list[tuple[object, ...]]) -> list[tuple[int, str]]:
    """On SQLite: items that share every column but their key, serial and lot (a stock file's
    rows of one make and model) go in one statement per set, their own three columns as one
    JSON text that SQLite takes apart (``json_each``), the shared ones bound once; binding
    sixteen parameters per row costs more than SQLite's inserting it. Without JSON functions
    (an SQLite built without them): :func:`_insert_rows`."""
    groups: dict[tuple[object, ...], list[tuple[object, object, object]]] = {}
    for row in rows:
        shared = _shared_of(row)
        group = groups.get(shared)
        if group is None:
            group = groups[shared] = []
        group.append((row[0], row[5], row[6]))
    names = [_ITEM_COLUMNS[n] for n in _SHARED]
    sql = (f'INSERT INTO items ("key", serial, lot, {", ".join(f"{chr(34)}{n}{chr(34)}" for n in names)}) '
           "SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'), "
           f"{', '.join(f'?{n + 2}' for n in range(len(names)))} FROM json_each(?1) AS j ORDER BY j.key "
           'RETURNING id, "key"')
    returned: list[tuple[int, str]] = []
    try:
        for shared, own in groups.items():
            returned.extend(conn.exec_driver_sql(sql, (_JSON(own), *shared)).fetchall())
    except conn.dialect.loaded_dbapi.OperationalError:
        if returned:
            raise
        return _insert_rows(conn, rows)
    return returned


def _sqlite_jobs(rows: list[tuple[object, ...]], first: int) -> list[tuple[str, object, bool]]:
    """:func:`_insert_sqlite`'s statements with the ids given (``first`` for the first row, and so
    on), as (sql, parameters, whether executemany) jobs for a writer thread."""
    groups: dict[tuple[object, ...], list[tuple[object, object, object, object]]] = {}
    for n, row in enumerate(rows, start=first):
        shared = _shared_of(row)
        group = groups.get(shared)
        if group is None:
            group = groups[shared] = []
        group.append((n, row[0], row[5], row[6]))
    names = [_ITEM_COLUMNS[n] for n in _SHARED]
    sql = (f'INSERT INTO items (id, "key", serial, lot, {", ".join(f"{chr(34)}{n}{chr(34)}" for n in names)}) '
           "SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'), "
           f"json_extract(j.value, '$[3]'), {', '.join(f'?{n + 2}' for n in range(len(names)))} "
           "FROM json_each(?1) AS j")
    return [(sql, (_JSON(own), *shared), False) for shared, own in groups.items()]


def item_values(row: dict[str, object]) -> list[object]:
    """An item's key and then its values in ``wam.domain.facts.ITEM_FIELDS`` order, from :func:`item_row`."""
    return [row["key"], *(row[name] for name in ITEM_FIELDS)]


def item_tuple(item: Item) -> tuple[object, ...]:
    """An item's stored values in ``_ITEM_COLUMNS`` order: its key, then ``ITEM_FIELDS``'s
    (the values of :func:`item_row`, without a dict per item: a stock import registers many)."""
    neq = item.neq_kg
    return (item.key, item.type.value, item.shape.value, item.make, item.model, item.serial, item.lot, item.category,
            item.calibre, item.country_of_manufacture, item.year_of_manufacture, item.markings, item.hazard_division,
            item.compatibility_group, None if neq is None else str(neq), item.condition)


def item_row(item: Item) -> dict[str, object]:
    return {
        "key": item.key,
        "type": item.type.value,
        "shape": item.shape.value,
        "make": item.make,
        "model": item.model,
        "serial": item.serial,
        "lot": item.lot,
        "category": item.category,
        "calibre": item.calibre,
        "country_of_manufacture": item.country_of_manufacture,
        "year_of_manufacture": item.year_of_manufacture,
        "markings": item.markings,
        "hazard_division": item.hazard_division,
        "compatibility_group": item.compatibility_group,
        "neq_kg": None if item.neq_kg is None else str(item.neq_kg),
        "condition": item.condition,
    }


def item_from_row(row: Row[Any]) -> Item:
    from decimal import Decimal

    return Item(
        key=row.key,
        type=ItemType(row.type),
        shape=Shape(row.shape),
        make=row.make,
        model=row.model,
        serial=row.serial,
        lot=row.lot,
        category=row.category,
        calibre=row.calibre,
        country_of_manufacture=row.country_of_manufacture,
        year_of_manufacture=row.year_of_manufacture,
        markings=row.markings,
        hazard_division=row.hazard_division,
        compatibility_group=row.compatibility_group,
        neq_kg=None if row.neq_kg is None else Decimal(row.neq_kg),
        condition=row.condition,
    )


def holder_from_row(row: Row[Any], parent_code: str | None) -> Holder:
    return Holder(
        code=row.code,
        name=row.name,
        kind=HolderKind(row.kind),
        parent=parent_code,
        country=row.country,
        latitude=row.latitude,
        longitude=row.longitude,
    )
