"""The recovered-materiel register (wam.services.recoveries): registration posts the recovery movements in
one unit of work, a lost weapon comes back from lost, each later step and its refusals, the disposal
through a certificate, the custody chain and its gaps, oversight, marks searched like serials, a
confirmed match, ``wam verify`` on an altered record, and scoping."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.factories import T0
from tests.services.test_records import bypass
from wam.domain.access import Grant, Role
from wam.domain.documents import DocumentRefused
from wam.domain.errors import InvalidInput, NotFound, PermissionDenied
from wam.services import incidents, recoveries
from wam.services.scoped import Ancestry, ScopedLedger

WHEN = T0 + timedelta(days=40)


def _items(*serials: str) -> list[dict[str, Any]]:
    return [{"type": "weapon", "make": "Norinco", "model": "Type 56", "calibre": "7.62x39mm", "serial": s,
             "markings": {"country": "CHN", "factory": "66"}, "condition": "serviceable"} for s in serials]


def _register(world, *serials: str, to: str = "GAO-ARM", **over: Any):  # noqa: ANN001, ANN202
    fields: dict[str, Any] = {"recovered_at": WHEN, "place": "Checkpoint north of Gao", "latitude": 16.3,
                              "longitude": -0.05, "unit": "1st BANBAT", "from_whom": "a driver, as reported",
                              "witness": "Lt Karim"}
    fields.update(over)
    items = fields.pop("items") if "items" in fields else _items(*serials)
    how = fields.pop("how", "checkpoint")
    return recoveries.register(world.ledger, actor="alice", to=to, items=items, how=how, **fields)


def test_registering_takes_the_items_into_custody(world) -> None:  # noqa: ANN001
    ammo = {"type": "ammunition", "make": "Unknown", "model": "7.62x39 ball", "calibre": "7.62x39mm",
            "quantity": 120, "markings": {"headstamp": "71 / 78"}}
    doc = _register(world, items=[*_items("KA-778812"), {**_items("")[0], "serial": "56-??012"}, ammo],
                    evidence=[("marks.jpg", b"\xff\xd8photo", "image/jpeg")])
    assert doc.number == "REC-000001" and doc.state == "posted"
    keys = [line.item for line in doc.lines]
    assert keys == ["W|NORINCO|TYPE 56|KA-778812", "W|NORINCO|TYPE 56|REC-000001-2",
                    "L|UNKNOWN|7.62X39 BALL|REC-000001/71 / 78"]
    entries = recoveries.documents.entries(world.ledger, doc)
    assert [(e.kind, e.source, e.target, e.quantity, e.witness) for e in entries] == [
        ("recovery", "recovered:checkpoint", "GAO-ARM", 1, "Lt Karim")] * 2 + [
        ("recovery", "recovered:checkpoint", "GAO-ARM", 120, "Lt Karim")]
    assert world.ledger.custodian(keys[0]) == "GAO-ARM"
    shown = recoveries.full(world.ledger, doc.number)
    assert shown["items"][1]["serial"] == "56-??012" and shown["weapons"] == 2 and shown["rounds"] == 120
    assert shown["fields"]["evidence"][0][1] and shown["custody"][0]["gaps"] == []
    assert world.ledger.verify().ok


def test_a_lost_weapon_comes_back_from_lost_and_a_held_one_is_refused(world) -> None:  # noqa: ANN001
    lost = world.rifles[0]
    incidents.report(world.ledger, actor="alice", lines=[[lost.key, 1, "GAO-ARM"]], started_at=T0 + timedelta(days=5),
                     site="GAO", mission="MINUSMA", circumstance="patrol", mechanism="ambush", ownership="COE")
    doc = _register(world, lost.serial)
    assert doc.lines[0].source == "lost" and world.ledger.custodian(lost.key) == "GAO-ARM"
    with pytest.raises(InvalidInput) as caught:
        _register(world, "KA-1", world.rifles[1].serial)
    assert (caught.value.field, caught.value.row) == ("serial", 2) and "held (GAO-ARM)" in caught.value.detail
    assert len(recoveries.listing(world.ledger)) == 1  # nothing of the refused record was written


@pytest.mark.parametrize(("over", "field"), [({"how": "bought"}, "how"), ({"latitude": 200}, "latitude"),
                                             ({"unit": None}, "unit"), ({"to": "lost"}, "to"),
                                             ({"to": "NOWHERE"}, "to"), ({"items": []}, "items")])
def test_refusals_name_the_field(world, over: dict[str, Any], field: str) -> None:  # noqa: ANN001
    with pytest.raises(InvalidInput) as caught:
        _register(world, "KA-1", **over)
    assert caught.value.field == field


def test_marks_are_unique_and_searched_like_serials(world) -> None:  # noqa: ANN001
    doc = _register(world, "KA-1", "KA-2")
    recoveries.step(world.ledger, doc.number, "mark", actor="bob", row=1, mark="MINUSMA-R-000123")
    with pytest.raises(InvalidInput, match="marks line 1 of REC-000001 already") as caught:
        recoveries.step(world.ledger, doc.number, "mark", actor="bob", row=2, mark="minusma-r-OOO123")
    assert caught.value.field == "mark"
    found = recoveries.find_mark(world.ledger, "MlNUSMA R 000I23")
    assert [(f["mark"], f["recovery"], f["line"]) for f in found] == [("MINUSMA-R-000123", doc.number, 1)]
    assert recoveries.listing(world.ledger)[0]["marks"] == ["MINUSMA-R-000123"]


def test_the_trace_and_its_export(world) -> None:  # noqa: ANN001
    doc = _register(world, "KA-1")
    with pytest.raises(DocumentRefused, match="send needs it drafted"):
        recoveries.step(world.ledger, doc.number, "trace", actor="bob", action="send")
    recoveries.step(world.ledger, doc.number, "trace", actor="bob", action="draft", to="CHN", basis="manufacture",
                    at=WHEN + timedelta(days=1))
    recoveries.step(world.ledger, doc.number, "trace", actor="bob", action="send", reference="TR/1",
                    at=WHEN + timedelta(days=2))
    exported = recoveries.trace_export(world.ledger, doc.number)
    assert exported["status"] == "sent" and exported["addressed_to"] == "CHN" and exported["reference"] == "TR/1"
    assert exported["items"][0]["serial_as_read"] == "KA-1" and exported["items"][0]["markings"]["factory"] == "66"
    json.dumps(exported)
    row = recoveries.listing(world.ledger)[0]
    assert row["trace"] == "sent" and row["trace_unanswered"]  # sent in 2024: long unanswered
    recoveries.step(world.ledger, doc.number, "trace", actor="bob", action="answer", answer="sold to X in 1990")
    assert not recoveries.listing(world.ledger)[0]["trace_unanswered"]


def test_disposal_through_a_certificate_and_oversight(world, monkeypatch) -> None:  # noqa: ANN001
    first = _register(world, "KA-1")
    second = _register(world, "KA-2")
    third = _register(world, "KA-3", recovered_at=datetime.now(UTC) - timedelta(days=2))
    assert [r["disposal_overdue"] for r in recoveries.listing(world.ledger)] == [True, True, False]
    recoveries.step(world.ledger, second.number, "retain", actor="bob", reason="evidence for the prosecutor")
    with pytest.raises(InvalidInput) as caught:
        recoveries.dispose(world.ledger, first.number, actor="bob", method="destruction", destruction="cutting")
    assert caught.value.field == "witness"  # the certificate's own rule, nothing written
    record, certificate = recoveries.dispose(world.ledger, first.number, actor="bob", method="destruction",
                                             destruction="cutting", witness="UNMAS officer")
    assert record.state == "disposal" and certificate.lines[0].source == "GAO-ARM"
    with pytest.raises(DocumentRefused, match="being disposed of"):
        recoveries.dispose(world.ledger, first.number, actor="bob", method="destruction", destruction="cutting",
                           witness="UNMAS officer")
    with pytest.raises(DocumentRefused, match="someone else"):
        recoveries.disposal_step(world.ledger, first.number, "approve", actor="bob")
    recoveries.disposal_step(world.ledger, first.number, "approve", actor="carol")
    recoveries.disposal_step(world.ledger, first.number, "execute", actor="carol")
    rows = {r["id"]: r for r in recoveries.listing(world.ledger)}
    assert rows[first.number]["disposed"] and rows[first.number]["disposal"]["state"] == "executed"
    assert [r for r in rows.values() if r["disposal_overdue"]] == []  # disposed, retained, recent
    assert world.ledger.custodian(first.lines[0].item) == "destroyed"
    monkeypatch.setenv("WAM_RECOVERY_DISPOSAL_DAYS", "1")
    assert [r["id"] for r in recoveries.oversight(world.ledger)["disposal_overdue"]] == [third.number]
    # a handover without a witness after the recovery is a gap in the custody
    world.move("issue", world.ledger.item(third.lines[0].item), "GAO-ARM", "PTE-RAHMAN",
               days=(datetime.now(UTC) - T0).days - 1)
    gaps = recoveries.oversight(world.ledger)["custody_gaps"]
    assert [(g["recovery"], g["line"]) for g in gaps] == [(third.number, 1)]
    assert "without a witness" in gaps[0]["gaps"][0]
    assert world.ledger.verify().ok


def test_a_confirmed_match_links_the_incident(world) -> None:  # noqa: ANN001
    lost = world.rifles[2]
    incident = incidents.report(world.ledger, actor="alice", lines=[[lost.key, 1, "GAO-ARM"]],
                                started_at=T0 + timedelta(days=5), site="GAO", mission="MINUSMA",
                                circumstance="patrol", mechanism="ambush", ownership="COE").number
    doc = _register(world, "56-OOOO3")  # misread: 56-00003
    scoped = recoveries.ScopedRecoveries(_scoped(world, Role.MISSION_OFFICER, "MINUSMA", "bob"))
    shown = scoped.show(doc.number)
    candidates = shown["items"][0]["candidates"]
    assert candidates[0]["weapon"] == lost.key and candidates[0]["status"] == "lost"
    assert candidates[0]["incident"] == incident
    with pytest.raises(InvalidInput) as caught:
        scoped.confirm(doc.number, 1, world.rifles[0].key.replace("00001", "99999"))
    assert caught.value.field == "weapon"
    scoped.confirm(doc.number, 1, lost.key)
    shown = scoped.show(doc.number)
    assert shown["items"][0]["match"] == {"weapon": lost.key, "incident": incident}
    assert shown["matched"] == [lost.key]
    [link] = recoveries.linked(world.ledger, incident=incident)
    assert (link["recovery"], link["weapon"], link["line"], link["confirmed_by"]) == (doc.number, lost.key, 1, "bob")
    assert recoveries.linked(world.ledger, weapon=lost.key) == [link] == scoped.linked(weapon=lost.key)
    scoped.reject(doc.number, 1, lost.key)
    assert scoped.show(doc.number)["matched"] == [] == recoveries.linked(world.ledger, weapon=lost.key)


def test_verify_finds_an_altered_record(world) -> None:  # noqa: ANN001
    doc = _register(world, "KA-1")
    recoveries.step(world.ledger, doc.number, "mark", actor="bob", row=1, mark="M-1")
    assert world.ledger.verify().ok
    bypass(world.ledger.engine, "UPDATE records SET body = replace(body, '\"mark\":\"M-1\"', '\"mark\":\"M-2\"') "
                                "WHERE kind = 'document:recovery' AND body LIKE '%\"step\":\"mark\"%'")
    messages = [p.message for p in world.ledger.verify().problems]
    assert any("was altered" in m for m in messages)  # the records chain
    assert any(f"recovery record {doc.number}" in m and "content differs" in m for m in messages)  # the replay


def _scoped(world, role: Role, at: str, actor: str) -> ScopedLedger:  # noqa: ANN001
    return ScopedLedger(world.ledger, Ancestry(), [Grant(role, at)], actor)


def test_scoping_by_the_registering_store(world) -> None:  # noqa: ANN001
    gao = _register(world, "KA-1")
    juba = _register(world, "KA-2", to="JUBA-ARM")
    armourer = recoveries.ScopedRecoveries(_scoped(world, Role.ARMOURER, "GAO", "ali"))
    assert [r["id"] for r in armourer.listing()] == [gao.number]
    with pytest.raises(NotFound):
        armourer.show(juba.number)
    with pytest.raises(NotFound):
        armourer.register(to="JUBA-ARM", items=_items("KA-3"), how="cache", recovered_at=WHEN, place="x", unit="y")
    armourer.step(gao.number, "mark", row=1, mark="M-GAO-1")
    auditor = recoveries.ScopedRecoveries(_scoped(world, Role.AUDITOR, "UN", "aud"))
    assert len(auditor.listing()) == 2
    with pytest.raises(PermissionDenied):
        auditor.step(gao.number, "mark", row=1, mark="M-2")
    assert [f["recovery"] for f in armourer.find_mark("M-GAO-1")] == [gao.number]


def test_verify_finds_a_disposal_citing_another_certificate(world) -> None:  # noqa: ANN001
    first, second = _register(world, "KA-1"), _register(world, "KA-2")
    recoveries.dispose(world.ledger, first.number, actor="bob", method="destruction", destruction="cutting",
                       witness="UNMAS officer")
    recoveries.dispose(world.ledger, second.number, actor="bob", method="destruction", destruction="cutting",
                       witness="UNMAS officer")
    assert world.ledger.verify().ok
    # the second record made to cite the first's certificate (given and document alike: it replays)
    bypass(world.ledger.engine, "UPDATE records SET body = replace(body, 'DSP-000002', 'DSP-000001') "
                                "WHERE kind = 'document:recovery' AND ref = :ref", ref=second.number)
    messages = [p.message for p in world.ledger.verify().problems]
    assert any(f"recovery record {second.number} cites disposal certificate DSP-000001, which disposes of none of "
               "its items" in m for m in messages)
