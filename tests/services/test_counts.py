"""Stock counts (wam.services.counts): reconciliation against the book at each line's moment with
movements during the count, wrong place, wrong lot, the threshold rules, a second person's approval
and its refusals, the blind rule, the loss incident of a missing weapon, ``wam verify`` on an altered
record, scoping, schedules and the counts due."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import T0, ball_rounds, rifle
from tests.services.test_records import bypass
from wam.domain.access import Grant, Role
from wam.domain.documents import DocumentRefused
from wam.domain.errors import NotFound, PermissionDenied
from wam.services import counts, documents, incidents
from wam.services.scoped import Ancestry, ScopedLedger

S = T0 + timedelta(days=10)  # the count's start


def at(minutes: float):  # noqa: ANN201
    return S + timedelta(minutes=minutes)


@pytest.fixture
def armoury(world):  # noqa: ANN001, ANN201
    """GAO-ARM holds 56-00001..3 (the world's) and 56-00004; ANSONGO-ARM holds 56-00005; 56-00006 comes
    in during the count; the count of GAO-ARM starts at S."""
    more = [rifle(f"56-{n:05d}") for n in (4, 5, 6)]
    world.ledger.register_items(more)
    world.move("receipt", more[0], "supply:BGD", "GAO-ARM", days=1)
    world.move("receipt", more[1], "supply:SEN", "ANSONGO-ARM", days=1)
    world.more = more
    return world


def _count(world, **fields):  # noqa: ANN001, ANN003, ANN202
    return counts.start(world.ledger, actor="qm", holder=fields.pop("holder", "GAO-ARM"), started_at=S,
                        witness="Lt Karim", **fields)


def test_reconciliation_takes_the_movements_during_the_count(armoury) -> None:  # noqa: ANN001
    world = armoury
    doc = _count(world)
    assert doc.state == "counting" and doc.number == "CNT-000001" and doc.fields["blind"] is True
    counts.record(world.ledger, doc.number, actor="qm", lines=[
        {"serial": "56-00001", "at": at(10)},
        {"serial": " 56-00003", "how": "typed", "at": at(5)},   # counted, then it leaves at 30 min: in place
        {"serial": "56-00005", "at": at(12)},                  # the book has it at Ansongo: wrong place
        {"serial": "XX-999", "how": "typed", "at": at(15)},    # no item has it
    ])
    world.move("issue", world.rifles[1], "GAO-ARM", "PTE-RAHMAN", days=10 + 20 / 1440)  # leaves, not counted
    world.move("issue", world.rifles[2], "GAO-ARM", "PTE-RAHMAN", days=10 + 30 / 1440)
    world.move("receipt", world.more[2], "supply:BGD", "GAO-ARM", days=10 + 40 / 1440)  # arrives: unverified
    closed = counts.close(world.ledger, doc.number, actor="qm", closed_at=at(120))
    assert closed.state == "reconciled"
    cases = {(c["kind"], c["item"] or c["read"], c["action"]) for c in closed.fields["cases"]}
    assert cases == {("missing", "W|NORINCO|TYPE 56|56-00004", "incident"),
                     ("wrong_place", "W|NORINCO|TYPE 56|56-00005", "adjust"),
                     ("surplus", "XX-999", "register")}
    assert closed.fields["unverified"] == 1 and all(c["decision"] is None for c in closed.fields["cases"])
    wrong = next(c for c in closed.fields["cases"] if c["kind"] == "wrong_place")
    assert wrong["other"] == "ANSONGO-ARM" and wrong["holder"] == "GAO-ARM"


def test_lots_a_wrong_lot_under_the_threshold_is_posted_at_the_close(world) -> None:  # noqa: ANN001
    other = ball_rounds("POF-2022-01")
    world.ledger.register_items([other])
    doc = _count(world, holder="GAO-ASP")
    counts.record(world.ledger, doc.number, actor="qm", lines=[
        {"item": world.rounds.key, "quantity": 9_990, "at": at(30)},
        {"item": other.key, "quantity": 10, "at": at(31)}])
    world.move("transfer", world.rounds, "GAO-ASP", "GAO-ARM", quantity=100, days=10 + 60 / 1440)  # after its line
    done = counts.close(world.ledger, doc.number, actor="qm", closed_at=at(90))
    [case] = done.fields["cases"]
    assert (case["kind"], case["item"], case["other"], case["quantity"], case["decision"]) == (
        "wrong_lot", other.key, world.rounds.key, 10, "auto")
    assert (case["book"], case["counted"]) == (10_000, 10)
    assert done.state == "posted"  # nothing waits: posted with the close
    moves = [(e.item, e.source, e.target, e.quantity) for e in documents.entries(world.ledger, done)]
    assert moves == [(world.rounds.key, "GAO-ASP", "count-adjustment", 10),
                     (other.key, "count-adjustment", "GAO-ASP", 10)]
    held = {line.item: line.quantity for line in world.ledger.balance("GAO-ASP")}
    assert held == {world.rounds.key: 9_890, other.key: 10}
    assert world.ledger.verify().ok


def test_more_than_the_threshold_waits_and_an_uncounted_lot_is_missing(world) -> None:  # noqa: ANN001
    doc = _count(world, holder="GAO-ASP")
    counts.record(world.ledger, doc.number, actor="qm", lines=[{"item": "L|POF|7.62X39MM BALL|OTHER", "at": at(1)}])
    done = counts.close(world.ledger, doc.number, actor="qm", closed_at=at(5))
    missing = next(c for c in done.fields["cases"] if c["kind"] == "missing")
    assert (missing["quantity"], missing["decision"], missing["approval"]) == (10_000, None, True)
    assert done.state == "reconciled"


def test_approval_refusals_and_the_incident_of_a_missing_weapon(armoury) -> None:  # noqa: ANN001
    world = armoury
    doc = _count(world)
    counts.record(world.ledger, doc.number, actor="qm", lines=[
        {"serial": s, "at": at(n)} for n, s in enumerate(("56-00001", "56-00002", "56-00003", "56-00005"))])
    with pytest.raises(DocumentRefused, match="counts it"):
        counts.record(world.ledger, doc.number, actor="bob", lines=[{"serial": "56-00004", "at": at(9)}])
    closed = counts.close(world.ledger, doc.number, actor="qm", closed_at=at(60))
    assert {c["kind"] for c in closed.fields["cases"]} == {"missing", "wrong_place"}
    with pytest.raises(DocumentRefused, match="someone else must approve"):
        counts.approve(world.ledger, doc.number, actor="qm", role="wam-officer")
    with pytest.raises(DocumentRefused, match="give role"):
        counts.approve(world.ledger, doc.number, actor="officer", role=None)
    with pytest.raises(DocumentRefused, match="await a second person"):
        documents.step(world.ledger, "count", doc.number, "post", actor="officer")
    posted = counts.approve(world.ledger, doc.number, actor="officer", role="wam-officer")
    assert posted.state == "posted" and {c["role"] for c in posted.fields["cases"]} == {"wam-officer"}
    assert world.ledger.custodian("W|NORINCO|TYPE 56|56-00005") == "GAO-ARM"
    assert world.ledger.custodian("W|NORINCO|TYPE 56|56-00004") == "lost"  # not adjusted: a loss incident
    incident = incidents.get(world.ledger, f"{doc.number}-LOSS")
    assert incident.document.state == "posted" and incident.document.fields["site"] == "GAO-ARM"
    assert counts.show(world.ledger, doc.number)["incident"] == f"{doc.number}-LOSS"
    assert world.ledger.verify().ok


def test_an_explained_missing_weapon_is_adjusted_and_a_rejected_case_posts_nothing(armoury) -> None:  # noqa: ANN001
    world = armoury
    doc = _count(world)
    counts.record(world.ledger, doc.number, actor="qm", lines=[
        {"serial": s, "at": at(n)} for n, s in enumerate(("56-00001", "56-00002", "56-00003", "56-00005"))])
    closed = counts.close(world.ledger, doc.number, actor="qm", closed_at=at(60))
    ids = {c["kind"]: c["id"] for c in closed.fields["cases"]}
    half = counts.approve(world.ledger, doc.number, actor="officer", role="wam-officer", decisions={
        ids["missing"]: {"decision": "approved", "explanation": "sent to the repair shop, receipt 12"}})
    assert half.state == "reconciled"  # still waits for the wrong place
    with pytest.raises(DocumentRefused, match="decided already"):
        counts.approve(world.ledger, doc.number, actor="officer", role="wam-officer",
                       decisions={ids["missing"]: "rejected"})
    done = counts.approve(world.ledger, doc.number, actor="officer", role="wam-officer",
                          decisions={str(ids["wrong_place"]): "rejected"})
    assert done.state == "posted"
    assert [(x.source, x.target) for x in done.lines] == [("GAO-ARM", "count-adjustment")]
    assert world.ledger.custodian("W|NORINCO|TYPE 56|56-00004") == "count-adjustment"
    assert world.ledger.custodian("W|NORINCO|TYPE 56|56-00005") == "ANSONGO-ARM"
    with pytest.raises(NotFound):
        incidents.get(world.ledger, f"{doc.number}-LOSS")
    assert world.ledger.verify().ok


def test_a_sample_count_and_a_site_count(armoury) -> None:  # noqa: ANN001
    world = armoury
    sample = _count(world, mode="sample", sample=["L|"])  # only lots: the rifles are not expected
    counts.record(world.ledger, sample.number, actor="qm", lines=[{"serial": "56-00001", "at": at(1)}])
    assert counts.close(world.ledger, sample.number, actor="qm", closed_at=at(2)).fields["cases"] == []
    world.move("issue", world.rifles[0], "GAO-ARM", "PTE-RAHMAN", days=9)
    site = _count(world, holder="GAO", scope="site")
    counts.record(world.ledger, site.number, actor="qm", lines=[
        {"serial": "56-00001", "holder": "GAO-ARM", "at": at(1)},  # the book has it with Pte Rahman
        {"serial": "56-00002", "holder": "GAO-ARM", "at": at(1)},
        {"serial": "56-00003", "holder": "GAO-ARM", "at": at(1)},
        {"serial": "56-00004", "holder": "GAO-ARM", "at": at(1)},
        {"item": world.rounds.key, "quantity": 10_000, "holder": "GAO-ASP", "at": at(2)}])
    [case] = counts.close(world.ledger, site.number, actor="qm", closed_at=at(3)).fields["cases"]
    assert (case["kind"], case["holder"], case["other"]) == ("wrong_place", "GAO-ARM", "PTE-RAHMAN")


def test_the_blind_rule_and_scoping(armoury) -> None:  # noqa: ANN001
    world = armoury
    ledger = world.ledger

    def scoped(role: Role, where: str, actor: str) -> counts.ScopedCounts:
        return counts.ScopedCounts(ScopedLedger(ledger, Ancestry(), [Grant(role, where)], actor))

    armourer = scoped(Role.ARMOURER, "GAO-ARM", "armourer")
    doc = armourer.start(holder="GAO-ARM", started_at=S)
    armourer.record(doc.number, lines=[{"serial": "56-00001", "at": at(1)}])
    shown = armourer.show(doc.number)
    assert shown["recorded"] == 1 and "cases" not in shown and "rules" not in shown
    assert "56-00004" not in str(shown)  # the book's content is not shown while counting
    with pytest.raises(NotFound):
        scoped(Role.ARMOURER, "ANSONGO-ARM", "diop").show(doc.number)
    with pytest.raises(PermissionDenied):
        scoped(Role.ARMOURER, "GAO", "other").approve(doc.number)  # no approver's role
    armourer.close(doc.number)
    closed = armourer.show(doc.number)
    assert closed["cases"] and all("book" in c for c in closed["cases"])
    with pytest.raises(DocumentRefused, match="someone else"):
        scoped(Role.MISSION_OFFICER, "MINUSMA", "armourer").approve(doc.number)
    posted = scoped(Role.MISSION_OFFICER, "MINUSMA", "officer").approve(doc.number)
    assert posted.state == "posted" and posted.fields["cases"][0]["role"] == "mission-officer"
    assert [c["number"] for c in scoped(Role.AUDITOR, "GAO", "aud").listing()] == [doc.number]
    assert scoped(Role.AUDITOR, "ANSONGO", "aud").listing() == []


def test_verify_replays_the_count_records(armoury) -> None:  # noqa: ANN001
    world = armoury
    doc = _count(world)
    counts.record(world.ledger, doc.number, actor="qm", lines=[{"serial": "56-00001", "at": at(1)}])
    counts.close(world.ledger, doc.number, actor="qm", closed_at=at(2))
    assert world.ledger.verify().ok
    bypass(world.ledger.engine, "UPDATE records SET body = replace(body, '56-00001', '56-00004') "
                                "WHERE kind = 'document:count' AND body LIKE '%\"step\":\"record\"%'")
    messages = [p.message for p in world.ledger.verify().problems]
    assert any("was altered" in m for m in messages)  # the records chain
    assert any(f"stock count {doc.number}" in m and "content differs" in m for m in messages)  # the replay


def test_schedules_and_the_counts_due(armoury) -> None:  # noqa: ANN001
    from wam.services.counts_due import counts_due

    world = armoury
    counts.schedule(world.ledger, actor="officer", holder="GAO-ARM", every_days=30)
    counts.schedule(world.ledger, actor="officer", holder="GAO-ASP", every_days=100_000 // 100)
    doc = _count(world)
    counts.record(world.ledger, doc.number, actor="qm", lines=[{"serial": "56-00001", "at": at(1)}])
    counts.close(world.ledger, doc.number, actor="qm", closed_at=at(2))
    officer = ScopedLedger(world.ledger, Ancestry(), [Grant(Role.MISSION_OFFICER, "GAO")], "officer")
    total, due = counts_due(officer, interval_days=100_000)
    listed = {d.code: d for d in due}
    assert "GAO-ARM" in listed and listed["GAO-ARM"].last is not None  # counted at S: monthly, long overdue
    assert listed["GAO-ASP"].last is None and total == 2  # never counted
    with world.ledger.engine.connect() as conn:
        assert counts.schedules(conn)["GAO-ARM"]["every_days"] == 30
