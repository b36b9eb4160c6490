"""The analysis pages: the brief of a period on the page, as a PDF and as one HTML file, scoped (a
researcher sees aggregates only: no incident id), in the reader's language; a bad date named."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from pypdf import PdfReader

from tests.factories import T0, rifle
from wam.services import incidents

from .conftest import sign_in

PERIOD = {"mission": "MINUSMA", "since": (T0.date()).isoformat(), "until": (T0 + timedelta(days=60)).date().isoformat()}


def _lose(app) -> str:  # noqa: ANN001
    document = incidents.report(app.state.wam.ledger, actor="setup", lines=[[rifle("56-00003").key, 1, "GAO-ARM"]],
                                started_at=T0 + timedelta(days=5), site="GAO", mission="MINUSMA",
                                circumstance="fixed_site", mechanism="theft_burglary", ownership="COE")
    return document.number


def test_the_brief_on_the_page_as_pdf_and_html(app, client, personas) -> None:  # noqa: ANN001
    number = _lose(app)
    sign_in(client, "officer")
    page = client.get("/analysis", params=PERIOD)
    assert page.status_code == 200 and 'id="brief"' in page.text and "MINUSMA" in page.text
    assert "'unsafe-inline'" in page.headers["content-security-policy"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    pdf = client.get("/analysis/brief.pdf", params=PERIOD)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert "MINUSMA" in text
    standalone = client.get("/analysis/brief.html", params=PERIOD)
    assert standalone.status_code == 200 and standalone.text.startswith("<!doctype html>")
    assert standalone.headers["content-security-policy"].startswith("default-src 'none'")
    assert "<div><b>1</b>" in standalone.text  # one incident, one weapon lost in the period
    assert number not in client.get("/analysis", params={**PERIOD, "since": "2030-01-01",
                                                         "until": "2030-12-31"}).text  # out of the period


def test_a_researcher_sees_aggregates_only(app, client, personas) -> None:  # noqa: ANN001
    number = _lose(app)
    sign_in(client, "researcher")
    page = client.get("/analysis", params=PERIOD)
    assert page.status_code == 200 and number not in page.text and rifle("56-00003").key not in page.text


def test_a_bad_date_and_french(client, personas) -> None:  # noqa: ANN001
    sign_in(client, "officer")
    refused = client.get("/analysis", params={"since": "soon"})
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert "Analyse" in client.get("/analysis", headers={"Accept-Language": "fr"}).text


def test_without_a_period_everything_recorded_counts(app, client, personas) -> None:  # noqa: ANN001
    _lose(app)
    sign_in(client, "officer")
    page = client.get("/analysis").text
    assert "<div><b>1</b>" in page and "the first record" in page


def test_far_dates_an_unknown_mission_and_a_bad_map_filter(app, client, personas) -> None:  # noqa: ANN001
    _lose(app)
    sign_in(client, "officer")
    far = client.get("/analysis", params={**PERIOD, "until": "9999-12-31"})
    assert far.status_code == 422 and "until" in far.text
    assert client.get("/analysis/brief.pdf", params={**PERIOD, "until": "9999-12-31"}).status_code == 422
    assert client.get("/analysis", params={**PERIOD, "mission": "NOPE"}).status_code == 404
    for params, field in (({"map_since": "junk"}, "map_since"),
                          ({"map_since": "2024-03-01", "map_until": "2024-02-01"}, "map_until"),
                          ({"map_until": "9999-12-31"}, "map_until")):
        page = client.get("/analysis", params={**PERIOD, **params})
        assert page.status_code == 200 and 'id="brief"' in page.text, params
        error = page.text[page.text.index('id="map-error"'):][:300]
        assert field in error and "« since »" not in error and "'until'" not in error
