"""The research record form (/research/new): a researcher records an incident from open sources on a
page, with quantities as ranges and sources with their reliability; bad input keeps the form and names
the field and row; a confidential source is kept but never shown to the researcher; roles that do not
record research are refused; CSRF as on every form; French."""

from __future__ import annotations

from wam.services import research

from .conftest import sign_in

SECRET = "a named interlocutor in Kidal"


def _form(csrf: str, **over: str) -> dict[str, str]:
    form = {"csrf": csrf, "started_at": "2017-11", "mission": "minusma", "country": "mli", "place": "Aguelhok",
            "circumstance": "convoy_escort", "mechanism": "ambush", "perpetrator": "JNIM",
            "perpetrator_claim": "1", "killed": "3", "q1_category": "small_arms", "q1_min": "16", "q1_max": "20",
            "q2_category": "rounds", "q2_min": "3000", "q2_open": "1",
            "s1_citation": "UN SG report S/2018/273", "s1_kind": "un_report", "s1_date": "2018-03-26",
            "s1_reliability": "high", "s2_citation": "JNIM communiqué", "s2_kind": "perpetrator", "s2_claim": "1",
            "verification_status": "corroborated", "confidentiality": "public", "narrative": "convoy ambushed"}
    form.update(over)
    return form


def test_a_researcher_records_an_incident_from_open_sources(app, client, personas) -> None:  # noqa: ANN001
    csrf = sign_in(client, "researcher")
    assert 'id="record-research"' in client.get("/incidents").text
    page = client.get("/research/new")
    assert page.status_code == 200 and 'name="q1_category"' in page.text and 'name="s1_citation"' in page.text
    assert client.post("/research/new", data=_form("forged")).status_code == 403  # CSRF
    done = client.post("/research/new", data=_form(csrf, s3_citation=SECRET, s3_kind="interview",
                                                   s3_confidential="1"))
    assert done.status_code == 303, done.text
    rid = done.headers["location"].split("/")[2].split("?")[0]
    kept = research.show(app.state.wam.ledger, rid, confidential=True)
    fields = kept["fields"]
    assert fields["quantities"] == [["small_arms", 16, 20], ["rounds", 3000, None]]
    assert (fields["mission"], fields["country"], fields["time_precision"], fields["verification_status"]) == (
        "MINUSMA", "MLI", "month", "corroborated")
    assert [(s["citation"], s["kind"], s["claim"], s["confidential"]) for s in fields["sources"]] == [
        ("UN SG report S/2018/273", "un_report", False, False), ("JNIM communiqué", "perpetrator", True, False),
        (SECRET, "interview", False, True)]
    assert (kept["weapons_lost"], kept["weapons_lost_max"], kept["rounds_lost_max"]) == (16, 20, None)
    shown = client.get(done.headers["location"])
    assert shown.status_code == 200 and f"{rid} is recorded" in shown.text and "S/2018/273" in shown.text
    assert SECRET not in shown.text  # kept, but the researcher is outside the confidential scope


def test_a_bad_record_keeps_the_form_and_names_the_field_and_row(app, client, personas) -> None:  # noqa: ANN001
    csrf = sign_in(client, "researcher")
    before = len(research.stored(app.state.wam.ledger))
    for over, field in (({"q2_category": ""}, "quantities"), ({"q1_min": "30"}, "quantities"),
                        ({"s1_citation": "", "s2_citation": ""}, "sources"), ({"started_at": "1900"}, "started_at"),
                        ({"latitude": "12"}, "longitude"), ({"s2_date": "soon"}, "sources")):
        refused = client.post("/research/new", data=_form(csrf, **over))
        assert refused.status_code == 422 and 'role="alert"' in refused.text, (over, refused.status_code)
        assert 'value="Aguelhok"' in refused.text  # what was typed stays
        assert field.replace("_", " ") in refused.text or field in refused.text, (over, field)
    assert len(research.stored(app.state.wam.ledger)) == before  # nothing written


def test_a_confidential_record_is_kept_and_said_so(app, client, personas) -> None:  # noqa: ANN001
    csrf = sign_in(client, "researcher")
    done = client.post("/research/new", data=_form(csrf, confidentiality="confidential"))
    assert done.status_code == 200 and 'id="recorded-confidential"' in done.text
    assert research.stored(app.state.wam.ledger)[-1].fields["confidentiality"] == "confidential"


def test_only_roles_that_record_research_get_the_form(client, personas) -> None:  # noqa: ANN001
    for name in ("armourer", "auditor", "viewer"):
        client.cookies.clear()
        csrf = sign_in(client, name)
        assert client.get("/research/new").status_code == 403, name
        assert client.post("/research/new", data=_form(csrf)).status_code == 403, name
        assert 'id="record-research"' not in client.get("/incidents").text, name
    client.cookies.clear()
    sign_in(client, "officer")
    assert client.get("/research/new").status_code == 200


def test_the_form_speaks_french(client, personas) -> None:  # noqa: ANN001
    sign_in(client, "researcher")
    page = client.get("/research/new", headers={"Accept-Language": "fr"}).text
    assert "Consigner un incident d&#39;après des sources ouvertes" in page and "pas de maximum connu" in page
