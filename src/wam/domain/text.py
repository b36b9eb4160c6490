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
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_text(value: object, field: str, *, required: bool = False, max_len: int = 2000) -> str | None:
    """Return ``value`` stripped, or None when empty; refuse control separators and overlong text."""
    text = "" if value is None else (value if type(value) is str else str(value)).strip()
    if not text:
        if required:
            raise InvalidInput("is required", field=field)
        return None
    if _FORBIDDEN.search(text):
        raise InvalidInput("contains a control character that is not allowed", field=field)
    if len(text) > max_len:
        raise InvalidInput(f"is longer than {max_len} characters", field=field)
    return text


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
