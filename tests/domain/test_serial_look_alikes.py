"""Serials in one script (issue 9, finding 5): look-alikes mapped to ASCII, the rest refused.

``56-О0001`` typed with a Cyrillic О was a second rifle beside the Latin one. A serial is now
mapped to the ASCII it looks like (NFKC, then a table of Cyrillic, Greek and Armenian look-alikes
and dash and slash signs), and refused with a field error naming the character if anything else
is left.
"""

from __future__ import annotations

import string
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import PURE_EXAMPLES
from tests.factories import rifle
from wam.domain.errors import InvalidInput
from wam.domain.materiel import SERIAL_PUNCTUATION, make_item, normalise_item_key, normalise_serial
from wam.domain.movements import make_movement

CYRILLIC_O = "\u041e"
LATIN = "56-O0001"
ALLOWED = set(string.ascii_uppercase + string.digits + SERIAL_PUNCTUATION)


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("56-\u041e0001", "56-O0001"),  # Cyrillic capital O
        ("56-\u043e0001", "56-O0001"),  # Cyrillic small o
        ("56-\u039f0001", "56-O0001"),  # Greek capital omicron
        ("\u0410\u041a-47", "AK-47"),  # Cyrillic А and К, as typed on a Russian keyboard
        ("\u03b1\u03ba-47", "AK-47"),  # Greek small alpha and kappa
        ("\uff21\uff2b\uff0d\uff14\uff17", "AK-47"),  # fullwidth, from an East Asian input method
        ("56\u20130001", "56-0001"),  # en dash from a word processor
        ("56\u200b-0001", "56-0001"),  # a zero-width space pasted with it
        ("\u0425\u0420-12", "XP-12"),  # Cyrillic Х and Р
        ("ab 12/\u2215cd", "AB12//CD"),  # division slash
        ("\u2160\u2164-3", "IV-3"),  # Roman numerals (NFKC)
    ],
)
def test_it_maps_look_alikes_to_the_ascii_they_look_like(typed: str, normal: str) -> None:
    assert normalise_serial(typed) == normal


@pytest.mark.parametrize(("typed", "shown"), [("56-\u04161", "\u0416"), ("\u00c9\u00c7-1", "\u00c9"), ("56*1", "*"),
                                              ("56\u4e001", "\u4e00")])
def test_it_refuses_what_has_no_ascii_look_alike_naming_the_character(typed: str, shown: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalise_serial(typed)
    assert refused.value.field == "serial"
    assert repr(shown) in refused.value.detail and "A-Z" in refused.value.detail


def test_a_weapon_with_a_cyrillic_letter_is_the_weapon_with_the_latin_one() -> None:
    assert rifle(f"56-{CYRILLIC_O}0001").key == rifle(LATIN).key == "W|NORINCO|TYPE 56|56-O0001"
    assert rifle(f"56-{CYRILLIC_O}0001").serial == LATIN


def test_a_key_typed_with_a_look_alike_names_the_same_weapon() -> None:
    typed = f"W|NORINCO|TYPE 56|56-{CYRILLIC_O}0001"
    assert normalise_item_key(typed) == rifle(LATIN).key
    moved = make_movement(kind="issue", item=typed, quantity=1, source="GAO-ARM", target="PTE-RAHMAN",
                          occurred_at=datetime(2024, 1, 1, tzinfo=UTC),
                          actor="armourer")
    assert moved.item == rifle(LATIN).key
    lot = "L|POF|7.62X39MM BALL|\u041b\u041e\u0422-1"  # a lot key is not a serial: left as it is
    assert normalise_item_key(lot) == lot


def test_make_item_refuses_a_serial_outside_the_allowed_set_in_its_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        make_item(type="weapon", make="FN", model="FAL", serial="F-\u04161")
    assert refused.value.field == "serial"


LOOK_ALIKE_TEXT = st.text(alphabet=st.sampled_from(
    list(string.ascii_letters + string.digits + SERIAL_PUNCTUATION + " \t")
    + list("\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425\u0430\u0435\u043e\u0440\u0441"
           "\u0443\u0445\u0391\u0392\u0395\u039f\u03bf\u03bd\uff10\uff19\uff21\uff5a\u2013\u2212\u200b\u00ad")),
    min_size=1, max_size=30)


@given(LOOK_ALIKE_TEXT)
@PURE_EXAMPLES
def test_normalising_look_alikes_gives_ascii_and_is_idempotent(typed: str) -> None:
    try:
        once = normalise_serial(typed)
    except InvalidInput as refused:  # only white space, or longer than allowed
        assert refused.field == "serial"
        return
    assert once.isascii() and set(once) <= ALLOWED
    assert normalise_serial(once) == once


@given(st.text(min_size=1, max_size=30))
@PURE_EXAMPLES
def test_any_text_is_either_refused_in_the_serial_field_or_normalised_to_ascii_idempotently(typed: str) -> None:
    try:
        once = normalise_serial(typed)
    except InvalidInput as refused:
        assert refused.field == "serial"
        return
    assert once.isascii() and set(once) <= ALLOWED
    assert normalise_serial(once) == once
