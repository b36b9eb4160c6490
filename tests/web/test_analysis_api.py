"""``GET /api/analysis``: the page's analyses as data, scoped as :class:`ScopedAnalysis` scopes them (a mission
officer sees their mission, an administrator everything, a researcher aggregates only), filtered by mission and
period (``from``, ``to``: each day included); refused to a user who may read nothing and to a bad date."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.factories import T0, rifle
from wam.services import incidents

from .conftest import sign_in

DAY = T0.date()


def _lose(app, serial: str, store: str, site: str, mission: str, days: int, **over) -> str:  # noqa: ANN001, ANN003
    fields = {"circumstance": "fixed_site", "mechanism": "theft_burglary", "ownership": "COE"}
    fields.update(over)
    return incidents.report(app.state.wam.ledger, actor="setup", lines=[[rifle(serial).key, 1, store]],
                            started_at=T0 + timedelta(days=days), site=site, mission=mission, **fields).number


def _get(client, persona, personas, **params):  # noqa: ANN001, ANN003, ANN202
    return client.get("/api/analysis", params=params, headers={"Authorization": f"Bearer {personas[persona].token}"})


def _countries(answer: dict) -> dict[str, tuple[int, int]]:
    return {row["value"]: (row["incidents"], row["weapons"]) for row in answer["losses"]["by"]["country"]}


def test_it_counts_what_each_persona_sees(app, client, personas) -> None:  # noqa: ANN001
    gao = _lose(app, "56-00003", "GAO-ARM", "GAO", "MINUSMA", 5, contingents=["1st BANBAT:BGD"])
    juba = _lose(app, "56-30001", "JUBA-ARM", "JUBA", "UNMISS", 6, contingents=["NEPBATT:NPL"])
    admin = _get(client, "admin", personas).json()
    assert admin["losses"]["totals"]["incidents"] == 2 and admin["losses"]["totals"]["weapons"] == 2
    assert _countries(admin) == {"BGD": (1, 1), "NPL": (1, 1)}
    assert {row["value"] for row in admin["losses"]["by"]["mission"]} == {"MINUSMA", "UNMISS"}
    officer = _get(client, "officer", personas).json()  # MINUSMA's officer: Juba is not theirs
    assert officer["losses"]["totals"]["incidents"] == 1 and _countries(officer) == {"BGD": (1, 1)}
    assert officer["aggregates_only"] is False and gao in json.dumps(officer) and juba not in json.dumps(officer)
    researcher = _get(client, "researcher", personas)
    assert researcher.status_code == 200 and researcher.json()["aggregates_only"] is True
    assert researcher.json()["losses"]["totals"]["incidents"] == 1
    text = researcher.text
    assert gao not in text and juba not in text and rifle("56-00003").key not in text and "PTE-" not in text


def test_it_filters_by_mission_and_period(app, client, personas) -> None:  # noqa: ANN001
    _lose(app, "56-00003", "GAO-ARM", "GAO", "MINUSMA", 5)
    _lose(app, "56-30001", "JUBA-ARM", "JUBA", "UNMISS", 40)
    total = lambda **p: _get(client, "admin", personas, **p).json()["losses"]["totals"]["incidents"]  # noqa: E731
    assert total() == 2
    assert total(mission="unmiss") == 1 and total(mission="MINUSMA") == 1
    assert total(**{"from": (DAY + timedelta(days=30)).isoformat()}) == 1
    assert total(to=(DAY + timedelta(days=5)).isoformat()) == 1  # the last day is included
    assert total(**{"from": "2030-01-01", "to": "2030-12-31"}) == 0
    asked = _get(client, "admin", personas, mission="MINUSMA", **{"from": DAY.isoformat()}).json()["question"]
    assert asked["mission"] == "MINUSMA" and asked["from"].startswith(DAY.isoformat())


def test_an_incident_without_a_contingent_counts_as_an_unknown_country(app, client, personas) -> None:  # noqa: ANN001
    _lose(app, "56-00003", "GAO-ARM", "GAO", "MINUSMA", 5)
    answer = _get(client, "admin", personas).json()
    assert _countries(answer) == {"unknown": (1, 1)}
    assert sum(row["incidents"] for row in answer["losses"]["by"]["country"]) == answer["losses"]["totals"]["incidents"]


def test_it_is_the_pages_analysis(app, client, personas) -> None:  # noqa: ANN001
    _lose(app, "56-00003", "GAO-ARM", "GAO", "MINUSMA", 5)
    answer = _get(client, "officer", personas, mission="MINUSMA").json()
    sign_in(client, "officer")
    page = client.get("/analysis", params={"mission": "MINUSMA"}).text
    weapons = answer["losses"]["totals"]["weapons"]
    assert weapons == 1 and f"<div><b>{weapons}</b>" in page


def test_it_refuses_the_unsigned_the_ungranted_and_a_bad_date(client, personas) -> None:  # noqa: ANN001
    assert client.get("/api/analysis").status_code == 401
    assert _get(client, "nobody", personas).status_code == 403
    bad = _get(client, "admin", personas, **{"from": "soon"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "from"
    backwards = _get(client, "admin", personas, **{"from": "2024-02-01", "to": "2024-01-01"})
    assert backwards.status_code == 422


def test_a_far_or_long_period_and_an_unknown_mission_are_refused(client, personas) -> None:  # noqa: ANN001
    # (not timed: a test's clock measures the machine's load; the analyses' speed is bench/'s)
    for params, field in (({"to": "9999-12-31"}, "to"), ({"from": "1900-01-01"}, "from"),
                          ({"from": "1946-01-01", "to": "2047-01-01"}, "to")):
        refused = _get(client, "researcher", personas, **params)
        assert refused.status_code == 422 and refused.json()["error"]["field"] == field, params
    assert _get(client, "researcher", personas, to="9998-12-31").status_code == 200
    assert _get(client, "admin", personas, **{"from": "1946-01-01", "to": "2045-12-31"}).status_code == 200
    for code in ("NOPE", "MINUSM\u0410"):  # a Cyrillic A
        missing = _get(client, "admin", personas, mission=code)
        assert missing.status_code == 404 and code in missing.text
