"""Look-alike serials through the JSON API and the item search page (issue 9, finding 5)."""

from __future__ import annotations

from urllib.parse import unquote

from tests.factories import T0, rifle
from wam.domain.movements import make_movement

from .conftest import sign_in

CYRILLIC = "56-\u041e0001"  # Cyrillic capital O
LATIN = "56-O0001"


def _bearer(personas, name: str) -> dict[str, str]:  # noqa: ANN001
    return {"Authorization": f"Bearer {personas[name].token}"}


def _receive_latin_rifle(app) -> str:  # noqa: ANN001
    ledger = app.state.wam.ledger
    ledger.register_items([rifle(LATIN)])
    ledger.post(make_movement(kind="receipt", item=rifle(LATIN).key, quantity=1, source="supply:BGD",
                              target="GAO-ARM", occurred_at=T0, actor="armourer"))
    return rifle(LATIN).key


def test_the_api_finds_and_moves_the_latin_rifle_by_its_cyrillic_serial(app, client, personas) -> None:  # noqa: ANN001
    key = _receive_latin_rifle(app)
    headers = _bearer(personas, "armourer")
    found = client.get("/api/items", params={"serial": CYRILLIC}, headers=headers)
    assert found.status_code == 200 and [i["key"] for i in found.json()["items"]] == [key]
    issued = client.post("/api/movements", headers=headers, json={
        "kind": "issue", "item": f"W|NORINCO|TYPE 56|{CYRILLIC}", "source": "GAO-ARM", "target": "PTE-RAHMAN"})
    assert issued.status_code == 201, issued.text
    assert issued.json()["item"] == key


def test_the_api_refuses_a_serial_with_no_ascii_look_alike_naming_the_field(client, personas) -> None:  # noqa: ANN001
    refused = client.get("/api/items", params={"serial": "56-\u04160001"}, headers=_bearer(personas, "armourer"))
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == "serial" and "CYRILLIC CAPITAL LETTER ZHE" in error["message"]


def test_the_search_page_finds_the_rifle_by_its_cyrillic_serial(app, client, personas) -> None:  # noqa: ANN001
    key = _receive_latin_rifle(app)
    sign_in(client, "armourer")
    found = client.get("/items", params={"serial": CYRILLIC})
    assert found.status_code == 303 and unquote(found.headers["location"]) == f"/items/{key}"
