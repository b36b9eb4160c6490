"""Accessibility, audited in the browser (Debian Chromium through Playwright) on every page of each
role, on a phone and a desktop, in English and French: every form field labelled, every image and
chart named, no link or button without text, one h1 and no skipped heading level, unique ids, and
text contrast at WCAG AA (4.5:1; 3:1 for large text) against what is behind it. The audit is
``a11y.js`` beside this file (no download). And the record form is usable from the keyboard alone."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .test_browser import ARGS, CHROMIUM, sign_in
from .test_browser_lists import VIEWPORTS
from .test_browser_record import LOCALES

pytestmark = pytest.mark.browser
AUDIT = (Path(__file__).parent / "a11y.js").read_text(encoding="utf-8")
PAGES = {
    "admin": ["/", "/holders", "/holders/GAO-ARM", "/lists/holdings?holder=GAO-ARM", "/lists/movements",
              "/lists/holders", "/record", "/dashboard", "/confirmations", "/verification", "/admin/users",
              "/admin/users/armourer", "/items/W|NORINCO|TYPE 56|56-00001", "/items?serial=56-0000",
              "/holders/NO-SUCH", "/lists/items", "/incidents", "/incidents/report", "/recoveries",
              "/recoveries/register", "/ammo", "/ammo/GAO-ASP",
              "/counts", "/analysis"],
    "armourer": ["/", "/record", "/holders/GAO-ARM", "/incidents/report"],
    "researcher": ["/", "/holders/GAO-ARM", "/incidents", "/lists/items", "/research/new"],
}


@pytest.fixture(params=[(v, lang) for v in VIEWPORTS for lang in LOCALES], ids=lambda p: f"{p[0]}-{p[1]}")
def browser_context(request, live) -> Iterator:  # noqa: ANN001
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but /usr/bin/chromium is missing")
        pytest.skip("no /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    viewport, lang = request.param
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield lambda: browser.new_context(base_url=live.url, locale=LOCALES[lang], viewport=VIEWPORTS[viewport])
        browser.close()


def test_every_page_passes_the_audit(browser_context) -> None:  # noqa: ANN001
    failures = []
    context = browser_context()
    page = context.new_page()
    page.goto("/login")
    failures += [f"/login: {p}" for p in page.evaluate(AUDIT)]
    context.close()
    for role, paths in PAGES.items():
        context = browser_context()
        page = context.new_page()
        sign_in(page, role)
        for path in paths:
            page.goto(path)
            failures += [f"{role} {path}: {p}" for p in page.evaluate(AUDIT)]
        context.close()
    assert not failures, "\n".join(failures)


def test_the_record_form_works_from_the_keyboard(browser_context) -> None:  # noqa: ANN001
    context = browser_context()
    page = context.new_page()
    sign_in(page, "armourer")
    page.goto("/record")
    page.focus("a.brand")  # from the top (the serials box has autofocus)
    order = []
    for _ in range(60):  # Tab through the page from the top: every field in reading order, each visibly focused
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const el = document.activeElement;
            const s = getComputedStyle(el);
            return [el.getAttribute('name') || el.id || el.tagName,
                    s.outlineStyle !== 'none' || s.boxShadow !== 'none'] }""")
        if not order or order[-1] != focused[0]:  # a date field has a tab stop per part
            order.append(focused[0])
        assert focused[1], f"{focused[0]} shows no focus"
        if focused[0] == "BUTTON" and page.evaluate("document.activeElement.type") == "submit":
            break
    fields = [n for n in order if n in ("kind", "source", "target", "pick", "serials", "occurred_at", "note")]
    assert fields == ["kind", "source", "target", "pick", "serials", "occurred_at", "note"], order
    page.focus("select[name=kind]")
    page.keyboard.press("Tab")
    page.keyboard.type("GAO-ARM")
    page.keyboard.press("Tab")
    page.keyboard.type("PTE-RAHMAN")
    page.keyboard.press("Tab")
    page.keyboard.type("56-00002")
    page.keyboard.press("Enter")  # the picker adds the serial
    page.wait_for_selector("#checked li.ok")
    page.focus("textarea[name=note]")
    page.keyboard.press("Tab")  # to the submit button
    page.keyboard.press("Enter")
    page.wait_for_url("**/holders/GAO-ARM?recorded=1")
    context.close()


def test_the_audit_finds_what_it_looks_for(browser_context) -> None:  # noqa: ANN001
    """The negative control: a page with each fault is reported for each."""
    context = browser_context()
    page = context.new_page()
    page.set_content("""<html lang="en"><head><title>x</title>
        <style>p.faint{color:#bbb;background:#fff}</style></head><body>
        <h1>One</h1><h3>Skipped</h3><h1>Two</h1><input name="q"><img src="data:,"><a href="/x"></a>
        <p class="faint">grey on white</p><span id="a"></span><span id="a"></span></body></html>""")
    found = "\\n".join(page.evaluate(AUDIT))
    for fault in ("not exactly one h1", "heading level skipped", "no label: input[name=q]", "image without alt",
                  "no text: a", "contrast", "duplicate id a"):
        assert fault in found, fault
    context.close()
