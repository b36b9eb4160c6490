"""The recovered-materiel pages: register from the form (CSRF, item rows typed as read, a photo), the record's
page with its candidates (a lost weapon and the incident that lost it), confirm a candidate, mark, trace,
dispose through a certificate approved by someone else; the list and its filter; bad input keeps the form."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.factories import T0, rifle
from wam.services import incidents

from .conftest import sign_in

LOST = rifle("56-00003")


def _form(csrf: str, **over: str) -> dict[str, str]:
    form = {"csrf": csrf, "how": "cache", "recovered_at": "2024-03-01T09:00", "place": "wadi north of Gao",
            "unit": "1st BANBAT patrol", "to": "GAO-ARM", "witness": "Lt Karim",
            "i1_type": "weapon", "i1_make": "Norinco", "i1_model": "Type 56", "i1_calibre": "7.62x39mm",
            "i1_serial": "56-OOOO3", "i1_country": "CHN", "i1_condition": "serviceable",
            "i2_type": "ammunition", "i2_calibre": "7.62x39mm", "i2_quantity": "120", "i2_other": "headstamp 71"}
    form.update(over)
    return form


def _lose(app) -> str:  # noqa: ANN001
    document = incidents.report(app.state.wam.ledger, actor="setup", lines=[[LOST.key, 1, "GAO-ARM"]],
                                started_at=T0 + timedelta(days=5), site="GAO", mission="MINUSMA",
                                circumstance="fixed_site", mechanism="theft_burglary", ownership="COE")
    return document.number


def test_a_recovery_from_the_form_to_its_disposal(app, client, personas) -> None:  # noqa: ANN001
    incident = _lose(app)
    csrf = sign_in(client, "quartermaster")
    assert 'href="/recoveries"' in client.get("/").text
    form = client.get("/recoveries/register")
    assert form.status_code == 200 and 'name="i1_serial"' in form.text and 'name="photos"' in form.text
    assert client.post("/recoveries/register", data=_form("forged")).status_code == 403
    done = client.post("/recoveries/register", data=_form(csrf),
                       files=[("photos", ("serial.jpg", b"\xff\xd8\xff serial", "image/jpeg"))])
    assert done.status_code == 303, done.text
    number = re.search(r"/recoveries/(REC-\d+)", done.headers["location"]).group(1)
    page = client.get(done.headers["location"]).text
    assert f"Recovery {number} registered" in page and "serial.jpg" in page and "recovered:cache" in page
    assert LOST.key in page and incident in page and "Confirm" in page  # the lost weapon is a candidate
    confirmed = client.post(f"/recoveries/{number}/act", data={"csrf": csrf, "action": "confirm", "line": "1",
                                                               "weapon": LOST.key})
    assert confirmed.status_code == 303
    page = client.get(f"/recoveries/{number}").text
    assert f"Confirmed as {LOST.key}" in page and f'href="/incidents/{incident}"' in page
    weapon_page = client.get(f"/items/{LOST.key}").text  # the lost weapon's history: where it resurfaced
    assert 'id="resurfaced"' in weapon_page and f"/recoveries/{number}" in weapon_page
    assert f"/recoveries/{number}" in client.get(f"/incidents/{incident}").text  # and the incident's
    assert client.post(f"/recoveries/{number}/act", data={"csrf": csrf, "action": "mark", "line": "1",
                                                          "mark": "MINUSMA-R-000001"}).status_code == 303
    timeline = client.get(f"/recoveries/{number}", headers={"Accept-Language": "fr"}).text
    assert "enregistré — " in timeline and "marqué — " in timeline  # the timeline's steps in the reader's language
    for step in ({"trace_step": "draft", "to": "CHN", "basis": "manufacture"},
                 {"trace_step": "send", "reference": "TR/9"}):
        taken = client.post(f"/recoveries/{number}/act", data={"csrf": csrf, "action": "trace", **step})
        assert taken.status_code == 303
    pdf = client.get(f"/recoveries/{number}/trace.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert f"Tracing request {number}" in text and "CHN" in text and "56-OOOO3" in text and "SHA-256" in text
    refused = client.post(f"/recoveries/{number}/act", data={"csrf": csrf, "action": "trace", "trace_step": "draft"})
    assert refused.status_code in (409, 422) and 'role="alert"' in refused.text
    drafted = client.post(f"/recoveries/{number}/act", data={"csrf": csrf, "action": "dispose", "method": "destruction",
                                                             "destruction": "cutting", "witness": "UNMAS"})
    assert drafted.status_code == 303
    page = client.get(f"/recoveries/{number}").text
    assert "MINUSMA-R-000001" in page and "trace sent" in page and "disposal pending" in page
    assert 'id="trace"' in page and "TR/9" in page and "CHN" in page
    assert 'value="approve"' not in page  # a quartermaster does not approve
    client.cookies.clear()
    csrf = sign_in(client, "officer")
    for action in ("approve", "execute"):
        assert client.post(f"/recoveries/{number}/act", data={"csrf": csrf, "action": action}).status_code == 303
    page = client.get(f"/recoveries/{number}").text
    assert "disposed of" in page and "destroyed" in page
    listed = client.get("/recoveries").text
    assert f"/recoveries/{number}" in listed
    assert f"/recoveries/{number}" not in client.get("/recoveries", params={"how": "checkpoint"}).text
    assert client.get("/recoveries", params={"how": "bogus"}).text.count('role="alert"') == 1
    assert app.state.wam.ledger.verify().ok


def test_a_bad_registration_keeps_the_form_and_writes_nothing(app, client, personas) -> None:  # noqa: ANN001
    csrf = sign_in(client, "quartermaster")
    before = client.get("/recoveries").text.count("/recoveries/REC-")
    for over in ({"how": "found"}, {"to": "NO-SUCH"}, {"i1_serial": "", "i1_make": "", "i1_model": "", "i1_calibre": "",
                                                        "i2_calibre": "", "i2_other": ""},
                 {"latitude": "95", "longitude": "1"}, {"unit": ""}):
        refused = client.post("/recoveries/register", data=_form(csrf, **over))
        assert refused.status_code in (404, 422), (over, refused.status_code)
        if refused.status_code == 422:
            assert 'role="alert"' in refused.text and "wadi north of Gao" in refused.text, over
    assert client.get("/recoveries").text.count("/recoveries/REC-") == before


def test_roles(client, personas) -> None:  # noqa: ANN001
    sign_in(client, "researcher")
    assert client.get("/recoveries/register").status_code == 403
    client.cookies.clear()
    sign_in(client, "auditor")
    listed = client.get("/recoveries")
    assert listed.status_code == 200 and 'id="register-recovery"' not in listed.text


def test_the_pages_speak_french(client, personas) -> None:  # noqa: ANN001
    sign_in(client, "quartermaster")
    page = client.get("/recoveries/register", headers={"Accept-Language": "fr"}).text
    assert "Enregistrer une récupération" in page and "trouvé dans une cache" in page
