"""The map of ``/analysis``: drawn offline (inline SVG over the outlines shipped with the package, no script),
filtered on the page by period and by kind (sites, loss incidents, recoveries) through its own form's query
parameters, each kind with its own mark (square, circle, triangle) and a legend that shows the same marks for the
kinds drawn only; an incident without a contingent counted under an "unknown" country. Then in Chromium: the
form redraws the map."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.factories import T0, rifle
from wam.services import incidents, recoveries

from .conftest import sign_in
from .test_browser import page  # noqa: F401  (the fixture)
from .test_browser import sign_in as sign_in_browser
from .test_dashboard import _place_sites

DAY = T0.date()
BRIEF = {"mission": "MINUSMA", "since": DAY.isoformat(), "until": (DAY + timedelta(days=60)).isoformat()}
MARK = {"sites": "rect", "incidents": "circle", "recoveries": "polygon"}  # the element of each kind's mark
CLASS = {"sites": "site", "incidents": "incident", "recoveries": "recovery"}


def _world(app) -> None:  # noqa: ANN001
    """Two sites with coordinates (Gao, Ansongo), a loss at Gao on day 5 (its own point, no contingent), a
    recovery on day 20 near Ansongo."""
    ledger = app.state.wam.ledger
    _place_sites(app)
    incidents.report(ledger, actor="setup", lines=[[rifle("56-00003").key, 1, "GAO-ARM"]],
                     started_at=T0 + timedelta(days=5), site="GAO", mission="MINUSMA", circumstance="fixed_site",
                     mechanism="theft_burglary", ownership="COE", latitude=16.3, longitude=-0.1)
    recoveries.register(ledger, actor="setup", to="GAO-ARM", how="cache", recovered_at=T0 + timedelta(days=20),
                        place="north of Ansongo", unit="patrol", latitude=15.9, longitude=0.4,
                        items=[{"serial": "RC-0001"}])


def _svg(text: str) -> str:
    found = re.search(r'<section class="card" id="map".*?</section>', text, re.S)
    assert found, "no map section"
    return found.group(0)


def _marks(text: str) -> dict[str, int]:
    section = _svg(text)
    drawn = section[:section.find('<ul class="legend"')] if '<ul class="legend"' in section else section
    return {kind: len(re.findall(rf'<{MARK[kind]} class="mark {CLASS[kind]}"', drawn)) for kind in MARK}


def _legend(text: str) -> dict[str, str]:
    """The legend's kinds, each with the element its symbol is drawn with."""
    return dict(re.findall(r'<li [^>]*data-kind="(\w+)"><svg [^>]*><(\w+) class="mark', _svg(text)))


def test_the_map_draws_each_kind_with_the_legends_mark(app, client, personas) -> None:  # noqa: ANN001
    _world(app)
    sign_in(client, "officer")
    shown = client.get("/analysis", params=BRIEF)
    assert shown.status_code == 200 and "<script" not in _svg(shown.text) and "http" not in _svg(shown.text)
    assert _marks(shown.text) == {"sites": 2, "incidents": 1, "recoveries": 1}
    assert _legend(shown.text) == MARK  # the legend's symbols are the marks drawn: square, circle, triangle


def test_the_form_filters_the_map_by_kind_and_period(app, client, personas) -> None:  # noqa: ANN001
    _world(app)
    sign_in(client, "officer")
    only = client.get("/analysis", params={**BRIEF, "map": "1", "show": ["incidents", "recoveries"]}).text
    assert _marks(only) == {"sites": 0, "incidents": 1, "recoveries": 1}
    assert set(_legend(only)) == {"incidents", "recoveries"}
    assert 'value="sites" >' in only and 'value="incidents" checked' in only  # the form says what it drew
    later = client.get("/analysis", params={**BRIEF, "map_since": (DAY + timedelta(days=10)).isoformat()}).text
    assert _marks(later) == {"sites": 2, "incidents": 0, "recoveries": 1}
    assert "<div><b>1</b>" in later  # the brief itself keeps its period: one incident
    earlier = client.get("/analysis", params={**BRIEF, "map_until": (DAY + timedelta(days=10)).isoformat()}).text
    assert _marks(earlier) == {"sites": 2, "incidents": 1, "recoveries": 0}
    none = client.get("/analysis", params={**BRIEF, "map": "1"}).text
    assert _marks(none) == {"sites": 0, "incidents": 0, "recoveries": 0} and _legend(none) == {}
    bad = client.get("/analysis", params={**BRIEF, "map_since": "soon"})  # the map form's error; the brief stays
    assert bad.status_code == 200 and "map_since" in bad.text[bad.text.index('id="map-error"'):][:200]
    assert "<div><b>1</b>" in bad.text and _marks(bad.text) == {"sites": 2, "incidents": 1, "recoveries": 1}


def test_an_incident_without_a_contingent_is_an_unknown_country(app, client, personas) -> None:  # noqa: ANN001
    _world(app)
    sign_in(client, "officer")
    shown = client.get("/analysis", params=BRIEF).text
    assert re.search(r"<tr><td>unknown</td><td>1</td><td>1</td>", shown)


@pytest.mark.browser
def test_the_map_is_filtered_in_the_browser(page, app) -> None:  # noqa: ANN001, F811
    _world(app)
    sign_in_browser(page, "officer")
    page.goto(f"/analysis?mission=MINUSMA&since={BRIEF['since']}&until={BRIEF['until']}")
    svg = "#map svg.map"
    assert page.locator(f"{svg} rect.site").count() == 2 and page.locator(f"{svg} circle.incident").count() == 1
    assert page.locator(f"{svg} polygon.recovery").count() == 1
    assert page.locator("#map ul.legend li").count() == 3
    page.uncheck("#map-form input[value=sites]")
    page.fill("#map-form input[name=map_since]", (DAY + timedelta(days=10)).isoformat())
    page.click("#map-form button")
    page.wait_for_url("**map=1**")
    assert page.locator(f"{svg} rect.site").count() == 0 and page.locator(f"{svg} circle.incident").count() == 0
    assert page.locator(f"{svg} polygon.recovery").count() == 1
    legend = page.locator("#map ul.legend li")
    assert [legend.nth(i).get_attribute("data-kind") for i in range(legend.count())] == ["incidents", "recoveries"]
    assert page.locator("#map ul.legend li[data-kind=recoveries] svg polygon").count() == 1  # a triangle, as drawn
    assert page.locator("#map-form input[value=sites]").is_checked() is False
    assert page.locator("#brief").is_visible()


@pytest.mark.browser
def test_on_a_phone_the_brief_fits_and_the_language_link_keeps_the_question(page, app) -> None:  # noqa: ANN001, F811
    """390 px wide, in English and French: no sideways scroll (tables and charts scroll inside their own box),
    the footer's language link is clickable under the brief and keeps the mission and period."""
    _world(app)
    ledger = app.state.wam.ledger
    from wam.domain.movements import make_movement

    for n, (country, weapons) in enumerate((("BGD", 12), ("SEN", 3), ("NPL", 12))):
        items = [rifle(f"56-7{n}{i:03d}") for i in range(min(weapons, 12))]
        ledger.register_items(items)
        for item in items:
            ledger.post(make_movement(kind="receipt", item=item.key, quantity=1, source="supply:BGD", target="GAO-ARM",
                                      occurred_at=T0 + timedelta(days=2), actor="setup"))
        incidents.report(ledger, actor="setup", lines=[[item.key, 1, "GAO-ARM"] for item in items],
                         started_at=T0 + timedelta(days=6 + n), site="GAO", mission="MINUSMA",
                         circumstance="convoy_escort", mechanism="seizure_detention", ownership="COE",
                         contingents=[f"BATT{n}:{country}"])
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_browser(page, "officer")
    query = f"mission=MINUSMA&since={BRIEF['since']}&until={BRIEF['until']}"
    page.goto(f"/analysis?{query}")
    for lang, link in (("en", "Français"), ("fr", "English")):
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{width}px wide on a 390px screen ({lang})"
        page.click(f"footer a:text-is('{link}')")  # clickable: nothing of the brief lies over it
        page.wait_for_load_state()
        assert "mission=MINUSMA" in page.url and f"since={BRIEF['since']}" in page.url
    assert page.locator("html").get_attribute("lang") == "en"
