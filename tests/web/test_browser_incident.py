"""Reporting a loss incident in the browser (Debian Chromium through Playwright) on a phone-sized screen
(390x844), in English and French: from the incident list to the form, filled with the thumbs (and a
photo attached), to the incident's page with its loss posted and the next step offered; a researcher's
record from open sources likewise; no sideways scrolling on the way."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.factories import rifle

from .test_browser import ARGS, CHROMIUM, sign_in
from .test_browser_lists import VIEWPORTS, _no_sideways_scroll, _shot

pytestmark = pytest.mark.browser
LOCALES = {"en": "en-GB", "fr": "fr-FR"}
TEXTS = {"en": {"report": "Report an incident", "submit": "Report the incident",
                "done": "Incident INC-000001 reported", "next": "Open the investigation"},
         "fr": {"report": "Signaler un incident", "submit": "Signaler l'incident",
                "done": "Incident INC-000001 signalé", "next": "Ouvrir l'enquête"}}


def touch_page(live, lang: str, viewport: dict[str, int], name: str) -> Iterator:  # noqa: ANN001
    """A page of Debian's Chromium on a touch screen of ``viewport``, in ``lang``, named ``name-lang``
    for its screenshots (or a skip, or under CI=true a failure, without Chromium)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but /usr/bin/chromium is missing")
        pytest.skip("no /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(base_url=live.url, locale=LOCALES[lang], viewport=viewport,
                                      has_touch=True, is_mobile=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.viewport_name = f"{name}-{lang}"
        page.lang = lang
        yield page
        browser.close()


@pytest.fixture(params=list(LOCALES))
def phone(request, live) -> Iterator:  # noqa: ANN001
    yield from touch_page(live, request.param, VIEWPORTS["phone"], "phone")


def test_a_quartermaster_reports_an_incident_from_a_phone(phone, app) -> None:  # noqa: ANN001
    page, texts = phone, TEXTS[phone.lang]
    sign_in(page, "quartermaster")
    page.goto("/incidents")
    _no_sideways_scroll(page)
    page.get_by_role("link", name=texts["report"]).click()
    page.wait_for_url("**/incidents/report")
    _no_sideways_scroll(page)
    page.fill("input[name=site]", "GAO")
    page.fill("input[name=started_at]", "2024-02-01T02:00")
    page.fill("input[name=mission]", "MINUSMA")
    page.fill("input[name=contingent]", "1st BANBAT:BGD")
    page.select_option("select[name=circumstance]", "fixed_site")
    page.select_option("select[name=mechanism]", "theft_burglary")
    page.select_option("select[name=ownership]", "COE")
    page.fill("textarea[name=serials]", "56-00002")
    page.fill("textarea[name=narrative]", "armoury door forced at night")
    page.set_input_files("input[name=evidence]", files=[{"name": "door.png", "mimeType": "image/png",
                                                         "buffer": b"\x89PNG door"}])
    _shot(page, "incident-report")
    submit = page.get_by_role("button", name=texts["submit"])
    box = submit.bounding_box()
    assert box is not None and box["width"] <= VIEWPORTS["phone"]["width"] and box["height"] >= 24  # a thumb's target
    submit.tap()
    page.wait_for_url("**/incidents/INC-000001?reported=1")
    assert texts["done"] in page.locator("[role=status]").text_content()
    assert page.get_by_role("button", name=texts["next"]).is_visible()
    _no_sideways_scroll(page)
    assert page.get_by_role("link", name="door.png").is_visible()
    _shot(page, "incident-page")
    assert app.state.wam.ledger.custodian(rifle("56-00002").key) == "lost"


RESEARCH = {"en": {"link": "Record from open sources", "submit": "Record", "done": "is recorded"},
            "fr": {"link": "Consigner d'après des sources ouvertes", "submit": "Consigner", "done": "est consigné"}}


def test_a_researcher_records_an_incident_from_open_sources_on_a_phone(phone, app) -> None:  # noqa: ANN001
    page, texts = phone, RESEARCH[phone.lang]
    sign_in(page, "researcher")
    page.goto("/incidents")
    page.get_by_role("link", name=texts["link"]).click()
    page.wait_for_url("**/research/new")
    _no_sideways_scroll(page)
    page.fill("input[name=started_at]", "2017-11")
    page.fill("input[name=mission]", "MINUSMA")
    page.fill("input[name=country]", "MLI")
    page.fill("input[name=place]", "Aguelhok")
    page.select_option("select[name=q1_category]", "small_arms")
    page.fill("input[name=q1_min]", "16")
    page.fill("input[name=q1_max]", "20")
    page.fill("input[name=s1_citation]", "UN SG report S/2018/273")
    page.select_option("select[name=s1_kind]", "un_report")
    _shot(page, "research-form")
    page.get_by_role("button", name=texts["submit"], exact=True).tap()
    page.wait_for_url("**/incidents/RES-*?recorded=1")
    assert texts["done"] in page.locator("[role=status]").text_content()
    assert "16–20" in page.content() or "16-20" in page.content()
    _no_sideways_scroll(page)
    _shot(page, "research-record")
