"""`wam demo`'s stockpile safety (issue 13): ammunition points surveyed, one in breach of its quantity
distance with the reason; armouries assessed at three levels of completion, with an action plan."""

from __future__ import annotations

from wam.demo import build_demo
from wam.services import ammo, assessments
from wam.services.ledger import Ledger


def test_the_demo_has_surveyed_stores_one_in_breach_and_assessments(tmp_path) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'small.db'}"
    build_demo(url, "small", 1)
    ledger = Ledger.open(url)
    try:
        stores = ammo.check(ledger)
        surveyed = [s for s in stores if s.distances]
        assert len(surveyed) >= 2
        [breach] = ammo.in_breach(ledger)
        assert any("inhabited building" in reason for reason in breach.breaches)
        found = sorted(assessments.listing(ledger), key=lambda a: a["id"])
        assert [(a["state"], a["score"]["level"]) for a in found] == [("closed", 3), ("closed", 1), ("open", 0)]
        planned = assessments.show(ledger, found[1]["id"])["actions"]
        assert len(planned) == 3 and [a["done"] for a in planned] == [False, True, False]
        assert [o["by"] for o in breach.overrides] == ["demo.wam-officer"]  # the officer's override, shown
        [lot] = ammo.suspended_lots(ledger)
        assert lot["code"] == "J" and lot["holders"]
        assert ledger.verify().ok
    finally:
        ledger.engine.dispose()
