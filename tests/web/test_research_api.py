"""/api/research end to end: researchers record research records; a confidential source is kept but shown
only to an administrator for everything, never to a researcher (nor to an administrator of one mission), in the
list, the record, nor an export; import all or nothing; ACLED events linked."""

from __future__ import annotations

import json
from typing import Any

SECRET = "a named interlocutor in Bor"


def _headers(personas, name: str) -> dict[str, str]:  # noqa: ANN001
    return {"Authorization": f"Bearer {personas[name].token}"}


def _record(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "started_at": "2014-04-14", "mission": "UNMISS", "country": "SSD", "place": "Bor", "admin1": "Jonglei",
        "circumstance": "riverine_movement", "mechanism": "ambush",
        "quantities": [{"category": "small_arms", "min": 20, "max": 20}, {"category": "light_weapons", "min": 2},
                       {"category": "rounds", "min": 3000, "max": 3000}],
        "sources": [{"citation": "theeastafrican.co.ke, 9 Nov 2017", "kind": "media", "reliability": "medium"},
                    {"citation": SECRET, "kind": "interview", "reliability": "high", "confidential": True}],
        "verification_status": "reported"}
    body.update(over)
    return body


def test_a_researcher_records_and_never_sees_a_confidential_source(client, personas) -> None:  # noqa: ANN001
    researcher, admin = _headers(personas, "researcher"), _headers(personas, "admin")
    made = client.post("/api/research", headers=researcher, json=_record())
    assert made.status_code == 201, made.text
    shown = made.json()
    assert (shown["id"], shown["weapons_lost"], shown["weapons_lost_max"], shown["notable"]) == (
        "RES-000001", 22, 22, True)
    assert SECRET not in made.text
    opened = client.post("/api/research", headers=researcher, json=_record(
        sources=[{"citation": "x"}], quantities=[{"category": "weapons", "min": 2, "max": None}])).json()
    assert (opened["weapons_lost"], opened["weapons_lost_max"]) == (2, None)
    seen_by = {}
    for name in ("researcher", "viewer", "mission-admin", "officer", "admin"):
        headers = _headers(personas, name)
        texts = [client.get("/api/research", headers=headers).text,
                 client.get("/api/research/RES-000001", headers=headers).text,
                 client.get("/api/research/export", headers=headers, params={"format": "json"}).text,
                 client.get("/api/research/export", headers=headers).text]
        seen_by[name] = [SECRET in text for text in texts]
    assert seen_by == {"researcher": [False] * 4, "viewer": [False] * 4, "mission-admin": [False] * 4,
                       "officer": [False] * 4, "admin": [False, True, False, False]}  # a list shows no sources
    assert "theeastafrican" in client.get("/api/research/export", headers=researcher).text
    confidential = client.post("/api/research", headers=admin, json=_record(confidentiality="confidential"))
    assert confidential.status_code == 201
    rid = confidential.json()["id"]
    hidden = client.get(f"/api/research/{rid}", headers=researcher)
    missing = client.get("/api/research/RES-999999", headers=researcher)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"]["message"] == f"research record {rid!r} not found"
    listed = client.get("/api/research", headers=researcher).json()["items"]
    assert [r["id"] for r in listed] == ["RES-000001", "RES-000002"]
    # a researcher recording a confidential record is told it was recorded (it was: once), not "not found"
    own = client.post("/api/research", headers=researcher, json=_record(confidentiality="confidential"))
    assert own.status_code == 201 and own.json() == {"id": "RES-000004", "recorded": True, "confidential": True}
    assert client.get("/api/research/RES-000004", headers=admin).status_code == 200
    assert client.get("/api/research/RES-000005", headers=admin).status_code == 404  # no second copy


def test_who_may_record_and_read(client, personas) -> None:  # noqa: ANN001
    for name, status in (("researcher", 201), ("officer", 201), ("admin", 201), ("viewer", 403),
                         ("quartermaster", 403), ("armourer", 403), ("nobody", 403)):
        assert client.post("/api/research", headers=_headers(personas, name), json=_record()).status_code == status
    assert client.get("/api/research", headers=_headers(personas, "nobody")).status_code == 403
    assert client.get("/api/research", headers=_headers(personas, "viewer")).status_code == 200
    assert client.get("/api/research").status_code == 401


def test_a_bad_record_and_a_bad_import_are_refused_and_nothing_is_kept(client, personas) -> None:  # noqa: ANN001
    researcher = _headers(personas, "researcher")
    refused = client.post("/api/research", headers=researcher, json=_record(
        quantities=[{"category": "rounds", "min": 500, "max": 10}]))
    assert refused.status_code == 422 and "below the minimum" in refused.text
    assert client.post("/api/research", headers=researcher, json=_record(sources=[])).status_code == 422
    text = json.dumps({"incidents": [
        {"started_at": "2014-04-14", "mission": "UNMISS", "place": "Bor", "sources": ["a"]},
        {"started_at": "2014-04-14", "mission": "UNMISS", "place": "Bor", "sources": ["a"], "mechanism": "x"}]},
        indent=1)
    bad = client.post("/api/research/import", headers=researcher, json={"format": "json", "content": text})
    assert bad.status_code == 422
    second = [i + 1 for i, line in enumerate(text.splitlines()) if line.strip() == "{"][2]
    assert f"line {second}, field 'mechanism'" in bad.json()["error"]["message"]
    assert client.get("/api/research", headers=researcher).json()["items"] == []
    good = text.replace('"mechanism": "x"', '"mechanism": "ambush"')
    done = client.post("/api/research/import", headers=researcher, json={"format": "json", "content": good})
    assert done.status_code == 201 and done.json() == {"imported": ["RES-000001", "RES-000002"]}
    events = ("event_id_cnty,event_date,event_type,actor1,actor2,country,location\n"
              "SSD1,14 April 2014,Battles,Unidentified armed group,UNMISS,South Sudan,Bor\n")
    linked = client.post("/api/research/import", headers=researcher, json={"format": "acled", "content": events})
    assert linked.status_code == 201 and linked.json()["links"] == {"SSD1": ["RES-000001", "RES-000002"]}
    assert [e["event_id_cnty"] for e in client.get("/api/research/RES-000002", headers=researcher).json()[
        "events"]] == ["SSD1"]
