"""Lists in the browser (Debian Chromium through Playwright), on a phone (390x844) and a desktop:
paging through a store's 130 rifles, filtering by serial, sorting, exporting as filtered, and no
sideways scrolling on the phone. Screenshots go to ``WAM_SCREENSHOTS`` when set (CI artefacts)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import keep_screenshots
from .test_browser import ARGS, CHROMIUM, sign_in
from .test_lists import MANY, stocked  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture(params=list(VIEWPORTS))
def tab(request, live, stocked) -> Iterator:  # noqa: ANN001, F811
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but /usr/bin/chromium is missing")
        pytest.skip("no /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(base_url=live.url, locale="en-GB", viewport=VIEWPORTS[request.param],
                                      accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.viewport_name = request.param
        yield page
        keep_screenshots(context, request)
        context.close()
        browser.close()


def _shot(page, name: str) -> None:  # noqa: ANN001
    folder = os.environ.get("WAM_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}-{page.viewport_name}.png"), full_page=True)


def _no_sideways_scroll(page) -> None:  # noqa: ANN001
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{width}px wide on a {page.viewport_size['width']}px screen"


def test_it_pages_filters_sorts_and_exports_a_store(tab, tmp_path) -> None:  # noqa: ANN001
    page = tab
    sign_in(page, "quartermaster")
    page.goto("/holders/GAO-ARM")
    _no_sideways_scroll(page)
    page.click("a[href='/lists/holdings?holder=GAO-ARM']")
    total = int(page.locator(".pager .total").first.get_attribute("data-total"))
    assert total >= MANY
    _no_sideways_scroll(page)
    _shot(page, "holdings")
    page.locator("a[rel=next]").first.click()
    page.wait_for_url(re.compile(r"page=2"))
    assert "51–100" in page.locator(".pager .total").first.inner_text()
    page.fill("input[name=q]", "77-0012")
    page.click("form.filters button")
    page.wait_for_url(re.compile(r"q=77-0012"))
    assert page.locator(".pager .total").first.get_attribute("data-total") == "10"
    if page.viewport_name == "desktop":  # the column headers sort (twice: descending)
        page.click("thead a:has-text('Serial')")
        page.click("thead a:has-text('Serial')")
    else:  # a phone shows rows as cards, without headers: the filter form sorts
        page.select_option("select[name=sort]", "ident")
        page.check("input[name=desc]")
        page.click("form.filters button")
    page.wait_for_url(re.compile(r"desc=1"))
    assert "77-00129" in page.locator("tbody tr").first.inner_text()
    _no_sideways_scroll(page)
    with page.expect_download() as download:
        page.click("a:has-text('CSV')")
    saved = tmp_path / "export.csv"
    download.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8-sig").strip().splitlines()
    assert len(lines) == 11 and all("77-0012" in line for line in lines[1:])


def test_the_header_search_and_movements_fit_the_screen(tab) -> None:  # noqa: ANN001
    page = tab
    sign_in(page, "quartermaster")
    box = page.locator("input[name=serial]")
    fits = box.evaluate("el => { el.value = el.placeholder; return el.scrollWidth <= el.clientWidth }")
    assert fits, "the header search field's placeholder is cut off"
    page.goto("/lists/movements?kind=receipt")
    assert page.locator(".badge.k-receipt").count() > 0
    _no_sideways_scroll(page)
    _shot(page, "movements")
