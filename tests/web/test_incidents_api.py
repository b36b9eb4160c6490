"""/api/incidents end to end: report (the losses posted at once), the workflow with the approver's role for
the close, the reporter never writing off, filters, a bad line by row, and POST /api/movements refusing a loss
naming the register."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from tests.factories import rifle

KEY = rifle("56-00002").key


def _headers(personas, name: str, lang: str = "en") -> dict[str, str]:  # noqa: ANN001
    return {"Authorization": f"Bearer {personas[name].token}", "Accept-Language": lang}


def _report(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "lines": [{"item": KEY, "from": "GAO-ARM"}], "started_at": "2024-02-01T02:00:00Z", "site": "GAO",
        "mission": "MINUSMA", "contingents": [{"name": "1st BANBAT", "country": "BGD"}],
        "circumstance": "fixed_site", "mechanism": "armed_attack_overrun", "ownership": "COE",
        "casualties": {"killed": 1}, "perpetrator": "armed group", "perpetrator_claim": True,
        "sources": ["SINREP 2024-032"], "narrative": "camp overrun at night"}
    body.update(over)
    return body


def test_an_incident_is_reported_investigated_and_written_off(app, client, personas) -> None:  # noqa: ANN001
    qm, officer = _headers(personas, "quartermaster"), _headers(personas, "officer")
    reported = client.post("/api/incidents", headers=qm, json=_report())
    assert reported.status_code == 201, reported.text
    shown = reported.json()
    number = shown["id"]
    assert (shown["step"], shown["weapons_lost"], shown["board_of_inquiry_required"]) == ("reported", 1, True)
    assert [(e["kind"], e["document"]) for e in shown["entries"]] == [("loss", number)]
    assert app.state.wam.ledger.custodian(KEY) == "lost"

    def advance(headers: dict[str, str], **body: Any):  # noqa: ANN202
        return client.post(f"/api/incidents/{number}/advance", headers=headers, json=body)

    assert advance(qm, step="investigate").json()["step"] == "under_investigation"
    refused = advance(qm, step="findings", findings="overrun")
    assert refused.status_code == 409 and "a board of inquiry is required" in refused.json()["error"]["message"]
    assert advance(qm, step="convene", board_reference="BOI/2024/3").status_code == 403  # the approver convenes
    assert advance(officer, step="convene", board_reference="BOI/2024/3").status_code == 200
    assert advance(qm, step="findings", findings="overrun").status_code == 200
    assert advance(qm, step="close", outcome="written_off").status_code == 403  # the approver's role
    closed = advance(officer, step="close", outcome="written_off")
    assert closed.status_code == 200 and closed.json()["step"] == "closed"
    listed = client.get("/api/incidents", headers=qm, params={"mechanism": "armed_attack_overrun",
                                                              "board_of_inquiry_required": True}).json()["items"]
    assert [i["id"] for i in listed] == [number]
    assert client.get("/api/incidents", headers=qm, params={"step": "reported"}).json()["items"] == []
    assert app.state.wam.ledger.verify().ok


def test_a_filter_on_a_value_that_does_not_exist_is_refused_naming_it(client, personas) -> None:  # noqa: ANN001
    qm = _headers(personas, "quartermaster")
    for name, value in (("step", "bogus"), ("circumstance", "picnic"), ("mechanism", "x"), ("ownership", "y")):
        refused = client.get("/api/incidents", headers=qm, params={name: value})
        assert refused.status_code == 422 and refused.json()["error"]["field"] == name, (name, refused.text)
    assert client.get("/api/incidents", headers=qm, params={"step": "closed"}).status_code == 200
    backwards = client.get("/api/incidents", headers=qm, params={"since": "2024-02-01T00:00:00Z",
                                                                 "until": "2024-01-01T00:00:00Z"})
    assert backwards.status_code == 422 and backwards.json()["error"]["field"] == "until"


def test_a_confidential_incident_keeps_its_narrative_sources_and_evidence_to_its_scope(client, personas) -> None:  # noqa: ANN001
    photo = b"%PDF-1.4 statement"
    qm = _headers(personas, "quartermaster")
    reported = client.post("/api/incidents", headers=qm, json=_report(confidentiality="confidential", evidence=[
        {"name": "statement.pdf", "media_type": "application/pdf", "content": base64.b64encode(photo).decode()}]))
    assert reported.status_code == 201, reported.text
    number, digest = reported.json()["id"], hashlib.sha256(photo).hexdigest()
    for name, sees in (("quartermaster", True), ("officer", True), ("admin", True),
                       ("auditor", False), ("viewer", False), ("researcher", False)):
        shown = client.get(f"/api/incidents/{number}", headers=_headers(personas, name))
        if shown.status_code in (403, 404):  # out of sight altogether (a researcher does not read movements)
            assert not sees, name
            continue
        assert shown.status_code == 200, (name, shown.text)
        body = shown.json()
        fields = body["fields"]
        assert ("sources" in fields, "narrative" in fields, "evidence" in fields) == (sees, sees, sees), name
        assert body.get("concealed", False) is (not sees), name
        assert "SINREP" not in shown.text or sees, name
        served = client.get(f"/api/incidents/{number}/evidence/{digest}", headers=_headers(personas, name))
        assert (served.status_code == 200) is sees, (name, served.status_code)
    plain = client.post("/api/incidents", headers=qm, json=_report(
        confidentiality="restricted", lines=[{"item": rifle("56-00003").key, "from": "GAO-ARM"}]))
    auditor_view = client.get(f"/api/incidents/{plain.json()['id']}", headers=_headers(personas, "auditor")).json()
    assert auditor_view["fields"]["sources"] == ["SINREP 2024-032"] and "concealed" not in auditor_view


def test_evidence_is_kept_and_served_by_its_sha256(client, personas) -> None:  # noqa: ANN001
    officer = _headers(personas, "officer")
    photo = b"\xff\xd8\xff door"
    reported = client.post("/api/incidents", headers=officer, json=_report(evidence=[
        {"name": "door.jpg", "media_type": "image/jpeg", "content": base64.b64encode(photo).decode()}]))
    assert reported.status_code == 201, reported.text
    number, digest = reported.json()["id"], hashlib.sha256(photo).hexdigest()
    assert reported.json()["fields"]["evidence"] == [["door.jpg", digest, len(photo), "image/jpeg"]]
    served = client.get(f"/api/incidents/{number}/evidence/{digest}", headers=officer)
    assert served.status_code == 200 and served.content == photo and served.headers["content-type"] == "image/jpeg"
    assert client.get(f"/api/incidents/{number}/evidence/{'0' * 64}", headers=officer).status_code == 404
    bad = client.post("/api/incidents", headers=officer, json=_report(evidence=[{"name": "x", "content": "%%%"}]))
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "evidence"


def test_an_armourer_reports_from_the_site_of_his_armoury(client, personas) -> None:  # noqa: ANN001
    armourer = _headers(personas, "armourer")
    reported = client.post("/api/incidents", headers=armourer, json=_report(casualties={}))
    assert reported.status_code == 201, reported.text
    assert reported.json()["reported_by"] == "armourer"
    elsewhere = client.post("/api/incidents", headers=armourer, json=_report(
        lines=[{"item": KEY, "from": "GAO-ASP"}], casualties={}))
    assert elsewhere.status_code == 404  # the ammunition point is outside his armoury


def test_the_reporter_may_not_write_off(client, personas) -> None:  # noqa: ANN001
    officer = _headers(personas, "officer")
    number = client.post("/api/incidents", headers=officer, json=_report(casualties={})).json()["id"]
    for step in ({"step": "investigate"}, {"step": "findings", "findings": "f"}):
        assert client.post(f"/api/incidents/{number}/advance", headers=officer, json=step).status_code == 200
    refused = client.post(f"/api/incidents/{number}/advance", headers=officer,
                          json={"step": "close", "outcome": "partly"})
    assert refused.status_code == 409
    assert "officer reported this incident: someone else must approve its write-off" in refused.json()["error"][
        "message"]
    french = client.post(f"/api/incidents/{number}/advance", headers=_headers(personas, "officer", "fr"),
                         json={"step": "close", "outcome": "written_off"})
    assert "officer a signalé cet incident : une autre personne doit en approuver" in french.json()["error"]["message"]
    late = client.post(f"/api/incidents/{number}/advance", headers=_headers(personas, "officer", "fr"),
                       json={"step": "investigate"})
    assert "à l’état « findings »" in late.json()["error"]["message"]


def test_a_bad_line_or_field_is_named(client, personas) -> None:  # noqa: ANN001
    officer = _headers(personas, "officer")
    response = client.post("/api/incidents", headers=officer, json=_report(
        lines=[{"item": KEY, "from": "GAO-ARM"}, {"item": KEY, "from": "GAO-ARM"}]))
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "item" and "row 2" in response.json()["error"]["message"]
    response = client.post("/api/incidents", headers=officer, json=_report(mechanism="bad luck"))
    assert response.status_code == 422
    assert client.get("/api/incidents", headers=officer).json()["items"] == []


def test_the_generic_path_refuses_a_loss_naming_the_register(client, personas) -> None:  # noqa: ANN001
    for body in ({"kind": "loss", "item": KEY, "source": "GAO-ARM", "target": "lost"},
                 {"kind": "loss", "item": KEY, "source": "GAO-ARM", "target": "lost", "document": "INC-1"}):
        response = client.post("/api/movements", headers=_headers(personas, "officer"), json=body)
        assert response.status_code == 422, response.text
        assert "a loss is posted only through its register: wam incidents report" in response.json()["error"][
            "message"]


def test_the_list_pages_with_limit_and_offset(client, personas) -> None:  # noqa: ANN001
    qm = _headers(personas, "quartermaster")
    for serial in ("56-00002", "56-00003"):
        body = _report(lines=[{"item": rifle(serial).key, "from": "GAO-ARM"}], casualties={}, perpetrator_claim=False)
        assert client.post("/api/incidents", headers=qm, json=body).status_code == 201
    whole = client.get("/api/incidents", headers=qm).json()
    assert ([i["id"] for i in whole["items"]], whole["total"]) == (["INC-000001", "INC-000002"], 2)
    page = client.get("/api/incidents", headers=qm, params={"limit": 1, "offset": 1}).json()
    assert ([i["id"] for i in page["items"]], page["total"]) == (["INC-000002"], 2)
    assert client.get("/api/incidents", headers=qm, params={"limit": 0}).status_code == 422


def test_evidence_never_runs_in_wams_origin(client, personas) -> None:  # noqa: ANN001
    """An uploaded HTML or script file is a download of opaque bytes, sandboxed and never sniffed (found by
    a README trial: an armourer's 'photo.html' ran as the administrator who opened it)."""
    officer = _headers(personas, "officer")
    page = b"<html><script>fetch('/api/me')</script></html>"
    script = b"document.title = 'PWNED'"
    photo = b"\xff\xd8\xff door"
    reported = client.post("/api/incidents", headers=officer, json=_report(evidence=[
        {"name": "door.jpg", "media_type": "image/jpeg", "content": base64.b64encode(photo).decode()},
        {"name": "photo.html", "media_type": "text/html", "content": base64.b64encode(page).decode()},
        {"name": "a.js", "media_type": "application/javascript", "content": base64.b64encode(script).decode()},
        {"name": "note.svg", "media_type": "image/svg+xml", "content": base64.b64encode(page).decode()}]))
    assert reported.status_code == 201, reported.text
    number = reported.json()["id"]
    for content in (page, script):
        served = client.get(f"/api/incidents/{number}/evidence/{hashlib.sha256(content).hexdigest()}",
                            headers=officer)
        assert served.status_code == 200 and served.content == content
        assert served.headers["content-type"] == "application/octet-stream"
        assert served.headers["content-disposition"].startswith("attachment;")
        assert served.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in served.headers["content-security-policy"]
    served = client.get(f"/api/incidents/{number}/evidence/{hashlib.sha256(photo).hexdigest()}", headers=officer)
    assert served.headers["content-type"] == "image/jpeg" and served.headers["content-disposition"].startswith("inline")
    assert "sandbox" in served.headers["content-security-policy"]
    home = client.get("/login")
    assert "sandbox" not in home.headers["content-security-policy"]  # every other page keeps the site's policy


def test_the_period_in_the_query_string_is_read_by_the_ledger_rule(client, personas) -> None:  # noqa: ANN001
    """``?until=2024-02-01`` includes that day (the incident began at 02:00), ``?since=`` of the day takes it
    from its start, and a number or a week is refused naming the parameter (pydantic read 1700000000 as
    2023-11-14 and a date as its midnight)."""
    qm = _headers(personas, "quartermaster")
    number = client.post("/api/incidents", headers=qm, json=_report()).json()["id"]

    def ids(**period: str) -> list[Any]:
        answer = client.get("/api/incidents", headers=qm, params=period)
        assert answer.status_code == 200, answer.text
        return [i["id"] for i in answer.json()["items"]]

    assert ids(until="2024-02-01") == [number] == ids(since="2024-02-01") == ids(since="2024-02-01", until="2024-02-01")
    assert ids(until="2024-01-31") == [] == ids(since="2024-02-02")
    assert ids(since="2024-02-01T03:00:00+02:00") == [number]  # 01:00 UTC
    for name, value in (("since", "1700000000"), ("until", "20240201T"), ("since", "2024-W05"), ("until", "soon"),
                        ("since", "0001-01-01T00:00:00+05:00")):
        refused = client.get("/api/incidents", headers=qm, params={name: value})
        assert refused.status_code == 422 and refused.json()["error"]["field"] == name, (name, value, refused.text)
    for path in ("/api/research", "/api/research/export"):
        refused = client.get(path, headers=qm, params={"since": "1700000000"})
        assert refused.status_code == 422 and refused.json()["error"]["field"] == "since", refused.text
