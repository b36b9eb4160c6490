"""Builders for test data in the domain's own language.

``build_world`` makes a small mission, the same every time::

    UN (organisation)
      MINUSMA (mission)
        SEC-EAST (sector)
          BGD-BATT (contingent, BGD)
            GAO (site)  > GAO-ARM (store) > PTE-RAHMAN (person)
                        > GAO-ASP (store: ammunition)
          SEN-BATT (contingent, SEN)
            ANSONGO (site) > ANSONGO-ARM (store) > SGT-DIOP (person)
      UNMISS (mission)
        NPL-BATT (contingent, NPL)
          JUBA (site) > JUBA-ARM (store)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from wam.domain.holders import make_holder
from wam.domain.materiel import Item, make_item
from wam.domain.movements import Entry, make_movement

T0 = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)

HOLDERS = [
    ("UN", "United Nations", "organisation", None, None),
    ("MINUSMA", "MINUSMA", "mission", "UN", None),
    ("SEC-EAST", "Sector East", "sector", "MINUSMA", None),
    ("BGD-BATT", "Bangladesh battalion", "contingent", "SEC-EAST", "BGD"),
    ("GAO", "Gao camp", "site", "BGD-BATT", None),
    ("GAO-ARM", "Gao armoury", "store", "GAO", None),
    ("GAO-ASP", "Gao ammunition point", "store", "GAO", None),
    ("PTE-RAHMAN", "Private Rahman", "person", "GAO-ARM", None),
    ("SEN-BATT", "Senegal battalion", "contingent", "SEC-EAST", "SEN"),
    ("ANSONGO", "Ansongo camp", "site", "SEN-BATT", None),
    ("ANSONGO-ARM", "Ansongo armoury", "store", "ANSONGO", None),
    ("SGT-DIOP", "Sergeant Diop", "person", "ANSONGO-ARM", None),
    ("UNMISS", "UNMISS", "mission", "UN", None),
    ("NPL-BATT", "Nepal battalion", "contingent", "UNMISS", "NPL"),
    ("JUBA", "Juba camp", "site", "NPL-BATT", None),
    ("JUBA-ARM", "Juba armoury", "store", "JUBA", None),
]


@dataclass
class World:
    ledger: object
    rifles: list[Item]
    rounds: Item

    def move(self, kind: str, item: Item, source: str, target: str, *, quantity: int = 1, days: float = 0,
             **extra) -> Entry:
        return self.ledger.post(  # type: ignore[attr-defined]
            make_movement(kind=kind, item=item.key, quantity=quantity, source=source, target=target,
                          occurred_at=T0 + timedelta(days=days), actor="armourer", **extra)
        )


def rifle(serial: str, model: str = "Type 56") -> Item:
    return make_item(type="weapon", make="Norinco", model=model, serial=serial, category="assault rifle",
                     calibre="7.62x39mm")


def ball_rounds(lot: str = "POF-2021-07") -> Item:
    return make_item(type="ammunition", make="POF", model="7.62x39mm ball", lot=lot, calibre="7.62x39mm",
                     hazard_division="1.4", compatibility_group="S", neq_kg="0.0016")


def build_world(ledger) -> World:  # noqa: ANN001
    ledger.add_holders(
        [make_holder(code=c, name=n, kind=k, parent=p, country=ctry) for c, n, k, p, ctry in HOLDERS]
    )
    rifles = [rifle(f"56-{n:05d}") for n in range(1, 4)]
    rounds = ball_rounds()
    ledger.register_items([*rifles, rounds])
    world = World(ledger, rifles, rounds)
    for r in rifles:
        world.move("receipt", r, "supply:BGD", "GAO-ARM")
    world.move("receipt", rounds, "supply:BGD", "GAO-ASP", quantity=10_000)
    return world
