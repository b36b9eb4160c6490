"""/api/counts end to end: a blind count never answers its counter with a book figure before the close;
the close reconciles; the counter may not approve, an armourer has no approver's role, the officer
approves and the adjustments and the loss incident are posted; refusals name the field."""

from __future__ import annotations

from tests.factories import rifle


def _headers(personas, name: str) -> dict[str, str]:  # noqa: ANN001
    return {"Authorization": f"Bearer {personas[name].token}"}


def test_a_blind_count_through_the_api(app, client, personas) -> None:  # noqa: ANN001
    armourer, officer = _headers(personas, "armourer"), _headers(personas, "officer")
    held = {line.item for line in app.state.wam.ledger.balance("GAO-ARM")}
    created = client.post("/api/counts", headers=armourer, json={"holder": "GAO-ARM", "witness": "Lt Karim"})
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    counted = rifle("56-00001")
    answers = [created.json(),
               client.post(f"/api/counts/{number}/lines", headers=armourer, json={"lines": [
                   {"serial": counted.serial, "how": "scan"}]}).json(),
               client.get(f"/api/counts/{number}", headers=armourer).json(),
               client.get(f"/api/counts/{number}", headers=officer).json(),
               client.get("/api/counts", headers=armourer).json()]
    assert answers[1]["recorded"] == 1 and answers[1]["state"] == "counting"
    for answer in answers:  # nothing of the book: not its items, not a figure, not a case
        text = str(answer)
        assert "cases" not in text and "book" not in text
        assert not any(key.split("|")[-1] in text for key in held - {counted.key})
    refused = client.post(f"/api/counts/{number}/lines", headers=armourer, json={"lines": [{"serial": ""}]})
    assert refused.status_code == 422
    closed = client.post(f"/api/counts/{number}/close", headers=armourer)
    assert closed.status_code == 200, closed.text
    shown = closed.json()
    assert shown["state"] == "reconciled" and shown["waiting"] == len(shown["cases"]) >= 1
    assert all("book" in case for case in shown["cases"])  # after the close, the figures
    assert client.post(f"/api/counts/{number}/approve", headers=armourer, json={}).status_code == 403
    done = client.post(f"/api/counts/{number}/approve", headers=officer, json={})
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "posted"
    assert {case["role"] for case in done.json()["cases"]} == {"mission-officer"}
    if any(case["action"] == "incident" for case in shown["cases"]):
        assert client.get(f"/api/incidents/{number}-LOSS", headers=officer).status_code == 200


def test_the_counter_may_not_approve(app, client, personas) -> None:  # noqa: ANN001
    officer = _headers(personas, "officer")
    number = client.post("/api/counts", headers=officer, json={"holder": "GAO-ARM"}).json()["number"]
    assert client.post(f"/api/counts/{number}/close", headers=officer).status_code == 200
    refused = client.post(f"/api/counts/{number}/approve", headers=officer, json={})
    assert refused.status_code == 409 and "someone else" in refused.json()["error"]["message"]
