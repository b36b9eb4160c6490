"""Rules for text that enters the ledger.

The hash chain joins fields with the ASCII separators U+001E and U+001F, so those (and NUL)
may never appear in stored text; an empty optional field is stored as absent, so that "" and
"nothing" cannot be told apart by the chain.
"""

from __future__ import annotations

import re

from .errors import InvalidInput

# The chain's separators and NUL; every other control character but tab, line feed and carriage
# return (a bell or an escape in an actor's name is never meant); and the bidirectional overrides
# and isolates, which make a text display in another order than it is stored and compared.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
# Characters that show nothing: "Capt A\u200bB" looks like "Capt AB" but is another name. The zero
# width space, the word joiner and the invisible operators, the byte order mark (a zero width
# no-break space inside a text), the soft hyphen and the Mongolian vowel separator. The zero width
# non-joiner and joiner (U+200C, U+200D) stay: Persian, Arabic and Indic names are spelt with them.
# An item's key refuses them too, and every other format character (:func:`first_format_character`).
# So are the fillers that render as nothing (the combining grapheme joiner, the Hangul and Khmer
# fillers, the blank Braille pattern: "\u3164" or "\u2800" alone passes for a blank name), the
# invisible musical formatting marks and the tags (U+E0000-U+E007F, which hide ASCII in a name).
_INVISIBLE = ("\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b\u2060-\u2064\u2800\u3164\ufeff\uffa0"
              "\U0001d173-\U0001d17a\U000e0000-\U000e007f")
# One search finds either; which one it found is told apart only when text is refused.
_FORBIDDEN = re.compile(f"[{_CONTROL}{_INVISIBLE}]")
_INVISIBLE_ONE = re.compile(f"[{_INVISIBLE}]")
_CONTROL_ONLY = re.compile(f"[{_CONTROL}]")  # for a serial, folded to ASCII after (see clean_text)
# Every format character (Unicode category Cf, Python 3.11's Unicode 14, and U+13439-U+1343F, Cf
# since Unicode 15): the invisible ones above, the joiners, the direction marks, overrides and
# isolates, the Arabic number signs, the tags. tests/domain/test_materiel.py checks it against the
# running Python's unicodedata.
_FORMAT = re.compile("[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
                     "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
                     "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
                     "\U000e0020-\U000e007f]")


def clean_text(value: object, field: str, *, required: bool = False, max_len: int = 2000,
               invisible: bool = False) -> str | None:
    """Return ``value`` stripped, or None when empty; refuse control separators, invisible characters
    and overlong text.

    ``invisible=True`` lets the invisible characters through, for a value that is folded to ASCII
    afterwards: a serial pasted with a zero width space or a soft hyphen is read as the serial it
    looks like (:func:`wam.domain.materiel.normalise_serial`), not refused.
    """
    text = "" if value is None else (value if type(value) is str else str(value)).strip()
    if not text:
        if required:
            raise InvalidInput("is required", field=field)
        return None
    found = (_CONTROL_ONLY if invisible else _FORBIDDEN).search(text)
    if found:
        if _INVISIBLE_ONE.match(found.group()):
            raise InvalidInput(invisible_message(found.group()), field=field)
        raise InvalidInput("contains a control character that is not allowed", field=field)
    if len(text) > max_len:
        raise InvalidInput(f"is longer than {max_len} characters", field=field)
    return text


# A name (who recorded a movement, who witnessed it) is one line of visible text: besides what all
# free text refuses, no tab or line break (U+2028 and U+2029 among them) and no direction mark
# (U+200E, U+200F, U+061C), which shows nothing in a name: "Capt A\u200eB" is not the "Capt AB" it
# looks like. A note keeps them: it may span lines, and bidirectional text needs the marks.
_NOT_IN_NAME = re.compile("[\t\n\r\u2028\u2029\u200e\u200f\u061c]")


def clean_name(value: object, field: str, *, required: bool = False, max_len: int = 100) -> str | None:
    """:func:`clean_text` for a person's name: one line of visible text (see ``_NOT_IN_NAME``)."""
    text = clean_text(value, field, required=required, max_len=max_len)
    found = None if text is None else _NOT_IN_NAME.search(text)
    if found is not None:
        raise InvalidInput(f"is a name: one line, without a line break, tab or direction mark "
                           f"(U+{ord(found.group()):04X})", field=field)
    return text


def is_name(text: str) -> bool:
    """Whether ``text`` (already clean) may be a name: :func:`clean_name`'s own rule."""
    return _NOT_IN_NAME.search(text) is None


def invisible_message(char: str) -> str:
    """The refusal of ``char``, a character that shows nothing, by its code point (it cannot be shown)."""
    return f"contains an invisible character (U+{ord(char):04X}) that is not allowed"


def first_format_character(text: str) -> str | None:
    """The first format character (Unicode category Cf: invisible, a joiner, a direction mark) in
    ``text``, or None. Free text keeps the joiners and the direction marks; an item's key, compared
    character by character, keeps none (:func:`wam.domain.materiel.normalise_part`)."""
    found = _FORMAT.search(text)
    return found.group() if found else None


def is_clean(value: object, max_len: int) -> bool:
    """Whether ``value`` is text that :func:`clean_text` keeps exactly as it is (trimmed, not
    empty, no separators, not too long): a cheap check for values built without it."""
    return (type(value) is str and 0 < len(value) <= max_len and value == value.strip()
            and not _FORBIDDEN.search(value))


def required_text(value: object, field: str, *, max_len: int = 2000) -> str:
    """Like :func:`clean_text` but never None."""
    text = clean_text(value, field, required=True, max_len=max_len)
    assert text is not None
    return text
