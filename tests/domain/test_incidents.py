"""Loss incidents in the domain: the fields and their rules, the derived flags at and around their
thresholds, and every workflow rule with its refusals (wam.domain.incidents through documents.apply)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from wam.domain import incidents as inc
from wam.domain.documents import INCIDENT, DocumentRefused, StoredStep, apply, record_body, replay
from wam.domain.errors import InvalidInput

KEY = "W|NORINCO|TYPE 56|56-00001"


def full(**over: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "rules": inc.CURRENT_RULES.version, "started_at": "2024-03-01T06:00:00Z", "ended_at": "2024-03-01T07:30:00Z",
        "site": "GAO", "mission": "minusma", "contingents": ["1st BANBAT:BGD"], "circumstance": "patrol",
        "mechanism": "ambush", "ownership": "COE", "perpetrator": "armed group", "perpetrator_claim": "yes",
        "casualties": {"killed": 0, "wounded": 0}, "narrative": "patrol ambushed near Ansongo",
        "sources": ["SINREP 2024-061"], "confidentiality": "restricted"}
    fields.update(over)
    return fields


def test_the_vocabulary_is_the_references_three_dimensions() -> None:
    assert len(inc.Circumstance) == 8 and "riverine_movement" in tuple(inc.Circumstance)
    assert len(inc.Mechanism) == 12 and inc.Mechanism.SURRENDER_WITHOUT_RESISTANCE == "surrender_without_resistance"
    assert tuple(inc.Ownership) == ("COE", "UNOE", "recovered_materiel", "host_state")


def test_fields_are_cleaned_and_keep_their_form_when_cleaned_again() -> None:
    clean = inc.clean_fields(full())
    assert clean["mission"] == "MINUSMA" and clean["contingents"] == [["1st BANBAT", "BGD"]]
    assert clean["perpetrator_claim"] is True and clean["casualties"] == {
        "killed": 0, "wounded": 0, "captured": 0, "missing": 0}
    assert clean["started_at"] == int(datetime(2024, 3, 1, 6, tzinfo=UTC).timestamp() * 1_000_000)
    assert inc.clean_fields(clean) == clean


@pytest.mark.parametrize(("over", "field"), [
    ({"started_at": None}, "started_at"),
    ({"started_at": "yesterday"}, "started_at"),
    ({"ended_at": "2024-02-28T00:00:00Z"}, "ended_at"),
    ({"site": None, "place": None}, "site"),
    ({"mission": ""}, "mission"),
    ({"circumstance": "picnic"}, "circumstance"),
    ({"mechanism": "Ambush"}, "mechanism"),
    ({"ownership": "coe"}, "ownership"),
    ({"latitude": 15.9}, "longitude"),
    ({"latitude": 95, "longitude": 0}, "latitude"),
    ({"casualties": {"killed": -1}}, "killed"),
    ({"casualties": {"hurt": 1}}, "casualties"),
    ({"perpetrator": None, "perpetrator_claim": True}, "perpetrator"),
    ({"confidentiality": "secret"}, "confidentiality"),
    ({"rules": "BOI-1999"}, "rules"),
])
def test_a_bad_field_is_named(over: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        inc.clean_fields(full(**over))
    assert caught.value.field == field


def test_a_bad_contingent_is_named_by_row() -> None:
    with pytest.raises(InvalidInput) as caught:
        inc.clean_fields(full(contingents=["1st BANBAT:BGD", "SENBAT:SN"]))
    assert caught.value.field == "contingents" and caught.value.row == 2


@pytest.mark.parametrize(("weapons", "rounds", "expected"), [
    (10, 500, False), (11, 0, True), (0, 501, True), (9, 499, False), (10, 501, True), (0, 0, False)])
def test_notable_at_and_around_its_thresholds(weapons: int, rounds: int, expected: bool) -> None:
    assert inc.notable(weapons, rounds) is expected


def _boi(**over: Any) -> bool:
    return inc.board_of_inquiry_required(inc.clean_fields(full(**over)))


def test_board_of_inquiry_for_casualties_and_kidnapping() -> None:
    assert not _boi()
    assert _boi(casualties={"killed": 1}) and _boi(casualties={"wounded": 1}) and _boi(casualties={"captured": 1})
    assert not _boi(casualties={"missing": 3})


@pytest.mark.parametrize(("value", "expected"), [(24_999, False), (25_000, True), (25_001, True)])
def test_board_of_inquiry_for_un_owned_equipment_at_25000(value: int, expected: bool) -> None:
    assert _boi(ownership="UNOE", mechanism="theft_burglary", value_usd=value) is expected


@pytest.mark.parametrize(("value", "mechanism", "expected"), [
    (249_999, "ambush", False), (250_000, "ambush", True), (250_000, "forced_abandonment", True),
    (250_000, "armed_attack_overrun", True), (1_000_000, "theft_burglary", False),
    (1_000_000, "negligence_poor_practice", False)])
def test_board_of_inquiry_for_coe_in_hostile_action_at_250000(value: int, mechanism: str, expected: bool) -> None:
    assert _boi(ownership="COE", mechanism=mechanism, value_usd=value) is expected


@pytest.mark.parametrize(("value", "expected"), [(9_999, False), (10_000, True)])
def test_board_of_inquiry_for_third_party_equipment_at_10000(value: int, expected: bool) -> None:
    assert _boi(ownership="host_state", value_usd=value) is expected


def test_board_of_inquiry_for_coe_of_other_or_several_contingents() -> None:
    assert _boi(coe_provider="PAK")
    assert not _boi(coe_provider="BGD")
    assert _boi(contingents=["1st BANBAT:BGD", "SENBAT:SEN"])
    assert not _boi(ownership="UNOE", contingents=["1st BANBAT:BGD", "SENBAT:SEN"])


def test_the_rules_are_versioned_and_cite_their_source() -> None:
    assert inc.CURRENT_RULES.source.startswith("DOS/2020.10")
    lax = inc.BoardRules(**{**{f: getattr(inc.CURRENT_RULES, f) for f in inc.BoardRules.__slots__},
                            "version": "test", "unoe_value_usd": 100_000})
    fields = inc.clean_fields(full(ownership="UNOE", value_usd=50_000))
    assert inc.board_of_inquiry_required(fields) and not inc.board_of_inquiry_required(fields, lax)
    assert inc.board_reasons({"note": "minimal"}) == []


def test_overdue_after_the_reporting_deadline() -> None:
    fields = inc.clean_fields(full())
    end = datetime(2024, 3, 1, 7, 30, tzinfo=UTC)
    assert not inc.overdue(fields, end + timedelta(hours=24), timedelta(hours=24))
    assert inc.overdue(fields, end + timedelta(hours=24, seconds=1), timedelta(hours=24))
    assert inc.deadline_from_settings({inc.DEADLINE_SETTING: "6"}) == timedelta(hours=6)
    assert inc.deadline_from_settings({}) == inc.DEFAULT_DEADLINE
    with pytest.raises(InvalidInput) as caught:
        inc.deadline_from_settings({inc.DEADLINE_SETTING: "soon"})
    assert caught.value.field == inc.DEADLINE_SETTING


# the workflow ---------------------------------------------------------------------------------

WHEN = datetime(2024, 3, 1, 6, tzinfo=UTC)


def reported(reporter: str = "alice", **over: Any):  # noqa: ANN201
    doc = apply(INCIDENT, None, "report", reporter, {"number": "INC-000001", "lines": [[KEY, 1, "PTE-RAHMAN"]],
                                                      **full(**over)})
    return apply(INCIDENT, doc, "post", reporter, {"occurred_at": WHEN})


def test_the_whole_workflow_without_a_board() -> None:
    doc = reported()
    assert doc.state == "posted" and doc.lines[0].target == "lost"
    doc = apply(INCIDENT, doc, "investigate", "bob", {"investigator": "Maj. Sy"})
    doc = apply(INCIDENT, doc, "findings", "bob", {"findings": "patrol outnumbered"})
    doc = apply(INCIDENT, doc, "close", "bob", {"outcome": "written_off"})
    assert doc.state == "closed" and doc.by == {"report": "alice", "post": "alice", "investigate": "bob",
                                                "findings": "bob", "close": "bob"}
    assert INCIDENT.posted_states >= {"posted", "under_investigation", "findings", "closed"}


def test_refused_transitions() -> None:
    doc = reported()
    for step in ("findings", "close", "convene", "post", "report"):
        with pytest.raises(DocumentRefused):
            apply(INCIDENT, doc, step, "bob", {"findings": "x", "outcome": "recovered", "board_reference": "B"})
    doc = apply(INCIDENT, doc, "investigate", "bob", {})
    with pytest.raises(DocumentRefused, match="give board_reference"):
        apply(INCIDENT, doc, "convene", "bob", {})
    with pytest.raises(DocumentRefused, match="give findings"):
        apply(INCIDENT, doc, "findings", "bob", {})
    doc = apply(INCIDENT, doc, "findings", "bob", {"findings": "misplaced"})
    with pytest.raises(DocumentRefused, match="outcome"):
        apply(INCIDENT, doc, "close", "bob", {"outcome": "forgotten"})
    closed = apply(INCIDENT, doc, "close", "bob", {"outcome": "recovered"})
    with pytest.raises(DocumentRefused, match="is closed"):
        apply(INCIDENT, closed, "investigate", "bob", {})


def test_the_reporter_cannot_approve_the_write_off() -> None:
    doc = apply(INCIDENT, apply(INCIDENT, reported(), "investigate", "alice", {}), "findings", "alice",
                {"findings": "stolen"})
    for outcome in ("written_off", "partly"):
        with pytest.raises(DocumentRefused, match="alice reported this incident: someone else must approve"):
            apply(INCIDENT, doc, "close", "alice", {"outcome": outcome})
    assert apply(INCIDENT, doc, "close", "alice", {"outcome": "recovered"}).state == "closed"
    assert apply(INCIDENT, doc, "close", "bob", {"outcome": "partly"}).state == "closed"


def test_a_required_board_sits_before_the_findings_and_its_reference_is_on_the_write_off() -> None:
    doc = apply(INCIDENT, reported(casualties={"killed": 2}), "investigate", "bob", {})
    with pytest.raises(DocumentRefused, match=r"a board of inquiry is required \(killed: 2\)"):
        apply(INCIDENT, doc, "findings", "bob", {"findings": "overrun"})
    doc = apply(INCIDENT, doc, "convene", "bob", {"board_reference": "BOI/MINUSMA/2024/07"})
    doc = apply(INCIDENT, doc, "findings", "bob", {"findings": "overrun"})
    assert apply(INCIDENT, doc, "close", "bob", {"outcome": "written_off"}).fields["board_reference"] == \
        "BOI/MINUSMA/2024/07"


def test_a_minimal_incident_replays_and_requires_no_board() -> None:
    doc = apply(INCIDENT, None, "report", "alice", {"number": "INC-000009", "lines": [[KEY, 1, "GAO-ARM"]],
                                                    "note": "ambush near Ansongo"})
    assert doc.fields == {"note": "ambush near Ansongo"}
    doc = apply(INCIDENT, apply(INCIDENT, doc, "post", "alice", {"occurred_at": WHEN}), "investigate", "bob", {})
    assert apply(INCIDENT, doc, "findings", "bob", {"findings": "f"}).state == "findings"


def test_every_step_replays_and_an_altered_one_is_found() -> None:
    steps, doc = [], None
    for seq, (name, actor, given) in enumerate([
            ("report", "alice", {"number": "INC-000001", "lines": [[KEY, 1, "PTE-RAHMAN"]], **full()}),
            ("post", "alice", {"occurred_at": WHEN}), ("investigate", "bob", {}),
            ("findings", "bob", {"findings": "outnumbered"}), ("close", "bob", {"outcome": "written_off"})], 1):
        doc = apply(INCIDENT, doc, name, actor, given)
        steps.append(StoredStep(seq, INCIDENT.record_kind, "INC-000001", record_body(INCIDENT, name, given, doc),
                                actor))
    found, problems = replay(steps)
    assert problems == [] and found[("incident", "INC-000001")].state == "closed"
    forged = StoredStep(5, INCIDENT.record_kind, "INC-000001", steps[4].body, "alice")  # the reporter writes off
    _, problems = replay([*steps[:4], forged])
    assert problems and "someone else must approve its write-off" in problems[0].message
