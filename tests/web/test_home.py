"""The home page's to-do lists: movements to confirm, stock counts due, checks; and the confirmation API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.factories import post, rifle
from wam.domain.movements import make_movement

from .conftest import PENDING, sign_in

PENDING_OWN = rifle(PENDING["own"]).key  # transferred GAO -> GAO-ARM by "setup", unconfirmed


def _bearer(personas, name: str) -> dict[str, str]:  # noqa: ANN001
    return {"Authorization": f"Bearer {personas[name].token}"}


def _section(html: str, section: str) -> str:
    found = re.search(rf'<section id="{section}">(.*?)</section>', html, re.S)
    return found.group(1) if found else ""


def test_it_lists_movements_to_confirm_and_confirms_one_from_home(app, client, personas) -> None:  # noqa: ANN001
    csrf = sign_in(client, "quartermaster")
    todo = _section(client.get("/").text, "to-confirm")
    assert "Movements to confirm" in todo and PENDING["own"] in todo and "1 awaiting your confirmation" in todo
    uid = re.search(r'action="/movements/([^"]+)/confirm"', todo).group(1)
    assert client.post(f"/movements/{uid}/confirm", data={"csrf": "forged"}).status_code == 403
    done = client.post(f"/movements/{uid}/confirm", data={"csrf": csrf})
    assert done.status_code == 303 and done.headers["location"] == "/?confirmed=1"
    home = client.get("/?confirmed=1").text
    assert "Receipt confirmed." in home and "Nothing awaits your confirmation." in _section(home, "to-confirm")
    assert "confirmed by quartermaster" in client.get(f"/items/{PENDING_OWN}").text
    again = client.post(f"/movements/{uid}/confirm", data={"csrf": csrf})
    assert again.status_code == 409 and "already confirmed by quartermaster" in again.text


def test_it_shows_each_role_only_its_lists(client, personas) -> None:  # noqa: ANN001
    sign_in(client, "viewer")
    home = client.get("/").text
    assert not _section(home, "to-confirm") and not _section(home, "counts-due") and not _section(home, "checks")
    client.cookies.clear()
    sign_in(client, "auditor")
    home = client.get("/").text
    assert not _section(home, "to-confirm") and _section(home, "counts-due") and _section(home, "checks")


def test_it_shows_the_last_verification_without_running_one(app, client, personas, monkeypatch) -> None:  # noqa: ANN001
    sign_in(client, "auditor")
    runs = []
    original = app.state.wam.ledger.verify
    monkeypatch.setattr(app.state.wam.ledger, "verify", lambda *a, **k: runs.append(1) or original(*a, **k))
    checks = _section(client.get("/").text, "checks")
    assert "not been verified since the server started" in checks and 'href="/verification"' in checks
    assert runs == []
    assert client.get("/verification").status_code == 200 and runs == [1]
    checks = _section(client.get("/").text, "checks")
    assert "no problem found" in checks and runs == [1]


def test_the_verification_page_runs_again_only_when_the_ledger_changed_or_asked(app, client, personas,  # noqa: ANN001
                                                                                 monkeypatch) -> None:
    sign_in(client, "auditor")
    runs = []
    original = app.state.wam.ledger.verify
    monkeypatch.setattr(app.state.wam.ledger, "verify", lambda *a, **k: runs.append(1) or original(*a, **k))
    first = client.get("/verification")
    assert first.status_code == 200 and "no problem found" in first.text and runs == [1]
    assert client.get("/verification").status_code == 200 and runs == [1]  # unchanged ledger: the stored result
    headers = _bearer(personas, "auditor")
    assert client.get("/api/verification", headers=headers).json()["ok"] and runs == [1]
    app.state.wam.ledger.register_items([rifle("88-00001")])
    post(app.state.wam.ledger, make_movement(kind="receipt", item=rifle("88-00001").key, quantity=1,
                                             source="supply:BGD", target="GAO-ARM", occurred_at=datetime.now(UTC),
                                             actor="setup", document="RV-9"))
    assert client.get("/verification").status_code == 200 and runs == [1, 1]  # a new entry: verified again
    assert client.get("/verification").status_code == 200 and runs == [1, 1]
    csrf = re.search(r'name="csrf" value="([^"]+)"', first.text)
    assert csrf and client.post("/verification", data={"csrf": csrf[1]}).status_code == 303 and runs == [1, 1, 1]
    assert client.post("/api/verification", headers=headers).json()["ok"] and runs == [1, 1, 1, 1]


def test_it_lists_stores_whose_count_is_due(app, client, personas) -> None:  # noqa: ANN001
    from wam.services.counts_due import counts_due
    from wam.services.scoped import ScopedLedger

    ledger = app.state.wam.ledger
    now = datetime.now(UTC)
    rounds = "L|POF|7.62X39MM BALL|POF-2021-07"
    for store, days in (("GAO-ASP", 3), ("KIDAL-ARM", 40)):
        if store == "KIDAL-ARM":  # an approved count found a rifle's worth of difference there 40 days ago
            post(ledger, make_movement(kind="adjustment", item=rifle("56-10001").key, quantity=1, source="KIDAL-ARM",
                                      target="count-adjustment", occurred_at=now - timedelta(days=days),
                                      actor="officer", document="COUNT-7"))
        else:  # and five more rounds at the ammunition point 3 days ago
            post(ledger, make_movement(kind="adjustment", item=rounds, quantity=5, source="count-adjustment",
                                      target=store, occurred_at=now - timedelta(days=days), actor="officer",
                                      document="COUNT-8"))
    officer = ScopedLedger(ledger, app.state.wam.ancestry, app.state.wam.accounts.user("officer").roles, "officer")
    total, due = counts_due(officer, interval_days=30, limit=10)
    listed = [(d.code, d.days) for d in due]
    assert ("GAO-ASP", 3) not in listed and ("KIDAL-ARM", 40) in listed
    assert listed[-1] == ("KIDAL-ARM", 40) and all(days is None for _, days in listed[:-1])  # never counted first
    assert total == len(listed) == 3  # GAO-ARM and ANSONGO-ARM never counted, KIDAL-ARM 40 days ago
    sign_in(client, "quartermaster")  # BGD-BATT: GAO-ARM (never) and GAO-ASP (3 days: not due)
    due_html = _section(client.get("/").text, "counts-due")
    assert "GAO-ARM" in due_html and "never counted" in due_html and "GAO-ASP" not in due_html


def test_the_api_lists_and_confirms_receipts(client, personas) -> None:  # noqa: ANN001
    officer = _bearer(personas, "officer")
    pending = client.get("/api/confirmations/pending", headers=officer).json()
    uid = next(e["id"] for e in pending["items"] if e["item"] == PENDING_OWN)
    assert pending["next"] is None and all(e["confirmed_by"] is None for e in pending["items"])
    done = client.post(f"/api/movements/{uid}/confirm", headers=officer)
    assert done.status_code == 201, done.text
    assert done.json()["confirmed_by"] == "officer" and done.json()["movement"] == uid
    again = client.post(f"/api/movements/{uid}/confirm", headers=_bearer(personas, "armourer"), json={"note": "x"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "confirmation_refused"
    assert client.get(f"/api/movements/{uid}", headers=officer).json()["confirmed_by"] == "officer"
    history = client.get(f"/api/items/{PENDING_OWN}/history", headers=_bearer(personas, "viewer")).json()["items"]
    assert history[-1]["confirmed_by"] == "officer" and history[0]["confirmed_by"] is None
    assert uid not in {e["id"] for e in client.get("/api/confirmations/pending", headers=officer).json()["items"]}


def test_an_issue_awaits_no_confirmation_and_confirming_it_is_refused(client, personas) -> None:  # noqa: ANN001
    armourer, officer = _bearer(personas, "armourer"), _bearer(personas, "officer")
    issued = client.post("/api/movements", headers=armourer, json={
        "kind": "issue", "item": rifle("56-00002").key, "source": "GAO-ARM", "target": "PTE-RAHMAN"})
    assert issued.status_code == 201, issued.text
    uid = issued.json()["id"]
    for who in (officer, _bearer(personas, "quartermaster")):
        pending = client.get("/api/confirmations/pending", headers=who, params={"limit": 200}).json()["items"]
        assert uid not in {e["id"] for e in pending}
        refused = client.post(f"/api/movements/{uid}/confirm", headers=who)
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "confirmation_refused"
    assert client.get(f"/api/movements/{uid}", headers=officer).json()["confirmed_by"] is None


def test_the_api_pages_what_awaits_and_refuses_the_recorder(client, personas) -> None:  # noqa: ANN001
    officer = _bearer(personas, "officer")
    seen, cursor = [], None
    while True:
        page = client.get("/api/confirmations/pending", params={"limit": 1, **({"cursor": cursor} if cursor else {})},
                          headers=officer).json()
        seen += [e["seq"] for e in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == 3  # own, sibling, country: the officer's MINUSMA
    recorded = client.post("/api/movements", headers=officer, json={
        "kind": "transfer", "item": rifle("56-20001").key, "source": "ANSONGO-ARM", "target": "GAO-ARM"}).json()
    assert recorded["id"] not in {e["id"] for e in client.get("/api/confirmations/pending", headers=officer,
                                                               params={"limit": 200}).json()["items"]}
    refused = client.post(f"/api/movements/{recorded['id']}/confirm", headers=officer)
    assert refused.status_code == 403 and "you recorded this movement" in refused.json()["error"]["message"]
    assert client.post(f"/api/movements/{recorded['id']}/confirm",
                       headers=_bearer(personas, "quartermaster")).status_code == 201


def test_the_officer_and_the_auditor_see_what_is_overdue(app, client, personas) -> None:  # noqa: ANN001
    from tests.factories import T0
    from wam.services import incidents, recoveries

    ledger = app.state.wam.ledger
    late = incidents.report(ledger, actor="setup", lines=[[rifle("56-00003").key, 1, "GAO-ARM"]],
                            started_at=T0 + timedelta(days=5), site="GAO", mission="MINUSMA",
                            circumstance="fixed_site", mechanism="theft_burglary", ownership="COE")
    kept = recoveries.register(ledger, actor="setup", to="GAO-ARM", how="cache", unit="patrol", place="wadi",
                               recovered_at=T0 + timedelta(days=6), items=[{"type": "weapon", "make": "Norinco",
                                                                           "model": "Type 56", "serial": "X-1"}])
    for name in ("officer", "auditor"):
        client.cookies.clear()
        sign_in(client, name)
        page = client.get("/").text
        assert 'id="oversight"' in page and f"/incidents/{late.number}" in page, name
        assert f"/recoveries/{kept.number}" in page and "without a disposal" in page, name
    client.cookies.clear()
    sign_in(client, "armourer")
    assert 'id="oversight"' not in client.get("/").text


def test_the_officer_sees_stores_in_breach_and_suspended_lots_held(app, client, personas) -> None:  # noqa: ANN001
    from tests.factories import T0, make_item
    from wam.services import ammo

    ledger = app.state.wam.ledger
    bombs = make_item(type="ammunition", make="Expal", model="HE 81mm", lot="E-81", calibre="81mm",
                      hazard_division="1.1", compatibility_group="D", neq_kg="1")
    ledger.register_items([bombs])
    post(ledger, make_movement(kind="receipt", item=bombs.key, quantity=1000, source="supply:BGD", target="GAO-ASP",
                               occurred_at=T0 + timedelta(days=3), actor="setup"))
    sign_in(client, "officer")
    assert "in breach of the storage rules" not in _section(client.get("/").text, "oversight")
    ammo.record_distances(ledger, "GAO-ASP", {"inhabited_building": 150}, actor="maj.sy")  # a survey after the fact
    ammo.set_status(ledger, bombs.key, "recalled", "manufacturer recall", actor="maj.sy")
    shown = _section(client.get("/").text, "oversight")
    assert "1 ammunition store(s) in breach" in shown and 'href="/ammo/GAO-ASP"' in shown and "needs 222" in shown
    assert "1 lot(s) suspended or recalled, still held" in shown and bombs.key in shown and "recalled" in shown
    french = _section(client.get("/", headers={"Accept-Language": "fr"}).text, "oversight")
    assert "en infraction aux règles de stockage" in french
