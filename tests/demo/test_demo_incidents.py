"""`wam demo`'s loss incidents carry their facts (circumstance, mechanism, ownership, casualties) and stand at
different steps of the workflow; the register lists them with their derived flags."""

from __future__ import annotations

from wam.demo import build_demo
from wam.services import incidents
from wam.services.ledger import Ledger


def test_the_demos_incidents_are_full_and_at_several_steps(tmp_path) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'small.db'}"
    build_demo(url, "small", 1)
    ledger = Ledger.open(url)
    try:
        rows = incidents.listing(ledger)
        assert rows and all(r["mission"] == "MONUSCO" and r["circumstance"] and r["mechanism"] and
                            r["ownership"] == "COE" and r["reported_by"] == "demo.wam-officer" for r in rows)
        assert {r["step"] for r in rows} <= {"reported", "under_investigation", "board_of_inquiry", "findings",
                                             "closed"}
        assert all(r["weapons_lost"] + r["rounds_lost"] > 0 for r in rows)
        closed = [r for r in rows if r["step"] == "closed"]
        assert all(r["outcome"] == "written_off" for r in closed)
        assert ledger.verify().ok
    finally:
        ledger.engine.dispose()
