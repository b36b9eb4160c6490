"""A stock file's rows as the ledger registers them, without an object per row.

:func:`wam.importers.ledger_files.stock_row` validates one row (a dict) into an
:class:`~wam.domain.materiel.Item`, its holder and its quantity; the ledger then stores the
item's values (:func:`wam.services.catalog.item_tuple`). A stock file of 200,000 weapons has a
few dozen makes and models: :class:`StockMaker` gives the same values from the row as the csv
module reads it (a list), with the attributes of each make and model validated once, by
``stock_row`` itself, and per row only a plain serial (ASCII letters, digits and the serial's
punctuation: already in the form a key holds) or a clean lot and its quantity checked. Any other
row goes to ``stock_row`` whole, so that it gives the same values, or the same error (field and
words): tests/importers/test_stock_rows.py shows the two equal, row by row, over any file.
"""

from __future__ import annotations

import re
from operator import itemgetter

from wam.domain.materiel import ItemMaker, normalise_part
from wam.domain.text import is_clean
from wam.services.catalog import item_tuple

from .ledger_files import stock_row

# A serial that normalise_serial keeps as it is, but for its case, and that clean_text keeps:
# ASCII letters, digits and SERIAL_PUNCTUATION, 1 to MAX_SERIAL characters (64), no "|".
_PLAIN_SERIAL = re.compile(r"[A-Za-z0-9\-/._#+()]{1,64}")
_SHAPE_FIELDS = ("type", "make", "model", "category", "calibre", "country_of_manufacture", "year_of_manufacture",
                 "markings", "hazard_division", "compatibility_group", "neq_kg", "condition")
_LOT_MAX = 64

StockValues = tuple[tuple[object, ...], str, int]  # the item's stored values, the holder's code, the quantity


class StockMaker:
    """``(item_tuple(item), holder, quantity)`` of :func:`stock_row` for rows given as lists of
    trimmed values in the order of ``names`` (the header's: ``read_table``). At most ``limit``
    sets of attributes are kept: memory stays flat."""

    def __init__(self, names: list[str], limit: int = 10_000) -> None:
        self._names = names
        width = len(names)
        where = {name: n for n, name in enumerate(names) if name}  # a repeated name: its last column, as a dict's

        def at(name: str) -> int:
            return where.get(name, width)  # a column the file lacks: the None put after the row's values

        self._attributes = itemgetter(*(at(name) for name in _SHAPE_FIELDS))
        self._serial, self._lot, self._quantity, self._holder = at("serial"), at("lot"), at("quantity"), at("holder")
        self._limit = limit
        self._maker = ItemMaker(limit)
        # (attributes, no serial, no lot) -> (is serialised, key prefix, type, shape, make, model, the rest)
        self._seen: dict[tuple[object, ...], tuple[bool, str, tuple[object, ...], tuple[object, ...]]] = {}

    def make(self, values: list[str]) -> StockValues:
        """The row's item values, holder and quantity; raise InvalidInput as ``stock_row`` does."""
        row: list[str | None] = [*values, None]
        serial, lot, holder = row[self._serial], row[self._lot], row[self._holder]
        shared = (self._attributes(row), not serial, not lot)
        known = self._seen.get(shared)
        if known is not None and holder:
            serialised, prefix, head, rest = known
            quantity = row[self._quantity]
            if lot and (not is_clean(lot, _LOT_MAX) or "|" in lot):
                pass  # stock_row names it
            elif serialised:
                if serial and _PLAIN_SERIAL.fullmatch(serial) and quantity in ("", "1", None):
                    normal = serial.upper()
                    return (prefix + normal, *head, normal, lot or None, *rest), holder, 1
            elif (quantity and quantity.isascii() and quantity.isdigit() and int(quantity)
                  and (not serial or (is_clean(serial, 64) and "|" not in serial))):
                assert lot is not None  # a lot's shape has one: the set says so
                return (prefix + normalise_part(lot, "lot"), *head, serial or None, lot, *rest), holder, int(quantity)
        # validates all, or raises naming the field (the None after the values is no column's)
        item, holder_code, number = stock_row(dict(zip(self._names, values, strict=True)), self._maker)
        stored = item_tuple(item)
        if len(self._seen) >= self._limit:
            self._seen.clear()
        self._seen[shared] = (item.serialised, item.key[:item.key.rindex("|") + 1], stored[1:5], stored[7:])
        return stored, holder_code, number
