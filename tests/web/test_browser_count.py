"""A blind stock count in the browser (Debian Chromium through Playwright) on a tablet-sized screen
(768x1024, touch), in English and French: start the count, scan serials, see the progress but never the
book figure, close it and see the discrepancy awaiting a second person; no sideways scrolling."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .test_browser import sign_in
from .test_browser_incident import LOCALES, touch_page
from .test_browser_lists import _no_sideways_scroll, _shot

pytestmark = pytest.mark.browser
TEXTS = {"en": {"start": "Start counting", "add": "Record these", "close": "Close and reconcile", "added": "2 line"},
         "fr": {"start": "Commencer", "add": "Consigner", "close": "Clore et rapprocher", "added": "2 ligne"}}


@pytest.fixture(params=list(LOCALES))
def tablet(request, live) -> Iterator:  # noqa: ANN001
    yield from touch_page(live, request.param, {"width": 768, "height": 1024}, "tablet")


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
