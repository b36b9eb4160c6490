"""Site security assessments' rules: the score (weights, partly, not applicable), the level (threshold and
critical questions, level by level), and the steps: out of turn, unknown questions and answers refused."""

from __future__ import annotations

import pytest

from wam.domain import assessments as rules
from wam.domain.errors import InvalidInput

ARMOURY = rules.Applies.ARMOURY
ALL_YES = {q.id: rules.Answer.YES for q in rules.questions_for(ARMOURY)}


def test_the_checklist_is_complete_and_sourced() -> None:
    areas = {q.area for q in rules.QUESTIONS}
    assert {"perimeter", "locks", "key control", "lighting", "guards", "alarms", "two-person rule",
            "records"} <= areas
    assert all(q.source and q.guidance and q.weight >= 1 for q in rules.QUESTIONS)
    assert all("not yet checked" in q.source for q in rules.QUESTIONS)  # honest about the evidence
    assert {q.critical_for for q in rules.QUESTIONS} >= {1, 2, 3}
    ammo_only = {q.id for q in rules.QUESTIONS if q.applies is rules.Applies.AMMUNITION}
    assert ammo_only and not ammo_only & {q.id for q in rules.questions_for(ARMOURY)}


def test_all_yes_is_100_and_the_highest_level() -> None:
    found = rules.score(ARMOURY, ALL_YES)
    assert (found.percent, found.level, found.level_name, found.failed_critical) == (100.0, 3, "advanced", ())


def test_one_critical_question_caps_the_level_below_its_own() -> None:
    for qid, level in (("two-person", 1), ("perimeter-fence", 0), ("alarm", 2)):
        found = rules.score(ARMOURY, {**ALL_YES, qid: rules.Answer.NO})
        assert found.level == level and qid in found.failed_critical, qid
        assert found.percent >= rules.THRESHOLDS[3] - 15  # the score alone would pass


def test_weights_partly_and_not_applicable() -> None:
    asked = rules.questions_for(ARMOURY)
    total = sum(q.weight for q in asked)
    lighting = rules.BY_ID["lighting"]
    partly = rules.score(ARMOURY, {**ALL_YES, "lighting": rules.Answer.PARTLY})
    assert partly.percent == round(100 * (total - 0.5 * lighting.weight) / total, 1)
    skipped = rules.score(ARMOURY, {**ALL_YES, "lighting": rules.Answer.NOT_APPLICABLE})
    assert skipped.percent == 100.0
    assert rules.score(ARMOURY, {}).percent == 0.0 and len(rules.score(ARMOURY, {}).unanswered) == len(asked)


def test_below_a_threshold_the_level_stops() -> None:
    noes = {q.id: rules.Answer.NO for q in rules.questions_for(ARMOURY) if q.critical_for is None}
    found = rules.score(ARMOURY, {**ALL_YES, **noes})
    expected = max((lvl for lvl, th in rules.THRESHOLDS.items() if found.percent >= th), default=0)
    assert found.level == expected < 3


def _started() -> rules.Assessment:
    return rules.apply(None, {"step": "start", "id": "ASM-000001", "site": "GAO-ARM", "kind": "armoury",
                              "version": rules.VERSION}, "sy")


def test_steps_and_their_refusals() -> None:
    found = _started()
    with pytest.raises(InvalidInput) as caught:
        rules.apply(found, {"step": "answer", "answers": {"fire-fighting": "yes"}}, "sy")  # an ammunition question
    assert caught.value.field == "fire-fighting"
    with pytest.raises(InvalidInput) as caught:
        rules.apply(found, {"step": "answer", "answers": {"lighting": "maybe"}}, "sy")
    assert caught.value.field == "lighting"
    with pytest.raises(InvalidInput) as caught:
        rules.apply(found, {"step": "close"}, "sy")
    assert caught.value.field == "answers" and "left" in caught.value.detail
    rules.apply(found, {"step": "answer", "answers": {k: v.value for k, v in ALL_YES.items()}}, "sy")
    with pytest.raises(InvalidInput) as caught:
        rules.apply(found, {"step": "action", "question": "lighting", "owner": "", "due": "2027-01-31"}, "sy")
    assert caught.value.field == "owner"
    with pytest.raises(InvalidInput) as caught:
        rules.apply(found, {"step": "action", "question": "lighting", "owner": "Diallo", "due": "soon"}, "sy")
    assert caught.value.field == "due"
    rules.apply(found, {"step": "action", "question": "lighting", "owner": "Diallo", "due": "2027-01-31"}, "sy")
    rules.apply(found, {"step": "action_done", "action": 1}, "sy")
    with pytest.raises(InvalidInput):
        rules.apply(found, {"step": "action_done", "action": 1}, "sy")
    rules.apply(found, {"step": "close"}, "sy")
    with pytest.raises(InvalidInput) as caught:
        rules.apply(found, {"step": "answer", "answers": {"lighting": "no"}}, "sy")
    assert "closed" in caught.value.detail
    with pytest.raises(InvalidInput):
        rules.apply(found, {"step": "start", "id": "x", "site": "GAO", "kind": "armoury", "version": rules.VERSION},
                    "sy")
