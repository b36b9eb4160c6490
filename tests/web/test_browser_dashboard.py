"""The WAM officer's dashboard and the paper links in the browser (Debian Chromium through
Playwright), on a phone (390x844) and a desktop, in English and French: the figures, the charts and
the map fit the screen, a site on the map leads to its page, and its holdings list and label sheet
open as PDF."""

from __future__ import annotations

import pytest

from .test_browser import sign_in
from .test_browser_lists import _no_sideways_scroll, _shot
from .test_browser_record import tab  # noqa: F401  (the fixture: viewport x language)
from .test_dashboard import _place_sites

pytestmark = pytest.mark.browser
TITLES = {"en": "The mission at a glance", "fr": "La mission d'un coup d'œil"}


def test_the_officer_reads_the_dashboard_and_prints_a_stores_papers(tab, app) -> None:  # noqa: ANN001, F811
    page = tab
    _place_sites(app)
    sign_in(page, "officer")
    page.click("nav a[href='/dashboard']")
    assert page.text_content("h1") == TITLES[page.lang]
    assert page.locator("svg.svg-chart").count() == 3 and page.locator("svg.svg-map circle.site").count() == 2
    for figure in ("#fig-pending", "#fig-counts", "#fig-checks", "#fig-movements"):
        assert page.locator(figure).is_visible(), figure
    _no_sideways_scroll(page)
    _shot(page, "dashboard")
    page.click("svg.svg-map a[href='/holders/GAO']")
    page.wait_for_url("**/holders/GAO")
    page.goto("/holders/GAO-ARM")
    _no_sideways_scroll(page)
    for link in ("a[href='/paper/holdings.pdf?holder=GAO-ARM']", "a[href='/paper/labels.pdf?holder=GAO-ARM']"):
        answer = page.request.get(page.get_attribute(link, "href"))
        assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
        assert answer.body().startswith(b"%PDF-")
