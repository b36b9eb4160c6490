"""The WAM officer's dashboard: figures scoped to the user, charts drawn on the server as inline
SVG (no script, no style attribute), a map of the sites from their coordinates."""

from __future__ import annotations

import re

import pytest

from .conftest import sign_in


def _place_sites(app) -> None:  # noqa: ANN001
    """Give two of the world's sites coordinates (Gao and Ansongo, in Mali); Kidal keeps none."""
    from sqlalchemy import update

    from wam.storage import tables as t

    with app.state.wam.ledger.engine.begin() as conn:
        for code, lat, lon in (("GAO", 16.27, -0.04), ("ANSONGO", 15.66, 0.50)):
            conn.execute(update(t.holders).where(t.holders.c.code == code).values(latitude=lat, longitude=lon))


def test_the_officer_sees_the_mission_at_a_glance(app, client, personas) -> None:  # noqa: ANN001
    _place_sites(app)
    sign_in(client, "officer")
    home = client.get("/").text
    assert 'href="/dashboard"' in home
    page = client.get("/dashboard")
    assert page.status_code == 200
    html = page.text
    assert "<script" not in html.split("</head>")[1] and " style=" not in html
    for section in ("by-category", "by-site", "per-day", "map", "sites"):
        assert f'id="{section}"' in html, section
    assert html.count('<svg viewBox') == 4
    assert "assault rifle" in html
    sites = re.findall(r'<a href="/holders/([A-Z-]+)"><circle', html)
    assert set(sites) == {"GAO", "ANSONGO"}  # placed by coordinates; Kidal has none
    assert "1 site(s) without coordinates" in html
    outlines = re.findall(r'<path class="land" data-country="([^"]+)" d="M[-\d. L]+Z', html)
    assert "Mali" in outlines  # Natural Earth's outlines shipped in the package, drawn under the sites
    assert "France" not in outlines and "Brazil" not in outlines  # only the countries in view
    assert "JUBA" not in html  # UNMISS is outside the officer's mission
    assert 'id="fig-pending"' in html and 'id="fig-counts"' in html and 'id="fig-checks"' in html
    gao = re.search(r'<a href="/holders/GAO">Gao camp</a> <small>GAO</small></td><td class="num"[^>]*>(\d+)<', html)
    assert gao and int(gao[1]) == 4  # three rifles received in the world, one awaiting confirmation


def test_the_dashboard_keeps_to_each_users_scope(client, personas) -> None:  # noqa: ANN001
    sign_in(client, "armourer")
    html = client.get("/dashboard").text
    assert "Ansongo" not in html and "Gao camp" not in html  # a store's armourer sees no site
    assert 'href="/dashboard"' not in client.get("/").text  # offered to those who verify
    sign_in(client, "researcher")
    html = client.get("/dashboard").text
    assert 'id="per-day"' not in html and 'id="fig-pending"' not in html  # figures only, no movements
    sign_in(client, "nobody")
    assert client.get("/dashboard").status_code == 403


def test_the_dashboard_speaks_french(client, personas) -> None:  # noqa: ANN001
    sign_in(client, "officer")
    client.cookies.set("wam_lang", "fr")
    html = client.get("/dashboard").text
    assert "Tableau de bord" in html and "Détentions par site" in html


def test_movements_per_day_cover_the_days_asked_for(client, personas) -> None:  # noqa: ANN001
    sign_in(client, "officer")
    html = client.get("/dashboard", params={"until": "2024-01-10"}).text
    total = int(re.search(r'id="fig-movements"><b>(\d+)</b>', html)[1])
    assert total >= 8  # the world's receipts and transfers of 2024-01-01 in the mission
    assert "<title>2024-01-01: " in html and "2023-12-12" in html  # 30 days up to the 10th
    later = client.get("/dashboard", params={"until": "2025-06-30"}).text
    assert re.search(r'id="fig-movements"><b>(\d+)</b>', later)[1] == "0"
    assert client.get("/dashboard", params={"until": "soon"}).status_code in (400, 422)
    # a window before year 1, or a last day after the ledger's (year 9999 once in UTC), is refused, not a 500
    for until in ("0001-01-01", "0001-01-29", "9998-12-31T23:59:59-12:00", "1700000000"):
        assert client.get("/dashboard", params={"until": until}).status_code == 422, until
    assert client.get("/dashboard", params={"until": "0001-01-30"}).status_code == 200


def test_the_dashboard_and_the_record_page_stay_light(app, client, personas) -> None:  # noqa: ANN001
    """Under 100 kB gzipped on first load with their assets (the record page's scripts included)."""
    import gzip

    _place_sites(app)
    sign_in(client, "admin")
    size = {p: len(gzip.compress(client.get(p).content)) for p in ("/static/wam.css", "/static/htmx.min.js",
                                                                 "/static/wam.js", "/dashboard", "/record")}
    assert size["/dashboard"] + size["/static/wam.css"] < 100_000, size
    assert size["/record"] + size["/static/wam.css"] + size["/static/htmx.min.js"] + size["/static/wam.js"] < 100_000


@pytest.mark.parametrize("share", [1, 10**6], ids=["less-the-rest", "by-holders"])
@pytest.mark.parametrize("persona", ["officer", "admin", "quartermaster", "armourer", "hq-bgd"])
def test_movements_per_day_count_what_the_movements_list_lists(app, personas, persona: str,  # noqa: ANN001
                                                               share: int, monkeypatch) -> None:  # noqa: ANN001
    """The dashboard's counts per day, each day's entries less those with neither end in scope, or
    through the holders' indexes (each scope both ways: on SQLite, the union of the entries leaving
    the scope and those entering it; on PostgreSQL, those leaving it and those entering it from
    elsewhere), add up to the movements list's total over the same days."""
    from datetime import UTC, date, datetime

    from wam.services import dashboard, lists
    from wam.services.scoped import Ancestry, ScopedLedger

    from .conftest import PERSONAS

    from tests.factories import T0, ball_rounds
    from wam.domain.movements import make_movement

    ledger = app.state.wam.ledger  # one movement out of every scope's stores, to a holder outside them all
    ledger.post(make_movement(kind="expenditure", item=ball_rounds().key, quantity=100, source="GAO-ASP",
                              target="expended", reason="training", occurred_at=T0, actor="setup"))
    scoped = ScopedLedger(ledger, Ancestry(), PERSONAS[persona], persona)
    monkeypatch.setattr(dashboard, "MOST_SHARE", share)
    days = dashboard.per_day(scoped, days=30, until=date(2024, 1, 10))
    listed = lists.movements(scoped, lists.ListQuery(since=datetime(2023, 12, 12, tzinfo=UTC),
                                                     until=datetime(2024, 1, 10, 23, 59, 59, 999999, tzinfo=UTC)))
    assert sum(n for _, n in days) == listed.total > 0
