"""What free text may hold (wam.domain.text): the chain's separators never; nor any other control
character than tab, line feed and carriage return, nor the bidirectional overrides that make a
name display in another order than it is stored and compared."""

from __future__ import annotations

import pytest

from wam.domain.errors import InvalidInput
from wam.domain.movements import clean_actor
from wam.domain.text import clean_name, clean_text, is_clean, is_name


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


# Invisible characters (trial of `wam import movements`): "Capt A\u200bB" looks like "Capt AB" but is
# another name; a make "Norinco\u200b" looks like "Norinco" but keys another rifle.
@pytest.mark.parametrize(("value", "shown"), [
    ("Capt A\u200bB", "U+200B"), ("Norinco\u200b", "U+200B"), ("word\u2060joiner", "U+2060"),
    ("a\u2061b", "U+2061"), ("a\u2062b", "U+2062"), ("a\u2063b", "U+2063"), ("a\u2064b", "U+2064"),
    ("\ufeffbom", "U+FEFF"), ("soft\u00adhyphen", "U+00AD"), ("mongolian\u180evowel", "U+180E"),
    # a later trial: fillers that render as nothing, the grapheme joiner, the tags that hide ASCII
    ("\u3164", "U+3164"), ("Kim\u3164", "U+3164"), ("a\u115fb", "U+115F"), ("a\uffa0b", "U+FFA0"),
    ("a\u034fb", "U+034F"), ("\u2800", "U+2800"), ("khmer\u17b4", "U+17B4"), ("tag\U000e0041", "U+E0041"),
    ("a\U0001d173b", "U+1D173")])
def test_invisible_characters_are_refused_naming_the_character_and_the_field(value, shown):
    with pytest.raises(InvalidInput) as refused:
        clean_text(value, "actor")
    assert refused.value.field == "actor"
    assert refused.value.detail == f"contains an invisible character ({shown}) that is not allowed"
    assert not is_clean(value, 100)  # the fast check agrees


@pytest.mark.parametrize("value", ["\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian: ZWNJ
                                   "\u0915\u094d\u200d\u0937",  # Devanagari: ZWJ
                                   "\u0645\u062d\u0645\u062f\u200c\u0631\u0636\u0627"])  # Mohammad-Reza with ZWNJ
def test_the_joiners_that_persian_arabic_and_indic_names_need_are_kept(value):
    assert clean_text(value, "actor") == value
    assert is_clean(value, 100)


def test_a_control_character_is_still_named_as_one_beside_an_invisible_one():
    with pytest.raises(InvalidInput) as refused:
        clean_text("a\x07b\u200b", "note")
    assert refused.value.detail == "contains a control character that is not allowed"


@pytest.mark.parametrize(("value", "shown"), [("Capt A\u200eB", "U+200E"), ("Capt A\u200fB", "U+200F"),
                                              ("Ali\u061c", "U+061C"), ("two\u2028lines", "U+2028"),
                                              ("two\nlines", "U+000A"), ("a\tb", "U+0009")])
def test_a_name_is_one_line_of_visible_text(value, shown):
    # who recorded or witnessed a movement: a direction mark shows nothing in a name, and a line
    # break in it would let one name pass for two lines of a report; a note keeps both
    for clean in (clean_actor, lambda text: clean_name(text, "actor")):
        with pytest.raises(InvalidInput) as refused:
            clean(value)
        assert refused.value.field == "actor" and refused.value.detail.endswith(f"({shown})")
    assert not is_name(value)
    assert clean_text(value, "note") == value


def test_a_name_keeps_the_joiners_and_every_script():
    for value in ("\u0645\u062d\u0645\u062f\u200c\u0631\u0636\u0627", "Sgt. Ngoné Faye", "محمد", "Zoë"):
        assert clean_actor(value) == value and is_name(value)
