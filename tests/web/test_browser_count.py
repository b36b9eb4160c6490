"""A blind stock count in the browser (Debian Chromium through Playwright) on a tablet-sized screen
(768x1024, touch), in English and French: start the count, scan serials, see the progress but never the
book figure, close it and see the discrepancy awaiting a second person; no sideways scrolling."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .test_browser import ARGS, CHROMIUM, sign_in
from .test_browser_lists import _no_sideways_scroll, _shot

pytestmark = pytest.mark.browser
LOCALES = {"en": "en-GB", "fr": "fr-FR"}
TEXTS = {"en": {"start": "Start counting", "add": "Record these", "close": "Close and reconcile", "added": "2 line"},
         "fr": {"start": "Commencer", "add": "Consigner", "close": "Clore et rapprocher", "added": "2 ligne"}}


@pytest.fixture(params=list(LOCALES))
def tablet(request, live) -> Iterator:  # noqa: ANN001
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but /usr/bin/chromium is missing")
        pytest.skip("no /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(base_url=live.url, locale=LOCALES[request.param],
                                      viewport={"width": 768, "height": 1024}, has_touch=True, is_mobile=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.viewport_name = f"tablet-{request.param}"
        page.lang = request.param
        yield page
        browser.close()


def test_a_blind_count_on_a_tablet(tablet) -> None:  # noqa: ANN001
    page, texts = tablet, TEXTS[tablet.lang]
    sign_in(page, "quartermaster")
    page.goto("/counts")
    _no_sideways_scroll(page)
    page.locator("#count-start").evaluate("form => form.closest('details').open = true")
    page.fill("input[name=holder]", "GAO-ARM")
    page.get_by_role("button", name=texts["start"], exact=True).tap()
    page.wait_for_url("**/counts/CNT-*")
    assert page.locator("#blind-note").is_visible()
    page.fill("textarea[name=serials]", "56-00001\n56-00002")
    page.get_by_role("button", name=texts["add"], exact=True).tap()
    page.wait_for_url("**?added=2")
    assert texts["added"] in page.locator("[role=status]").text_content()
    assert "56-00003" not in page.content()  # blind: the book's third rifle is never shown while counting
    _no_sideways_scroll(page)
    _shot(page, "count-blind")
    page.locator("#close-count").tap()
    page.wait_for_selector("#cases")
    assert "56-00003" in page.locator("#cases").text_content()
    _no_sideways_scroll(page)
    _shot(page, "count-cases")
