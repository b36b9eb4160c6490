"""Overrides, suspensions and recalls on the pages and in the API (issue 13): the override form on a store's
page for whoever approves there (the mission WAM officer), recorded and withdrawn with a reason, refused
with the field named; the lot's page with its holders and history and the form to suspend, recall or
release it; the suspended and recalled lots on /ammo with every holder; French; and the same through
/api/ammo, scoped (403 without the role, 404 out of sight, 422 naming the field)."""

from __future__ import annotations

import re
from html import unescape
from datetime import timedelta
from urllib.parse import quote

from tests.builders import ammunition_point
from tests.factories import T0, post
from wam.domain.movements import make_movement
from wam.services import ammo

from .conftest import sign_in


def _stock(app) -> tuple[str, str]:  # noqa: ANN001
    """GAO-ASP in breach (group K with D, let in by "maj.sy"'s override); 4 of the K lot moved to GAO-ARM."""
    ledger = app.state.wam.ledger
    bombs, toxic = ammunition_point(ledger, "K", override="awaiting transport to the demolition range")
    post(ledger, make_movement(kind="transfer", item=toxic.key, quantity=4, source="GAO-ASP", target="GAO-ARM",
                               occurred_at=T0 + timedelta(days=4), actor="setup"))
    return bombs.key, toxic.key


def _alert(html: str) -> str:
    """The text of the page's one alert (a refusal)."""
    [found] = re.findall(r'<p class="error" role="alert"[^>]*>(.*?)</p>', html, flags=re.S)
    return unescape(found)


def test_an_officer_withdraws_and_records_an_override(app, client, personas) -> None:  # noqa: ANN001
    bombs, toxic = _stock(app)
    csrf = sign_in(client, "officer")
    page = client.get("/ammo/GAO-ASP").text
    assert 'id="overrides"' in page and "awaiting transport to the demolition range" in page and "maj.sy" in page
    assert 'id="override-form"' in page and f'<option value="{bombs}">' in page  # the store's lots to pick from
    assert f'href="/ammo/lots/{quote(toxic)}"' in page  # each lot's page
    # a withdrawal needs a reason: refused, the field named, nothing changed
    refused = client.post("/ammo/GAO-ASP/overrides", data={"csrf": csrf, "item": toxic, "withdrawn": "1",
                                                           "reason": "  "})
    assert refused.status_code == 422 and "reason" in _alert(refused.text)
    assert "awaiting transport" in refused.text
    done = client.post("/ammo/GAO-ASP/overrides", data={"csrf": csrf, "item": toxic, "withdrawn": "1",
                                                        "reason": "transport arrived"})
    assert done.status_code == 303 and done.headers["location"] == "/ammo/GAO-ASP?done=withdrawn#overrides"
    page = client.get("/ammo/GAO-ASP?done=withdrawn").text
    assert 'id="no-overrides"' in page and "D and K may not be stored together" in page  # still in breach
    assert 'role="status"' in page
    # the ledger now refuses more of the lot there, and says how to override
    more = client.post("/api/movements", headers={"Authorization": f"Bearer {personas['officer'].token}"},
                       json={"kind": "receipt", "item": toxic, "quantity": 1, "source": "supply:BGD",
                             "target": "GAO-ASP"})
    assert more.status_code == 422 and "override" in more.text
    # an override of a lot typed in, and refusals naming the field
    for data, field in (({"item": toxic, "reason": ""}, "reason"), ({"item": "", "reason": "x"}, "item"),
                        ({"item": "W|NORINCO|TYPE 56|56-00001", "reason": "x"}, "item")):
        refused = client.post("/ammo/GAO-ASP/overrides", data={"csrf": csrf, **data})
        assert refused.status_code == 422 and field in _alert(refused.text), _alert(refused.text)
        assert 'id="override-form" open' in refused.text  # the form stays open with what was typed
    unknown = client.post("/ammo/GAO-ASP/overrides", data={"csrf": csrf, "item": "L|NO|SUCH|LOT", "reason": "x"})
    assert unknown.status_code == 404 and "L|NO|SUCH|LOT" in _alert(unknown.text)
    saved = client.post("/ammo/GAO-ASP/overrides", data={"csrf": csrf, "item": toxic, "reason": "destroyed Friday"})
    assert saved.status_code == 303
    page = client.get("/ammo/GAO-ASP").text
    assert "destroyed Friday" in page and "officer" in page and 'id="no-overrides"' not in page
    forged = client.post("/ammo/GAO-ASP/overrides", data={"csrf": "forged", "item": toxic, "reason": "x"})
    assert forged.status_code == 403


def test_only_who_approves_at_the_store_overrides(app, client, personas) -> None:  # noqa: ANN001
    _bombs, toxic = _stock(app)
    csrf = sign_in(client, "auditor")  # sees the store and its overrides, approves nowhere
    page = client.get("/ammo/GAO-ASP").text
    assert "awaiting transport" in page and 'id="override-form"' not in page and 'name="withdrawn"' not in page
    refused = client.post("/ammo/GAO-ASP/overrides", data={"csrf": csrf, "item": toxic, "reason": "x"})
    assert refused.status_code == 403
    client.cookies.clear()
    csrf = sign_in(client, "quartermaster")  # records at the store, does not approve: neither surveys nor overrides
    page = client.get("/ammo/GAO-ASP").text
    assert 'name="inhabited_building"' not in page and 'id="override-form"' not in page
    assert client.post("/ammo/GAO-ASP/distances", data={"csrf": csrf, "inhabited_building": "5000"}).status_code == 403
    client.cookies.clear()
    csrf = sign_in(client, "armourer")  # GAO-ARM only: the ammunition point is out of sight
    assert client.post("/ammo/GAO-ASP/overrides", data={"csrf": csrf, "item": toxic, "reason": "x"}).status_code == 404


def test_a_lot_suspended_from_its_page_is_listed_with_its_holders(app, client, personas) -> None:  # noqa: ANN001
    _bombs, toxic = _stock(app)
    csrf = sign_in(client, "officer")
    assert 'id="none-suspended"' in client.get("/ammo").text
    page = client.get(f"/ammo/lots/{quote(toxic)}")
    assert page.status_code == 200 and 'id="no-history"' in page.text and 'id="status-form"' in page.text
    assert 'href="/ammo/GAO-ASP"' in page.text and 'href="/ammo/GAO-ARM"' in page.text  # its holders
    action = f"/ammo/lots/{quote(toxic)}/status"
    for data, field in (({"status": "suspended", "reason": " "}, "reason"),
                        ({"status": "released", "reason": "x", "code": "J"}, "code"),
                        ({"status": "suspended", "reason": "x", "since": "last week"}, "since"),
                        ({"status": "frozen", "reason": "x"}, "status")):
        refused = client.post(action, data={"csrf": csrf, **data})
        assert refused.status_code == 422 and field in _alert(refused.text), _alert(refused.text)
        assert 'id="status-form" open' in refused.text
    done = client.post(action, data={"csrf": csrf, "status": "suspended", "code": "J", "since": "2024-01-05",
                                     "reason": "technical notice TN-7: fuze defect"})
    assert done.status_code == 303 and done.headers["location"] == f"/ammo/lots/{quote(toxic)}?done=suspended"
    page = client.get(done.headers["location"]).text
    assert 'role="status"' in page and "TN-7" in page and "2024-01-05 00:00" in page and "code J" in page
    listed = client.get("/ammo").text
    table = listed[listed.index('id="suspended"'):]
    assert toxic in table and "TN-7" in table and 'href="/holders/GAO-ASP"' in table
    assert 'href="/holders/GAO-ARM"' in table and ">GAO-ASP</a> Gao ammunition point: 6<" in table
    assert f'href="/ammo/lots/{quote(toxic)}"' in table
    store = client.get("/ammo/GAO-ASP").text
    assert 'class="badge overdue">suspended<' in store  # the store's lot marked
    assert client.post(action, data={"csrf": "forged", "status": "released", "reason": "x"}).status_code == 403
    released = client.post(action, data={"csrf": csrf, "status": "released", "reason": "test passed"})
    assert released.status_code == 303
    assert 'id="none-suspended"' in client.get("/ammo").text


def test_who_sees_and_decides_on_a_lot(app, client, personas) -> None:  # noqa: ANN001
    _bombs, toxic = _stock(app)
    ammo.set_status(app.state.wam.ledger, toxic, "recalled", "manufacturer's recall", actor="maj.sy")
    csrf = sign_in(client, "auditor")  # reads it, does not decide
    page = client.get(f"/ammo/lots/{quote(toxic)}")
    assert page.status_code == 200 and "manufacturer" in page.text and 'id="status-form"' not in page.text
    assert client.post(f"/ammo/lots/{quote(toxic)}/status", data={"csrf": csrf, "status": "released",
                                                                  "reason": "x"}).status_code == 403
    client.cookies.clear()
    sign_in(client, "researcher")  # reads no movements
    assert client.get(f"/ammo/lots/{quote(toxic)}").status_code == 403
    client.cookies.clear()
    sign_in(client, "viewer")  # sees GAO-ASP (BGD-BATT): the recall and its holders
    assert "manufacturer" in client.get("/ammo").text
    client.cookies.clear()
    sign_in(client, "armourer")  # sees GAO-ARM, where 4 of the lot are: only that holder
    listed = client.get("/ammo").text
    assert 'href="/holders/GAO-ARM"' in listed and 'href="/holders/GAO-ASP"' not in listed


def test_french(app, client, personas) -> None:  # noqa: ANN001
    _bombs, toxic = _stock(app)
    ammo.set_status(app.state.wam.ledger, toxic, "suspended", "TN-7", actor="maj.sy", code="K")
    sign_in(client, "officer")
    fr = {"Accept-Language": "fr"}
    assert "Lots suspendus et rappelés" in client.get("/ammo", headers=fr).text
    assert "Dérogations en vigueur" in client.get("/ammo/GAO-ASP", headers=fr).text
    page = client.get(f"/ammo/lots/{quote(toxic)}", headers=fr).text
    assert "Suspendre, rappeler ou lever" in page and "suspendu" in page


def test_the_api(app, client, personas) -> None:  # noqa: ANN001
    _bombs, toxic = _stock(app)

    def as_(persona: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {personas[persona].token}"}

    officer = as_("officer")
    url = "/api/ammo/stores/GAO-ASP/overrides"
    withdrawn = client.post(url, headers=officer, json={"item": toxic, "reason": "gone", "withdrawn": True})
    assert withdrawn.status_code == 200 and withdrawn.json()["overrides"] == [] and withdrawn.json()["in_breach"]
    again = client.post(url, headers=officer, json={"item": toxic, "reason": "back"})
    assert [(o["item"], o["reason"], o["by"]) for o in again.json()["overrides"]] == [(toxic, "back", "officer")]
    bad = client.post(url, headers=officer, json={"item": toxic, "reason": ""})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "reason"
    assert client.post(url, headers=as_("auditor"), json={"item": toxic, "reason": "x"}).status_code == 403
    assert client.post(url, headers=as_("armourer"), json={"item": toxic, "reason": "x"}).status_code == 403
    assert client.post(url, headers=as_("mission-admin"), json={"item": toxic, "reason": "x"}).status_code == 200

    lot = f"/api/ammo/lots/{quote(toxic, safe='')}"
    done = client.post(f"{lot}/status", headers=officer, json={"status": "recalled", "reason": "notice",
                                                               "since": "2024-01-05"})
    assert done.status_code == 200, done.text
    assert done.json()["since"].startswith("2024-01-05T00:00:00")
    assert {h["holder"]: h["quantity"] for h in done.json()["holders"]} == {"GAO-ASP": 6, "GAO-ARM": 4}
    bad = client.post(f"{lot}/status", headers=officer, json={"status": "recalled", "reason": "x", "code": "J"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "code"
    bad = client.post(f"{lot}/status", headers=officer, json={"status": "lost", "reason": "x"})
    assert bad.status_code == 422 and "status" in bad.text
    assert client.post(f"{lot}/status", headers=as_("auditor"), json={"status": "released",
                                                                     "reason": "x"}).status_code == 403
    listed = client.get("/api/ammo/lots/suspended", headers=as_("viewer")).json()["items"]
    assert [(x["item"], x["status"], x["reason"]) for x in listed] == [(toxic, "recalled", "notice")]
    mine = client.get("/api/ammo/lots/suspended", headers=as_("armourer")).json()["items"]
    assert [h["holder"] for h in mine[0]["holders"]] == ["GAO-ARM"]  # GAO-ASP is out of the armourer's sight
    held = client.get(f"{lot}/holders", headers=officer).json()
    assert held["item"] == toxic and [c["status"] for c in held["history"]] == ["recalled"]
    assert held["history"][0]["by"] == "officer"
    assert client.get(f"{lot}/holders", headers=as_("researcher")).status_code == 403
    assert client.get("/api/ammo/lots/L%7CNO%7CSUCH%7CLOT/holders", headers=officer).status_code == 404


def test_the_refusals_in_french(app, client, personas) -> None:  # noqa: ANN001
    """The ledger's storage and suspension refusals, and the forms' own, in French on the pages."""
    _bombs, toxic = _stock(app)
    ledger = app.state.wam.ledger
    ammo.record_override(ledger, "GAO-ASP", toxic, "transport arrived", actor="maj.sy", withdrawn=True)
    csrf = sign_in(client, "officer")
    fr = {"Accept-Language": "fr"}
    move = {"csrf": csrf, "item": toxic, "quantity": "1"}
    refused = client.post("/record", headers=fr, data={**move, "kind": "receipt", "source": "supply:BGD",
                                                        "target": "GAO-ASP"})
    said = _alert(refused.text)
    assert refused.status_code == 422 and "refusé par les règles de stockage : GAO-ASP holds" in said
    assert "Un officier qui approuve à GAO-ASP peut consigner une dérogation" in said and "{" not in said
    ammo.set_status(ledger, toxic, "suspended", "TN-7", actor="maj.sy", code="J")
    refused = client.post("/record", headers=fr, data={**move, "kind": "transfer", "source": "GAO-ARM",
                                                        "target": "GAO-ASP"})
    said = _alert(refused.text)
    assert refused.status_code == 422 and f"le lot {toxic} est suspendu (code J: " in said, said
    assert "TN-7. Il peut être réintégré" in said
    said = _alert(client.post("/ammo/GAO-ASP/overrides", headers=fr, data={"csrf": csrf, "item": toxic,
                                                                          "reason": ""}).text)
    assert "« motif »" in said and "donnez le motif de la dérogation" in said
    said = _alert(client.post(f"/ammo/lots/{quote(toxic)}/status", headers=fr,
                              data={"csrf": csrf, "status": "suspended", "reason": "x", "since": "hier"}).text)
    assert "n'est pas une date" in said and "hier" in said


def test_a_lot_also_held_out_of_sight(app, client, personas) -> None:  # noqa: ANN001
    """The officer (MINUSMA) sees the lot at Gao but not at Juba (UNMISS): no decision, and no word of Juba."""
    _bombs, toxic = _stock(app)
    post(app.state.wam.ledger, make_movement(kind="receipt", item=toxic, quantity=3, source="supply:BGD",
                                             target="JUBA-ARM", occurred_at=T0 + timedelta(days=5), actor="setup"))
    csrf = sign_in(client, "officer")
    page = client.get(f"/ammo/lots/{quote(toxic)}").text
    assert "JUBA" not in page and 'id="status-form"' in page  # what the officer sees, they may decide on
    refused = client.post(f"/ammo/lots/{quote(toxic)}/status", data={"csrf": csrf, "status": "recalled",
                                                                      "reason": "notice"})
    assert refused.status_code == 403 and "held at 1 holder(s) where you do not approve" in _alert(refused.text)
    assert "JUBA" not in refused.text
    answer = client.post(f"/api/ammo/lots/{quote(toxic, safe='')}/status", json={"status": "recalled", "reason": "n"},
                         headers={"Authorization": f"Bearer {personas['officer'].token}"})
    assert answer.status_code == 403 and "JUBA" not in answer.text
    assert client.get("/api/ammo/lots/suspended", headers={"Authorization": f"Bearer {personas['admin'].token}"},
                      ).json()["items"] == []  # nothing was recorded
