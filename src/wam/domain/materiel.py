"""Materiel: serialised items and lots.

A *serialised* item (a weapon, or equipment with a serial) has quantity 1 and is identified by
make + model + serial, because serials repeat across models. A *lot* item (ammunition, or
equipment counted by quantity) is fungible and identified by make + model (nomenclature) + lot
number. The identity is written as a **key**, which the ledger and the hash chain use::

    W|<MAKE>|<MODEL>|<SERIAL>       serialised (weapons and serialised equipment)
    L|<MAKE>|<MODEL>|<LOT>          lots (ammunition and equipment counted by quantity)

Key parts are upper-cased with inner white space folded, so ``ak-47  `` and ``AK-47`` are one model.
A serial is also folded to one script (:func:`normalise_serial`): a Cyrillic ``О`` typed into
``56-О0001`` is the Latin ``O``, never a second rifle beside ``56-O0001``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from .errors import InvalidInput
from .text import clean_text, first_format_character, invisible_message, required_text


class ItemType(StrEnum):
    WEAPON = "weapon"
    AMMUNITION = "ammunition"
    EQUIPMENT = "equipment"


class Shape(StrEnum):
    SERIAL = "serial"
    LOT = "lot"


HAZARD_DIVISIONS = ("1.1", "1.2", "1.3", "1.4", "1.5", "1.6")
COMPATIBILITY_GROUPS = tuple("ABCDEFGHJKLNS")
CONDITIONS = ("serviceable", "unserviceable", "suspended", "repairable", "unknown")

_SPACES = re.compile(r"\s+")


def normalise_part(value: str, field: str) -> str:
    """Upper-case and fold white space; the form used inside keys.

    A key is compared character by character, so a part that holds a character that shows nothing
    (any format character: a zero width space, and the joiners too, which free text keeps) would
    key a second item that looks like the first (a make "Norinco" and U+200D beside "Norinco"): it
    is refused, naming ``field`` and the character's code point.
    """
    invisible = first_format_character(value)
    if invisible is not None:
        raise InvalidInput(invisible_message(invisible), field=field)
    return _SPACES.sub(" ", value.strip()).upper()


# Letters of other scripts (and signs) that look like a Latin letter, a digit or a serial's
# punctuation, each with its ASCII look-alike. Serials are stamped in Latin letters and digits,
# but they are typed on Cyrillic, Greek or Armenian keyboards, pasted from documents and read by
# scanners, so "56-О0001" with a Cyrillic О must not become a second rifle. Fullwidth forms,
# ligatures, circled and super-/subscript digits are NFKC's; these are what NFKC leaves alone.
# Lower-case look-alikes map to their lower-case twin (upper-cased afterwards), because their own
# upper case may not look alike (Greek ν looks like v, its capital Ν like N).
_LOOK_ALIKES = {
    "A": "АΑӐӒᎪꓮ", "a": "аα",
    "B": "ВΒᏴꓐ", "b": "Ьь",
    "C": "СϹⅭᏟꓚ", "c": "сϲ",
    "D": "ᎠꓓⅮ", "d": "ԁ",
    "E": "ЕΕЀЁᎬꓰ", "e": "еѐё",
    "G": "ԌᏀ",
    "H": "НΗҢᎻꓧ", "h": "һհ",
    "I": "ІΙӀΪЇⅠ", "i": "іιїɩ",
    "J": "ЈͿᎫꓙ", "j": "јϳ",
    "K": "КΚҚᏦꓗ", "k": "κ",
    "L": "ᏞꓡⅬ",
    "M": "МΜᎷꓟⅯ",
    "N": "Νꓠ", "n": "ո",
    "O": "ОΟՕ", "o": "оοօ",
    "P": "РΡᏢꓑ", "p": "рρ",
    "Q": "Ԛ", "q": "ԛ",
    "S": "ЅՏᏚꓢ", "s": "ѕ",
    "T": "ТΤᎢꓔ",
    "U": "Սꓴ", "u": "սυ",
    "V": "ᏙꓦⅤ", "v": "ν",
    "W": "ԜᏔꓪ", "w": "ԝ",
    "X": "ХΧⅩꓫ", "x": "хχ",
    "Y": "УҮΥꓬ", "y": "у",
    "Z": "ΖᏃꓜ",
    "3": "ЗӠ",
    "-": "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\u00ad",
    "/": "\u2044\u2215\u29f8",
}
_FOLD = str.maketrans({ch: latin for latin, chars in _LOOK_ALIKES.items() for ch in chars})
SERIAL_PUNCTUATION = "-/._#+()"
_SERIAL = re.compile(r"[A-Z0-9" + re.escape(SERIAL_PUNCTUATION) + r"]+")
MAX_SERIAL = 64


def fold_serial(value: str) -> str:
    """Map ``value`` to the ASCII it looks like, as far as it can: NFKC, the look-alikes above,
    white space and invisible format characters removed, upper case. Never refuses; characters
    without a look-alike stay (see :func:`normalise_serial`)."""
    text = unicodedata.normalize("NFKC", value.translate(_FOLD)).translate(_FOLD)
    text = "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf")
    return text.upper().translate(_FOLD)


def normalise_serial(value: str) -> str:
    """Return a serial in the form used for identity: ASCII upper case, no white space at all.

    Serials are read off weapons and typed or scanned at remote sites; spaces are not part of
    a stamped serial, while dashes and slashes often are, so only white space is removed. Letters
    of other scripts that look like Latin ones are mapped to them (:func:`fold_serial`); what is
    still not a Latin letter, a digit or one of ``- / . _ # + ( )`` is refused, naming the
    character, rather than stored as a serial that looks like another.
    """
    if value.isascii():  # the common case: no look-alike can be in it
        text = _SPACES.sub("", value).upper()
    else:
        text = fold_serial(value)
    if _SERIAL.fullmatch(text) is None:
        if not text:
            raise InvalidInput("is required", field="serial")
        bad = next(ch for ch in text if not _SERIAL.fullmatch(ch))
        name = unicodedata.name(bad, f"U+{ord(bad):04X}")
        raise InvalidInput(f"{value!r} has {bad!r} ({name}): a serial is written with the Latin letters "
                           f"A-Z, the digits 0-9 and {' '.join(SERIAL_PUNCTUATION)}", field="serial")
    if len(text) > MAX_SERIAL:
        raise InvalidInput(f"is longer than {MAX_SERIAL} characters", field="serial")
    return text


def serial_not_found(text: str) -> str:
    """The message for a serial that names no item; it says how the serial was read when look-alike
    letters (a Cyrillic О for a Latin O) were mapped, so that the user sees what was looked up."""
    read = ""
    if not text.isascii():
        try:
            folded = normalise_serial(text)
        except InvalidInput:
            folded = ""
        if folded:
            read = f" (read as {folded} after mapping look-alike letters to Latin ones)"
    return f"no item has serial {text!r}{read}; give the item key (W|make|model|serial or L|make|model|lot)"


def normalise_item_key(key: str) -> str:
    """A weapon's key with its serial part as :func:`normalise_serial` writes it.

    Keys are stored as :func:`make_item` builds them; a key typed or pasted with a look-alike in
    its serial (``W|NORINCO|TYPE 56|56-О0001``) names the same weapon as the Latin one.
    ASCII keys and lot keys are returned as they are.
    """
    if key.isascii() or not key.startswith("W|"):
        return key
    head, sep, serial = key.rpartition("|")
    return head + sep + normalise_serial(serial) if head.count("|") == 2 else key


@dataclass(frozen=True, slots=True)
class Item:
    """One kind of materiel. Optional descriptive fields are None when unknown."""

    key: str
    type: ItemType
    shape: Shape
    make: str
    model: str
    serial: str | None = None
    lot: str | None = None
    category: str | None = None
    calibre: str | None = None
    country_of_manufacture: str | None = None
    year_of_manufacture: int | None = None
    markings: str | None = None
    hazard_division: str | None = None
    compatibility_group: str | None = None
    neq_kg: Decimal | None = None
    condition: str | None = None

    @property
    def serialised(self) -> bool:
        return self.shape is Shape.SERIAL

    @property
    def label(self) -> str:
        ident = self.serial if self.serialised else f"lot {self.lot}"
        return f"{self.make} {self.model} {ident}"


def serial_key(make: str, model: str, serial: str) -> str:
    return f"W|{normalise_part(make, 'make')}|{normalise_part(model, 'model')}|{normalise_serial(serial)}"


def lot_key(make: str, model: str, lot: str) -> str:
    return f"L|{normalise_part(make, 'make')}|{normalise_part(model, 'model')}|{normalise_part(lot, 'lot')}"


#: the largest net explosive quantity of one unit (a round, a bomb, a charge) wam accepts, in kg: the
#: heaviest aircraft bombs hold under a tonne; more is a typing or unit error (grams for kilograms)
MAX_NEQ_PER_UNIT_KG = Decimal(10_000)


def _decimal(value: object, field: str, at_most: Decimal | None = None) -> Decimal | None:
    text = clean_text(value, field, max_len=32)
    if text is None:
        return None
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(f"{text!r} is not a number", field=field) from None
    if not number.is_finite() or number < 0:
        raise InvalidInput("must be a number of zero or more", field=field)
    if at_most is not None and number > at_most:
        raise InvalidInput(f"must be at most {at_most:,} (kg per unit)", field=field)
    return number.normalize() if number != 0 else Decimal(0)


def _year(value: object) -> int | None:
    text = clean_text(value, "year_of_manufacture", max_len=4)
    if text is None:
        return None
    if not text.isdecimal() or not 1850 <= int(text) <= 2100:
        raise InvalidInput(f"{text!r} is not a year", field="year_of_manufacture")
    return int(text)


def make_item(
    *,
    type: object,
    make: object,
    model: object,
    serial: object = None,
    lot: object = None,
    category: object = None,
    calibre: object = None,
    country_of_manufacture: object = None,
    year_of_manufacture: object = None,
    markings: object = None,
    hazard_division: object = None,
    compatibility_group: object = None,
    neq_kg: object = None,
    condition: object = None,
) -> Item:
    """Validate raw values into an :class:`Item` with its key.

    Weapons need a serial; ammunition needs a lot number; equipment has one or the other.
    """
    type_text = required_text(type, "type").lower()
    try:
        item_type = ItemType(type_text)
    except ValueError:
        raise InvalidInput(f"{type_text!r} is not weapon, ammunition or equipment", field="type") from None
    make_text = required_text(make, "make", max_len=100)
    model_text = required_text(model, "model", max_len=100)
    serial_text = clean_text(serial, "serial", max_len=64, invisible=True)  # normalise_serial drops or maps them
    lot_text = clean_text(lot, "lot", max_len=64)
    for name, value in (("make", make_text), ("model", model_text), ("serial", serial_text), ("lot", lot_text)):
        if value is not None and "|" in value:
            raise InvalidInput("may not contain '|', which separates the parts of an item's key", field=name)
    if item_type is ItemType.WEAPON and serial_text is None:
        raise InvalidInput("a weapon needs its serial number", field="serial")
    if item_type is ItemType.AMMUNITION and lot_text is None:
        raise InvalidInput("ammunition needs its lot number", field="lot")
    if serial_text and lot_text and item_type is not ItemType.WEAPON:
        raise InvalidInput("give a serial or a lot, not both", field="lot")
    if item_type is ItemType.EQUIPMENT and not (serial_text or lot_text):
        raise InvalidInput("equipment needs a serial or a lot", field="serial")
    shape = Shape.SERIAL if serial_text else Shape.LOT
    hazard = clean_text(hazard_division, "hazard_division", max_len=4)
    if hazard is not None and hazard not in HAZARD_DIVISIONS:
        raise InvalidInput(f"{hazard!r} is not a UN hazard division (1.1 to 1.6)", field="hazard_division")
    group = clean_text(compatibility_group, "compatibility_group", max_len=1)
    if group is not None:
        group = group.upper()
        if group not in COMPATIBILITY_GROUPS:
            raise InvalidInput(f"{group!r} is not a compatibility group (A-H, J, K, L, N, S)",
                               field="compatibility_group")
    cond = clean_text(condition, "condition", max_len=20)
    if cond is not None:
        cond = cond.lower()
        if cond not in CONDITIONS:
            raise InvalidInput(f"{cond!r} is not one of {', '.join(CONDITIONS)}", field="condition")
    origin = clean_text(country_of_manufacture, "country_of_manufacture", max_len=3)
    if shape is Shape.SERIAL:
        assert serial_text is not None
        key = serial_key(make_text, model_text, serial_text)
        serial_text = normalise_serial(serial_text)
    else:
        assert lot_text is not None
        key = lot_key(make_text, model_text, lot_text)
    return Item(
        key=key,
        type=item_type,
        shape=shape,
        make=make_text,
        model=model_text,
        serial=serial_text,
        lot=lot_text,
        category=clean_text(category, "category", max_len=60),
        calibre=clean_text(calibre, "calibre", max_len=40),
        country_of_manufacture=origin.upper() if origin else None,
        year_of_manufacture=_year(year_of_manufacture),
        markings=clean_text(markings, "markings", max_len=500),
        hazard_division=hazard,
        compatibility_group=group,
        neq_kg=_decimal(neq_kg, "neq_kg", MAX_NEQ_PER_UNIT_KG),
        condition=cond,
    )



_SHAPE_FIELDS = ("type", "make", "model", "category", "calibre", "country_of_manufacture", "year_of_manufacture",
                 "markings", "hazard_division", "compatibility_group", "neq_kg", "condition")
_ARGS = (*_SHAPE_FIELDS, "serial", "lot")  # make_item's

# an item's fields after its key, type, shape, make, model, serial and lot, in Item's order
_Rest = tuple[str | None, str | None, str | None, int | None, str | None, str | None, str | None, Decimal | None,
              str | None]


class ItemMaker:
    """:func:`make_item` for a file of many rows that share their attributes (a stock file: a
    few dozen makes and models, hundreds of thousands of serials).

    The attributes of a row (every field but its serial and lot, and whether it has each) are
    validated once per distinct set, by :func:`make_item` itself; each row then only has its
    serial or lot cleaned and put in the key. A row that fails anywhere is given to
    :func:`make_item` whole, so that its error names the same field, in the same words, as a
    row validated alone. ``make(fields)`` always equals ``make_item(**fields)``, other keys of
    ``fields`` (a file's other columns) ignored (tests/domain/test_item_maker.py). At most
    ``limit`` sets are kept: memory stays flat.
    """

    def __init__(self, limit: int = 10_000) -> None:
        self._limit = limit
        # attributes -> (type, shape, make, model, key prefix, the other fields in Item's order)
        self._seen: dict[tuple[object, ...], tuple[ItemType, Shape, str, str, str, _Rest]] = {}

    def make(self, fields: Mapping[str, object]) -> Item:
        get = fields.get
        try:
            serial = clean_text(get("serial"), "serial", max_len=64, invisible=True)
            lot = clean_text(get("lot"), "lot", max_len=64)
            if (serial is not None and "|" in serial) or (lot is not None and "|" in lot):
                raise InvalidInput("", field="serial")  # make_item says which, and how
            known = self._seen.get((*map(get, _SHAPE_FIELDS), serial is None, lot is None))
            if known is not None:
                item_type, shape, make, model, prefix, rest = known
                if shape is Shape.SERIAL:
                    assert serial is not None  # the shape says so
                    serial = normalise_serial(serial)
                    return Item(prefix + serial, item_type, shape, make, model, serial, lot, *rest)
                assert lot is not None
                return Item(prefix + normalise_part(lot, "lot"), item_type, shape, make, model, serial, lot, *rest)
        except InvalidInput:
            return make_item(**{name: get(name) for name in _ARGS})  # raises, naming the field as it always has
        item = make_item(**{name: get(name) for name in _ARGS})
        if len(self._seen) >= self._limit:
            self._seen.clear()
        self._seen[(*map(get, _SHAPE_FIELDS), serial is None, lot is None)] = (
            item.type, item.shape, item.make, item.model, item.key[:item.key.rindex("|") + 1],
            (item.category, item.calibre, item.country_of_manufacture, item.year_of_manufacture, item.markings,
             item.hazard_division, item.compatibility_group, item.neq_kg, item.condition))
        return item

#: An item's facts that its key does not name, in Item's order. A file may state them again for an
#: item already registered (before the file, or by an earlier row of it), but not otherwise: the
#: ledger never changes an item, and a lot's hazard division silently kept from an earlier row would
#: put the wrong explosive mass in the storage rules.
RESTATED_FIELDS = ("category", "calibre", "country_of_manufacture", "year_of_manufacture", "markings",
                   "hazard_division", "compatibility_group", "neq_kg", "condition")


def check_restated(key: str, registered: Sequence[object], given: Sequence[object]) -> None:
    """Refuse a row that states an item's facts (:data:`RESTATED_FIELDS`' values, in order) other
    than those it is registered with; a fact left blank (None) is taken as registered."""
    for name, was, now in zip(RESTATED_FIELDS, registered, given, strict=True):
        if now is not None and now != was:
            label = name.replace("_", " ")
            told = f"without a {label}" if was is None else f"with {label} {was}"
            raise InvalidInput(f"{key} is registered {told}; this row says {now}. An import does not change an "
                               f"item: leave {name} blank or give it as registered", field=name)


def shape_of_key(key: str) -> Shape:
    """Return the shape a key stands for."""
    if key.startswith("W|"):
        return Shape.SERIAL
    if key.startswith("L|"):
        return Shape.LOT
    raise InvalidInput(f"{key!r} is not an item key (W|make|model|serial or L|make|model|lot)", field="item")
