"""The stock count pages: a blind count of a store started, serials recorded (the page never shows the book
figure while counting), closed and reconciled; the discrepancies reviewed by an officer (never the
counter), a missing weapon opening a loss incident; CSRF, scope and French."""

from __future__ import annotations

import re

from tests.factories import rifle

from .conftest import sign_in

MISSING = rifle("56-00003")


def test_a_blind_count_from_start_to_approval(app, client, personas) -> None:  # noqa: ANN001
    csrf = sign_in(client, "quartermaster")
    assert client.post("/counts", data={"csrf": "forged", "holder": "GAO-ARM"}).status_code == 403
    started = client.post("/counts", data={"csrf": csrf, "holder": "GAO-ARM", "scope": "store", "mode": "full",
                                           "blind": "1", "witness": "Sgt Alam"})
    assert started.status_code == 303, started.text
    number = started.headers["location"].rsplit("/", 1)[1]
    page = client.get(f"/counts/{number}").text
    assert 'id="blind-note"' in page and MISSING.serial not in page and "56-00001" not in page  # no book figure
    recorded = client.post(f"/counts/{number}/act", data={"csrf": csrf, "action": "record", "how": "scan",
                                                          "serials": "56-00001\n56-00002\n"})
    assert recorded.status_code == 303 and recorded.headers["location"].endswith("?added=2")
    page = client.get(recorded.headers["location"]).text
    assert re.search(r'id="recorded">\s*2\s*<', page) and MISSING.serial not in page
    refused = client.post(f"/counts/{number}/act", data={"csrf": csrf, "action": "record", "serials": " \n"})
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert client.post(f"/counts/{number}/act", data={"csrf": csrf, "action": "close"}).status_code == 303
    page = client.get(f"/counts/{number}").text
    assert 'id="cases"' in page and MISSING.key in page and "missing" in page
    assert 'id="approve-count"' not in page  # the counter does not approve
    assert client.post(f"/counts/{number}/act", data={"csrf": csrf, "action": "approve"}).status_code == 403
    client.cookies.clear()
    csrf = sign_in(client, "officer")
    page = client.get(f"/counts/{number}").text
    assert 'id="approve-count"' in page
    assert client.post(f"/counts/{number}/act", data={"csrf": csrf, "action": "approve"}).status_code == 303
    page = client.get(f"/counts/{number}").text
    assert f"/incidents/{number}-LOSS" in page  # an unexplained missing weapon is a loss, not an adjustment
    assert app.state.wam.ledger.custodian(MISSING.key) == "lost"
    assert f"/counts/{number}" in client.get("/counts").text
    assert app.state.wam.ledger.verify().ok


def test_scope_and_french(client, personas) -> None:  # noqa: ANN001
    csrf = sign_in(client, "armourer")  # records at GAO-ARM only
    refused = client.post("/counts", data={"csrf": csrf, "holder": "GAO-ASP"})
    assert refused.status_code in (404, 422)
    client.cookies.clear()
    sign_in(client, "quartermaster")
    assert "Commencer un inventaire" in client.get("/counts", headers={"Accept-Language": "fr"}).text


def test_a_count_never_says_where_a_weapon_out_of_sight_is(app, client, personas) -> None:  # noqa: ANN001
    elsewhere = rifle("56-30001")  # held at JUBA-ARM, another contingent's: out of the quartermaster's sight
    csrf = sign_in(client, "quartermaster")
    started = client.post("/counts", data={"csrf": csrf, "holder": "GAO-ARM", "blind": "1"})
    number = started.headers["location"].rsplit("/", 1)[1]
    client.post(f"/counts/{number}/act", data={"csrf": csrf, "action": "record",
                                               "serials": "56-00001\n56-00002\n56-00003\n56-30001"})
    assert client.post(f"/counts/{number}/act", data={"csrf": csrf, "action": "close"}).status_code == 303
    page = client.get(f"/counts/{number}").text
    assert elsewhere.key in page and "JUBA-ARM" not in page
    api = client.get(f"/api/counts/{number}", headers={"Authorization": f"Bearer {personas['quartermaster'].token}"})
    assert api.status_code == 200 and "JUBA-ARM" not in api.text
    client.cookies.clear()
    csrf = sign_in(client, "officer")  # approves at GAO-ARM, not at JUBA-ARM
    refused = client.post(f"/counts/{number}/act", data={"csrf": csrf, "action": "approve"})
    assert refused.status_code == 403 and 'role="alert"' in refused.text
    assert app.state.wam.ledger.custodian(elsewhere.key) == "JUBA-ARM"
