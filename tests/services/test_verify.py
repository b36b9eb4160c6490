"""Verify: one report with every problem, each naming what it checked and where."""

from __future__ import annotations

from tests.builders import busy_world, drop_guards, problem_checks, problem_seqs, tamper
from tests.builders import own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)


def test_it_finds_nothing_wrong_with_an_empty_ledger(ledger):
    report = ledger.verify()
    assert report.ok
    assert (report.entries, report.head_seq, report.head_hash, report.checkpoints_checked) == (0, 0, "", 0)


def test_it_finds_nothing_wrong_with_a_busy_ledger(ledger):
    busy_world(ledger)
    report = ledger.verify()
    assert report.ok, report.problems
    assert (report.entries, report.head_seq) == (16, 16)
    assert report.head_hash == ledger.head()[1].hex()


def test_it_accepts_a_ledger_with_back_dated_entries(world):
    rounds = world.rounds
    world.move("transfer", rounds, "GAO-ASP", "ANSONGO-ARM", quantity=9_000, days=10)
    world.move("transfer", rounds, "GAO-ASP", "JUBA-ARM", quantity=1_000, days=5)
    world.move("transfer", rounds, "JUBA-ARM", "ANSONGO-ARM", quantity=400, days=6)
    assert world.ledger.verify().ok


def test_it_checks_the_laws_in_occurrence_order_not_recording_order(world):
    from wam.domain.timefmt import to_micros

    from tests.builders import at

    rounds = world.rounds
    world.move("transfer", rounds, "GAO-ASP", "ANSONGO-ARM", quantity=100, days=2)
    world.move("transfer", rounds, "ANSONGO-ARM", "JUBA-ARM", quantity=100, days=3)
    ledger = world.ledger
    drop_guards(ledger.engine)
    # in recording order nothing is wrong; in occurrence order ANSONGO-ARM gave what it did not have yet
    tamper(ledger.engine, "UPDATE entries SET occurred_at = :t WHERE seq = 6", t=to_micros(at(1)))
    report = ledger.verify()
    assert ("law 2", 6, "ANSONGO-ARM") in {(p.check, p.seq, p.holder) for p in report.problems}


def test_it_describes_itself_as_data(world):
    ledger = world.ledger
    drop_guards(ledger.engine)
    tamper(ledger.engine, "UPDATE entries SET note = 'x' WHERE seq = 2")
    data = ledger.verify().as_dict()
    assert data["ok"] is False
    assert (data["entries"], data["head_seq"], data["checkpoints_checked"]) == (4, 4, 0)
    altered = [p for p in data["problems"] if p["seq"] == 2]
    assert altered == [{"check": "chain", "seq": 2,
                        "message": "content does not match its hash (the entry was altered)",
                        "item": world.rifles[1].key, "holder": "supply:BGD"}]
    assert sorted(data) == ["checkpoints_checked", "entries", "head_hash", "head_seq", "ok", "problems"]


def test_it_reports_chain_laws_balances_and_guards_together(world):
    ledger = world.ledger
    drop_guards(ledger.engine)
    tamper(ledger.engine, "UPDATE entries SET quantity = 20000 WHERE seq = 4")  # the rounds' receipt
    tamper(ledger.engine, "UPDATE balances SET quantity = 0 WHERE quantity = 1")  # the rifles vanish
    report = ledger.verify()
    assert {"chain", "law 5", "law 4"} <= problem_checks(report)
    assert 4 in problem_seqs(report)
    law5 = {(p.holder, p.item) for p in report.problems if p.check == "law 5"}
    assert ("GAO-ASP", world.rounds.key) in law5
    assert {("GAO-ARM", r.key) for r in world.rifles} <= law5


def test_it_reports_a_law_broken_inside_the_stored_history(world):
    ledger = world.ledger
    drop_guards(ledger.engine)
    # someone edits the rounds' receipt to come from a store that had none (and breaks the chain)
    with ledger.engine.begin() as conn:
        juba = conn.exec_driver_sql("SELECT id FROM holders WHERE code = 'JUBA-ARM'").scalar()
    tamper(ledger.engine, "UPDATE entries SET source_id = :j WHERE seq = 4", j=juba)
    report = ledger.verify()
    laws = [(p.check, p.seq, p.holder) for p in report.problems if p.check.startswith("law 2")]
    assert laws == [("law 2", 4, "JUBA-ARM")]
    assert 4 in {p.seq for p in report.problems if p.check == "chain"}
