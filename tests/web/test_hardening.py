"""Web hardening: security headers and a strict CSP, Secure cookies, trusted proxies only by
configuration, 429 with Retry-After, and denied accesses in the audit log."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wam.services import audit

from .asgi import AppClient
from .conftest import PASSWORD, fast_settings

TEMPLATES = Path(__file__).parents[2] / "src" / "wam" / "web" / "templates"


def _headers_ok(response) -> None:  # noqa: ANN001
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/login", "/api/me", "/static/wam.css", "/no-such-page", "/holders/GAO-ARM"])
def test_every_response_carries_the_security_headers(client, path) -> None:  # noqa: ANN001
    _headers_ok(client.get(path))


def test_the_templates_have_no_inline_script_style_or_handler() -> None:
    for template in TEMPLATES.glob("*.html"):
        source = template.read_text()
        for script in re.findall(r"<script\b[^>]*>(.*?)</script>", source, flags=re.S):
            assert not script.strip(), f"{template.name}: inline script"
        assert not re.search(r"<script\b(?![^>]*\bsrc=)", source), f"{template.name}: script without src"
        assert not re.search(r"\son[a-z]+\s*=", source), f"{template.name}: inline event handler"
        assert not re.search(r"<style\b|\sstyle\s*=", source), f"{template.name}: inline style"
        assert "javascript:" not in source.lower(), template.name


def _sign_in(client, name: str = "viewer", password: str = PASSWORD,
             headers: dict | None = None):  # noqa: ANN001, ANN201
    page = client.get("/login")
    pre = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"name": name, "password": password, "csrf": pre}, headers=headers or {})


def test_cookies_are_secure_over_https(app, personas) -> None:  # noqa: ANN001
    with AppClient(app) as client:
        client.base_url = "https://testserver"
        done = _sign_in(client)
        assert done.status_code == 303
        assert all("secure" in c.lower() for c in done.headers.get_list("set-cookie"))
    with AppClient(app) as plain:  # plain http on a development machine: not Secure
        assert all("secure" not in c.lower() for c in _sign_in(plain).headers.get_list("set-cookie"))


def _app(web_world, db_url, tmp_path, **extra):  # noqa: ANN001, ANN003, ANN201
    from wam.web.app import create_app

    return create_app(fast_settings(db_url, tmp_path, **extra), ledger=web_world.ledger)


def _failures_from(engine) -> list[str]:  # noqa: ANN001
    with engine.connect() as conn:
        return [e.address for e in audit.entries(conn) if e.action == "sign_in_failed"]


def test_forwarded_for_is_ignored_without_configured_proxies(app, personas) -> None:  # noqa: ANN001
    with AppClient(app) as client:  # the test client connects from 127.0.0.1
        _sign_in(client, password="wrong password", headers={"X-Forwarded-For": "203.0.113.50"})
    assert _failures_from(app.state.wam.ledger.engine) == ["127.0.0.1"]


def test_forwarded_for_and_proto_are_believed_from_a_configured_proxy(web_world, db_url,
                                                                      tmp_path) -> None:  # noqa: ANN001
    app = _app(web_world, db_url, tmp_path, trusted_proxies="127.0.0.1")
    app.state.wam.accounts.add_user("viewer", PASSWORD)
    with AppClient(app) as client:
        client.base_url = "https://testserver"  # the proxy's side of the connection: cookies are Secure
        forwarded = {"X-Forwarded-For": "203.0.113.50", "X-Forwarded-Proto": "https"}
        _sign_in(client, password="wrong password", headers=forwarded)
        done = _sign_in(client, headers=forwarded)
        assert all("secure" in c.lower() for c in done.headers.get_list("set-cookie"))
    assert _failures_from(app.state.wam.ledger.engine) == ["203.0.113.50"]


def test_a_proxy_not_named_is_not_believed(web_world, db_url, tmp_path) -> None:  # noqa: ANN001
    app = _app(web_world, db_url, tmp_path, trusted_proxies="10.0.0.0/8")
    with AppClient(app) as client:
        client.base_url = "https://testserver"
        _sign_in(client, name="nobody", password="wrong password", headers={"X-Forwarded-For": "203.0.113.50"})
    assert _failures_from(app.state.wam.ledger.engine) == ["127.0.0.1"]


def test_a_throttled_token_request_says_when_to_retry(client, personas) -> None:  # noqa: ANN001
    codes = [client.post("/api/auth/token", json={"name": "viewer", "password": "wrong password"}) for _ in range(6)]
    assert [c.status_code for c in codes[:5]] == [401] * 5
    assert codes[5].status_code == 429 and int(codes[5].headers["retry-after"]) >= 1


def test_denied_accesses_are_audited_with_who_what_and_where(app, client, personas) -> None:  # noqa: ANN001
    viewer = {"Authorization": f"Bearer {personas['viewer'].token}"}
    assert client.get("/api/items/W|NORINCO|TYPE 56|56-30001", headers=viewer).status_code == 404  # another mission
    assert client.get("/api/users", headers=viewer).status_code == 403
    with app.state.wam.ledger.engine.connect() as conn:
        rows = [e for e in audit.entries(conn) if e.action.startswith("denied_")]
    assert [(r.action, r.actor, r.address) for r in rows] == [("denied_404", "viewer", "127.0.0.1"),
                                                              ("denied_403", "viewer", "127.0.0.1")]
    assert rows[0].target.startswith("GET /api/items/") and rows[1].target == "GET /api/users"


def test_administrative_changes_through_the_api_are_audited(app, client, personas) -> None:  # noqa: ANN001
    admin = {"Authorization": f"Bearer {personas['admin'].token}"}
    assert client.post("/api/users", json={"name": "clerk", "password": "a long password"},
                       headers=admin).status_code == 201
    grant = client.post("/api/users/clerk/grants", json={"role": "viewer", "holder": "GAO-ARM"}, headers=admin).json()
    assert client.delete(f"/api/users/clerk/grants/{grant['id']}", headers=admin).status_code == 204
    with app.state.wam.ledger.engine.connect() as conn:
        rows = [e for e in audit.entries(conn) if e.target == "clerk"]
    assert [(r.action, r.actor, r.address) for r in rows] == [
        ("user_created", "admin", "127.0.0.1"), ("grant_added", "admin", "127.0.0.1"),
        ("grant_revoked", "admin", "127.0.0.1")]


def test_digits_int_cannot_read_are_refused_not_a_crash(client, personas) -> None:  # noqa: ANN001
    """'²' is a digit to str.isdigit but not to int(): every number read from a URL or a form is checked
    with str.isdecimal, so these answer 404 or 422, never 500 (README trial)."""
    from .conftest import sign_in

    headers = {"Authorization": f"Bearer {personas['admin'].token}"}
    assert client.get("/api/movements/abc:²", headers=headers).status_code == 404
    assert client.get("/api/movements?cursor=²", headers=headers).status_code == 422
    sign_in(client, "admin")
    for path in ("/movements?page=²", "/recoveries", "/assessments"):
        assert client.get(path).status_code < 500, path
