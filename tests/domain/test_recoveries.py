"""Recovery records in the domain (wam.domain.recoveries through wam.domain.documents.apply): the fields
and their refusals, each step after the items are in custody and each refused transition, the ITI
request, the oversight rules, and that a record replays to what it stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from wam.domain import recoveries as rules
from wam.domain.documents import RECOVERY, DocumentRefused, StoredStep, apply, record_body, replay
from wam.domain.errors import InvalidInput
from wam.domain.timefmt import to_micros

T = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
AT = to_micros(T + timedelta(days=1))


def _given(**over: Any) -> dict[str, Any]:
    given: dict[str, Any] = {
        "number": "REC-000001", "to": "GAO-ARM", "how": "checkpoint", "recovered_at": T,
        "place": "Checkpoint north of Gao", "latitude": 16.3, "longitude": -0.05, "unit": "1st BANBAT patrol",
        "from_whom": "driver of a pick-up, as reported",
        "lines": [["W|NORINCO|TYPE 56|56-00012", 1, "recovered:checkpoint"],
                  ["L|UNKNOWN|7.62X39|REC-000001/71", 120, "recovered:checkpoint"]],
        "items": [{"type": "weapon", "make": "Norinco", "model": "Type 56", "calibre": "7.62x39mm",
                   "serial": "56-ООО12", "markings": {"country": "chn", "year": "1978", "factory": "66"},
                   "condition": "serviceable", "safe_to_move": "yes"},
                  {"type": "ammunition", "calibre": "7.62x39mm", "markings": {"headstamp": "71 / 78"},
                   "safe_to_move": False}],
    }
    given.update(over)
    return given


def _posted(**over: Any):  # noqa: ANN202
    doc = apply(RECOVERY, None, "register", "alice", _given(**over))
    return apply(RECOVERY, doc, "post", "alice", {"occurred_at": T})


def test_a_record_keeps_its_fields_clean() -> None:
    doc = _posted()
    assert doc.state == "posted"
    fields = doc.fields
    assert fields["how"] == "checkpoint" and fields["recovered_at"] == to_micros(T)
    assert fields["items"][0]["markings"] == {"country": "CHN", "year": 1978, "factory": "66"}
    assert fields["items"][0]["serial"] == "56-ООО12"  # as read: the look-alikes are the matching's business
    assert fields["items"][1] == {"type": "ammunition", "calibre": "7.62x39mm", "markings": {"headstamp": "71 / 78"},
                                  "condition": "unknown", "safe_to_move": False}
    assert [line.target for line in doc.lines] == ["GAO-ARM", "GAO-ARM"]


@pytest.mark.parametrize(("over", "field", "row"), [
    ({"how": "found"}, "how", None),
    ({"recovered_at": None}, "recovered_at", None),
    ({"latitude": 91}, "latitude", None),
    ({"longitude": None}, "longitude", None),
    ({"place": None, "latitude": None, "longitude": None}, "place", None),
    ({"unit": " "}, "unit", None),
    ({"items": [{"type": "weapon"}]}, "items", None),
    ({"items": [{"type": "rocket"}, {}]}, "type", 1),
    ({"items": [{"markings": {"year": "17"}}, {}]}, "year", 1),
    ({"items": [{"markings": {"colour": "red"}}, {}]}, "markings", 1),
    ({"items": [{}, {"condition": "rusty"}]}, "condition", 2),
    ({"items": [{}, {"markings": {"country": "CN"}}]}, "country", 2),
    ({"lines": [["W|A|B|1", 1, "recovered:cache"], ["W|A|B|2", 1, "recovered:checkpoint"]]}, "from", 1),
    ({"lines": [["W|A|B|1", 2, "recovered:checkpoint"], ["W|A|B|2", 1, "recovered:checkpoint"]]}, "quantity", 1),
])
def test_a_bad_field_is_refused_by_name(over: dict[str, Any], field: str, row: int | None) -> None:
    with pytest.raises(InvalidInput) as caught:
        apply(RECOVERY, None, "register", "alice", _given(**over))
    assert (caught.value.field, caught.value.row) == (field, row)


def test_a_minimal_record_is_checked_as_before() -> None:
    doc = apply(RECOVERY, None, "register", "alice", {"number": "R-1", "to": "GAO-ARM",
                                                     "lines": [["W|A|B|1", 1, "lost"]]})
    assert doc.fields == {"to": "GAO-ARM"}
    posted = apply(RECOVERY, doc, "post", "alice", {"occurred_at": T})
    with pytest.raises(DocumentRefused, match="without its details"):
        apply(RECOVERY, posted, "mark", "bob", {"row": 1, "mark": "M-1", "at": AT})


def test_marking_each_line_once_with_a_mark_of_its_own() -> None:
    doc = apply(RECOVERY, _posted(), "mark", "bob", {"row": 1, "mark": "minusma-r 0001", "at": AT})
    assert doc.state == "posted" and doc.fields["marks"] == [[1, "MINUSMA-R0001", AT, "bob"]]
    with pytest.raises(DocumentRefused, match="marked already"):
        apply(RECOVERY, doc, "mark", "bob", {"row": 1, "mark": "MINUSMA-R-0002", "at": AT})
    with pytest.raises(DocumentRefused, match="marks another line"):
        apply(RECOVERY, doc, "mark", "bob", {"row": 2, "mark": "MINUSMA-R0001", "at": AT})
    for given, field in (({"row": 3, "mark": "X"}, "row"), ({"row": 2, "mark": "É!"}, "mark"),
                         ({"row": 2, "mark": "X", "at": to_micros(T) - 1}, "at")):
        with pytest.raises(InvalidInput) as caught:
            apply(RECOVERY, doc, "mark", "bob", {"at": AT, **given})
        assert caught.value.field == field


def test_a_trace_goes_drafted_sent_acknowledged_answered() -> None:
    doc = _posted()
    with pytest.raises(DocumentRefused, match="the trace is not drafted; send needs it drafted"):
        apply(RECOVERY, doc, "trace", "bob", {"action": "send", "at": AT})
    with pytest.raises(InvalidInput) as caught:
        apply(RECOVERY, doc, "trace", "bob", {"action": "draft", "basis": "manufacture", "at": AT})
    assert caught.value.field == "to"
    with pytest.raises(InvalidInput) as caught:
        apply(RECOVERY, doc, "trace", "bob", {"action": "draft", "to": "CHN", "basis": "sale", "at": AT})
    assert caught.value.field == "basis"
    doc = apply(RECOVERY, doc, "trace", "bob", {"action": "draft", "to": "chn", "basis": "manufacture", "at": AT})
    doc = apply(RECOVERY, doc, "trace", "bob", {"action": "send", "reference": "MINUSMA/TR/1", "at": AT + 1})
    with pytest.raises(DocumentRefused, match="draft needs it no trace"):
        apply(RECOVERY, doc, "trace", "bob", {"action": "draft", "to": "CHN", "basis": "import", "at": AT})
    doc = apply(RECOVERY, doc, "trace", "bob", {"action": "no_answer", "at": AT + 2})
    with pytest.raises(InvalidInput) as caught:
        apply(RECOVERY, doc, "trace", "bob", {"action": "answer", "at": AT + 3})
    assert caught.value.field == "answer"
    doc = apply(RECOVERY, doc, "trace", "bob", {"action": "answer", "answer": "exported 1979 to ...", "at": AT + 3})
    trace = doc.fields["trace"]
    assert trace["status"] == "answered" and trace["to"] == "CHN" and trace["reference"] == "MINUSMA/TR/1"
    assert [e[0] for e in trace["events"]] == ["draft", "send", "no_answer", "answer"]
    with pytest.raises(DocumentRefused, match="the trace is answered"):
        apply(RECOVERY, doc, "trace", "bob", {"action": "acknowledge", "at": AT + 4})


def test_retain_needs_a_reason_and_dispose_a_certificate() -> None:
    doc = _posted()
    with pytest.raises(InvalidInput) as caught:
        apply(RECOVERY, doc, "retain", "bob", {"at": AT})
    assert caught.value.field == "reason"
    kept = apply(RECOVERY, doc, "retain", "bob", {"reason": "evidence for the national prosecutor", "at": AT})
    assert kept.state == "retained"
    with pytest.raises(DocumentRefused, match="retained; retain needs it posted"):
        apply(RECOVERY, kept, "retain", "bob", {"reason": "again", "at": AT})
    with pytest.raises(InvalidInput) as caught:
        apply(RECOVERY, kept, "dispose", "bob", {"method": "destruction", "at": AT})
    assert caught.value.field == "certificate"
    gone = apply(RECOVERY, kept, "dispose", "bob", {"certificate": "DSP-000001", "method": "destruction", "at": AT})
    assert gone.state == "disposal" and gone.fields["disposals"][0]["certificate"] == "DSP-000001"
    registered = apply(RECOVERY, None, "register", "alice", _given())
    with pytest.raises(DocumentRefused, match="registered; dispose needs it"):
        apply(RECOVERY, registered, "dispose", "bob", {"certificate": "D", "method": "handover", "at": AT})


def test_a_match_is_decided_once_a_line() -> None:
    doc = _posted()
    given = {"row": 1, "weapon": "W|NORINCO|TYPE 56|56-00012", "decision": "confirmed", "incident": "INC-1", "at": AT}
    doc = apply(RECOVERY, doc, "match", "bob", given)
    with pytest.raises(DocumentRefused, match="matched already"):
        apply(RECOVERY, doc, "match", "bob", {**given, "weapon": "W|NORINCO|TYPE 56|56-00013"})
    doc = apply(RECOVERY, doc, "match", "bob", {**given, "decision": "rejected"})
    assert [m[2] for m in doc.fields["matches"]] == ["confirmed", "rejected"]
    with pytest.raises(InvalidInput) as caught:
        apply(RECOVERY, doc, "match", "bob", {**given, "decision": "maybe"})
    assert caught.value.field == "decision"


def test_the_steps_replay_and_a_changed_record_does_not() -> None:
    stored, document = [], None
    steps = [("register", _given()), ("post", {"occurred_at": T}), ("mark", {"row": 1, "mark": "M-1", "at": AT}),
             ("trace", {"action": "draft", "to": "CHN", "basis": "manufacture", "at": AT})]
    for seq, (name, given) in enumerate(steps, start=1):
        document = apply(RECOVERY, document, name, "alice", given)
        body = record_body(RECOVERY, name, given, document)
        stored.append(StoredStep(seq, RECOVERY.record_kind, "REC-000001", body, "alice"))
    import json

    stored = [StoredStep(s.seq, s.kind, s.ref, json.loads(json.dumps(s.body, default=str)), s.actor) for s in stored]
    found, problems = replay(stored)
    assert problems == [] and found[("recovery", "REC-000001")] == document
    changed = json.loads(json.dumps(stored[2].body))
    changed["document"]["fields"]["marks"][0][1] = "M-2"
    found, problems = replay([*stored[:2], StoredStep(3, RECOVERY.record_kind, "REC-000001", changed, "alice")])
    assert len(problems) == 1 and "content differs" in problems[0].message


def test_the_iti_request_and_the_oversight_rules() -> None:
    doc = apply(RECOVERY, _posted(), "trace", "bob", {"action": "draft", "to": "CHN", "basis": "manufacture", "at": AT})
    request = rules.trace_request("REC-000001", doc.fields, [(line.item, line.quantity) for line in doc.lines])
    assert request["addressed_to"] == "CHN" and request["basis"] == "manufacture"
    assert request["illicit_nature"]["how"] == "checkpoint" and request["intended_use"]
    assert request["items"][0]["markings"]["factory"] == "66" and request["items"][0]["serial_as_read"] == "56-ООО12"
    limit = timedelta(days=90)
    assert not rules.disposal_overdue("posted", doc.fields, T + timedelta(days=89), limit)
    assert rules.disposal_overdue("posted", doc.fields, T + timedelta(days=91), limit)
    assert not rules.disposal_overdue("retained", doc.fields, T + timedelta(days=91), limit)
    assert not rules.disposal_overdue("disposal", doc.fields, T + timedelta(days=91), limit, disposed=True)
    assert not rules.trace_unanswered(doc.fields, T + timedelta(days=200), limit)  # drafted, not sent
    sent = apply(RECOVERY, doc, "trace", "bob", {"action": "send", "at": AT})
    assert rules.trace_unanswered(sent.fields, T + timedelta(days=92), limit)
    assert rules.days_from_settings({"X": "30"}, "X", limit) == timedelta(days=30)
    with pytest.raises(InvalidInput) as caught:
        rules.days_from_settings({"X": "soon"}, "X", limit)
    assert caught.value.field == "X"


def test_the_missions_own_weapon_back_from_lost_needs_no_disposal() -> None:
    doc = _posted(lines=[["W|NORINCO|TYPE 56|56-00012", 1, "lost"], ["L|X|Y|Z", 10, "lost"]])
    assert not rules.disposal_overdue(doc.state, doc.fields, T + timedelta(days=400), timedelta(days=90), own=True)
