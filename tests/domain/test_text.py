"""What free text may hold (wam.domain.text): the chain's separators never; nor any other control
character than tab, line feed and carriage return, nor the bidirectional overrides that make a
name display in another order than it is stored and compared."""

from __future__ import annotations

import pytest

from wam.domain.errors import InvalidInput
from wam.domain.text import clean_text, is_clean


@pytest.mark.parametrize("value", ["bob\x07", "esc\x1b[31m", "se\x1ep", "nul\x00", "del\x7f", "c1\x85x",
                                   "evil\u202etxt.exe", "iso\u2066late", "lre\u202a"])
def test_control_and_direction_characters_are_refused(value):
    with pytest.raises(InvalidInput) as refused:
        clean_text(value, "actor")
    assert refused.value.field == "actor" and "control character" in refused.value.message
    assert not is_clean(value, 100)  # the fast check agrees


@pytest.mark.parametrize("value", ["Capt. Diallo", "Sgt. Ngoné Faye", "line one\nline two", "a\tb", "crlf\r\nok",
                                   "محمد", "Zoë"])
def test_ordinary_text_is_kept_as_written(value):
    assert clean_text(value, "note") == value
    assert is_clean(value, 100)
