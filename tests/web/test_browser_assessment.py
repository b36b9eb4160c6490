"""A site security assessment in the browser (Debian Chromium through Playwright), on a phone in English and
on a desktop in French: start it from the list, answer the checklist and see the score and the level rise,
fail a critical question and see the level fall, add an action to the plan and mark it done, and find it in
the site's history; no sideways scrolling on the way, and the accessibility audit passed."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from wam.web.i18n import Translator

from .test_browser import ARGS, CHROMIUM, sign_in
from .test_browser_a11y import AUDIT
from .test_browser_incident import LOCALES
from .test_browser_lists import VIEWPORTS, _no_sideways_scroll, _shot

pytestmark = pytest.mark.browser
VIEWS = {"phone-en": ("phone", "en"), "desktop-fr": ("desktop", "fr")}


def screen(live, view: str) -> Iterator:  # noqa: ANN001
    """A page of Debian's Chromium on ``view``'s screen (a phone: touch) in its language, named ``view``."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but /usr/bin/chromium is missing")
        pytest.skip("no /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    size, lang = VIEWS[view]
    touch = size == "phone"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(base_url=live.url, locale=LOCALES[lang], viewport=VIEWPORTS[size],
                                      has_touch=touch, is_mobile=touch)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.viewport_name, page.lang = view, lang
        yield page
        browser.close()


@pytest.fixture(params=list(VIEWS))
def view(request, live) -> Iterator:  # noqa: ANN001
    yield from screen(live, request.param)


def test_an_assessment_answered_and_its_plan_done(view) -> None:  # noqa: ANN001
    page, t = view, Translator(view.lang)
    sign_in(page, "quartermaster")
    page.get_by_role("link", name=t("nav.assessments")).first.click()
    page.wait_for_url("**/assessments")
    _no_sideways_scroll(page)
    page.get_by_text(t("asm.start_title")).click()
    page.fill("#assessment-start input[name=site]", "GAO-ARM")
    page.select_option("#assessment-start select[name=kind]", "armoury")
    page.get_by_role("button", name=t("asm.start"), exact=True).click()
    page.wait_for_url("**/assessments/ASM-*")
    assert page.locator("#level").text_content() == t("asm.level.0")
    assert page.locator("#score").text_content() == f"{t.number(0, 1)} %"  # 0,0 % in French
    questions = page.locator("#answers input[value=yes]").evaluate_all("inputs => inputs.map(i => i.name)")
    assert "a_two-person" in questions and len(questions) > 10
    for name in questions:  # every answer yes, by its label (a thumb's target)
        page.locator(f"label:has(input[name='{name}'][value=yes])").click()
    _no_sideways_scroll(page)
    page.locator("#save-answers").click()
    page.wait_for_url("**?saved=answer")
    assert page.locator("#level").text_content() == t("asm.level.3")
    assert page.locator("#score").text_content() == f"{t.number(100, 1)} %"
    assert page.locator("[role=status]").text_content() == t("asm.saved.answer")
    page.locator("label:has(input[name='a_two-person'][value=no])").click()
    page.fill("input[name='n_two-person']", "one key holder opens alone")
    page.locator("#save-answers").click()
    page.wait_for_url("**?saved=answer")
    assert page.locator("#level").text_content() == t("asm.level.1")  # critical for the level above
    assert float(page.locator("#score").text_content().split()[0].replace(",", ".")) < 100
    assert page.locator("a.tag[href='#q-two-person']").is_visible()
    assert page.locator("input[name='n_two-person']").input_value() == "one key holder opens alone"
    _no_sideways_scroll(page)
    _shot(page, "assessment-answered")
    form = page.locator("#action-add")
    assert form.is_visible()  # open while a critical question is not met
    assert form.locator("select[name=question]").input_value() == "two-person"
    form.locator("input[name=owner]").fill("Capt. Diallo")
    form.locator("input[name=text]").fill("a second key holder for the night")
    page.locator("#add-action").click()
    page.wait_for_url("**?saved=action")
    assert "Capt. Diallo" in page.locator("#actions").text_content()
    assert page.locator("#actions-open").text_content() == "1"
    _no_sideways_scroll(page)
    page.locator("#done-1").click()
    page.wait_for_url("**?saved=done")
    assert page.locator("#actions-open").text_content() == "0"
    assert t("asm.done_by", by="quartermaster") in page.locator("#actions").text_content()
    _no_sideways_scroll(page)
    _shot(page, "assessment-plan")
    assert page.evaluate(AUDIT) == []  # labels, headings, ids, contrast (tests/web/a11y.js)
    page.get_by_role("link", name=t("asm.site_history")).click()
    page.wait_for_url("**/assessments?site=GAO-ARM")
    assert page.locator("#assessments tbody tr").count() == 1
    _no_sideways_scroll(page)
    _shot(page, "assessment-history")
    assert page.evaluate(AUDIT) == []
