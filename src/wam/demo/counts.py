"""The demo's stock counts (issue 13): count sessions at the end of the demo year, through the count
register (:mod:`wam.services.counts`) as a quartermaster and the WAM officer would take them.

After the year's movements, on 31 December, a monthly full count of every armoury and ammunition point
is scheduled, and the first sites' stores are counted, blind, each store in its own way:

1. an armoury counted in full, every weapon in place: posted at its close, no case;
2. an ammunition point short of a few rounds of one lot (under the threshold): adjusted at the close;
3. an armoury where one rifle was not found: the WAM officer approves its adjustment with the
   quartermaster's explanation (a discrepancy approved);
4. an ammunition point short of a hundred rounds (over the threshold): closed, its case waiting for
   the WAM officer (a discrepancy pending);

the rest of the items counted as the book has them. Counts, numbers and times come from the world
and the fixed clock alone: the same seed gives the same ledger.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wam.services.ledger import Ledger

QUARTERMASTER, OFFICER = "demo.quartermaster", "demo.wam-officer"
WITNESS = "Lt Okafor (battalion S4)"


def add_counts(ledger: Ledger, stores: list[tuple[str, str]], day: datetime) -> int:
    """Schedule and count the stores ``[(armoury, ammunition point)]`` of the first sites on ``day``
    (20:00 on); return how many counts were taken."""
    from wam.services import counts

    for armoury, asp in stores:
        for code in (armoury, asp):
            if code:
                counts.schedule(ledger, actor=OFFICER, holder=code, every_days=30)
    plan = [(stores[n][n % 2], n) for n in range(min(4, len(stores)))]
    taken = 0
    for code, way in plan:
        if not code:
            continue
        start = day.replace(hour=20, minute=0) + timedelta(minutes=30 * taken)
        held = [line for line in ledger.balance(code) if line.quantity > 0]
        if not held:
            continue
        doc = counts.start(ledger, actor=QUARTERMASTER, holder=code, started_at=start, witness=WITNESS,
                           note="monthly full count")
        lines: list[dict[str, Any]] = []
        at = start + timedelta(minutes=5)
        ordered = sorted(held, key=lambda x: x.item)
        rifle = next((n for n, line in enumerate(ordered) if line.item.startswith("W|")), None)
        for n, line in enumerate(ordered):
            quantity = line.quantity
            if way == 2 and n == rifle:
                continue  # the rifle not found
            if n == 0 and way in (1, 3):  # short: a few rounds, then a hundred
                quantity = max(1, quantity - (7 if way == 1 else 100))
            if line.item.startswith("W|"):
                lines.append({"item": line.item, "how": "typed" if n % 10 == 9 else "scan", "at": at})
            else:
                lines.append({"item": line.item, "quantity": quantity, "how": "typed", "at": at})
        counts.record(ledger, doc.number, actor=QUARTERMASTER, lines=lines)
        closed = counts.close(ledger, doc.number, actor=QUARTERMASTER, closed_at=start + timedelta(minutes=25))
        if way == 2 and closed.state == "reconciled":
            counts.approve(ledger, doc.number, actor=OFFICER, role="mission-officer", decisions={
                case["id"]: {"decision": "approved", "explanation": "sent to the contingent's workshop on 28 "
                                                                    "December, the transfer not recorded"}
                for case in closed.fields["cases"] if case["decision"] is None})
        taken += 1
    return taken
