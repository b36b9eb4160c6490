"""``wam assess``: the checklist, an assessment from start to close with an action plan, a site's history,
and bad input refused naming the field."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.builders import command_line, own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)
from wam.domain import assessments as rules


@pytest.fixture
def wam(world, db_url, capsys):  # noqa: ANN001, ANN201
    return command_line(db_url, capsys)


def test_an_assessment_on_the_command_line(wam) -> None:  # noqa: ANN001
    code, out, _ = wam("assess", "questions", "--kind", "ammunition", "--json")
    assert code == 0 and any(q["id"] == "mixing-respected" for q in json.loads(out)["questions"])
    code, out, _ = wam("assess", "start", "GAO-ARM", "--kind", "armoury", "--actor", "sy", "--json")
    assert code == 0 and json.loads(out)["id"] == "ASM-000001"
    answers = [f"{q.id}=yes" for q in rules.questions_for(rules.Applies.ARMOURY) if q.id != "keys-register"]
    code, out, _ = wam("assess", "answer", "ASM-000001", *answers, "keys-register=n", "--actor", "sy")
    assert code == 0 and "level 0 (below basic)" in out and "keys-register" in out
    code, out, _ = wam("assess", "action", "ASM-000001", "--question", "keys-register", "--owner", "WO Traoré",
                       "--due", (datetime.now(UTC).date() + timedelta(days=60)).isoformat(), "--actor", "sy")
    assert code == 0 and "action 1:" in out and "WO Traoré" in out
    code, out, _ = wam("assess", "close", "ASM-000001", "--actor", "sy", "--json")
    assert code == 0 and json.loads(out)["state"] == "closed"
    code, out, _ = wam("assess", "list", "--site", "GAO-ARM", "--json")
    assert [a["id"] for a in json.loads(out)["assessments"]] == ["ASM-000001"]


def test_bad_input_names_the_field(wam) -> None:  # noqa: ANN001
    code, _, err = wam("assess", "start", "GAO-ARM", "--kind", "garage")
    assert code == 2 and "field 'kind'" in err
    wam("assess", "start", "GAO-ARM", "--kind", "armoury")
    code, _, err = wam("assess", "answer", "ASM-000001", "lighting")
    assert code == 2 and "QUESTION=" in err
    code, _, err = wam("assess", "answer", "ASM-000001", "lighting=bright")
    assert code == 2 and "field 'lighting'" in err
    code, _, err = wam("assess", "show", "ASM-000404")
    assert code != 0 and "ASM-000404" in err
