"""Opening data for a ledger: the holder tree and opening stock, from CSV or XLSX.

Holders: ``code,name,kind,parent,country,latitude,longitude``.
Stock: ``holder,type,make,model,serial,category,calibre,lot,quantity,hazard_division,
compatibility_group,neq_kg``; each row becomes a receipt from ``supply:<country>``, the
contributing country of the contingent above the holder.
Movements: ``kind,item,quantity,from,to,occurred_at,actor,witness,document,note,reason`` (and
``reverses`` for a reversal's row); each row is posted as it stands (``item``: a weapon's serial or
an item key, as ``wam move`` takes it).

Every bad row is reported with its line and field, and nothing is written if any row is bad.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from pathlib import Path

from wam.domain.documents import refuse_generic
from wam.domain.errors import InvalidInput
from wam.domain.holders import Holder, make_holder
from wam.domain.materiel import (
    Item,
    ItemMaker,
    ItemType,
    make_item,
    normalise_item_key,
    normalise_serial,
    serial_not_found,
)
from wam.domain.movements import (
    MAX_QUANTITY,
    TEXT_LIMITS,
    Movement,
    MovementKind,
    clean_actor,
    given_quantity,
    make_movement,
)
from wam.domain.text import is_clean
from wam.domain.timefmt import parse_moment, read_moment

from .spreadsheets import read_rows, read_table

HOLDER_COLUMNS = ("code", "name", "kind")
HOLDER_OPTIONAL = ("parent", "country", "latitude", "longitude")
STOCK_COLUMNS = ("holder", "type", "make", "model")
STOCK_OPTIONAL = ("serial", "category", "calibre", "lot", "quantity", "hazard_division", "compatibility_group",
                  "neq_kg", "country_of_manufacture", "year_of_manufacture", "markings", "condition")
MOVEMENT_COLUMNS = ("kind", "item", "quantity", "from", "to", "occurred_at")
MOVEMENT_OPTIONAL = ("actor", "witness", "document", "note", "reason", "reverses")
_CHUNK = 5000  # rows whose serials are looked up together
_ITEM_MAX = TEXT_LIMITS["item"]


class ImportFailed(InvalidInput):
    """Several rows were bad; ``errors`` lists each one. Nothing was written."""

    def __init__(self, errors: list[InvalidInput]) -> None:
        super().__init__(f"{len(errors)} bad row(s); nothing was imported")
        self.errors = errors


@dataclass
class ImportReport:
    rows: int = 0
    written: int = 0
    errors: list[InvalidInput] = field(default_factory=list)


def _located(exc: InvalidInput, line: int) -> InvalidInput:
    return InvalidInput(exc.detail, field=exc.field, row=line)


def read_holders(path: Path) -> tuple[list[tuple[int, Holder]], list[InvalidInput]]:
    """Validate every row of a holders file; return the holders and every error found."""
    holders: list[tuple[int, Holder]] = []
    errors: list[InvalidInput] = []
    for line, row in read_rows(path, required=HOLDER_COLUMNS, optional=HOLDER_OPTIONAL, problems=errors):
        try:
            holders.append((line, make_holder(**{k: row.get(k) for k in HOLDER_COLUMNS + HOLDER_OPTIONAL})))
        except InvalidInput as exc:
            errors.append(_located(exc, line))
    return holders, errors


_ITEM_FIELDS = ("type", "make", "model", "serial", "lot", "category", "calibre", "hazard_division",
                "compatibility_group", "neq_kg", "country_of_manufacture", "year_of_manufacture", "markings",
                "condition")


def stock_row(row: dict[str, str], maker: ItemMaker | None = None) -> tuple[Item, str, int]:
    """Validate one stock row into (item, holder code, quantity); with ``maker``, a file's rows
    that share their attributes have them validated once (:class:`ItemMaker`)."""
    item = make_item(**{k: row.get(k) for k in _ITEM_FIELDS}) if maker is None else maker.make(row)
    raw = (row.get("quantity") or "").strip()
    if item.serialised:
        if raw not in ("", "1"):
            raise InvalidInput("a serialised item has quantity 1", field="quantity")
        quantity = 1
    else:
        if not (raw.isascii() and raw.isdecimal()) or int(raw) == 0:  # digits 0-9, as a movement's quantity
            raise InvalidInput(f"{raw!r} is not a whole number of at least 1", field="quantity")
        quantity = int(raw)
    if item.type is ItemType.AMMUNITION and not item.hazard_division:
        raise InvalidInput("ammunition needs its UN hazard division (1.1 to 1.6)", field="hazard_division")
    holder = (row.get("holder") or "").strip()
    if not holder:
        raise InvalidInput("is required", field="holder")
    return item, holder, quantity


def import_stock(ledger, path: Path, *, actor: str, occurred_at: datetime,  # noqa: ANN001
                 on_row: Callable[[], None] | None = None) -> ImportReport:
    """Post a stock file as receipts in one transaction; raise ImportFailed listing every bad row.

    Rows are read as lists and validated by :class:`~wam.importers.stock_rows.StockMaker`
    (``stock_row``'s values and errors, without an object per row)."""
    from .stock_rows import StockMaker

    countries = ledger_countries(ledger)
    suppliers = {code: f"supply:{country}" for code, country in countries.items() if country is not None}
    report = ImportReport()
    errors = report.errors

    def rows() -> Iterator[tuple[int, tuple[object, ...], str, int, str]]:
        names, lines = read_table(path, required=STOCK_COLUMNS, optional=STOCK_OPTIONAL, problems=errors)
        make = StockMaker(names).make
        count = 0
        try:
            for line, values in lines:
                count += 1
                if on_row is not None:
                    on_row()
                try:
                    item, holder, quantity = make(values)
                except InvalidInput as exc:
                    errors.append(_located(exc, line))
                    continue
                supplier = suppliers.get(holder)
                if supplier is None:
                    if holder not in countries:
                        errors.append(InvalidInput(f"holder {holder!r} does not exist", field="holder", row=line))
                    else:
                        errors.append(InvalidInput(f"holder {holder!r} is not under a contingent with a country",
                                                   field="holder", row=line))
                    continue
                yield line, item, holder, quantity, supplier
        finally:
            report.rows = count

    try:
        report.written = ledger.import_stock_values(rows(), actor=actor, occurred_at=occurred_at, keep_going=errors)
    except InvalidInput:
        if errors:
            raise ImportFailed(errors) from None
        raise
    return report


def ledger_countries(ledger) -> dict[str, str | None]:  # noqa: ANN001
    """Map every real holder's code to the country of the nearest holder above it that has one."""
    from wam.services.world import holder_countries

    return holder_countries(ledger)


def movement_row(row: dict[str, str], item_key: str, default_actor: str) -> Movement:
    """Validate one movements row (its item already resolved to a key) into a movement; a weapon's
    blank quantity is 1 (a lot's is refused: a formula cell left without its value must not move
    one round for 600), and a blank actor is the one who runs the import."""
    when_text = row.get("occurred_at") or ""
    if not when_text:
        raise InvalidInput("is required", field="occurred_at")
    when = read_moment(when_text, "occurred_at")
    try:
        quantity = given_quantity(row.get("quantity"), item_key)
        return make_movement(kind=row.get("kind"), item=item_key, quantity=quantity,
                             source=row.get("from"), target=row.get("to"), occurred_at=when,
                             actor=row.get("actor") or default_actor,
                             witness=row.get("witness") or None, document=row.get("document") or None,
                             note=row.get("note") or None, reason=row.get("reason") or None,
                             reverses=row.get("reverses") or None)
    except InvalidInput as exc:  # make_movement names the model's fields; the file's columns are from and to
        raise InvalidInput(exc.detail,
                           field={"source": "from", "target": "to"}.get(exc.field or "", exc.field)) from None


_SHARED = ("kind", "from", "to", "actor", "witness", "document", "note", "reason")


class MovementMaker:
    """:func:`movement_row` for a file of many rows that share their kind, ends, actor and
    references (the issues of one armoury to its soldiers, day after day).

    Those fields are validated once per distinct set, by :func:`movement_row` itself; each row
    then only has its item, quantity and time checked. A row that fails anywhere is given to
    :func:`movement_row` whole, so that its error names the same field, in the same words, as a
    row validated alone: ``make(row, key)`` always equals ``movement_row(row, key, actor)``
    (tests/importers/test_movement_maker.py). At most ``limit`` sets are kept: memory stays flat.
    """

    def __init__(self, default_actor: str, limit: int = 10_000) -> None:
        self.default_actor = clean_actor(default_actor)  # as a row's actor, whether a row leaves it blank or not
        self._limit = limit
        self._seen: dict[tuple[str | None, ...], tuple[MovementKind, str, str, str, str | None, str | None,
                                                       str | None, str | None]] = {}

    def make(self, row: dict[str, str], item_key: str) -> Movement:
        get = row.get
        if get("reverses"):  # a reversal cites its own entry: validated whole, as movement_row does
            return movement_row(row, item_key, self.default_actor)
        return self._make(tuple(map(get, _SHARED)), get("occurred_at"), get("quantity"), item_key, row)

    def for_header(self, names: list[str]) -> Callable[[list[str], str], Movement]:
        """:meth:`make` for rows given as value lists under the header ``names`` (a file of a
        million rows is read without a dict per row): ``for_header(names)(values, key)`` equals
        ``make(row, key)`` for the row's dict as :func:`read_rows` builds it."""
        where = {name: n for n, name in enumerate(names) if name}
        width = len(names)
        # a column the header lacks reads as None, as row.get does: one value past the row's end
        at = [where.get(name, width) for name in (*_SHARED, "occurred_at", "quantity")]
        shared_of, when_of, quantity_of = itemgetter(*at[:-2]), itemgetter(at[-2]), itemgetter(at[-1])
        make, padded = self._make, any(n == width for n in at)
        reverses_at = where.get("reverses")

        def make_values(values: list[str], item_key: str) -> Movement:
            if reverses_at is not None and reverses_at < len(values) and values[reverses_at]:
                return movement_row({name: values[n] for n, name in enumerate(names) if name and n < len(values)},
                                    item_key, self.default_actor)
            if padded:
                values = [*values, None]  # type: ignore[list-item]
            return make(shared_of(values), when_of(values), quantity_of(values), item_key,
                        lambda: {name: values[n] for n, name in enumerate(names) if name})

        return make_values

    def _make(self, shared: tuple[str | None, ...], when_text: str | None, quantity: str | None, item_key: str,
              row: dict[str, str] | Callable[[], dict[str, str]]) -> Movement:
        """The row's shared fields were validated before: check only its item, quantity and time.
        Otherwise validate it whole (``row``, or a function giving it, for the precise error)."""
        known = self._seen.get(shared)
        if known is not None:
            if not quantity:  # a weapon's blank is 1; a lot's is refused by the whole row's check below
                with suppress(InvalidInput):
                    quantity = given_quantity(quantity, item_key)
            if when_text and quantity and quantity.isascii() and quantity.isdecimal() and is_clean(item_key, _ITEM_MAX):
                number = int(quantity)
                if 0 < number <= MAX_QUANTITY:
                    try:
                        when: datetime | None = parse_moment(when_text, "occurred_at")
                    except (ValueError, InvalidInput):
                        when = None
                    if when is not None:
                        kind, source, target, actor, witness, document, note, reason = known
                        return Movement(kind, normalise_item_key(item_key), number, source, target,
                                        when, actor, witness, document, note, reason, None)
        if not isinstance(row, dict):
            row = row()
        movement = movement_row(row, item_key, self.default_actor)  # validates all, or raises naming the field
        if len(self._seen) >= self._limit:
            self._seen.clear()
        self._seen[shared] = (movement.kind, movement.source, movement.target, movement.actor, movement.witness,
                              movement.document, movement.note, movement.reason)
        return movement


def read_movements(ledger, path: Path, *, default_actor: str, errors: list[InvalidInput],  # noqa: ANN001
                   on_row: Callable[[], None] | None = None) -> Iterator[tuple[int, Movement]]:
    """Yield (line, movement) for every good row of a movements file, streamed a chunk at a time;
    append every bad row's error to ``errors``. Weapons named by serial are looked up per chunk."""
    names, rows = read_table(path, required=MOVEMENT_COLUMNS, optional=MOVEMENT_OPTIONAL, problems=errors)
    item_at, kind_at = names.index("item"), names.index("kind")
    chunk: list[tuple[int, list[str]]] = []
    keys: dict[str, list[str]] = {}
    make = MovementMaker(default_actor).for_header(names)
    for line, values in rows:
        if on_row is not None:
            on_row()
        chunk.append((line, values))
        if len(chunk) >= _CHUNK:
            yield from _movements(ledger, chunk, item_at, kind_at, keys, make, errors)
            chunk = []
    yield from _movements(ledger, chunk, item_at, kind_at, keys, make, errors)


def _movements(ledger, chunk: list[tuple[int, list[str]]], item_at: int, kind_at: int,  # noqa: ANN001
               keys: dict[str, list[str]],
               make: Callable[[list[str], str], Movement], errors: list[InvalidInput]
               ) -> Iterable[tuple[int, Movement]]:
    serials: dict[str, str] = {}  # as written -> normalised
    for _, values in chunk:
        text = values[item_at]
        if text and not text.startswith(("W|", "L|")) and text not in serials:
            try:
                serials[text] = normalise_serial(text)
            except InvalidInput:
                serials[text] = ""
    missing = [s for s in set(serials.values()) if s and s not in keys]
    if missing:
        if len(keys) > 200_000:  # a bounded cache: memory stays flat however long the file
            keys.clear()
        found = ledger.item_keys_by_serial(missing)
        for serial in missing:
            keys[serial] = found.get(serial, [])
    for line, values in chunk:
        text = values[item_at]
        try:
            # a register's kind is named first: a recovered weapon's serial is not in the ledger yet
            refuse_generic(values[kind_at] if kind_at < len(values) else "", row=line)
            if not text:
                raise InvalidInput("is required", field="item")
            if text.startswith(("W|", "L|")):
                key = normalise_item_key(text)
            else:
                matches = keys.get(serials[text], [])
                if not matches:
                    raise InvalidInput(serial_not_found(text), field="item")
                if len(matches) > 1:
                    raise InvalidInput(f"serial {text!r} belongs to several models ({', '.join(matches)}); "
                                       "give the key", field="item")
                key = matches[0]
            yield line, make(values, key)
        except InvalidInput as exc:
            errors.append(_located(exc, line))


def import_movements(ledger, path: Path, *, default_actor: str,  # noqa: ANN001
                     on_row: Callable[[], None] | None = None) -> ImportReport:
    """Post a movements file in one transaction; raise ImportFailed listing every bad row.

    ``default_actor``, the actor of a row that leaves it blank, is checked first, as a row's actor
    is (:func:`~wam.domain.movements.clean_actor`): a bad one fails the import before the file is
    read, even when every row names its own."""
    default_actor = clean_actor(default_actor)
    report = ImportReport()
    errors = report.errors

    def tick() -> None:
        report.rows += 1
        if on_row is not None:
            on_row()

    try:
        report.written = ledger.import_movements(
            read_movements(ledger, path, default_actor=default_actor, errors=errors, on_row=tick), keep_going=errors)
    except InvalidInput:
        if errors:
            errors.sort(key=lambda e: e.row or 0)
            raise ImportFailed(errors) from None
        raise
    return report
