"""``wam recoveries export REC --trace --pdf -o FILE``: the tracing request as a PDF, in English or French."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pypdf import PdfReader

from tests.builders import command_line, own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)
from tests.factories import T0
from wam.services import recoveries


@pytest.fixture
def wam(world, db_url, capsys):  # noqa: ANN001, ANN201
    record = recoveries.register(world.ledger, actor="sy", to="GAO-ARM", how="cache", unit="patrol", place="wadi",
                                 recovered_at=T0 + timedelta(days=2),
                                 items=[{"type": "weapon", "make": "Norinco", "model": "Type 56", "serial": "56-77",
                                         "markings": {"country": "CHN", "factory": "66"}}])
    recoveries.step(world.ledger, record.number, "trace", actor="sy", action="draft", to="CHN", basis="manufacture")
    return command_line(db_url, capsys), record.number


def test_the_tracing_request_as_a_pdf(wam, tmp_path) -> None:  # noqa: ANN001
    run, number = wam
    for lang, title in (("en", "Tracing request"), ("fr", "Demande de traçage")):
        out = tmp_path / f"trace-{lang}.pdf"
        code, _, err = run("recoveries", "export", number, "--trace", "--pdf", "--lang", lang, "-o", str(out))
        assert code == 0, err
        text = "".join(page.extract_text() for page in PdfReader(out).pages)
        assert f"{title} {number}" in text and "CHN" in text and "56-77" in text and "factory: 66" in text
    code, _, err = run("recoveries", "export", number, "--pdf")
    assert code == 2 and "field 'pdf'" in err
