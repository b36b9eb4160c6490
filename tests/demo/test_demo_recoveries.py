"""`wam demo`'s recovery records (issue 12): every way of recovering, marks, traces (answered and not),
disposals, retentions, records overdue for disposal, and weapons the demo lost earlier recovered with
misread serials whose matches are confirmed; the whole register replays in `wam verify`."""

from __future__ import annotations

from wam.demo import build_demo
from wam.domain.recoveries import How
from wam.services import recoveries
from wam.services.ledger import Ledger


def test_the_demos_recoveries_have_some_of_everything(tmp_path) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'small.db'}"
    build_demo(url, "small", 1)
    ledger = Ledger.open(url)
    try:
        rows = recoveries.listing(ledger)
        assert {r["how"] for r in rows} == {h.value for h in How}
        assert any(r["marks"] for r in rows) and any(r["rounds"] for r in rows)
        assert {r["trace"] for r in rows} >= {"sent", "answered"} and any(r["trace_unanswered"] for r in rows)
        assert any(r["disposed"] and r["disposal"]["method"] == "destruction" for r in rows)
        assert any(r["disposed"] and r["disposal"]["method"] == "handover" for r in rows)
        assert any(r["retained"] for r in rows) and any(r["disposal_overdue"] for r in rows)
        matched = [r for r in rows if r["matched"]]
        assert matched and not any(r["disposal_overdue"] for r in matched)  # the mission's own, back in service
        shown = recoveries.full(ledger, matched[0]["id"])
        item = shown["items"][0]
        assert item["from"] == "lost" and item["match"]["incident"].startswith("INC-")
        assert item["serial"] != item["item"].split("|")[-1]  # read as a patrol reads it
        assert ledger.verify().ok
    finally:
        ledger.engine.dispose()
