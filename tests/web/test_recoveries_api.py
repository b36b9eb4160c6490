"""/api/recoveries end to end: register (the items into custody at once), mark, trace and its ITI export,
the match for a serial and a confirmed candidate, disposal through a certificate approved by someone else,
retention, oversight, photos, refusals naming the field, and scoping."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from tests.factories import rifle

PHOTO = b"\xff\xd8\xff the serial, photographed"


def _headers(personas, name: str) -> dict[str, str]:  # noqa: ANN001
    return {"Authorization": f"Bearer {personas[name].token}"}


def _body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "to": "GAO-ARM", "how": "checkpoint", "recovered_at": "2024-02-01T10:00:00Z", "place": "north checkpoint",
        "latitude": 16.3, "longitude": -0.05, "unit": "1st BANBAT patrol", "from_whom": "a driver, as reported",
        "witness": "Lt Karim",
        "items": [{"type": "weapon", "make": "Norinco", "model": "Type 56", "calibre": "7.62x39mm",
                   "serial": "56-OOOO2", "markings": {"country": "CHN", "year": 1978, "factory": "66"},
                   "condition": "serviceable"},
                  {"type": "ammunition", "calibre": "7.62x39mm", "quantity": 60, "markings": {"headstamp": "71"}}],
        "photos": [{"name": "serial.jpg", "media_type": "image/jpeg",
                    "content": base64.b64encode(PHOTO).decode("ascii")}]}
    body.update(over)
    return body


def test_a_recovery_from_registration_to_destruction(app, client, personas) -> None:  # noqa: ANN001
    qm, officer = _headers(personas, "quartermaster"), _headers(personas, "officer")
    created = client.post("/api/recoveries", headers=qm, json=_body())
    assert created.status_code == 201, created.text
    shown = created.json()
    number = shown["id"]
    assert (shown["state"], shown["weapons"], shown["rounds"], shown["disposal_overdue"]) == ("posted", 1, 60, True)
    assert [m["from"] for m in shown["custody"][0]["movements"]] == ["recovered:checkpoint"]
    held = rifle("56-00002").key  # held at GAO-ARM: the read 56-OOOO2 is an alarm of its own
    assert shown["items"][0]["candidates"][0]["weapon"] == held
    assert shown["items"][0]["candidates"][0]["status"] == "held"
    digest = hashlib.sha256(PHOTO).hexdigest()
    photo = client.get(f"/api/recoveries/{number}/evidence/{digest}", headers=qm)
    assert photo.status_code == 200 and photo.content == PHOTO
    assert client.post(f"/api/recoveries/{number}/mark", headers=qm,
                       json={"line": 1, "mark": "MINUSMA-R-000001"}).status_code == 200
    found = client.get("/api/recoveries/match", headers=qm, params={"mark": "MINUSMA-R-OOOOO1"}).json()
    assert found["marks"][0]["recovery"] == number
    refused = client.post(f"/api/recoveries/{number}/trace", headers=qm, json={"action": "answer", "answer": "x"})
    assert refused.status_code == 409 and "the trace is not drafted" in refused.json()["error"]["message"]
    refused = client.post(f"/api/recoveries/{number}/trace", headers=qm, json={"action": "draft", "basis": "import"})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "to"
    for body in ({"action": "draft", "to": "CHN", "basis": "manufacture"}, {"action": "send", "reference": "TR/9"}):
        assert client.post(f"/api/recoveries/{number}/trace", headers=qm, json=body).status_code == 200
    request = client.get(f"/api/recoveries/{number}/trace", headers=qm).json()
    assert (request["addressed_to"], request["status"]) == ("CHN", "sent")
    assert request["photos"][0]["sha256"] == digest and request["items"][0]["mission_mark"] == "MINUSMA-R-000001"
    decided = client.post(f"/api/recoveries/{number}/match", headers=qm,
                          json={"line": 1, "weapon": held, "decision": "rejected"})
    assert decided.status_code == 200 and decided.json()["matched"] == []
    drafted = client.post(f"/api/recoveries/{number}/dispose", headers=qm,
                          json={"method": "destruction", "destruction": "cutting", "witness": "UNMAS officer"})
    assert drafted.status_code == 200 and drafted.json()["disposal"]["state"] == "drafted"
    assert client.post(f"/api/recoveries/{number}/disposal/approve", headers=qm).status_code == 403
    assert client.post(f"/api/recoveries/{number}/disposal/approve", headers=officer).status_code == 200
    done = client.post(f"/api/recoveries/{number}/disposal/execute", headers=officer)
    assert done.status_code == 200 and done.json()["disposed"] and not done.json()["disposal_overdue"]
    assert [m["to"] for m in done.json()["custody"][1]["movements"]] == ["GAO-ARM", "destroyed"]
    assert app.state.wam.ledger.verify().ok


def test_retention_oversight_and_refusals(client, personas) -> None:  # noqa: ANN001
    qm = _headers(personas, "quartermaster")
    refused = client.post("/api/recoveries", headers=qm, json=_body(latitude=None))
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "latitude"
    refused = client.post("/api/recoveries", headers=qm, json=_body(items=[{"serial": "56-00002", "make": "Norinco",
                                                                            "model": "Type 56"}]))
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "serial"
    number = client.post("/api/recoveries", headers=qm, json=_body(photos=[])).json()["id"]
    assert [r["id"] for r in client.get("/api/recoveries/oversight", headers=qm).json()["disposal_overdue"]] == [number]
    refused = client.post(f"/api/recoveries/{number}/dispose", headers=qm, json={"method": "retention"})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "reason"
    kept = client.post(f"/api/recoveries/{number}/dispose", headers=qm,
                       json={"method": "retention", "reason": "evidence for the prosecutor"})
    assert kept.status_code == 200 and kept.json()["state"] == "retained"
    assert client.get("/api/recoveries/oversight", headers=qm).json()["disposal_overdue"] == []
    assert [r["id"] for r in client.get("/api/recoveries", headers=qm, params={"state": "retained"}).json()["items"]] \
        == [number]


def test_scoping(client, personas) -> None:  # noqa: ANN001
    qm, armourer, viewer = (_headers(personas, n) for n in ("quartermaster", "armourer", "viewer"))
    juba = client.post("/api/recoveries", headers=_headers(personas, "admin"),
                       json=_body(to="JUBA-ARM", photos=[], items=[{"serial": "AK-1"}])).json()["id"]
    assert client.get(f"/api/recoveries/{juba}", headers=qm).status_code == 404
    assert client.get("/api/recoveries", headers=qm).json()["items"] == []
    assert client.post("/api/recoveries", headers=armourer, json=_body(to="JUBA-ARM")).status_code == 404
    assert client.post("/api/recoveries", headers=viewer, json=_body()).status_code == 403
    number = client.post("/api/recoveries", headers=armourer, json=_body(photos=[])).json()["id"]
    assert client.get(f"/api/recoveries/{number}", headers=viewer).status_code == 200
    assert client.post(f"/api/recoveries/{number}/mark", headers=viewer,
                       json={"line": 1, "mark": "M-1"}).status_code == 403
    assert client.get("/api/recoveries/match", headers=qm, params={"serial": "AK-1"}).json()["candidates"] == []
