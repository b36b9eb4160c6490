"""/api/disposals end to end: draft, approve by another user with the approver's role, execute;
the refusals in English and French; POST /api/movements refusing a disposal."""

from __future__ import annotations

from tests.factories import rifle

KEY = rifle("56-00002").key


def _headers(personas, name: str, lang: str = "en") -> dict[str, str]:  # noqa: ANN001
    return {"Authorization": f"Bearer {personas[name].token}", "Accept-Language": lang}


def test_a_certificate_is_drafted_approved_and_executed(app, client, personas) -> None:  # noqa: ANN001
    qm, officer = _headers(personas, "quartermaster"), _headers(personas, "officer")
    drafted = client.post("/api/disposals", headers=qm, json={
        "lines": [{"item": KEY, "from": "GAO-ARM"}], "method": "handover", "host_state": "MLI",
        "receipt": "PN-GAO-2024-117", "authority": "Police nationale, Gao", "note": "seized weapon handed back"})
    assert drafted.status_code == 201, drafted.text
    number = drafted.json()["number"]
    assert drafted.json()["lines"] == [{"item": KEY, "quantity": 1, "from": "GAO-ARM", "to": "handed-over:MLI"}]
    # a quartermaster may not approve; the execution waits for an approval
    assert client.post(f"/api/disposals/{number}/approve", headers=qm).status_code == 403
    refused = client.post(f"/api/disposals/{number}/execute", headers=officer, json={})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "document_refused"
    assert client.post(f"/api/disposals/{number}/approve", headers=officer).json()["state"] == "approved"
    executed = client.post(f"/api/disposals/{number}/execute", headers=officer,
                           json={"occurred_at": "2024-02-01T10:00:00Z"})
    assert executed.status_code == 200 and executed.json()["state"] == "executed"
    assert app.state.wam.ledger.custodian(KEY) == "handed-over:MLI"
    shown = client.get(f"/api/disposals/{number}", headers=qm).json()
    assert [(s["step"], s["by"]) for s in shown["steps"]] == [
        ("draft", "quartermaster"), ("approve", "officer"), ("execute", "officer")]
    assert app.state.wam.ledger.verify().ok
    listed = client.get("/api/disposals", headers=qm, params={"state": "executed"}).json()["items"]
    assert [d["number"] for d in listed] == [number]
    assert client.get("/api/disposals", headers=qm, params={"state": "approved"}).json()["items"] == []
    bogus = client.get("/api/disposals", headers=qm, params={"state": "bogus"})  # was an empty list
    assert bogus.status_code == 422 and bogus.json()["error"]["field"] == "state"


def test_the_drafter_may_not_approve_in_either_language(client, personas) -> None:  # noqa: ANN001
    officer = _headers(personas, "officer")
    number = client.post("/api/disposals", headers=officer, json={
        "lines": [{"item": KEY, "from": "GAO-ARM"}], "method": "destruction", "destruction": "cutting",
        "witness": "Capt. Diallo"}).json()["number"]
    english = client.post(f"/api/disposals/{number}/approve", headers=officer)
    assert english.status_code == 409
    assert english.json()["error"]["message"] == f"officer drafted {number}: someone else must approve it"
    french = client.post(f"/api/disposals/{number}/approve", headers=_headers(personas, "officer", "fr"))
    assert "une autre personne" in french.json()["error"]["message"]


def test_a_bad_line_is_named(client, personas) -> None:  # noqa: ANN001
    officer = _headers(personas, "officer")
    response = client.post("/api/disposals", headers=officer, json={
        "lines": [{"item": KEY, "from": "GAO-ARM"}, {"item": KEY, "from": "GAO-ARM"}], "method": "destruction",
        "destruction": "cutting", "witness": "W"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "item" and "row 2" in response.json()["error"]["message"]


def test_the_generic_path_refuses_a_disposal_naming_the_register(client, personas) -> None:  # noqa: ANN001
    for lang, words in (("en", "is posted only through its register: wam disposal"),
                        ("fr", "ne s’enregistre que par son registre : wam disposal")):
        response = client.post("/api/movements", headers=_headers(personas, "officer", lang), json={
            "kind": "disposal", "item": KEY, "source": "GAO-ARM", "target": "destroyed", "witness": "W"})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == "kind" and words in response.json()["error"]["message"]
