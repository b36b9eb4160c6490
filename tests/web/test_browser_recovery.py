"""Registering a recovery in the browser (Debian Chromium through Playwright) on a phone-sized screen
(390x844), in English and French: from the register's list to the form, filled with the thumbs (a serial as
read, a photo from the camera), to the record's page with the items in custody and the candidate it may be;
no sideways scrolling on the way."""

from __future__ import annotations

import pytest

from .test_browser_incident import phone  # noqa: F401  (the phone-sized page, per language)
from .test_browser_lists import _no_sideways_scroll, _shot

pytestmark = pytest.mark.browser
TEXTS = {"en": {"register": "Register a recovery", "submit": "Register the recovery", "done": "registered"},
         "fr": {"register": "Enregistrer une récupération", "submit": "Enregistrer la récupération",
                "done": "enregistrée"}}


def test_a_quartermaster_registers_a_recovery_from_a_phone(phone, app) -> None:  # noqa: ANN001, F811
    from .test_browser import sign_in

    page, texts = phone, TEXTS[phone.lang]
    sign_in(page, "quartermaster")
    page.goto("/recoveries")
    _no_sideways_scroll(page)
    page.get_by_role("link", name=texts["register"]).click()
    page.wait_for_url("**/recoveries/register")
    _no_sideways_scroll(page)
    page.select_option("select[name=how]", "checkpoint")
    page.fill("input[name=recovered_at]", "2024-03-01T09:00")
    page.fill("input[name=place]", "north checkpoint")
    page.fill("input[name=unit]", "1st BANBAT patrol")
    page.fill("input[name=to]", "GAO-ARM")
    page.fill("input[name=i1_make]", "Norinco")
    page.fill("input[name=i1_model]", "Type 56")
    page.fill("input[name=i1_serial]", "56-OOOO2")
    page.set_input_files("input[name=photos]", files=[{"name": "serial.jpg", "mimeType": "image/jpeg",
                                                       "buffer": b"\xff\xd8\xff serial"}])
    _shot(page, "recovery-register")
    page.get_by_role("button", name=texts["submit"]).tap()
    page.wait_for_url("**/recoveries/REC-*?registered=1")
    assert texts["done"] in page.locator("[role=status]").text_content()
    assert "W|NORINCO|TYPE 56|56-00002" in page.content()  # held at GAO-ARM: a candidate of its own
    _no_sideways_scroll(page)
    _shot(page, "recovery-page")
