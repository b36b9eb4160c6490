"""What the dashboard says is held under each site is the sum of the balances of the holders below it
that the user may see, computed here from the tree and the balances directly."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import T0
from wam.domain.access import Grant, Role
from wam.domain.movements import make_movement
from wam.services import dashboard
from wam.services.scoped import Ancestry, ScopedLedger, scope_ids
from wam.storage import tables as t

GRANTS = {
    "admin": [Grant(Role.ADMINISTRATOR)],
    "officer": [Grant(Role.MISSION_OFFICER, "MINUSMA")],
    "quartermaster": [Grant(Role.QUARTERMASTER, "BGD-BATT")],
    "armourer": [Grant(Role.ARMOURER, "GAO-ARM")],
    "researcher": [Grant(Role.RESEARCHER, "MINUSMA")],
    "researcher and viewer": [Grant(Role.RESEARCHER, "MINUSMA"), Grant(Role.VIEWER, "GAO-ARM")],
    "country": [Grant(Role.VIEWER, country="SEN")],
}


def _expected(world, grants: list[Grant]) -> dict[str, dict[str, int]]:  # noqa: ANN001
    with world.ledger.engine.connect() as conn:
        scope = scope_ids(grants)
        seen = None if scope is None else set(conn.execute(scope).scalars())
        holders = {r.id: r for r in conn.execute(select(t.holders.c.id, t.holders.c.code, t.holders.c.kind,
                                                        t.holders.c.parent_id))}
        types = dict(conn.execute(select(t.items.c.id, t.items.c.type)).all())
        balances = conn.execute(select(t.balances.c.holder_id, t.balances.c.item_id, t.balances.c.quantity)).all()
    out: dict[str, dict[str, int]] = {h.code: {} for h in holders.values()
                                       if h.kind == "site" and (seen is None or h.id in seen)}
    for holder_id, item_id, quantity in balances:
        if quantity <= 0 or (seen is not None and holder_id not in seen):
            continue
        node = holders[holder_id]
        while node is not None:  # the holder, then each holder above it: each site on the way counts it
            if node.code in out:
                held = defaultdict(int, out[node.code])
                held[types[item_id]] += quantity
                out[node.code] = dict(held)
            node = holders.get(node.parent_id)
    return out


@pytest.mark.parametrize("persona", sorted(GRANTS))
def test_what_is_held_under_each_site_is_the_sum_of_its_holders_balances(world, persona: str) -> None:  # noqa: ANN001
    rifle1, rifle2, _ = world.rifles
    for n, (kind, item, source, target) in enumerate([("issue", rifle1, "GAO-ARM", "PTE-RAHMAN"),
                                                      ("transfer", rifle2, "GAO-ARM", "ANSONGO-ARM"),
                                                      ("issue", rifle2, "ANSONGO-ARM", "SGT-DIOP")]):
        world.ledger.post(make_movement(kind=kind, item=item.key, quantity=1, source=source, target=target,
                                        occurred_at=T0 + timedelta(hours=n + 1), actor="setup"))
    scoped = ScopedLedger(world.ledger, Ancestry(), GRANTS[persona], persona)
    got = {line.code: line.held for line in dashboard.by_site(scoped)}
    assert got == _expected(world, GRANTS[persona])
    assert any(got.values()) or persona == "armourer"  # a store's armourer sees no site
