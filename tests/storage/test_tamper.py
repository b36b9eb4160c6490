"""Tamper evidence: the database refuses changes to the ledger, and verify reports any change made anyway.

The attacker here has the database file (SQLite) or an owner's login (PostgreSQL): they drop
the append-only guards, change what they like, and sometimes cover their tracks (recompute
hashes, move the chain head, rebuild balances, put the guards back). Whatever they do to
entries is reported by ``verify``; what a consistent rewrite hides from the chain is caught
by checkpoints that another party keeps.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.builders import (
    LEDGER_EXAMPLES,
    all_entries,
    busy_world,
    drop_guards,
    fresh_ledger,
    guard_names,
    is_postgres,
    problem_checks,
    problem_seqs,
    rebuild_balances,
    restore_guards,
    rewrite_from,
    tamper,
)
from tests.builders import own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)
from wam.domain.chain import canonical_bytes, entry_values, link
from wam.services import signing
from wam.storage import tables as t

ENTRIES = 16  # what busy_world records
TEXT_LIMITS = {"kind": 20, "actor": 100, "witness": 100, "document": 200, "note": 60, "reason": 40, "reverses": 100}
INT_COLUMNS = ("origin_seq", "quantity", "occurred_at", "recorded_at")
ID_COLUMNS = {"item_id": "items", "source_id": "holders", "target_id": "holders", "origin_id": "ledgers"}
BLOB_COLUMNS = ("prev_hash", "hash")
ALL_COLUMNS = ("seq", *INT_COLUMNS, *ID_COLUMNS, *TEXT_LIMITS, *BLOB_COLUMNS)


def row(ledger, seq: int) -> dict:  # noqa: ANN001
    with ledger.engine.connect() as conn:
        return dict(conn.execute(select(t.entries).where(t.entries.c.seq == seq)).mappings().one())


def ids(ledger, table: str) -> list[int]:  # noqa: ANN001
    with ledger.engine.connect() as conn:
        return list(conn.execute(text(f"SELECT id FROM {table} ORDER BY id")).scalars())


def add_remote_ledger(ledger) -> None:  # noqa: ANN001
    """Another ledger known to this one (a site's), so that an entry's origin can be swapped for it."""
    with ledger.engine.begin() as conn:
        conn.execute(t.ledgers.insert().values(uuid="11111111-2222-4333-8444-555555555555", name="Ansongo site",
                                               is_local=False, created_at=0))


# --- (a) the database refuses -------------------------------------------------------------------
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE entries SET quantity = quantity + 1 WHERE seq = 4",
        "UPDATE entries SET note = 'nothing to see'",
        "DELETE FROM entries WHERE seq = 4",
        "DELETE FROM entries",
    ],
)
def test_it_refuses_to_update_or_delete_entries(world, statement):
    ledger = world.ledger
    before = all_entries(ledger)
    with pytest.raises(DBAPIError, match="entries is append-only: record a reversal instead"):
        tamper(ledger.engine, statement)
    assert all_entries(ledger) == before
    assert ledger.verify().ok


@pytest.mark.parametrize(
    "statement",
    ["UPDATE checkpoints SET seq = 1", "UPDATE checkpoints SET signature = '00'", "DELETE FROM checkpoints"],
)
def test_it_refuses_to_update_or_delete_checkpoints(world, tmp_path, statement):
    ledger = world.ledger
    ledger.checkpoint(tmp_path / "key.pem")
    with pytest.raises(DBAPIError, match="checkpoints is append-only"):
        tamper(ledger.engine, statement)
    with ledger.engine.connect() as conn:
        assert conn.execute(select(t.checkpoints.c.seq)).scalars().all() == [4]
    assert ledger.verify().ok


@pytest.mark.skipif(not is_postgres(), reason="TRUNCATE is PostgreSQL's; SQLite has only DELETE")
@pytest.mark.parametrize("table", ["entries", "checkpoints"])
def test_it_refuses_to_truncate_ledger_tables(world, tmp_path, table):
    ledger = world.ledger
    ledger.checkpoint(tmp_path / "key.pem")
    with pytest.raises(DBAPIError, match=f"{table} is append-only"):
        tamper(ledger.engine, f"TRUNCATE {table}")
    assert len(all_entries(ledger)) == 4
    assert ledger.verify().ok


def test_it_still_appends(world):
    world.move("transfer", world.rounds, "GAO-ASP", "ANSONGO-ARM", quantity=10, days=1)
    assert ledger_ok(world.ledger)


def ledger_ok(ledger) -> bool:  # noqa: ANN001
    report = ledger.verify()
    return report.ok and report.entries == ledger.head()[0]


def test_it_reports_each_missing_guard(world):
    ledger = world.ledger
    drop_guards(ledger.engine)
    report = ledger.verify()
    names = [name for name, _ in guard_names(ledger.engine)]
    assert sorted(p.message for p in report.problems) == sorted(
        f"append-only guard {name} is missing from the database" for name in names)
    assert problem_checks(report) == {"law 4"}


def test_it_reports_a_single_missing_guard(world):
    ledger = world.ledger
    name, table = guard_names(ledger.engine)[0]
    tamper(ledger.engine, f"DROP TRIGGER {name}" if not is_postgres() else f"DROP TRIGGER {name} ON {table}")
    assert [p.message for p in ledger.verify().problems] == [f"append-only guard {name} is missing from the database"]
    restore_guards(ledger.engine)
    assert ledger.verify().ok


# --- (b) any change to any stored field of any entry ----------------------------------------------
def text_value(column: str):  # noqa: ANN201
    chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
    values = st.text(alphabet=chars, min_size=0 if column != "kind" else 1, max_size=TEXT_LIMITS[column])
    return values if column in ("actor", "kind") else st.none() | values


@pytest.mark.slow
@given(data=st.data(), seq=st.integers(1, ENTRIES), column=st.sampled_from(ALL_COLUMNS))
@LEDGER_EXAMPLES
def test_it_reports_any_change_to_any_field_of_any_entry(data, seq, column):
    with fresh_ledger() as ledger:
        busy_world(ledger)
        add_remote_ledger(ledger)
        old = row(ledger, seq)[column]
        if column == "seq":
            new = data.draw(st.sampled_from([-1, 0, ENTRIES + 1, ENTRIES + 7, 2**40]), label="new seq")
        elif column in INT_COLUMNS:
            new = data.draw(st.integers(-(2**63), 2**63 - 1).filter(lambda n: n != old), label="new value")
        elif column in ID_COLUMNS:
            new = data.draw(st.sampled_from([i for i in ids(ledger, ID_COLUMNS[column]) if i != old]), label="new id")
        elif column in BLOB_COLUMNS:
            position = data.draw(st.integers(0, 31), label="byte")
            bit = data.draw(st.integers(0, 7), label="bit")
            flipped = bytearray(bytes(old))
            flipped[position] ^= 1 << bit
            new = bytes(flipped)
        else:
            # absent and empty text are one value to the chain: the domain never stores "" (see
            # test_it_reports_an_empty_text_where_the_ledger_stores_none)
            same = {old, None, ""} if old is None else {old}
            new = data.draw(text_value(column).filter(lambda v: v not in same), label="new text")

        drop_guards(ledger.engine)
        tamper(ledger.engine, f"UPDATE entries SET {column} = :new WHERE seq = :seq", new=new, seq=seq)
        report = ledger.verify()

        assert not report.ok
        assert "chain" in problem_checks(report)
        assert (new if column == "seq" else seq) in problem_seqs(report)


@st.composite
def structural_tampering(draw: st.DrawFn) -> tuple[str, dict]:
    how = draw(st.sampled_from(["delete", "forge", "forge-linked", "swap", "truncate"]))
    if how == "delete":
        return how, {"seq": draw(st.integers(1, ENTRIES))}
    if how == "swap":
        a, b = draw(st.lists(st.integers(1, ENTRIES), min_size=2, max_size=2, unique=True))
        return how, {"a": min(a, b), "b": max(a, b)}
    if how == "truncate":
        return how, {"keep": draw(st.integers(0, ENTRIES - 1))}
    return how, {"copy": draw(st.integers(1, ENTRIES)), "quantity": draw(st.integers(1, 10_000))}


@pytest.mark.slow
@given(tampering=structural_tampering())
@LEDGER_EXAMPLES
def test_it_reports_deleted_inserted_reordered_or_truncated_entries(tampering):
    how, args = tampering
    with fresh_ledger() as ledger:
        busy_world(ledger)
        entries = all_entries(ledger)
        drop_guards(ledger.engine)
        if how == "delete":
            tamper(ledger.engine, "DELETE FROM entries WHERE seq = :seq", seq=args["seq"])
            expected = {args["seq"] + 1} if args["seq"] < ENTRIES else {"head"}
        elif how == "truncate":
            tamper(ledger.engine, "DELETE FROM entries WHERE seq > :keep", keep=args["keep"])
            expected = {"head"}
        elif how == "swap":
            tamper(ledger.engine, "UPDATE entries SET seq = -1 WHERE seq = :a", a=args["a"])
            tamper(ledger.engine, "UPDATE entries SET seq = :a WHERE seq = :b", a=args["a"], b=args["b"])
            tamper(ledger.engine, "UPDATE entries SET seq = :b WHERE seq = -1", b=args["b"])
            expected = {args["a"]}
        else:
            # a forged entry appended after the last: a copy of an existing one, another quantity
            # and origin_seq; "forge-linked" gives it a correct link and hash, as if by wam itself
            src = row(ledger, args["copy"])
            forged = {**src, "seq": ENTRIES + 1, "origin_seq": ENTRIES + 1, "quantity": args["quantity"],
                      "prev_hash": entries[-1].hash, "hash": bytes(32)}
            if how == "forge-linked":
                as_entry = replace(entries[args["copy"] - 1], seq=ENTRIES + 1, origin_seq=ENTRIES + 1,
                                   quantity=args["quantity"], prev_hash=entries[-1].hash)
                forged["hash"] = link(entries[-1].hash, canonical_bytes(entry_values(as_entry)))
            with ledger.engine.begin() as conn:
                conn.execute(t.entries.insert().values(**forged))
            expected = {ENTRIES + 1} if how == "forge" else {"head"}

        report = ledger.verify()
        assert not report.ok
        found = problem_seqs(report) | ({"head"} if "head" in problem_checks(report) else set())
        assert expected <= found, report.problems


@pytest.mark.parametrize("seq", [2, 16])
@pytest.mark.parametrize("new", [0, -1])
def test_it_reports_an_entry_moved_to_seq_zero_or_below(seq, new):
    # the chain starts at 1: an entry below it must not escape the hashing
    with fresh_ledger() as ledger:
        busy_world(ledger)
        drop_guards(ledger.engine)
        tamper(ledger.engine, "UPDATE entries SET seq = :new WHERE seq = :seq", new=new, seq=seq)
        report = ledger.verify()
        assert new in problem_seqs(report)
        assert report.entries == ENTRIES


@pytest.mark.parametrize("seq", [0, -7])
def test_it_reports_a_forged_entry_inserted_before_the_first(world, seq):
    # 500 more rounds "arrived" before anything else, balances agree, guards are back: only the
    # chain can tell
    ledger = world.ledger
    values = row(ledger, 4)  # the receipt of 10,000 rounds
    values.update(seq=seq, origin_seq=seq, quantity=500, occurred_at=values["occurred_at"] - 1)
    drop_guards(ledger.engine)
    with ledger.engine.begin() as conn:
        conn.execute(t.entries.insert().values(**values))
    rebuild_balances(ledger.engine)
    restore_guards(ledger.engine)
    assert not ledger.verify().ok


def test_it_reports_a_forged_entry_with_a_perfect_hash_and_head_by_the_laws(world):
    # The attacker appends an entry exactly as wam would and moves the head: the chain is intact,
    # but the entry moves a rifle from a holder that never had it, and the balances disagree.
    ledger = world.ledger
    entries = all_entries(ledger)
    last = entries[-1]
    forged = replace(entries[0], seq=last.seq + 1, origin_seq=last.seq + 1, source="ANSONGO-ARM", target="JUBA-ARM",
                     kind="transfer", prev_hash=last.hash)
    forged = replace(forged, hash=link(last.hash, canonical_bytes(entry_values(forged))))
    drop_guards(ledger.engine)
    with ledger.engine.begin() as conn:
        holders = dict(conn.execute(select(t.holders.c.code, t.holders.c.id)).all())
        values = row(ledger, 1)
        values.update(seq=forged.seq, origin_seq=forged.seq, kind="transfer", source_id=holders["ANSONGO-ARM"],
                      target_id=holders["JUBA-ARM"], prev_hash=forged.prev_hash, hash=forged.hash)
        conn.execute(t.entries.insert().values(**values))
        conn.execute(t.chain_head.update().values(seq=forged.seq, hash=forged.hash))
    restore_guards(ledger.engine)
    report = ledger.verify()
    assert "chain" not in problem_checks(report) and "head" not in problem_checks(report)
    assert {(p.check, p.seq, p.holder) for p in report.problems if p.check == "law 1"} == {("law 1", 5, "ANSONGO-ARM")}
    assert {p.check for p in report.problems} == {"law 1", "law 2", "law 5"}


def test_it_reports_a_change_to_the_stored_balances(world):
    ledger = world.ledger
    tamper(ledger.engine, "UPDATE balances SET quantity = quantity + 1 WHERE quantity = 10000")
    report = ledger.verify()
    assert [(p.check, p.item, p.holder) for p in report.problems] == [("law 5", world.rounds.key, "GAO-ASP")]
    assert "stored balance 10001" in report.problems[0].message and "(10000)" in report.problems[0].message


def test_it_reports_a_moved_chain_head(world):
    ledger = world.ledger
    tamper(ledger.engine, "UPDATE chain_head SET seq = 3")
    assert [p.check for p in ledger.verify().problems] == ["head"]


def test_it_reports_every_altered_entry_not_just_the_first(world):
    ledger = world.ledger
    drop_guards(ledger.engine)
    tamper(ledger.engine, "UPDATE entries SET actor = 'nobody' WHERE seq IN (1, 3)")
    report = ledger.verify()
    altered = {p.seq for p in report.problems if "altered" in p.message}
    assert altered == {1, 3}


def test_it_reports_an_empty_text_where_the_ledger_stores_none(world):
    ledger = world.ledger
    drop_guards(ledger.engine)
    tamper(ledger.engine, "UPDATE entries SET witness = '' WHERE seq = 2")
    restore_guards(ledger.engine)
    assert 2 in problem_seqs(ledger.verify())


@pytest.mark.skipif(is_postgres(), reason="PostgreSQL's column types refuse values of another type")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE entries SET quantity = 'ten' WHERE seq = 2",
        "UPDATE entries SET occurred_at = 'yesterday' WHERE seq = 2",
        "UPDATE entries SET hash = hex(hash) WHERE seq = 2",
    ],
)
def test_it_reports_a_value_of_the_wrong_type_instead_of_crashing(world, statement):
    # SQLite keeps whatever type it is given: an attacker can store text in a number column
    ledger = world.ledger
    drop_guards(ledger.engine)
    tamper(ledger.engine, statement)
    report = ledger.verify()
    assert 2 in problem_seqs(report)
    assert "chain" in problem_checks(report)


# --- (c), (d): what the chain alone cannot see, checkpoints kept elsewhere can -----------------------
def sign_and_export(ledger, tmp_path: Path) -> tuple[signing.Checkpoint, Path]:  # noqa: ANN001
    cp = ledger.checkpoint(tmp_path / "signing-key.pem")
    exported = tmp_path / "oversight-checkpoints.json"
    signing.append_to_file(exported, cp)
    return cp, exported


DELETED = "is not among the stored checkpoints (they end at number 0): the latest checkpoints were deleted"


def cover_tracks(ledger) -> None:  # noqa: ANN001
    """Forget the stored checkpoints, rebuild balances and put the guards back. (Since checkpoints
    are numbered, a party holding a checkpoint the database lost also sees the deletion.)"""
    tamper(ledger.engine, "DELETE FROM checkpoints")
    rebuild_balances(ledger.engine)
    restore_guards(ledger.engine)


@pytest.mark.parametrize("keep", [0, 5, 11])
def test_it_reports_truncation_behind_the_last_checkpoint(tmp_path, keep):
    with fresh_ledger() as ledger:
        busy_world(ledger)
        cp, exported = sign_and_export(ledger, tmp_path)
        assert cp.seq == ENTRIES
        entries = all_entries(ledger)

        drop_guards(ledger.engine)
        tamper(ledger.engine, "DELETE FROM entries WHERE seq > :keep", keep=keep)
        head_hash = entries[keep - 1].hash if keep else bytes(32)
        tamper(ledger.engine, "UPDATE chain_head SET seq = :seq, hash = :hash", seq=keep, hash=head_hash)
        cover_tracks(ledger)

        # consistent as far as the entries go; but the registers' records (a loss's incident, a
        # disposal's certificate, ...) still say their movements were posted: their citations betray it
        assert {p.check for p in ledger.verify().problems} == {"citations"}
        report = ledger.verify(signing.read_file(exported))
        problems = [p for p in report.problems if p.check != "citations"]
        assert [(p.check, p.seq) for p in problems] == [("checkpoint", ENTRIES)] * 2
        truncated = f"the ledger ends at entry {keep}, so it was truncated behind a signed checkpoint"
        assert truncated in problems[0].message and DELETED in problems[1].message


def test_it_reports_truncation_behind_a_stored_checkpoint_left_in_place(tmp_path):
    with fresh_ledger() as ledger:
        busy_world(ledger)
        cp, _ = sign_and_export(ledger, tmp_path)
        entries = all_entries(ledger)
        drop_guards(ledger.engine)
        tamper(ledger.engine, "DELETE FROM entries WHERE seq > 10")
        tamper(ledger.engine, "UPDATE chain_head SET seq = 10, hash = :hash", hash=entries[9].hash)
        rebuild_balances(ledger.engine)
        restore_guards(ledger.engine)
        report = ledger.verify()
        problems = [p for p in report.problems if p.check != "citations"]  # the registers' records see it too
        assert [(p.check, p.seq) for p in problems] == [("checkpoint", cp.seq)]
        assert problems[0].message.startswith("stored checkpoint at entry 16")
        assert "citations" in {p.check for p in report.problems}


@pytest.mark.parametrize("altered", [1, 8, 16])
def test_it_catches_a_consistent_rewrite_of_history_with_a_checkpoint(tmp_path, altered):
    with fresh_ledger() as ledger:
        busy_world(ledger)
        cp, exported = sign_and_export(ledger, tmp_path)
        entries = all_entries(ledger)
        entries[altered - 1] = replace(entries[altered - 1], note="amended", actor="someone else")

        drop_guards(ledger.engine)
        rewrite_from(ledger.engine, entries, altered - 1)
        cover_tracks(ledger)

        assert ledger.verify().ok  # every hash recomputed, head moved: the chain alone is fooled
        report = ledger.verify(signing.read_file(exported))
        assert [(p.check, p.seq) for p in report.problems] == [("checkpoint", cp.seq)] * 2
        assert "history was rewritten" in report.problems[0].message and DELETED in report.problems[1].message


def test_it_cannot_see_a_rewrite_after_the_last_checkpoint(tmp_path):
    # the limit of the guarantee, stated as a test: only history up to a checkpoint is fixed
    with fresh_ledger() as ledger:
        world = busy_world(ledger)
        _, exported = sign_and_export(ledger, tmp_path)
        world.move("transfer", world.rounds, "GAO-ASP", "JUBA-ARM", quantity=5, days=20)
        entries = all_entries(ledger)
        entries[-1] = replace(entries[-1], note="rewritten")
        drop_guards(ledger.engine)
        rewrite_from(ledger.engine, entries, len(entries) - 1)
        rebuild_balances(ledger.engine)
        restore_guards(ledger.engine)  # the checkpoint stays: it is before the rewrite
        assert ledger.verify(signing.read_file(exported)).ok


def test_it_reports_a_rewrite_of_balances_and_quantities_together(tmp_path):
    with fresh_ledger() as ledger:
        busy_world(ledger)
        cp, exported = sign_and_export(ledger, tmp_path)
        entries = all_entries(ledger)
        # 10,000 rounds arrived (entry 4); the attacker says 9,000 and keeps the difference
        entries[3] = replace(entries[3], quantity=9_000)
        drop_guards(ledger.engine)
        rewrite_from(ledger.engine, entries, 3)
        cover_tracks(ledger)
        assert ledger.verify().ok
        assert [(p.check, p.seq) for p in ledger.verify(signing.read_file(exported)).problems] == [("checkpoint",
                                                                                                    cp.seq)] * 2


# --- (e) checkpoints that cannot be trusted ---------------------------------------------------------
def test_it_reports_a_checkpoint_with_a_bad_signature(world, tmp_path):
    ledger = world.ledger
    _, exported = sign_and_export(ledger, tmp_path)
    data = json.loads(exported.read_text())
    signature = data["checkpoints"][0]["signature"]
    data["checkpoints"][0]["signature"] = ("0" if signature[0] != "0" else "1") + signature[1:]
    exported.write_text(json.dumps(data))
    report = ledger.verify(signing.read_file(exported))
    assert [(p.check, p.seq) for p in report.problems] == [("checkpoint", 4)]
    assert report.problems[0].message == "file checkpoint at entry 4: the signature is not valid"


def test_it_reports_a_checkpoint_whose_content_was_changed_after_signing(world, tmp_path):
    ledger = world.ledger
    _, exported = sign_and_export(ledger, tmp_path)
    data = json.loads(exported.read_text())
    data["checkpoints"][0]["seq"] = 3
    exported.write_text(json.dumps(data))
    problems = ledger.verify(signing.read_file(exported)).problems
    assert any("signature is not valid" in p.message for p in problems)


def test_it_reports_a_checkpoint_from_another_ledger(world, tmp_path):
    ledger = world.ledger
    with fresh_ledger("Juba ledger") as other:
        busy_world(other)
        foreign, exported = sign_and_export(other, tmp_path)
    report = ledger.verify(signing.read_file(exported))
    assert [p.check for p in report.problems] == ["checkpoint"]
    assert report.problems[0].message == f"file checkpoint at entry 16 belongs to another ledger ({foreign.ledger})"


def test_it_reports_a_checkpoint_signed_with_another_key(world, tmp_path):
    ledger = world.ledger
    ledger.checkpoint(tmp_path / "ledger-key.pem")  # the ledger's key is now known
    intruder = signing.load_or_create_key(tmp_path / "intruder-key.pem")
    head_seq, head_hash = ledger.head()
    forged = signing.sign(intruder, ledger=ledger.uuid, seq=head_seq, head_hash=head_hash.hex(), signed_at=0)
    report = ledger.verify([forged])
    assert [(p.check, p.seq) for p in report.problems] == [("checkpoint", 4), ("key", None)]
    assert "signed by a key that is not this ledger's" in report.problems[0].message
    assert "differs from a file's checkpoint" in report.problems[1].message


def test_it_reports_a_forged_entry_that_keeps_the_laws_but_breaks_a_kinds_rule(world):
    # Perfect hash, head moved, balances rebuilt, and the laws hold: rifle 3 really is at GAO-ARM
    # and goes to JUBA-ARM. But it is recorded as an issue, which goes to a person: the rule that
    # posting runs (domain.rules "persons") is run by verify over what is stored, and says so.
    ledger = world.ledger
    entries = all_entries(ledger)
    last, rifle_3 = entries[-1], world.rifles[2].key
    forged = replace(entries[0], seq=last.seq + 1, origin_seq=last.seq + 1, item=rifle_3, source="GAO-ARM",
                     target="JUBA-ARM", kind="issue", occurred_at=last.occurred_at, prev_hash=last.hash)
    forged = replace(forged, hash=link(last.hash, canonical_bytes(entry_values(forged))))
    drop_guards(ledger.engine)
    with ledger.engine.begin() as conn:
        holders = dict(conn.execute(select(t.holders.c.code, t.holders.c.id)).all())
        item_id = conn.execute(select(t.items.c.id).where(t.items.c.key == rifle_3)).scalar()
        values = row(ledger, 1)
        values.update(seq=forged.seq, origin_seq=forged.seq, kind="issue", item_id=item_id,
                      occurred_at=last.occurred_at, source_id=holders["GAO-ARM"], target_id=holders["JUBA-ARM"],
                      prev_hash=forged.prev_hash, hash=forged.hash)
        conn.execute(t.entries.insert().values(**values))
        conn.execute(t.chain_head.update().values(seq=forged.seq, hash=forged.hash))
    rebuild_balances(ledger.engine)
    restore_guards(ledger.engine)
    report = ledger.verify()
    ledger_problems = {(p.check, p.seq, p.holder) for p in report.problems if p.check.startswith(("law", "rule"))}
    assert ledger_problems == {("rule persons", forged.seq, "GAO-ARM")}
    assert any("an issue goes to a person; JUBA-ARM is a store" in p.message for p in report.problems)


def test_honest_entries_of_every_kind_break_no_rule():
    with fresh_ledger() as ledger:
        busy_world(ledger)
        report = ledger.verify()
    assert report.ok, report.problems
