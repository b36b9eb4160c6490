"""A refusal never names a holder the user may not see: posting an item held outside the user's scope
(a receipt of it, a loss of it from one's own store) is "not found", as every read of it is; within the
scope the law's refusal still says who holds it (wam.services.scoped._unseen_holders_unnamed)."""

from __future__ import annotations

from typing import Any

from tests.factories import rifle

from .conftest import POSITIONS

ABROAD = rifle(POSITIONS["country"][2]).key  # held at ANSONGO-ARM (SEN-BATT): out of BGD-BATT's sight
OWN = rifle(POSITIONS["own"][2]).key  # held at GAO-ARM


def _headers(personas, name: str) -> dict[str, str]:  # noqa: ANN001
    return {"Authorization": f"Bearer {personas[name].token}"}


def _receipt(key: str) -> dict[str, Any]:
    return {"kind": "receipt", "item": key, "quantity": 1, "source": "supply:BGD", "target": "GAO-ARM"}


def test_a_receipt_of_an_item_held_out_of_sight_is_not_found(client, personas) -> None:  # noqa: ANN001
    qm = _headers(personas, "quartermaster")
    hidden = client.post("/api/movements", headers=qm, json=_receipt(ABROAD))
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found", hidden.text
    assert "ANSONGO" not in hidden.text and "SEN-" not in hidden.text
    seen = client.post("/api/movements", headers=qm, json=_receipt(OWN))  # held in sight: the law says by whom
    assert seen.status_code == 409 and "held by GAO-ARM" in seen.json()["error"]["message"], seen.text
    everywhere = client.post("/api/movements", headers=_headers(personas, "admin"), json=_receipt(ABROAD))
    assert everywhere.status_code == 409 and "ANSONGO-ARM" in everywhere.json()["error"]["message"]


def test_a_loss_reported_of_an_item_held_out_of_sight_is_not_found(client, personas) -> None:  # noqa: ANN001
    body = {"lines": [{"item": ABROAD, "from": "GAO-ARM"}], "started_at": "2024-02-01T02:00:00Z", "site": "GAO",
            "mission": "MINUSMA", "contingents": [{"name": "1st BANBAT", "country": "BGD"}],
            "circumstance": "fixed_site", "mechanism": "armed_attack_overrun", "ownership": "COE",
            "narrative": "camp overrun at night"}
    refused = client.post("/api/incidents", headers=_headers(personas, "armourer"), json=body)
    assert refused.status_code == 404 and "ANSONGO" not in refused.text, refused.text
