"""The ammunition stores in the browser (Debian Chromium through Playwright), on a phone in English and on a
desktop in French: the overview lists a store whose mixing is allowed only on a condition and whose
distances were never surveyed; the officer records a survey from the store's page, too short for what it
holds, and sees the store in breach there and on the overview; no sideways scrolling on the way."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.builders import ammunition_point
from wam.web.i18n import Translator

from .test_browser import sign_in
from .test_browser_assessment import VIEWS, screen
from .test_browser_lists import _no_sideways_scroll, _shot

pytestmark = pytest.mark.browser


@pytest.fixture(params=list(VIEWS))
def view(request, live, app) -> Iterator:  # noqa: ANN001
    """The ammunition point holds 1,000 kg of HD 1.1 (group D) with smoke (group G), not yet surveyed."""
    ammunition_point(app.state.wam.ledger, "G")
    yield from screen(live, request.param)


def test_a_store_surveyed_into_breach(view) -> None:  # noqa: ANN001
    page, t = view, Translator(view.lang)
    sign_in(page, "officer")
    page.get_by_role("link", name=t("nav.ammo")).first.click()
    page.wait_for_url("**/ammo")
    row = page.locator("tr", has=page.locator("a[href='/ammo/GAO-ASP']"))
    assert t("ammo.ok") in row.text_content() and t("ammo.no_survey_short") in row.text_content()
    assert t("ammo.conditions", count=1) in row.text_content()  # D with G: on a condition
    _no_sideways_scroll(page)
    row.locator("a[href='/ammo/GAO-ASP']").click()
    page.wait_for_url("**/ammo/GAO-ASP")
    assert page.get_by_text(t("ammo.conditions_title")).is_visible()
    assert page.locator("#no-survey").is_visible() and page.locator("#breaches").count() == 0
    page.get_by_text(t("ammo.survey"), exact=True).click()
    page.fill("input[name=inhabited_building]", "200")
    page.get_by_role("button", name=t("ammo.survey_submit")).click()
    page.wait_for_url("**/ammo/GAO-ASP?saved=1")
    assert page.locator("[role=status]").text_content() == t("ammo.saved")
    breaches = page.locator("#breaches").text_content()
    assert "needs" in breaches and "200 m" in breaches  # the reason, with the distance recorded
    assert page.get_by_text(t("ammo.too_close")).is_visible()
    _no_sideways_scroll(page)
    _shot(page, "ammo-store-breach")
    page.goto("/ammo")
    row = page.locator("tr", has=page.locator("a[href='/ammo/GAO-ASP']"))
    assert t("ammo.in_breach", count=1) in row.text_content()
    assert page.locator("tbody tr").first.locator("a[href='/ammo/GAO-ASP']").count() == 1  # breaches first
