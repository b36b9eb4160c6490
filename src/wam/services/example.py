"""A small example ledger: a mission, two contingents, rifles and rounds, a week of movements.

Used by the minimal ``wam demo`` and by the README; the realistic demo lives in ``wam.demo``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from wam.domain.holders import make_holder
from wam.domain.materiel import Item, make_item
from wam.domain.movements import Movement, make_movement

if TYPE_CHECKING:
    from .ledger import Ledger

T0 = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)


def build_example(ledger: Ledger) -> None:
    """Add holders and items and post a week of receipts, issues, returns and expenditure."""
    ledger.add_holders([
        make_holder(code="UN", name="United Nations", kind="organisation"),
        make_holder(code="MINUSMA", name="MINUSMA", kind="mission", parent="UN"),
        make_holder(code="BGD-BATT", name="Bangladesh battalion", kind="contingent", parent="MINUSMA", country="BGD"),
        make_holder(code="GAO", name="Gao camp", kind="site", parent="BGD-BATT", latitude=16.27, longitude=-0.04),
        make_holder(code="GAO-ARM", name="Gao armoury", kind="store", parent="GAO"),
        make_holder(code="PTE-RAHMAN", name="Private Rahman", kind="person", parent="GAO-ARM"),
    ])
    rifles = [make_item(type="weapon", make="Norinco", model="Type 56", serial=f"56-{n:05d}",
                        calibre="7.62x39mm") for n in range(1, 11)]
    rounds = make_item(type="ammunition", make="POF", model="7.62x39mm ball", lot="POF-2021-07", calibre="7.62x39mm",
                       hazard_division="1.4", compatibility_group="S", neq_kg="0.0016")
    ledger.register_items([*rifles, rounds])

    def mv(kind: str, item: Item, source: str, target: str, hours: float, quantity: int = 1,
           **extra: object) -> Movement:
        return make_movement(kind=kind, item=item.key, quantity=quantity, source=source, target=target,
                             occurred_at=T0 + timedelta(hours=hours), actor="demo", **extra)

    movements = [mv("receipt", r, "supply:BGD", "GAO-ARM", 0) for r in rifles]
    movements.append(mv("receipt", rounds, "supply:BGD", "GAO-ARM", 0, quantity=12_000))
    for day in range(7):
        h = 24 * day + 6
        movements.append(mv("issue", rifles[0], "GAO-ARM", "PTE-RAHMAN", h))
        movements.append(mv("issue", rounds, "GAO-ARM", "PTE-RAHMAN", h, quantity=120))
        movements.append(mv("expenditure", rounds, "PTE-RAHMAN", "expended", h + 4, quantity=30, reason="training"))
        movements.append(mv("return", rounds, "PTE-RAHMAN", "GAO-ARM", h + 10, quantity=90))
        movements.append(mv("return", rifles[0], "PTE-RAHMAN", "GAO-ARM", h + 10))
    ledger.post_many(movements)
