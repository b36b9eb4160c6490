"""Recording without typing codes, in the browser (Debian Chromium through Playwright), on a phone
(390x844) and a desktop, in English and French: holders and weapons chosen from lists filled as the
user types, a hand receipt printed from the movement, and labels scanned from a camera where the
browser can read codes (the scan button stays hidden where it cannot)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest

from tests.factories import rifle

from .conftest import keep_screenshots
from .test_browser import ARGS, CHROMIUM, sign_in
from .test_browser_lists import VIEWPORTS, _no_sideways_scroll, _shot

pytestmark = pytest.mark.browser
LOCALES = {"en": "en-GB", "fr": "fr-FR"}
TEXTS = {"en": {"pick": "Find a weapon or lot", "done": "2 movement(s) recorded"},
         "fr": {"pick": "Trouver une arme ou un lot", "done": "2 mouvement(s)"}}

# a stand-in for the BarcodeDetector API (Chromium has it on Android, macOS and ChromeOS, not on
# Linux): it "reads" the label of rifle 56-00003 from whatever the fake camera shows
FAKE_DETECTOR = """
window.BarcodeDetector = class {
  static getSupportedFormats() { return Promise.resolve(["qr_code", "code_128"]); }
  constructor(options) { this.formats = options.formats; }
  detect(source) { return Promise.resolve([{rawValue: KEY, format: "qr_code"}]); }
};
""".replace("KEY", json.dumps(rifle("56-00003").key))


def _open(p, live, viewport: str, lang: str, extra_args=(), init: str = ""):  # noqa: ANN001, ANN202
    browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[*ARGS, *extra_args])
    context = browser.new_context(base_url=live.url, locale=LOCALES[lang], viewport=VIEWPORTS[viewport])
    if init:
        context.add_init_script(init)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.viewport_name = f"{viewport}-{lang}"
    return browser, page


@pytest.fixture(params=[(v, lang) for v in VIEWPORTS for lang in LOCALES], ids=lambda p: f"{p[0]}-{p[1]}")
def tab(request, live) -> Iterator:  # noqa: ANN001
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but /usr/bin/chromium is missing")
        pytest.skip("no /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser, page = _open(p, live, *request.param)
        page.lang = request.param[1]
        yield page
        keep_screenshots(page.context, request)
        browser.close()


def test_an_armourer_records_an_issue_by_choosing_not_typing(tab) -> None:  # noqa: ANN001
    page = tab
    sign_in(page, "armourer")
    page.goto("/record")
    assert page.locator(f"label:has-text('{TEXTS[page.lang]['pick']}') input[name=pick]").count() == 1
    assert page.locator("p.scan").is_hidden()  # no BarcodeDetector here: no scan button
    page.locator("input[name=source]").press_sequentially("gao a")
    page.wait_for_selector("#pick-source option[value='GAO-ARM']", state="attached")
    page.fill("input[name=source]", "GAO-ARM")
    page.locator("input[name=target]").press_sequentially("rahm")
    option = page.wait_for_selector("#pick-target option[value='PTE-RAHMAN']", state="attached")
    assert option.text_content().startswith("Private Rahman")  # by name, the code as the value
    page.fill("input[name=target]", "PTE-RAHMAN")
    pick = page.locator("input[name=pick]")
    pick.press_sequentially("56-0000")
    page.wait_for_selector("#pick-items option[value='56-00002']", state="attached")
    labels = page.locator("#pick-items option").all_text_contents()
    assert "Norinco Type 56 56-00002 · Gao armoury" in labels
    pick.evaluate("el => { el.value = '56-00002'; el.dispatchEvent(new Event('input')); }")  # chosen from the list
    assert pick.input_value() == ""
    pick.fill("56-00003")
    pick.press("Enter")  # Enter in the picker adds, it does not submit
    page.wait_for_selector("#checked li.ok >> nth=1")
    assert page.locator("textarea[name=serials]").input_value().split() == ["56-00002", "56-00003"]
    _no_sideways_scroll(page)
    _shot(page, "record")
    page.click("#record button[type=submit]")
    page.wait_for_url("**/holders/GAO-ARM?recorded=2")
    assert TEXTS[page.lang]["done"] in page.text_content("main")
    receipt = page.locator("a.receipt").first
    href = receipt.get_attribute("href")
    assert href.startswith("/paper/receipt.pdf?movement=")
    answer = page.request.get(href)
    assert answer.status == 200 and answer.body().startswith(b"%PDF-")
    _no_sideways_scroll(page)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_it_scans_a_label_where_the_browser_reads_codes(live, viewport: str) -> None:  # noqa: ANN001
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        fake_camera = ("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream")
        browser, page = _open(p, live, viewport, "en", fake_camera, FAKE_DETECTOR)
        page.context.grant_permissions(["camera"])
        sign_in(page, "armourer")
        page.goto("/record")
        assert page.locator("p.scan").is_visible()
        page.click("#scan")
        page.wait_for_selector("#checked li.ok")
        assert page.locator("textarea[name=serials]").input_value().splitlines() == [rifle("56-00003").key]
        assert "Read:" in page.text_content("#scan-status")
        _shot(page, "record-scan")
        page.click("#scan")  # stops the camera
        assert page.locator("#scan-video").is_hidden()
        browser.close()
