"""The demo's stockpile safety and security (issue 13): surveyed distances of the ammunition points to
the sites around them, one of them too close for what it holds, and site security assessments of the
armouries with their action plans, as the mission WAM officer records them.

1. Every ammunition point of the first six sites gets a survey of its distances: an inhabited building, a
   public road and a process building at distances that its NEQ allows with a margin, except the
   first of HD 1.1, whose inhabited building is closer than its NEQ requires, and the second, whose
   road is (stores in breach, with their reasons, on ``wam ammo check`` and the ``/ammo`` page), looked
   for beyond the first six sites when these hold no HD 1.1, so that every scale has them.
2. The first armouries are assessed against the checklist: the first fully (advanced), the second
   with gaps in lighting, key custody, the two-person rule and the alarm (basic: critical questions of
   levels 2 and 3 not met; an action plan, one action done),
   the third left open halfway (an assessment in progress).
3. The store in breach gets the WAM officer's override for its heaviest lot, with the reason (the
   rules would now refuse more of it there; the override lets the next delivery in, and it shows on
   the store's page). A lot of grenades is suspended (condition code J) after a defect notice, from
   twenty days before the last day of the history: the notice came late, so the lot was issued
   after its suspension took effect (an early warning of the analyses), and the ledger now refuses
   to issue it.

Everything goes through the services (:mod:`wam.services.ammo`, :mod:`wam.services.assessments`), as
the command line would; the same world gives the same figures.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wam.services.ledger import Ledger

OFFICER = "demo.wam-officer"
TOO_CLOSE = ("houses", "road")  # the surveyed stores in breach, in turn
GAPS = {"lighting": "partly", "keys-custody": "no", "two-person": "no", "alarm": "no"}


def add_stockpile(ledger: Ledger, stores: list[tuple[str, str]]) -> dict[str, int]:
    """Survey the ammunition points and assess the armouries of ``stores`` ``[(armoury, ammunition
    point)]``; return how many of each were recorded."""
    from wam.domain import assessments as rules
    from wam.domain import iatg
    from wam.services import ammo, assessments

    surveyed, breaching = 0, 0
    statuses = {s.code: s for s in ammo.check(ledger)}
    for n, (_, asp) in enumerate(stores):
        held = statuses.get(asp)
        if not asp or held is None or held.aggregate is None:
            continue
        if n >= 6 and (breaching >= len(TOO_CLOSE) or held.aggregate.division not in iatg.DISTANCE_DIVISIONS):
            continue  # beyond the first six, only the stores that will be in breach
        neq = float(held.aggregate.neq_kg) or 1.0
        needed = {kind: iatg.distance(neq, site.k) for kind, site in iatg.EXPOSED_SITES.items() if site.k}
        # of those whose distances the rules give (HD 1.1), the first is too close to the houses for what it
        # holds, the second to the road
        close = "" if breaching >= len(TOO_CLOSE) or held.aggregate.division not in iatg.DISTANCE_DIVISIONS \
            else TOO_CLOSE[breaching]
        breaching += bool(close)
        ammo.record_distances(ledger, asp, {
            "inhabited_building": round(needed["inhabited_building"] * (0.8 if close == "houses" else 1.6), 0) + 1,
            "public_traffic_route": round(needed["public_traffic_route"] * (0.8 if close == "road" else 1.6), 0) + 1,
            "process_building": round(needed["process_building"] * 2, 0) + 1,
            "other_store": 60}, actor=OFFICER)
        surveyed += 1
    assessed = 0
    due = (ledger.clock() + timedelta(days=45)).date().isoformat()
    everything = {q.id: "yes" for q in rules.questions_for(rules.Applies.ARMOURY)}
    for n, (armoury, _) in enumerate(stores[:3]):
        if not armoury:
            continue
        aid = assessments.start(ledger, armoury, "armoury", actor=OFFICER)
        if n == 0:
            assessments.answer(ledger, aid, everything, actor=OFFICER)
            assessments.close(ledger, aid, actor=OFFICER)
        elif n == 1:
            assessments.answer(ledger, aid, {**everything, **GAPS},
                               notes={"two-person": "the armourer opens alone at night"}, actor=OFFICER)
            for question, owner in (("two-person", "Battalion S4"), ("keys-custody", "Armoury NCO"),
                                    ("alarm", "Mission engineers")):
                assessments.add_action(ledger, aid, question=question, owner=owner, due=due, actor=OFFICER)
            assessments.action_done(ledger, aid, 2, actor=OFFICER)
            assessments.close(ledger, aid, actor=OFFICER)
        else:
            half = dict(list(everything.items())[: len(everything) // 2])
            assessments.answer(ledger, aid, half, actor=OFFICER)
        assessed += 1
    overridden = _override_breach(ledger, [s for s in ammo.check(ledger) if s.breaches])
    suspended = _suspend_a_lot(ledger)
    return {"surveyed": surveyed, "assessed": assessed, "overrides": overridden, "suspended": suspended}


def _override_breach(ledger: Ledger, breaching: list) -> int:  # noqa: ANN001  (StoreStatus)
    from wam.services import ammo

    for store in breaching[:1]:
        heaviest = max((lot for lot in store.lots if lot["neq_kg"] is not None and lot["hazard_division"] != "1.4"),
                       key=lambda lot: float(lot["neq_kg"]), default=None)  # 1.4 does not count with 1.1
        if heaviest is not None:
            ammo.record_override(ledger, store.code, heaviest["item"], "houses built inside the safety distance; "
                                 "the store is being drawn down to the NEQ its survey allows", actor=OFFICER)
            return 1
    return 0


def _suspend_a_lot(ledger: Ledger) -> int:
    """Suspend the lot of grenades or bombs (else of rounds) issued most recently, from twenty days
    before the history's last day."""
    from wam.domain.timefmt import from_micros
    from wam.services import ammo

    latest = ledger.entries(limit=1)  # the history is posted in the order it happened
    if not latest:
        return 0
    since = from_micros(latest[0].occurred_at) - timedelta(days=20)
    found = ammo.lots_issued_after(ledger, since)
    if not found:
        return 0
    ammo.set_status(ledger, found[0], "suspended", "manufacturer's defect notice: the lot may function early",
                    actor=OFFICER, since=since, code="J")
    return 1
