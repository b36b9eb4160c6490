"""The incident pages: report from the form (CSRF like every form) and the losses posted at once, the incident
page with its timeline, movements and the steps the user may take, the list and its filters, a research
record's page never showing a confidential source outside its scope, in English and French."""

from __future__ import annotations

import re

from tests.factories import rifle
from wam.services import research

from .conftest import sign_in

KEY = rifle("56-00002").key
SECRET = "a named interlocutor in Gao"


def _report(csrf: str, **over: str) -> dict[str, str]:
    form = {"csrf": csrf, "site": "GAO", "started_at": "2024-02-01T02:00", "mission": "minusma",
            "contingent": "1st BANBAT:BGD", "circumstance": "fixed_site", "mechanism": "theft_burglary",
            "ownership": "COE", "serials": "56-00002", "narrative": "armoury door forced", "sources": "SINREP 2024-032",
            "confidentiality": "restricted"}
    form.update(over)
    return form


def test_a_quartermaster_reports_an_incident_and_takes_it_through_its_steps(app, client, personas) -> None:  # noqa: ANN001
    csrf = sign_in(client, "quartermaster")
    form = client.get("/incidents/report")
    assert form.status_code == 200 and 'name="csrf"' in form.text and 'name="serials"' in form.text
    assert client.post("/incidents/report", data=_report("forged")).status_code == 403  # CSRF
    assert app.state.wam.ledger.custodian(KEY) == "GAO-ARM"
    done = client.post("/incidents/report", data=_report(csrf))
    assert done.status_code == 303 and done.headers["location"] == "/incidents/INC-000001?reported=1"
    assert app.state.wam.ledger.custodian(KEY) == "lost"
    page = client.get(done.headers["location"]).text
    assert "Incident INC-000001 reported" in page and KEY in page and "SINREP 2024-032" in page
    assert 'id="step-investigate"' in page and 'id="step-close"' not in page
    assert client.post("/incidents/INC-000001/advance", data={"csrf": csrf, "step": "investigate",
                                                              "investigator": "Maj. Sy"}).status_code == 303
    page = client.get("/incidents/INC-000001").text
    assert "under investigation" in page and 'id="step-findings"' in page
    assert 'id="step-convene"' not in page  # convening a board is the approver's (the WAM officer's)
    refused = client.post("/incidents/INC-000001/advance", data={"csrf": csrf, "step": "findings", "findings": ""})
    assert refused.status_code == 409 and 'role="alert"' in refused.text
    listed = client.get("/incidents").text
    assert "/incidents/INC-000001" in listed


def test_the_form_takes_the_whole_report_with_evidence_files(app, client, personas) -> None:  # noqa: ANN001
    import hashlib

    csrf = sign_in(client, "quartermaster")
    photo = b"\x89PNG door forced"
    form = _report(csrf, ended_at="2024-02-01T04:30", time_precision="hour", latitude="16.27", longitude="-0.04",
                   place_precision="approximate", coe_provider="bgd", value_usd="1200", confidentiality="confidential")
    done = client.post("/incidents/report", data=form, files=[("evidence", ("door.png", photo, "image/png")),
                                                             ("evidence", ("", b"", "application/octet-stream"))])
    assert done.status_code == 303, done.text
    number = done.headers["location"].split("/")[2].split("?")[0]
    shown = client.get(f"/api/incidents/{number}").json()
    fields = shown["fields"]
    assert (fields["time_precision"], fields["latitude"], fields["longitude"], fields["place_precision"],
            fields["coe_provider"], fields["value_usd"]) == ("hour", 16.27, -0.04, "approximate", "BGD", 1200)
    assert shown["ended_at"].startswith("2024-02-01T04:30")
    digest = hashlib.sha256(photo).hexdigest()
    assert fields["evidence"] == [["door.png", digest, len(photo), "image/png"]]
    page = client.get(f"/incidents/{number}").text
    assert "16.27" in page and f"/api/incidents/{number}/evidence/{digest}" in page and 'id="concealed"' not in page
    assert client.get(f"/api/incidents/{number}/evidence/{digest}").content == photo
    client.post("/logout", data={"csrf": csrf})
    sign_in(client, "auditor")  # reads the store's movements, but is outside the confidential scope
    page = client.get(f"/incidents/{number}").text
    assert 'id="concealed"' in page and "door.png" not in page and "SINREP" not in page and "armoury door" not in page
    assert client.get(f"/api/incidents/{number}/evidence/{digest}").status_code == 404


def test_a_bad_report_keeps_the_form_and_says_why(app, client, personas) -> None:  # noqa: ANN001
    csrf = sign_in(client, "quartermaster")
    refused = client.post("/incidents/report", data=_report(csrf, serials="NO-SUCH-SERIAL"))
    assert refused.status_code == 422 and 'role="alert"' in refused.text and "NO-SUCH-SERIAL" in refused.text
    assert 'value="GAO"' in refused.text  # what was typed stays
    early = client.post("/incidents/report", data=_report(csrf, started_at="2023-01-01T00:00"))
    assert early.status_code == 409  # the site did not hold it then
    assert app.state.wam.ledger.custodian(KEY) == "GAO-ARM"
    for field, value in (("latitude", "95"), ("ended_at", "2024-01-01T00:00"), ("coe_provider", "XX1")):
        refused = client.post("/incidents/report", data=_report(csrf, **{field: value}))
        assert refused.status_code == 422 and 'role="alert"' in refused.text, (field, refused.status_code)
    too_many = client.post("/incidents/report", data=_report(csrf), files=[
        ("evidence", (f"p{n}.txt", b"x", "text/plain")) for n in range(21)])
    assert too_many.status_code == 422 and "20" in too_many.text
    assert app.state.wam.ledger.custodian(KEY) == "GAO-ARM"


def test_the_list_filters(app, client, personas) -> None:  # noqa: ANN001
    csrf = sign_in(client, "officer")
    assert client.post("/incidents/report", data=_report(csrf)).status_code == 303
    research.record(app.state.wam.ledger, actor="rita", started_at="2015-10-26", mission="UNMISS", place="Kaka",
                    mechanism="seizure_detention", quantities="small_arms=16;rounds=3000",
                    sources=["theeastafrican.co.ke"])

    def ids(**params: str) -> list[str]:
        return re.findall(r'href="/incidents/((?:INC|RES)-\d+)"', client.get("/incidents", params=params).text)

    assert ids() == ["INC-000001", "RES-000001"]  # the latest first
    assert ids(mechanism="theft_burglary") == ["INC-000001"]
    assert ids(notable="1") == ["RES-000001"]
    assert ids(mission="UNMISS") == ["RES-000001"]
    assert ids(since="2020-01-01") == ["INC-000001"]
    assert ids(step="reported") == ["INC-000001"]
    assert ids(record="research") == ["RES-000001"]
    assert ids(country="BGD") == ["INC-000001"]
    assert ids(circumstance="patrol") == []
    assert 'role="alert"' in client.get("/incidents", params={"since": "yesterday"}).text


def test_a_research_record_page_shows_a_confidential_source_only_in_its_scope(app, client, personas) -> None:  # noqa: ANN001
    rid = research.record(app.state.wam.ledger, actor="rita", started_at="2016-01-15", mission="AMISOM",
                          place="El Adde", quantities="weapons=2+",
                          sources=[{"citation": "nairobinews.nation.africa"},
                                   {"citation": SECRET, "kind": "interview", "confidential": True}])
    sign_in(client, "researcher")
    page = client.get(f"/incidents/{rid}")
    assert page.status_code == 200 and "nairobinews" in page.text and SECRET not in page.text
    assert "weapons (kind not said): 2+" in page.text
    assert SECRET not in client.get("/incidents").text
    assert client.get("/incidents/INC-000009").status_code == 404
    client.cookies.clear()
    sign_in(client, "admin")
    assert SECRET in client.get(f"/incidents/{rid}").text


def test_the_pages_speak_french(client, personas) -> None:  # noqa: ANN001
    sign_in(client, "quartermaster")
    client.cookies.set("wam_lang", "fr")
    assert "Signaler un incident" in client.get("/incidents/report").text
    assert "Incidents de perte" in client.get("/incidents").text


def test_the_page_shows_what_the_write_off_is_approved_on(app, client, personas) -> None:  # noqa: ANN001
    from wam.services import incidents

    csrf = sign_in(client, "quartermaster")
    client.post("/incidents/report", data=_report(csrf))
    ledger = app.state.wam.ledger
    incidents.advance(ledger, "INC-000001", "investigate", actor="qm", investigator="Maj. Sy")
    incidents.advance(ledger, "INC-000001", "convene", actor="olga", board_reference="BOI/2024/7")
    incidents.advance(ledger, "INC-000001", "findings", actor="olga", findings="lock forced with a bar")
    page = client.get("/incidents/INC-000001").text
    assert "Maj. Sy" in page and "BOI/2024/7" in page and 'id="findings"' in page and "lock forced" in page
