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
        breach, *others = ammo.in_breach(ledger)
        reasons = [reason for store in (breach, *others) for reason in store.breaches]
        assert any("inhabited building" in r for r in reasons) and any("public traffic route" in r for r in reasons)
        found = sorted(assessments.listing(ledger), key=lambda a: a["id"])
        assert [(a["state"], a["score"]["level"]) for a in found] == [("closed", 3), ("closed", 1), ("open", 0)]
        planned = assessments.show(ledger, found[1]["id"])["actions"]
        assert len(planned) == 3 and [a["done"] for a in planned] == [False, True, False]
        assert [o["by"] for s in (breach, *others) for o in s.overrides] == ["demo.wam-officer"]  # one override
        [lot] = ammo.suspended_lots(ledger)
        assert lot["code"] == "J" and lot["holders"]
        assert ledger.verify().ok
    finally:
        ledger.engine.dispose()
