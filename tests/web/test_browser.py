"""Headless Chromium (Debian's package, driven by Playwright) against the app served by uvicorn.

Skipped with a message when /usr/bin/chromium is missing, except under CI=true where the
browser must be there (``.ci/run`` installs it: apt-get install -y chromium chromium-driver).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import PASSWORD, keep_screenshots

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]

pytestmark = pytest.mark.browser


@pytest.fixture
def page(live, request) -> Iterator:  # noqa: ANN001
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but /usr/bin/chromium is missing: apt-get install -y chromium chromium-driver")
        pytest.skip("no /usr/bin/chromium: apt-get install -y chromium chromium-driver to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(base_url=live.url, locale="en-GB")
        tab = context.new_page()
        tab.set_default_timeout(10_000)
        yield tab
        keep_screenshots(context, request)
        context.close()
        browser.close()


def sign_in(page, name: str) -> None:  # noqa: ANN001
    page.goto("/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def test_it_records_a_movement_and_shows_it_everywhere(page) -> None:  # noqa: ANN001
    sign_in(page, "armourer")
    page.goto("/record")
    page.select_option("select[name=kind]", "issue")
    page.fill("input[name=source]", "GAO-ARM")
    page.fill("input[name=target]", "PTE-RAHMAN")
    page.locator("textarea[name=serials]").press_sequentially("56-00002\n56-00003\n")  # as a scanner types
    page.wait_for_selector("#checked li.ok >> nth=1")  # each serial checked as it comes (htmx)
    page.click("#record button[type=submit]")
    page.wait_for_url("**/holders/GAO-ARM?recorded=2")
    assert "2 movement(s) recorded" in page.text_content("main")
    page.goto("/holders/PTE-RAHMAN")
    assert "56-00002" in page.text_content("main")
    page.goto("/items/W|NORINCO|TYPE 56|56-00003")
    history = page.text_content("table.entries")
    assert "PTE-RAHMAN" in history and "armourer" in history


def test_it_switches_to_french(page) -> None:  # noqa: ANN001
    sign_in(page, "viewer")
    page.click("footer a[lang=fr]")
    page.goto("/holders")
    assert page.text_content("h1") == "Détenteurs"
    assert page.get_attribute("html", "lang") == "fr"


def test_it_refuses_an_action_the_role_does_not_allow(page) -> None:  # noqa: ANN001
    sign_in(page, "auditor")
    assert page.locator("nav a[href='/record']").count() == 0
    response = page.goto("/record")
    assert response.status == 403
    assert "Not allowed" in page.text_content("h1")


def test_it_signs_out(page) -> None:  # noqa: ANN001
    sign_in(page, "viewer")
    page.click("#signout")
    page.wait_for_url("**/login")
    page.goto("/holders")
    assert "/login" in page.url


def test_it_has_the_receiving_side_confirm_a_transfer_from_home(page) -> None:  # noqa: ANN001
    sign_in(page, "officer")  # the mission WAM officer sends a rifle from Ansongo to the Gao armoury
    page.goto("/record")
    page.select_option("select[name=kind]", "transfer")
    page.fill("input[name=source]", "ANSONGO-ARM")
    page.fill("input[name=target]", "GAO-ARM")
    page.locator("textarea[name=serials]").press_sequentially("56-20001\n")
    page.wait_for_selector("#checked li.ok")
    page.click("#record button[type=submit]")
    page.wait_for_url("**/holders/ANSONGO-ARM?recorded=1")
    page.goto("/")
    assert page.locator("#to-confirm tr", has_text="56-20001").count() == 0  # nobody confirms their own word
    page.click("#signout")
    page.wait_for_url("**/login")
    sign_in(page, "quartermaster")  # at BGD-BATT, which holds GAO-ARM
    row = page.locator("#to-confirm tbody tr", has_text="56-20001")
    assert "ANSONGO-ARM" in row.text_content() and "officer" in row.text_content()
    row.get_by_role("button", name="Confirm receipt").click()
    page.wait_for_url("**/?confirmed=1")
    assert "Receipt confirmed." in page.text_content("main")
    assert page.locator("#to-confirm tr", has_text="56-20001").count() == 0
    page.goto("/items/W|NORINCO|TYPE 56|56-20001")
    assert "confirmed by quartermaster" in page.text_content("table.entries")
