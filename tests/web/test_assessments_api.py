"""/api/assessments and /api/ammo end to end: an assessment started, answered (its level falls when a
question critical for it is not met), its action plan added to and done, closed, and a site's history;
refusals name the field; what is out of sight is not found, a role that assesses nowhere is refused. The
ammunition stores' status (a store put in breach by the survey of its distances), and the IATG calculators
for anyone signed in."""

from __future__ import annotations

from datetime import timedelta

from tests.builders import ammunition_point
from tests.factories import T0


def _headers(personas, name: str) -> dict[str, str]:  # noqa: ANN001
    return {"Authorization": f"Bearer {personas[name].token}"}


def _due(days: int = 30) -> str:
    return (T0.now(T0.tzinfo) + timedelta(days=days)).date().isoformat()


def test_an_assessment_from_start_to_close(client, personas) -> None:  # noqa: ANN001
    qm = _headers(personas, "quartermaster")
    started = client.post("/api/assessments", headers=qm, json={"site": "GAO-ARM", "kind": "armoury"})
    assert started.status_code == 201, started.text
    shown = started.json()
    aid, questions = shown["id"], [q["id"] for q in shown["questions"]]
    assert shown["state"] == "open" and shown["started_by"] == "quartermaster"
    assert shown["score"]["level"] == 0 and shown["score"]["unanswered"] == len(questions)
    assert "fire-fighting" not in questions and "weapons-separate" in questions  # the armoury's checklist
    assert all(q["guidance"] and q["source"] for q in shown["questions"])
    every_yes = client.post(f"/api/assessments/{aid}/answers", headers=qm,
                            json={"answers": dict.fromkeys(questions, "yes")}).json()
    assert every_yes["score"] == {"percent": 100.0, "level": 3, "level_name": "advanced", "failed_critical": [],
                                  "unanswered": 0}
    critical = next(q for q in every_yes["questions"] if q["id"] == "two-person")["critical_for"]
    assert critical == 2
    fallen = client.post(f"/api/assessments/{aid}/answers", headers=qm, json={
        "answers": {"two-person": "no"}, "notes": {"two-person": "one key holder opens alone"}}).json()
    assert fallen["score"]["level"] == critical - 1 and fallen["score"]["failed_critical"] == ["two-person"]
    assert 0 < fallen["score"]["percent"] < 100.0
    asked = next(q for q in fallen["questions"] if q["id"] == "two-person")
    assert asked["answer"] == "no" and asked["note"] == "one key holder opens alone"
    planned = client.post(f"/api/assessments/{aid}/actions", headers=qm, json={
        "question": "two-person", "owner": "Capt. Diallo", "due": _due()}).json()
    assert planned["actions_open"] == 1
    assert planned["actions"] == [{"number": 1, "question": "two-person", "text": asked["guidance"],
                                   "owner": "Capt. Diallo", "due": _due(), "done": False, "done_by": None}]
    done = client.post(f"/api/assessments/{aid}/actions/1/done", headers=qm).json()
    assert done["actions"][0]["done"] is True and done["actions"][0]["done_by"] == "quartermaster"
    assert done["actions_open"] == 0
    closed = client.post(f"/api/assessments/{aid}/close", headers=qm)
    assert closed.status_code == 200
    assert closed.json()["state"] == "closed" and closed.json()["closed_by"] == "quartermaster"
    assert [h["step"] for h in closed.json()["history"]] == ["start", "answer", "answer", "action", "action_done",
                                                             "close"]
    refused = client.post(f"/api/assessments/{aid}/answers", headers=qm, json={"answers": {"alarm": "yes"}})
    assert refused.status_code == 422 and "closed" in refused.json()["error"]["message"]
    again = client.post("/api/assessments", headers=qm, json={"site": "GAO-ARM", "kind": "armoury"})
    assert again.status_code == 201
    history = client.get("/api/assessments", headers=qm, params={"site": "GAO-ARM"}).json()["items"]
    assert [a["id"] for a in history] == [again.json()["id"], aid]  # the site's history, newest first
    assert history[1]["score"]["level"] == critical - 1 and history[1]["state"] == "closed"


def test_refusals_name_the_field(client, personas) -> None:  # noqa: ANN001
    qm = _headers(personas, "quartermaster")

    def field(response) -> str:  # noqa: ANN001
        assert response.status_code == 422, response.text
        return response.json()["error"]["field"]

    assert field(client.post("/api/assessments", headers=qm, json={"site": "GAO-ARM", "kind": "garage"})) == "kind"
    assert field(client.post("/api/assessments", headers=qm, json={"site": "PTE-RAHMAN", "kind": "armoury"})) == "site"
    aid = client.post("/api/assessments", headers=qm, json={"site": "GAO-ARM", "kind": "armoury"}).json()["id"]
    assert field(client.post("/api/assessments", headers=qm, json={"site": "GAO-ARM", "kind": "armoury"})) == "site"
    answers = f"/api/assessments/{aid}/answers"
    assert field(client.post(answers, headers=qm, json={"answers": {"alarm": "maybe"}})) == "answers.alarm"
    assert field(client.post(answers, headers=qm, json={"answers": {}})) == "answers"
    assert field(client.post(answers, headers=qm, json={"answers": {"fire-fighting": "yes"}})) == "fire-fighting"
    actions = f"/api/assessments/{aid}/actions"
    action = {"question": "alarm", "owner": "Lt Karim", "due": _due()}
    assert field(client.post(actions, headers=qm, json={**action, "due": "someday"})) == "due"
    assert field(client.post(actions, headers=qm, json={**action, "due": _due(-2)})) == "due"
    assert field(client.post(actions, headers=qm, json={**action, "owner": ""})) == "owner"
    assert field(client.post(actions, headers=qm, json={**action, "question": "no-such"})) == "question"
    assert field(client.post(f"/api/assessments/{aid}/actions/1/done", headers=qm)) == "action"
    assert field(client.post(f"/api/assessments/{aid}/close", headers=qm)) == "answers"  # nothing answered yet


def test_scope(client, personas) -> None:  # noqa: ANN001
    admin, qm = _headers(personas, "admin"), _headers(personas, "quartermaster")
    elsewhere = client.post("/api/assessments", headers=admin, json={"site": "JUBA-ARM", "kind": "armoury"}).json()
    mine = client.post("/api/assessments", headers=qm, json={"site": "GAO-ARM", "kind": "armoury"}).json()
    hidden = client.get(f"/api/assessments/{elsewhere['id']}", headers=qm)
    missing = client.get("/api/assessments/ASM-999999", headers=qm)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"]["message"].replace(elsewhere["id"], "X") == \
        missing.json()["error"]["message"].replace("ASM-999999", "X")
    assert [a["id"] for a in client.get("/api/assessments", headers=qm).json()["items"]] == [mine["id"]]
    assert client.get("/api/assessments", headers=qm, params={"site": "JUBA-ARM"}).status_code == 404
    assert client.post(f"/api/assessments/{elsewhere['id']}/close", headers=qm).status_code == 404
    auditor = _headers(personas, "auditor")  # verifies at BGD-BATT: assesses there
    assert client.post(f"/api/assessments/{mine['id']}/answers", headers=auditor,
                       json={"answers": {"alarm": "no"}}).status_code == 200
    viewer = _headers(personas, "viewer")  # reads, never assesses
    assert client.get(f"/api/assessments/{mine['id']}", headers=viewer).status_code == 200
    refused = client.post(f"/api/assessments/{mine['id']}/answers", headers=viewer, json={"answers": {"alarm": "yes"}})
    assert refused.status_code == 403
    assert client.post(f"/api/assessments/{elsewhere['id']}/answers", headers=viewer,
                       json={"answers": {"alarm": "yes"}}).status_code == 403  # refused before looking
    armourer = _headers(personas, "armourer")  # GAO-ARM only: the ammunition point is out of sight
    assert client.post("/api/assessments", headers=armourer,
                       json={"site": "GAO-ASP", "kind": "ammunition"}).status_code == 404
    assert client.get("/api/assessments").status_code == 401


def _stock(app) -> None:  # noqa: ANN001
    """The ammunition point receives 1,000 kg of HD 1.1 (group D) and smoke (group G): a mixing allowed only on
    a condition. Its distances are not surveyed yet (a survey shorter than its NEQ needs puts it in breach)."""
    ammunition_point(app.state.wam.ledger, "G")


def test_the_ammunition_stores_and_a_survey(app, client, personas) -> None:  # noqa: ANN001
    _stock(app)
    officer = _headers(personas, "officer")
    stores = {s["store"]: s for s in client.get("/api/ammo/stores", headers=officer).json()["items"]}
    point = stores["GAO-ASP"]
    assert not point["in_breach"] and not point["surveyed"] and point["distances"] == []
    assert [c[:9] for c in point["conditions"]] == ["D with G:"]  # to be checked on site
    assert {m["verdict"] for m in point["mixing"]} == {"conditional"} and point["aggregate"]["division"] == "1.1"
    surveyed = client.post("/api/ammo/stores/GAO-ASP/distances", headers=officer,
                           json={"distances": {"inhabited_building": 200}})
    assert surveyed.status_code == 200, surveyed.text
    [check] = surveyed.json()["distances"]
    neq = float(surveyed.json()["aggregate"]["neq_kg"])
    assert check["breach"] and check["required_m"] == round(22.2 * neq ** (1 / 3), 1) > 200
    assert surveyed.json()["in_breach"] and surveyed.json()["breaches"] == [check["reason"]]
    assert client.get("/api/ammo/stores/GAO-ASP", headers=officer).json()["surveyed"] is True
    bad = client.post("/api/ammo/stores/GAO-ASP/distances", headers=officer, json={"distances": {"garden": 5}})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "kind"
    bad = client.post("/api/ammo/stores/GAO-ASP/distances", headers=officer,
                      json={"distances": {"inhabited_building": -3}})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "inhabited_building"
    armourer = _headers(personas, "armourer")
    assert client.get("/api/ammo/stores/GAO-ASP", headers=armourer).status_code == 404
    assert "GAO-ASP" not in {s["store"] for s in client.get("/api/ammo/stores", headers=armourer).json()["items"]}
    assert client.post("/api/ammo/stores/GAO-ASP/distances", headers=_headers(personas, "auditor"),
                       json={"distances": {"inhabited_building": 900}}).status_code == 403
    assert client.get("/api/ammo/stores", headers=_headers(personas, "nobody")).status_code == 403


def test_a_store_whose_code_has_a_slash(app, client, personas) -> None:  # noqa: ANN001
    from tests.factories import make_holder

    app.state.wam.ledger.add_holders([make_holder(code="GAO/ASP-2", name="Gao second point", kind="store",
                                                  parent="GAO")])
    officer = _headers(personas, "officer")
    assert client.get("/api/ammo/stores/GAO/ASP-2", headers=officer).json()["surveyed"] is False
    saved = client.post("/api/ammo/stores/GAO/ASP-2/distances", headers=officer,
                        json={"distances": {"public_traffic_route": 300}})
    assert saved.status_code == 200 and saved.json()["store"] == "GAO/ASP-2" and saved.json()["surveyed"]


def test_the_calculators(client, personas) -> None:  # noqa: ANN001
    nobody = _headers(personas, "nobody")  # signed in, no grant: the rules say nothing about any store
    answer = client.get("/api/ammo/distance", headers=nobody, params={"neq": 1000}).json()
    sites = {s["kind"]: s for s in answer["sites"]}
    assert sites["inhabited_building"]["value"] == round(sites["inhabited_building"]["k"] * 10, 1)
    assert sites["other_store"]["value"] is None and "not encoded" in sites["other_store"]["source"]
    largest = client.get("/api/ammo/max-neq", headers=nobody, params={"distance": 400}).json()["sites"]
    for site in largest:
        if site["k"] is not None:
            assert site["value"] == round((400 / site["k"]) ** 3, 1)
    assert client.get("/api/ammo/distance", headers=nobody, params={"neq": 0}).json()["error"]["field"] == "neq"
    assert client.get("/api/ammo/max-neq", headers=nobody, params={"distance": "x"}).json()["error"]["field"] == \
        "distance"
    one = client.get("/api/ammo/mixing", headers=nobody, params={"first": "1.1D", "second": "1.2K"}).json()
    other = client.get("/api/ammo/mixing", headers=nobody, params={"first": "K", "second": "D"}).json()
    assert one["verdict"] == other["verdict"] == "forbidden" and one["groups"] == ["D", "K"]
    bad = client.get("/api/ammo/mixing", headers=nobody, params={"first": "Z", "second": "D"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "first"
    assert client.get("/api/ammo/mixing", params={"first": "C", "second": "G"}).status_code == 401
