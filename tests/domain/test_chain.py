"""The hash chain: canonical bytes, the documented hash formula, and what verify_chain finds."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import PURE_EXAMPLES, chain_of, mv
from tests.factories import ball_rounds, rifle
from wam.domain.chain import FIELDS, GENESIS, canonical_bytes, entry_hash, entry_values, link, verify_chain
from wam.domain.movements import Entry

LEDGER = "6f1c2a52-8e9b-4d0e-9a57-0c1f3e2b7d44"
RIFLE = rifle("56-00012").key
ROUNDS = ball_rounds().key

# An issue of one rifle to Private Rahman, as entry 7 of a ledger.
KNOWN = Entry(
    seq=7, origin=LEDGER, origin_seq=7, kind="issue", item=RIFLE, quantity=1, source="GAO-ARM",
    target="PTE-RAHMAN", occurred_at=1_704_096_000_000_000, recorded_at=1_704_096_012_345_678, actor="armourer",
    witness=None, document="ISS-2024-0007", note="night patrol", reason=None, reverses=None,
    prev_hash=bytes(range(32)), hash=b"",
)
KNOWN_BYTES = (
    b"7\x1f6f1c2a52-8e9b-4d0e-9a57-0c1f3e2b7d44\x1f7\x1fissue\x1fW|NORINCO|TYPE 56|56-00012\x1f1\x1fGAO-ARM"
    b"\x1fPTE-RAHMAN\x1f1704096000000000\x1f1704096012345678\x1farmourer\x1f\x00\x1fISS-2024-0007"
    b"\x1fnight patrol\x1f\x00\x1f\x00"
)


def test_it_lists_every_stored_field_in_a_fixed_order():
    assert FIELDS == ("seq", "origin", "origin_seq", "kind", "item", "quantity", "source", "target", "occurred_at",
                      "recorded_at", "actor", "witness", "document", "note", "reason", "reverses")
    stored = {f.name for f in dataclasses.fields(Entry)} - {"prev_hash", "hash"}
    assert set(FIELDS) == stored


def test_it_writes_known_canonical_bytes_for_a_known_entry():
    assert canonical_bytes(entry_values(KNOWN)) == KNOWN_BYTES


def test_it_hashes_a_known_entry_with_the_documented_formula():
    expected = hashlib.sha256(bytes(range(32)) + b"\x1e" + KNOWN_BYTES).digest()
    assert entry_hash(KNOWN) == expected
    assert expected.hex() == hashlib.sha256(bytes(range(32)) + b"\x1e" + KNOWN_BYTES).hexdigest()
    assert link(KNOWN.prev_hash, KNOWN_BYTES) == expected


def test_it_links_the_first_entry_to_thirty_two_zero_bytes():
    assert GENESIS == b"\x00" * 32
    first = chain_of([mv("receipt", RIFLE, "supply:BGD", "GAO-ARM")])[0]
    assert first.prev_hash == GENESIS
    assert first.hash == hashlib.sha256(GENESIS + b"\x1e" + canonical_bytes(entry_values(first))).digest()


def test_it_writes_the_same_bytes_every_time():
    assert {canonical_bytes(entry_values(KNOWN)) for _ in range(3)} == {KNOWN_BYTES}
    assert canonical_bytes(entry_values(dataclasses.replace(KNOWN, hash=b"x" * 32))) == KNOWN_BYTES


def test_it_writes_text_as_utf8():
    entry = dataclasses.replace(KNOWN, note="reçu à Gao — 弾薬")
    assert "reçu à Gao — 弾薬".encode() in canonical_bytes(entry_values(entry))


OTHER_VALUES = {
    "seq": 8, "origin": "another-ledger", "origin_seq": 8, "kind": "transfer", "item": ROUNDS, "quantity": 2,
    "source": "GAO-ASP", "target": "SGT-DIOP", "occurred_at": 1_704_096_000_000_001,
    "recorded_at": 1_704_096_012_345_679, "actor": "clerk", "witness": "Capt. Okafor", "document": None,
    "note": "night patrol.", "reason": "training", "reverses": "x:1",
}


@pytest.mark.parametrize("field", FIELDS)
def test_it_changes_the_hash_when_any_field_changes(field):
    altered = dataclasses.replace(KNOWN, **{field: OTHER_VALUES[field]})
    assert canonical_bytes(entry_values(altered)) != KNOWN_BYTES
    assert entry_hash(altered) != entry_hash(KNOWN)


def test_it_changes_the_hash_when_the_previous_hash_changes():
    assert entry_hash(dataclasses.replace(KNOWN, prev_hash=GENESIS)) != entry_hash(KNOWN)


def test_it_cannot_shift_text_between_fields():
    # the separator may not appear in text, so moving a boundary always changes the bytes
    a = dataclasses.replace(KNOWN, note="a b", reason=None)
    b = dataclasses.replace(KNOWN, note="a", reason="b")
    assert canonical_bytes(entry_values(a)) != canonical_bytes(entry_values(b))


@given(
    field=st.sampled_from([f for f in FIELDS if f in ("actor", "witness", "document", "note", "reason", "reverses")]),
    text=st.text(alphabet=st.characters(blacklist_characters="\x00\x1e\x1f", blacklist_categories=("Cs",)), min_size=1,
                 max_size=30),
)
@PURE_EXAMPLES
def test_it_hashes_any_other_text_differently(field, text):
    if getattr(KNOWN, field) == text:
        return
    assert entry_hash(dataclasses.replace(KNOWN, **{field: text})) != entry_hash(KNOWN)


@given(field=st.sampled_from(["seq", "origin_seq", "quantity", "occurred_at", "recorded_at"]),
       number=st.integers(-(2**63), 2**63 - 1))
@PURE_EXAMPLES
def test_it_hashes_any_other_number_differently(field, number):
    if getattr(KNOWN, field) == number:
        return
    assert entry_hash(dataclasses.replace(KNOWN, **{field: number})) != entry_hash(KNOWN)


# --- verify_chain -----------------------------------------------------------------------------
def a_week() -> list[Entry]:
    return chain_of([
        mv("receipt", RIFLE, "supply:BGD", "GAO-ARM"),
        mv("receipt", ROUNDS, "supply:BGD", "GAO-ASP", quantity=1000),
        mv("transfer", ROUNDS, "GAO-ASP", "GAO-ARM", quantity=240, days=1),
        mv("issue", RIFLE, "GAO-ARM", "PTE-RAHMAN", days=2),
        mv("issue", ROUNDS, "GAO-ARM", "PTE-RAHMAN", quantity=120, days=2),
        mv("expenditure", ROUNDS, "PTE-RAHMAN", "expended", quantity=30, days=2, hours=4, reason="training"),
        mv("return", ROUNDS, "PTE-RAHMAN", "GAO-ARM", quantity=90, days=2, hours=10),
        mv("return", RIFLE, "PTE-RAHMAN", "GAO-ARM", days=2, hours=10),
    ])


def test_it_finds_nothing_wrong_with_an_intact_chain():
    entries = a_week()
    assert [e.seq for e in entries] == list(range(1, 9))
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert list(verify_chain(entries)) == []


def test_it_finds_nothing_wrong_with_no_entries():
    assert list(verify_chain([])) == []


def test_it_verifies_a_chain_from_the_middle():
    entries = a_week()
    assert list(verify_chain(entries[3:], start_seq=4, start_hash=entries[2].hash)) == []
    problems = list(verify_chain(entries[3:]))
    assert {p.seq for p in problems} == {4}


def test_it_finds_a_gap():
    entries = a_week()
    del entries[4]
    problems = list(verify_chain(entries))
    assert [(p.seq, p.check) for p in problems] == [(6, "chain"), (6, "chain")]
    assert "expected seq 5, found 6 (entries missing)" in problems[0].message
    assert "prev_hash" in problems[1].message


def test_it_finds_a_repeated_entry():
    entries = a_week()
    entries.insert(3, entries[2])
    problems = list(verify_chain(entries))
    assert any("repeated or out of order" in p.message and p.seq == 3 for p in problems)


def test_it_finds_entries_out_of_order():
    entries = a_week()
    entries[2], entries[3] = entries[3], entries[2]
    assert {p.seq for p in verify_chain(entries)} == {3, 4, 5}


def test_it_finds_a_broken_link():
    entries = a_week()
    entries[5] = dataclasses.replace(entries[5], prev_hash=bytes(32))
    problems = list(verify_chain(entries))
    assert {p.seq for p in problems} == {6}
    assert any("prev_hash does not match" in p.message for p in problems)


def test_it_finds_an_altered_entry_and_names_it():
    entries = a_week()
    entries[4] = dataclasses.replace(entries[4], quantity=12)
    problems = list(verify_chain(entries))
    assert [(p.seq, p.message) for p in problems] == [(5, "content does not match its hash (the entry was altered)")]


def test_it_finds_an_altered_hash_at_the_entry_and_the_next_link():
    entries = a_week()
    entries[4] = dataclasses.replace(entries[4], hash=bytes(32))
    assert {p.seq for p in verify_chain(entries)} == {5, 6}


def test_it_reports_every_break_not_just_the_first():
    entries = a_week()
    entries[1] = dataclasses.replace(entries[1], note="recount")
    entries[6] = dataclasses.replace(entries[6], actor="someone else")
    assert {p.seq for p in verify_chain(entries)} == {2, 7}


@given(index=st.integers(0, 7), field=st.sampled_from(FIELDS), data=st.data())
@PURE_EXAMPLES
def test_it_flags_exactly_the_entry_whose_field_changed(index, field, data):
    entries = a_week()
    old = getattr(entries[index], field)
    if isinstance(old, int):
        new = data.draw(st.integers(-(10**18), 10**18).filter(lambda n: n != old))
    else:
        new = data.draw(st.text(alphabet="abcXYZ019 -|:", min_size=1, max_size=12).filter(lambda s: s != old))
    entries[index] = dataclasses.replace(entries[index], **{field: new})
    problems = list(verify_chain(entries))
    assert problems
    if field != "seq":
        assert {p.seq for p in problems} == {index + 1}
    else:
        assert new in {p.seq for p in problems}
