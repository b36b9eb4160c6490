"""Issue 10's findings on the pages, each a test that fails without its fix."""

from __future__ import annotations

import re

from tests.factories import T0, post, rifle
from wam.domain.movements import TEXT_LIMITS, make_movement

from .asgi import AppClient
from .conftest import sign_in


def _kinds_offered(html: str) -> set[str]:
    select = html.split('name="kind"', 1)[1].split("</select>", 1)[0]
    return set(re.findall(r'<option value="([a-z]+)"', select))


def test_the_record_form_offers_only_the_kinds_the_user_may_record(app, personas) -> None:  # noqa: ANN001
    with AppClient(app) as client:
        sign_in(client, "armourer")
        assert _kinds_offered(client.get("/record").text) == {"issue", "return"}
    with AppClient(app) as client:
        sign_in(client, "officer")
        offered = _kinds_offered(client.get("/record").text)
        assert {"transfer", "issue", "reversal"} <= offered
        assert not offered & {"loss", "recovery", "adjustment", "disposal"}  # their registers post them


def test_the_grant_form_defaults_to_the_least_privileged_role(client, personas) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    html = client.get("/admin/users/viewer").text
    select = html.split('name="role"', 1)[1].split("</select>", 1)[0]
    selected = re.findall(r'<option value="([a-z-]+)" selected', select)
    assert selected == ["viewer"]
    assert select.index('"viewer"') < select.index('"administrator"')


def test_revoking_asks_for_confirmation_first(client, personas, app) -> None:  # noqa: ANN001
    csrf = sign_in(client, "admin")
    grant_id = app.state.wam.accounts.user("viewer").grants[0].id
    user_page = client.get("/admin/users/viewer").text
    assert f'action="/admin/users/viewer/grants/{grant_id}/revoke"' not in user_page  # no one-click revoke
    ask = client.get(f"/admin/users/viewer/grants/{grant_id}/revoke")
    assert ask.status_code == 200 and f'action="/admin/users/viewer/grants/{grant_id}/revoke"' in ask.text
    assert app.state.wam.accounts.user("viewer").grants  # asking revokes nothing
    done = client.post(f"/admin/users/viewer/grants/{grant_id}/revoke", data={"csrf": csrf})
    assert done.status_code == 303 and not app.state.wam.accounts.user("viewer").grants


def test_an_error_page_keeps_the_navigation_and_sign_out(app, client, personas) -> None:  # noqa: ANN001
    sign_in(client, "quartermaster")
    for path in ("/holders/JUBA-ARM", "/no/such/page", "/admin/users"):
        page = client.get(path)
        assert page.status_code in (403, 404), path
        assert 'id="signout"' in page.text and 'href="/holders"' in page.text, path
    with AppClient(app) as stranger:
        assert 'id="signout"' not in stranger.get("/static/nothing.css").text


def test_text_inputs_carry_the_domain_limits(client, personas) -> None:  # noqa: ANN001
    sign_in(client, "admin")
    pages = [client.get(p).text for p in ("/record", "/admin/users", "/admin/users/viewer", "/lists/movements")]
    record = pages[0]
    for field in ("source", "target", "document", "witness", "item"):
        assert re.search(rf'name="{field}"[^>]*maxlength="{TEXT_LIMITS[field]}"', record), field
    assert re.search(rf'name="note"[^>]*maxlength="{TEXT_LIMITS["note"]}"', record)
    for html in pages:
        for tag in re.findall(r"<input[^>]*>", html):
            kind = re.search(r'type="(\w+)"', tag)
            no_text = ("hidden", "date", "number", "checkbox", "radio")
            if (kind and kind[1] in no_text) or 'type="datetime-local"' in tag:
                continue
            assert "maxlength=" in tag, tag


def test_static_assets_are_cached(client) -> None:  # noqa: ANN001
    for asset in ("/static/wam.css", "/static/htmx.min.js"):
        response = client.get(asset)
        assert response.status_code == 200
        assert "max-age=" in response.headers.get("cache-control", ""), asset


def test_a_movements_document_witness_reason_and_note_are_shown(client, personas, app) -> None:  # noqa: ANN001
    ledger = app.state.wam.ledger
    item = rifle("56-00002").key
    post(ledger, make_movement(kind="loss", item=item, quantity=1, source="GAO-ARM", target="lost", occurred_at=T0,
                              actor="setup", document="INC-2024-7", witness="Lt Islam", note="fell in the river"))
    sign_in(client, "quartermaster")
    for path in ("/holders/GAO-ARM", f"/items/{item}", "/lists/movements"):
        html = client.get(path).text
        assert "INC-2024-7" in html and "Lt Islam" in html and "fell in the river" in html, path


def test_home_links_to_every_movement_awaiting_confirmation(client, personas, app) -> None:  # noqa: ANN001
    ledger = app.state.wam.ledger
    items = [rifle(f"88-{n:05d}") for n in range(63)]
    ledger.register_items(items)
    for i in items:
        ledger.post(make_movement(kind="receipt", item=i.key, quantity=1, source="supply:BGD", target="GAO",
                                  occurred_at=T0, actor="setup"))
        ledger.post(make_movement(kind="transfer", item=i.key, quantity=1, source="GAO", target="GAO-ARM",
                                  occurred_at=T0, actor="setup"))
    sign_in(client, "armourer")
    home = client.get("/").text
    assert 'href="/confirmations"' in home
    seen, url = set(), "/confirmations"
    while url:
        page = client.get(url).text
        seen |= set(re.findall(r"88-\d{5}", page))
        found = re.search(r'href="(/confirmations\?cursor=\d+)" rel="next"', page)
        url = found[1] if found else ""
    assert len(seen) == 63
    csrf = client.cookies.get("wam_csrf")  # noqa: F841  (the form carries its own token)
    page = client.get("/confirmations").text
    token = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    uid = re.search(r'action="/movements/([^"]+)/confirm"', page)[1]
    done = client.post(f"/movements/{uid}/confirm", data={"csrf": token, "next": "/confirmations"})
    assert done.status_code == 303 and done.headers["location"] == "/confirmations?confirmed=1"


def test_every_page_stays_light(client, personas) -> None:  # noqa: ANN001
    """Under 100 kB gzipped on first load, with its stylesheet (and htmx on the record page)."""
    import gzip

    sign_in(client, "admin")
    assets = {p: len(gzip.compress(client.get(p).content)) for p in ("/static/wam.css", "/static/htmx.min.js")}
    for path in ("/", "/holders", "/holders/GAO-ARM", "/lists/holdings?holder=GAO-ARM&per=500",
                 "/lists/movements?per=500", "/lists/holders", "/confirmations", "/record", "/admin/users",
                 "/items/W|NORINCO|TYPE 56|56-00001"):
        size = len(gzip.compress(client.get(path).content)) + assets["/static/wam.css"]
        size += assets["/static/htmx.min.js"] if path == "/record" else 0
        assert size < 100_000, f"{path}: {size} bytes gzipped"
