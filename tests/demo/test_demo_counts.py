"""`wam demo`'s stock counts (issue 13): scheduled stores, counts in place, adjusted at the close, approved
with an explanation and waiting for approval; the counts replay in `wam verify`."""

from __future__ import annotations

from wam.demo import build_demo
from wam.services import counts
from wam.services.ledger import Ledger


def test_the_demos_counts_have_discrepancies_approved_and_pending(tmp_path) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'small.db'}"
    build_demo(url, "small", 1)
    ledger = Ledger.open(url)
    try:
        sessions = [counts.show(ledger, row["number"]) for row in counts.listing(ledger) if row["mode"]]
        assert [s["state"] for s in sessions] == ["posted", "posted", "posted", "reconciled"]
        cases = [c for s in sessions for c in s["cases"]]
        assert {c["decision"] for c in cases} == {"auto", "approved", None}
        assert any(c.get("explanation") for c in cases) and all(s["blind"] for s in sessions)
        with ledger.engine.connect() as conn:
            assert len(counts.schedules(conn)) >= 8 and counts.last_counts(conn)
        assert ledger.verify().ok
    finally:
        ledger.engine.dispose()
