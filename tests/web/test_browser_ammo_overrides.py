"""An override and a suspension in the browser (Debian Chromium through Playwright), on a phone in English
and on a desktop in French (issue 13). The ammunition point holds 1,000 kg of HD 1.1 (group D) and was
surveyed 200 m from inhabited buildings: it is in breach. The officer tries to receive a lot of group K
there from the record form and reads the ledger's refusal (the rule, and how to override); records an
override with its reason on the store's page; receives the lot; suspends it from its page with a
condition code; and finds it on the overview's list of suspended lots with its holder and quantity.
The pages pass the accessibility audit and never scroll sideways."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import quote

import pytest

from tests.factories import T0, make_item, post
from wam.domain.movements import make_movement
from wam.services import ammo
from wam.web.i18n import Translator

from .test_browser import sign_in
from .test_browser_a11y import AUDIT
from .test_browser_assessment import VIEWS, screen
from .test_browser_lists import _no_sideways_scroll, _shot

pytestmark = pytest.mark.browser
TOXIC = make_item(type="ammunition", make="X", model="irritant", lot="K-1", calibre="40mm", hazard_division="1.2",
                  compatibility_group="K", neq_kg="0.1")


@pytest.fixture(params=list(VIEWS))
def view(request, live, app) -> Iterator:  # noqa: ANN001
    ledger = app.state.wam.ledger
    bombs = make_item(type="ammunition", make="Expal", model="HE 81mm", lot="E-81", calibre="81mm",
                      hazard_division="1.1", compatibility_group="D", neq_kg="1")
    ledger.register_items([bombs, TOXIC])
    post(ledger, make_movement(kind="receipt", item=bombs.key, quantity=1000, source="supply:BGD", target="GAO-ASP",
                               occurred_at=T0 + timedelta(days=3), actor="setup"))
    ammo.record_distances(ledger, "GAO-ASP", {"inhabited_building": 200}, actor="setup")
    yield from screen(live, request.param)


def _audited(page) -> None:  # noqa: ANN001
    _no_sideways_scroll(page)
    assert page.evaluate(AUDIT) == []


def _receive(page, t) -> None:  # noqa: ANN001
    """Ten of the K lot received at the ammunition point, on the record form."""
    page.goto("/record")
    page.select_option("select[name=kind]", "receipt")
    page.fill("input[name=source]", "supply:BGD")
    page.fill("input[name=target]", "GAO-ASP")
    page.get_by_text(t("record.lot"), exact=True).click()
    page.fill("input[name=item]", TOXIC.key)
    page.fill("input[name=quantity]", "10")
    page.click("#record button[type=submit]")


def test_an_override_then_a_suspension(view) -> None:  # noqa: ANN001
    page, t = view, Translator(view.lang)
    sign_in(page, "officer")
    _receive(page, t)
    refusal = page.locator("[role=alert]")
    refusal.wait_for()
    said = refusal.text_content()
    assert "D" in said and "K" in said and "override" in said and "GAO-ASP" in said  # the rule, and the way out
    assert refusal.is_visible()
    _no_sideways_scroll(page)
    _shot(page, "ammo-record-refused")

    page.goto("/ammo/GAO-ASP")
    assert page.locator("#breaches").is_visible() and page.locator("#no-overrides").is_visible()
    page.get_by_text(t("ammo.override"), exact=True).click()
    form = page.locator("#override-form form")
    form.locator("input[name=item]").fill(TOXIC.key)
    form.locator("textarea[name=reason]").fill("awaiting transport to the demolition range")
    form.get_by_role("button", name=t("ammo.override_submit")).click()
    page.wait_for_url("**/ammo/GAO-ASP?done=override*")
    assert page.locator("[role=status]").text_content() == t("ammo.done_override")
    row = page.locator("#overrides tbody tr").first.text_content()
    assert TOXIC.key in row and "awaiting transport" in row and "officer" in row
    _audited(page)
    _shot(page, "ammo-store-override")

    _receive(page, t)
    page.wait_for_url("**recorded=1*")

    page.goto("/ammo/GAO-ASP")
    page.locator(f"a[href='/ammo/lots/{quote(TOXIC.key)}']").first.click()
    page.wait_for_url("**/ammo/lots/**")
    assert page.locator("#no-history").is_visible() and "GAO-ASP" in page.locator("#holders").text_content()
    page.get_by_text(t("ammo.decide"), exact=True).click()
    page.select_option("select[name=status]", "suspended")
    page.select_option("select[name=code]", "J")
    page.fill("textarea[name=reason]", "technical notice TN-7: fuze defect")
    _audited(page)
    page.get_by_role("button", name=t("ammo.decide_submit")).click()
    page.wait_for_url("**done=suspended")
    assert page.locator("#lot-status b").text_content() == t("ammo.status_suspended")
    assert "TN-7" in page.locator("#history").text_content()
    _audited(page)
    _shot(page, "ammo-lot-suspended")

    page.get_by_role("link", name=t("ammo.back")).click()
    page.wait_for_url("**/ammo")
    row = page.locator("#suspended tbody tr", has=page.locator(f"a[href='/ammo/lots/{quote(TOXIC.key)}']"))
    text = row.text_content()
    assert t("ammo.status_suspended") in text and "TN-7" in text and t("ammo.code", code="J") in text
    assert row.locator("a[href='/holders/GAO-ASP']").is_visible() and ": 10" in text
    _audited(page)
    _shot(page, "ammo-suspended")
