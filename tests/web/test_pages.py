"""Pages: sign-in and CSRF, recording with serials, holder and item pages, French, errors."""

from __future__ import annotations

import re

from .asgi import AppClient
from .conftest import PASSWORD, sign_in


def test_it_has_every_text_in_both_languages() -> None:
    from wam.web.i18n import LANGUAGES, catalog

    keys = {lang: set(catalog(lang)) for lang in LANGUAGES}
    assert keys["en"] == keys["fr"]
    assert all(catalog("fr")[k].strip() for k in keys["fr"])


def test_it_uses_only_keys_the_catalog_has() -> None:
    from pathlib import Path

    import wam.web
    from wam.web.i18n import catalog

    root = Path(wam.web.__file__).parent
    used = set()
    for path in [*root.glob("templates/*.html"), *root.glob("pages/*.py")]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_.-]+)["']""", path.read_text()))
    families = {k for k in used if k.endswith(".")}
    assert used - families <= set(catalog("en")), used - families - set(catalog("en"))
    from wam.domain.access import Role
    from wam.domain.holders import HolderKind
    from wam.domain.materiel import ItemType
    from wam.domain.movements import MovementKind

    from wam.domain.movements import EXPENDITURE_REASONS

    values = {"kind.": MovementKind, "kindh.": HolderKind, "role.": Role, "type.": ItemType}
    from wam.reports.brief import KINDS as MAP_KINDS

    assert families <= set(values) | {"reason.", "ana.map_kind."}
    for prefix, enum in values.items():
        assert {prefix + v.value for v in enum} <= set(catalog("en")), prefix
    assert {f"reason.{r}" for r in EXPENDITURE_REASONS} <= set(catalog("en"))
    assert {f"ana.map_kind.{k}" for k in MAP_KINDS} <= set(catalog("en")) & set(catalog("fr"))


def test_it_sends_strangers_to_sign_in(client) -> None:  # noqa: ANN001
    response = client.get("/holders/GAO-ARM")
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def test_it_signs_in_and_out_with_a_secure_cookie(client, personas) -> None:  # noqa: ANN001
    page = client.get("/login")
    pre = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    done = client.post("/login", data={"name": "viewer", "password": PASSWORD, "csrf": pre, "next": "/holders"})
    assert done.status_code == 303 and done.headers["location"] == "/holders"
    cookie = done.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    home = client.get("/")
    csrf = re.search(r'name="csrf" value="([^"]+)"', home.text).group(1)
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert client.post("/logout", data={"csrf": csrf}).status_code == 303
    assert client.get("/").status_code == 303


def test_it_refuses_a_sign_in_form_from_elsewhere(client, personas) -> None:  # noqa: ANN001
    response = client.post("/login", data={"name": "viewer", "password": PASSWORD, "csrf": "x"})
    assert response.status_code == 403


def test_it_throttles_the_sign_in_page(client, personas) -> None:  # noqa: ANN001
    page = client.get("/login")
    pre = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    codes = [client.post("/login", data={"name": "viewer", "password": "wrong one!", "csrf": pre}).status_code
             for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429


def test_it_records_serials_and_shows_them_on_holder_and_item_pages(client, personas) -> None:  # noqa: ANN001
    csrf = sign_in(client, "armourer")
    check = client.get("/record/check", params={"serials": "56-00002\n56-99999\n56-20001"})
    assert check.text.count('class="ok"') == 1 and check.text.count('class="bad"') == 2
    done = client.post("/record", data={"csrf": csrf, "kind": "issue", "source": "GAO-ARM", "target": "PTE-RAHMAN",
                                        "serials": "56-00002\n 56-00003 "})
    assert done.status_code == 303
    person = client.get("/holders/PTE-RAHMAN").text
    assert "56-00002" in person and "56-00003" in person
    item = client.get("/items/W|NORINCO|TYPE 56|56-00002").text
    assert "PTE-RAHMAN" in item and "armourer" in item


def test_it_names_the_field_when_a_form_is_refused(client, personas) -> None:  # noqa: ANN001
    csrf = sign_in(client, "armourer")
    response = client.post("/record", data={"csrf": csrf, "kind": "issue", "source": "GAO-ARM",
                                            "target": "PTE-RAHMAN", "serials": "56-99999"})
    assert response.status_code == 422 and "serials" in response.text
    response = client.post("/record", data={"csrf": csrf, "kind": "transfer", "source": "GAO-ARM",
                                            "target": "PTE-RAHMAN", "serials": "56-00002"})
    assert response.status_code == 403


def test_it_shows_a_holder_at_a_past_date(client, personas) -> None:  # noqa: ANN001
    sign_in(client, "quartermaster")
    assert "56-00001" in client.get("/holders/GAO-ARM", params={"at": "2024-01-02"}).text
    assert "Holds nothing" in client.get("/holders/GAO-ARM", params={"at": "2023-12-31"}).text
    assert client.get("/holders/GAO-ARM", params={"at": "yesterday"}).status_code == 422


def test_it_speaks_french_from_the_browser_or_the_switch(client, personas) -> None:  # noqa: ANN001
    assert "Connexion" in client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}).text
    sign_in(client, "viewer")
    client.get("/lang/fr")
    assert "Détenteurs" in client.get("/holders").text
    assert "Introuvable" in client.get("/holders/JUBA-ARM").text
    client.get("/lang/en")
    assert "Holders" in client.get("/holders").text


def test_it_shows_each_role_its_home(client, personas) -> None:  # noqa: ANN001
    sign_in(client, "auditor")
    home = client.get("/").text
    assert "/verification" in home and "/record" not in home
    assert "ok" in client.get("/verification").text
    assert client.get("/record").status_code == 403
    assert client.get("/admin/users").status_code == 403


def test_it_lets_administrators_manage_users(client, personas) -> None:  # noqa: ANN001
    csrf = sign_in(client, "mission-admin")
    assert client.post("/admin/users", data={"csrf": csrf, "name": "gina", "password": PASSWORD}).status_code == 303
    granted = client.post("/admin/users/gina/grants", data={"csrf": csrf, "role": "armourer", "holder": "KIDAL-ARM"})
    assert granted.status_code == 303
    assert "armourer@KIDAL-ARM" in client.get("/admin/users").text
    refused = client.post("/admin/users/gina/grants", data={"csrf": csrf, "role": "viewer", "holder": "JUBA-ARM"})
    assert refused.status_code == 404


def test_it_never_shows_a_stack_trace(app, personas, monkeypatch) -> None:  # noqa: ANN001
    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app.state.wam.ledger, "balance", boom)
    headers = {"Authorization": f"Bearer {personas['admin'].token}"}
    with AppClient(app) as client:
        client._transport.inner.raise_app_exceptions = False  # noqa: SLF001  (see the response, as a user would)
        response = client.get("/api/holders/GAO-ARM/balances", headers=headers)
    assert response.status_code == 500 and "secret internals" not in response.text
    assert response.json()["error"]["code"] == "internal"


def test_it_keeps_a_generated_secret_beside_the_database(tmp_path) -> None:  # noqa: ANN001
    from wam.web.settings import WebSettings, resolve_secret, secret_file

    settings = WebSettings(database_url=f"sqlite:///{tmp_path / 'site.db'}")
    first = resolve_secret(settings)
    assert secret_file(settings) == tmp_path / "site.db.secret-key"
    assert oct(secret_file(settings).stat().st_mode & 0o777) == "0o600"
    assert resolve_secret(settings) == first and len(first) >= 32
    import pytest

    with pytest.raises(ValueError, match="WAM_SECRET_KEY"):
        resolve_secret(WebSettings(database_url=settings.database_url, environment="production"))
