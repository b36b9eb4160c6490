"""The loss-incident register (services/incidents.py) on SQLite and PostgreSQL: a report posts its losses
in the same unit of work, from what the holders held when the incident began; the workflow's records;
the derived flags on reading; filters and export; wam verify finding an altered incident or step."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from tests.factories import T0
from tests.services.test_documents import snapshot
from tests.services.test_records import bypass
from wam.domain.documents import DocumentRefused, DocumentRequired
from wam.domain.errors import InvalidInput, PostingRejected
from wam.domain.movements import make_movement
from wam.services import incidents

WHEN = T0 + timedelta(days=30)


def fields(**over: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "started_at": WHEN, "site": "GAO", "mission": "MINUSMA", "contingents": ["1st BANBAT:BGD"],
        "circumstance": "fixed_site", "mechanism": "theft_burglary", "ownership": "COE",
        "narrative": "armoury door forced at night", "sources": ["SINREP 2024-061"]}
    out.update(over)
    return out


def report(world, *lines: tuple[str, int, str], actor: str = "alice", **over: Any):  # noqa: ANN001, ANN201
    return incidents.report(world.ledger, actor=actor, lines=[{"item": i, "quantity": q, "from": s}
                                                              for i, q, s in lines], **fields(**over))


def test_a_report_posts_its_losses_in_the_same_unit_of_work(world) -> None:  # noqa: ANN001
    ledger, key = world.ledger, world.rifles[0].key
    doc = report(world, (key, 1, "GAO-ARM"), (world.rounds.key, 600, "GAO-ASP"))
    assert doc.number == "INC-000001" and doc.state == "posted"
    assert ledger.custodian(key) == "lost"
    [row] = incidents.listing(ledger)
    assert (row["id"], row["step"], row["mission"], row["circumstance"], row["mechanism"], row["ownership"]) == (
        "INC-000001", "reported", "MINUSMA", "fixed_site", "theft_burglary", "COE")
    assert (row["weapons_lost"], row["rounds_lost"], row["notable"], row["board_of_inquiry_required"]) == (
        1, 600, True, False)
    shown = incidents.full(ledger, "INC-000001")
    assert [(e["kind"], e["from"], e["to"], e["document"]) for e in shown["entries"]] == [
        ("loss", "GAO-ARM", "lost", "INC-000001"), ("loss", "GAO-ASP", "lost", "INC-000001")]
    assert all(e["occurred_at"].startswith(WHEN.date().isoformat()) for e in shown["entries"])
    assert [s["step"] for s in shown["steps"]] == ["report", "post"]
    assert ledger.verify().ok


def test_a_line_the_site_did_not_hold_then_is_refused_and_nothing_is_written(world) -> None:  # noqa: ANN001
    ledger, key = world.ledger, world.rifles[0].key
    issued = world.rifles[1]
    world.move("issue", issued, "GAO-ARM", "PTE-RAHMAN", days=10)
    before = snapshot(ledger)
    with pytest.raises(PostingRejected, match="line 2, field 'item'") as caught:  # issued after the incident
        report(world, (key, 1, "GAO-ARM"), (issued.key, 1, "PTE-RAHMAN"), started_at=T0 + timedelta(days=5))
    assert caught.value.law is not None and caught.value.item == issued.key
    assert report(world, (key, 1, "GAO-ARM"), (issued.key, 1, "PTE-RAHMAN")).state == "posted"  # held at WHEN
    before = snapshot(ledger)
    key = world.rifles[2].key
    with pytest.raises(PostingRejected, match="line 1, field 'item'"):
        report(world, (key, 1, "ANSONGO-ARM"), site="ANSONGO")
    with pytest.raises(InvalidInput) as outside:
        report(world, (key, 1, "ANSONGO-ARM"))  # site GAO
    assert (outside.value.field, outside.value.row) == ("from", 1)
    with pytest.raises(InvalidInput) as unknown:
        report(world, (key, 1, "GAO-ARM"), (world.rounds.key, 1, "NOWHERE"), site=None, place="Gao market")
    assert (unknown.value.field, unknown.value.row) == ("from", 2)
    with pytest.raises(InvalidInput) as bad:
        report(world, (key, 1, "GAO-ARM"), mechanism="bad luck")
    assert bad.value.field == "mechanism"
    assert snapshot(ledger) == before


def test_the_workflow_records_who_and_when(world) -> None:  # noqa: ANN001
    ledger = world.ledger
    number = report(world, (world.rifles[0].key, 1, "GAO-ARM"), casualties={"wounded": 1}).number
    with pytest.raises(DocumentRefused, match="convene it before the findings"):
        incidents.advance(ledger, number, "investigate", actor="bob")
        incidents.advance(ledger, number, "findings", actor="bob", findings="door forced")
    incidents.advance(ledger, number, "convene", actor="carol", board_reference="BOI/MINUSMA/2024/07")
    incidents.advance(ledger, number, "findings", actor="carol", findings="door forced")
    with pytest.raises(DocumentRefused, match="alice reported this incident"):
        incidents.advance(ledger, number, "close", actor="alice", outcome="written_off")
    assert incidents.full(ledger, number)["overdue"]  # reported in 2026 for a 2024 incident, still open
    closed = incidents.advance(ledger, number, "close", actor="bob", outcome="written_off")
    assert closed.state == "closed" and closed.fields["board_reference"] == "BOI/MINUSMA/2024/07"
    assert not incidents.full(ledger, number)["overdue"]  # closed: overdue no more
    shown = incidents.full(ledger, number)
    assert [(s["step"], s["by"]) for s in shown["steps"]] == [
        ("report", "alice"), ("post", "alice"), ("investigate", "bob"), ("convene", "carol"),
        ("findings", "carol"), ("close", "bob")]
    assert all(s["recorded_at"] for s in shown["steps"])
    assert shown["step"] == "closed" and shown["outcome"] == "written_off" and shown["board_of_inquiry_required"]
    with pytest.raises(InvalidInput):
        incidents.advance(ledger, number, "post", actor="bob")
    assert ledger.verify().ok


def test_filters_overdue_and_export(world, monkeypatch) -> None:  # noqa: ANN001
    ledger = world.ledger
    report(world, (world.rifles[0].key, 1, "GAO-ARM"))
    report(world, *[(r.key, 1, "GAO-ARM") for r in world.rifles[1:]], mechanism="ambush", circumstance="patrol",
           ownership="UNOE", value_usd=30_000, contingents=["SENBAT:SEN"], started_at=WHEN + timedelta(days=2))
    keep = incidents.Filters
    assert [r["id"] for r in incidents.listing(ledger, keep(mechanism="ambush"))] == ["INC-000002"]
    assert [r["id"] for r in incidents.listing(ledger, keep(country="sen"))] == ["INC-000002"]
    assert [r["id"] for r in incidents.listing(ledger, keep(board_of_inquiry_required=True))] == ["INC-000002"]
    assert [r["id"] for r in incidents.listing(ledger, keep(since=WHEN + timedelta(days=1)))] == ["INC-000002"]
    assert [r["id"] for r in incidents.listing(ledger, keep(until=WHEN))] == ["INC-000001"]
    assert incidents.listing(ledger, keep(mission="UNMISS")) == []
    recent = ledger.clock() - timedelta(hours=2)
    report(world, (world.rounds.key, 20, "GAO-ASP"), started_at=recent, ended_at=recent + timedelta(hours=1))
    assert [r["overdue"] for r in incidents.listing(ledger)] == [True, True, False]  # 2024's reported now
    monkeypatch.setenv("WAM_INCIDENT_REPORT_HOURS", "0.5")
    assert [r["id"] for r in incidents.listing(ledger, keep(overdue=False))] == []
    rows = incidents.listing(ledger, keep(until=WHEN + timedelta(days=3)))
    table = list(csv.DictReader(io.StringIO(incidents.export(rows, "csv"))))
    assert [(r["id"], r["weapons_lost"], r["notable"], r["countries"]) for r in table] == [
        ("INC-000001", "1", "false", "BGD"), ("INC-000002", "2", "false", "SEN")]
    assert json.loads(incidents.export(rows, "json"))["incidents"][1]["ownership"] == "UNOE"
    with pytest.raises(InvalidInput) as bad:
        incidents.export(rows, "xml")
    assert bad.value.field == "format"


def test_the_generic_paths_refuse_a_loss_naming_the_register(world) -> None:  # noqa: ANN001
    movement = make_movement(kind="loss", item=world.rifles[0].key, quantity=1, source="GAO-ARM", target="lost",
                             occurred_at=WHEN, actor="alice", document="INC-1")
    with pytest.raises(DocumentRequired, match="a loss is posted only through its register: wam incidents report"):
        world.ledger.post(movement)


def test_verify_finds_an_altered_incident_and_an_altered_step(world) -> None:  # noqa: ANN001
    ledger = world.ledger
    number = report(world, (world.rifles[0].key, 1, "GAO-ARM")).number
    incidents.advance(ledger, number, "investigate", actor="bob")
    incidents.advance(ledger, number, "findings", actor="bob", findings="door forced")
    incidents.advance(ledger, number, "close", actor="bob", outcome="written_off")
    assert ledger.verify().ok
    # the write-off's approver changed to the reporter
    bypass(ledger.engine, "UPDATE records SET actor = 'alice' WHERE kind = 'document:incident' "
                          "AND body LIKE '%\"step\":\"close\"%'")
    messages = [p.message for p in ledger.verify().problems]
    assert any("was altered" in m for m in messages)
    assert any("alice reported this incident: someone else must approve its write-off" in m for m in messages)


def test_verify_finds_an_incidents_facts_altered(world) -> None:  # noqa: ANN001
    ledger = world.ledger
    report(world, (world.rifles[0].key, 1, "GAO-ARM"))
    with ledger.engine.connect() as conn:
        body = conn.execute(text("SELECT body FROM records WHERE kind = 'document:incident' "
                                 "AND body LIKE '%\"step\":\"report\"%'")).scalar_one()
    assert '"mechanism":"theft_burglary"' in body
    bypass(ledger.engine, "UPDATE records SET body = :body WHERE kind = 'document:incident' "
                          "AND body LIKE '%\"step\":\"report\"%'",
           body=body.replace('"mechanism":"theft_burglary"', '"mechanism":"ambush"'))
    messages = [p.message for p in ledger.verify().problems]
    assert any("was altered" in m for m in messages)


def test_evidence_files_are_kept_by_their_sha256_and_verified(world) -> None:  # noqa: ANN001
    ledger = world.ledger
    photo = b"\x89PNG\r\n\x1a\n" + b"door" * 100
    doc = incidents.report(ledger, actor="alice", lines=[[world.rifles[0].key, 1, "GAO-ARM"]],
                           evidence=[("door.png", photo, "image/png"), ("again.png", photo, "image/png")], **fields())
    digest = hashlib.sha256(photo).hexdigest()
    assert doc.fields["evidence"] == [["door.png", digest, len(photo), "image/png"],
                                      ["again.png", digest, len(photo), "image/png"]]
    assert incidents.evidence_file(ledger, digest) == ("image/png", photo)
    with ledger.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM records WHERE kind = 'evidence'")).scalar() == 1
    assert ledger.verify().ok
    with pytest.raises(InvalidInput) as empty:
        incidents.report(ledger, actor="alice", lines=[[world.rifles[1].key, 1, "GAO-ARM"]],
                         evidence=[("empty.png", b"", None)], **fields())
    assert empty.value.field == "evidence"
    forged = '{"data":"' + base64.b64encode(b"other").decode() + '","media_type":"image/png","size":5}'
    bypass(ledger.engine, "UPDATE records SET body = :body WHERE kind = 'evidence'", body=forged)
    messages = [p.message for p in ledger.verify().problems]
    assert any("is not the file its SHA-256 names" in m for m in messages)
    bypass(ledger.engine, "DELETE FROM records WHERE kind = 'evidence'")
    messages = [p.message for p in ledger.verify().problems]
    assert any("cites evidence door.png" in m and "which is not kept" in m for m in messages)


def test_a_report_whose_start_is_outside_the_time_window_names_started_at(world) -> None:  # noqa: ANN001
    # its losses are posted when it began: the window's refusal names the report's own field
    ledger = world.ledger
    head = ledger.head()
    given = {**fields(), "started_at": "1900-01-01T00:00:00Z"}
    with pytest.raises(InvalidInput) as refused:
        incidents.report(ledger, actor="alice", lines=[[world.rifles[0].key, 1, "GAO-ARM"]], **given)
    assert refused.value.field == "started_at" and "earliest date" in refused.value.message
    assert ledger.head() == head
