"""Site security assessments as records: steps replay to the assessment, a site's history, the scoping of
who may assess, and wam verify finding a step altered in the database."""

from __future__ import annotations

import json

import pytest

from wam.domain import assessments as rules
from wam.domain.access import Grant, Role
from wam.domain.errors import InvalidInput, NotFound, PermissionDenied
from wam.services import assessments
from tests.services.test_records import bypass
from wam.services.scoped import Ancestry, ScopedLedger


def _soon(ledger) -> str:  # noqa: ANN001
    from datetime import timedelta

    return (ledger.clock().date() + timedelta(days=60)).isoformat()


def _all_yes(kind: rules.Applies) -> dict[str, str]:
    return {q.id: "yes" for q in rules.questions_for(kind)}


def test_an_assessment_from_start_to_close_and_its_history(ledger, world) -> None:  # noqa: ANN001
    aid = assessments.start(ledger, "GAO-ARM", "armoury", actor="sy")
    assert aid == "ASM-000001"
    assessments.answer(ledger, aid, {**_all_yes(rules.Applies.ARMOURY), "two-person": "no"},
                       notes={"two-person": "one key holder only"}, actor="sy")
    assessments.add_action(ledger, aid, question="two-person", owner="Capt. Diallo", due=_soon(ledger), actor="sy")
    assessments.close(ledger, aid, actor="sy")
    shown = assessments.show(ledger, aid)
    assert shown["state"] == "closed" and shown["score"]["level"] == 1 and shown["score"]["failed_critical"] == [
        "two-person"]
    two = next(q for q in shown["questions"] if q["id"] == "two-person")
    assert (two["answer"], two["note"], two["critical_for"]) == ("no", "one key holder only", 2)
    assert shown["actions"][0]["owner"] == "Capt. Diallo" and [h["step"] for h in shown["history"]] == [
        "start", "answer", "action", "close"]
    second = assessments.start(ledger, "GAO-ARM", "armoury", actor="sy")
    assessments.answer(ledger, second, _all_yes(rules.Applies.ARMOURY), actor="sy")
    assert [a["id"] for a in assessments.listing(ledger, "GAO-ARM")] == [second, aid]
    assert assessments.listing(ledger, "GAO-ASP") == []
    assert ledger.verify().ok


def test_refusals(ledger, world) -> None:  # noqa: ANN001
    with pytest.raises(InvalidInput) as caught:
        assessments.start(ledger, "PTE-RAHMAN", "armoury", actor="sy")
    assert caught.value.field == "site"
    with pytest.raises(InvalidInput):
        assessments.start(ledger, "GAO-ARM", "garage", actor="sy")
    with pytest.raises(NotFound):
        assessments.answer(ledger, "ASM-000404", {"lighting": "yes"}, actor="sy")
    aid = assessments.start(ledger, "GAO-ASP", "ammunition", actor="sy")
    with pytest.raises(InvalidInput):
        assessments.answer(ledger, aid, {"weapons-separate": "yes"}, actor="sy")  # an armoury question
    assert [h["step"] for h in assessments.show(ledger, aid)["history"]] == ["start"]  # nothing written


def test_who_may_assess(ledger, world) -> None:  # noqa: ANN001
    def as_user(role: Role, holder: str) -> assessments.ScopedAssessments:
        return assessments.ScopedAssessments(ScopedLedger(ledger, Ancestry(), [Grant(role, holder)], "u"))

    aid = as_user(Role.AUDITOR, "GAO").start("GAO-ARM", "armoury")  # auditors assess
    as_user(Role.QUARTERMASTER, "GAO").answer(aid, {"lighting": "yes"})
    with pytest.raises(PermissionDenied):
        as_user(Role.VIEWER, "GAO").answer(aid, {"lighting": "no"})
    with pytest.raises(PermissionDenied):
        as_user(Role.RESEARCHER, "GAO").start("GAO-ARM", "armoury")
    with pytest.raises(NotFound):
        as_user(Role.QUARTERMASTER, "GAO-ASP").show(aid)  # out of sight: as for an id that does not exist
    assert [a["id"] for a in as_user(Role.VIEWER, "GAO").listing()] == [aid]


def test_verify_finds_an_altered_step(ledger, world) -> None:  # noqa: ANN001
    aid = assessments.start(ledger, "GAO-ARM", "armoury", actor="sy")
    assessments.answer(ledger, aid, {"lighting": "yes"}, actor="sy")
    assert ledger.verify().ok
    altered = json.dumps({"step": "answer", "answers": {"lighting": "excellent"}, "notes": {}})
    bypass(ledger.engine, "UPDATE records SET body = :b WHERE kind = 'assessment' AND body LIKE '%lighting%'",
           b=altered)
    messages = [p.message for p in ledger.verify().problems]
    assert any(f"site security assessment {aid} does not replay" in m and "excellent" in m for m in messages)


def test_an_action_is_due_soon_and_one_assessment_is_open_at_a_time(ledger, world) -> None:  # noqa: ANN001
    from datetime import timedelta

    aid = assessments.start(ledger, "GAO-ARM", "armoury", actor="sy")
    today = ledger.clock().date()
    for due in ("2001-01-01", (today - timedelta(days=1)).isoformat(), "9999-12-31", "soon"):
        with pytest.raises(InvalidInput) as caught:
            assessments.add_action(ledger, aid, question="lighting", owner="Diallo", due=due, actor="sy")
        assert caught.value.field == "due", due
    assessments.add_action(ledger, aid, question="lighting", owner="Diallo", due=today.isoformat(), actor="sy")
    with pytest.raises(InvalidInput) as caught:
        assessments.start(ledger, "GAO-ARM", "armoury", actor="sy")
    assert caught.value.field == "site" and aid in caught.value.detail
