"""Figures that say whether a ledger's world looks like reality, computed from the database.

The demo (``wam.demo.figures``) holds the ranges each figure should fall in; the SQL lives here,
in the services, because adapters never query the tables themselves.

``figures(ledger)`` reads the ledger (entries, items, holders) and the reference strength table
with SQL aggregates (it stays fast at 10 million movements) and returns a dict:

* ``troops``: the strength of the contingents that hold weapons (latest Geo-PKO month);
* ``weapons_per_soldier``: contingent-owned weapons (received from ``supply:*``) per soldier;
* ``rounds_per_weapon``: small-arms rounds held at the end per small arm held at the end;
* ``loss_incidents_per_1000_per_year``: distinct incident documents cited by losses, per 1,000
  troops per year of ledger time;
* ``notable_incident_share``: share of incidents losing more than 10 weapons or 500 rounds
  (the SAS "notable" threshold);
* ``weapons_lost``, ``rounds_lost``, ``weapons_recovered_share``;
* ``rounds_expended_per_weapon_per_year`` (training and operations);
* ``movements``, ``days``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from wam.storage import reference_tables as r
from wam.storage import tables as t

if TYPE_CHECKING:
    from .ledger import Ledger

DAY_US = 86_400_000_000


def figures(ledger: Ledger) -> dict[str, float]:
    e, i, h = t.entries, t.items, t.holders
    src = h.alias("src")
    with ledger.engine.connect() as conn:
        movements, first, last = conn.execute(select(func.count(), func.min(e.c.occurred_at),
                                                     func.max(e.c.occurred_at))).one()
        days = max(1.0, ((last or 0) - (first or 0)) / DAY_US)
        years = days / 365.25
        # contingents holding weapons, and their latest strength
        strength: dict[str, tuple[Any, ...]] = {}
        for row in conn.execute(select(r.strength.c.contingent, r.strength.c.month, r.strength.c.troops,
                                       r.strength.c.mission, r.strength.c.country)
                                .where(r.strength.c.source == "geopko")):
            if row.contingent not in strength or strength[row.contingent][0] < row.month:
                strength[row.contingent] = (row.month, row.troops, row.mission, row.country)
        for code, (month, troops, mission, country) in list(strength.items()):
            if troops is None:  # some site's number is unknown that month: count the known ones
                d = r.deployments
                known = conn.execute(select(func.sum(d.c.troops)).where(
                    d.c.mission == mission, d.c.country == country, d.c.month == month, d.c.slot > 0)).scalar()
                strength[code] = (month, int(known or 0), mission, country)
        receiving = {row[0] for row in conn.execute(
            select(h.c.country).join(e, e.c.source_id == h.c.id).where(h.c.code.like("supply:%")).distinct())}
        troops = sum(v[1] for k, v in strength.items() if k and k.rsplit("-", 1)[-1] in receiving)
        coe_weapons = conn.execute(
            select(func.count(func.distinct(e.c.item_id))).select_from(e.join(i, i.c.id == e.c.item_id)
                                                                         .join(src, src.c.id == e.c.source_id))
            .where(e.c.kind == "receipt", i.c.type == "weapon", src.c.code.like("supply:%"))).scalar() or 0
        b = t.balances
        real = select(h.c.id).where(h.c.external.is_(False))
        small_arms_calibres = ("5.56x45mm", "5.45x39mm", "5.8x42mm", "7.62x39mm", "7.62x51mm", "7.62x54mmR",
                               "7.62x25mm",
                               "9x19mm", "9x18mm", "12.7x99mm", "12.7x108mm")
        rounds_held = conn.execute(
            select(func.sum(b.c.quantity)).select_from(b.join(i, i.c.id == b.c.item_id))
            .where(b.c.holder_id.in_(real), i.c.type == "ammunition",
                   i.c.calibre.in_(small_arms_calibres))).scalar() or 0
        rounds_held = int(rounds_held)  # PostgreSQL sums BIGINT as NUMERIC
        arms_held = conn.execute(
            select(func.sum(b.c.quantity)).select_from(b.join(i, i.c.id == b.c.item_id))
            .where(b.c.holder_id.in_(real), i.c.type == "weapon", i.c.calibre.in_(small_arms_calibres),
                   i.c.make != "Unknown")).scalar() or 0
        arms_held = int(arms_held)
        lost_rows = conn.execute(
            select(e.c.document, i.c.type, func.sum(e.c.quantity)).select_from(e.join(i, i.c.id == e.c.item_id))
            .where(e.c.kind == "loss").group_by(e.c.document, i.c.type)).all()
        recovered_from_lost = conn.execute(
            select(func.count()).select_from(e.join(src, src.c.id == e.c.source_id))
            .where(e.c.kind == "recovery", src.c.code == "lost")).scalar() or 0
        expended = int(conn.execute(select(func.sum(e.c.quantity)).where(e.c.kind == "expenditure")).scalar() or 0)
    incidents: dict[str, list[int]] = {}
    for doc, typ, qty in lost_rows:
        inc = incidents.setdefault(doc, [0, 0])
        inc[0 if typ == "weapon" else 1] += int(qty)
    weapons_lost = sum(v[0] for v in incidents.values())
    rounds_lost = sum(v[1] for v in incidents.values())
    notable = sum(1 for w, n in incidents.values() if w > 10 or n > 500)
    return {
        "movements": movements,
        "days": round(days, 1),
        "troops": troops,
        "weapons": coe_weapons,
        "weapons_per_soldier": round(coe_weapons / troops, 3) if troops else 0.0,
        "rounds_per_weapon": round(rounds_held / arms_held, 1) if arms_held else 0.0,
        "loss_incidents": len(incidents),
        "loss_incidents_per_1000_per_year": round(len(incidents) / (troops / 1000) / years, 3) if troops else 0.0,
        "notable_incident_share": round(notable / len(incidents), 3) if incidents else 0.0,
        "weapons_lost": weapons_lost,
        "rounds_lost": rounds_lost,
        "weapons_recovered_share": round(recovered_from_lost / weapons_lost, 3) if weapons_lost else 0.0,
        "rounds_expended_per_weapon_per_year": round(expended / coe_weapons / years, 1) if coe_weapons else 0.0,
    }

