"""The items list: every item in the user's scope once, with where it is, scoped like every list."""

from __future__ import annotations

import pytest

from tests.factories import T0
from wam.domain.movements import make_movement

from .conftest import sign_in


@pytest.fixture
def spread(app, web_world):  # noqa: ANN001, ANN201
    """The world's rounds are split between GAO-ASP and GAO-ARM; a rifle is issued to PTE-RAHMAN."""
    ledger = app.state.wam.ledger
    ledger.post(make_movement(kind="transfer", item=web_world.rounds.key, quantity=2_500, source="GAO-ASP",
                              target="GAO-ARM", occurred_at=T0, actor="setup"))
    ledger.post(make_movement(kind="issue", item=web_world.rifles[0].key, quantity=1, source="GAO-ARM",
                              target="PTE-RAHMAN", occurred_at=T0, actor="setup"))
    return web_world


def _items(client, personas, who: str, **params) -> dict:  # noqa: ANN001
    r = client.get("/api/lists/items", params={"per": 500, **params},
                   headers={"Authorization": f"Bearer {personas[who].token}"})
    assert r.status_code == 200, r.text
    return r.json()


def test_each_item_once_with_its_quantity_and_holder(client, personas, spread) -> None:  # noqa: ANN001
    found = _items(client, personas, "quartermaster")
    rows = {row["item"]: row for row in found["items"]}
    assert len(rows) == len(found["items"]) == found["total"]  # once each
    lot = rows[spread.rounds.key]
    assert lot["quantity"] == 10_000 and lot["holders"] == 2 and lot["holder"] == ""  # split, counted once
    issued = rows[spread.rifles[0].key]
    assert issued["holder"] == "PTE-RAHMAN" and issued["quantity"] == 1
    assert "56-30001" not in {row["serial"] for row in rows.values()}  # UNMISS: out of the quartermaster's sight


def test_a_researcher_never_sees_what_persons_hold(client, personas, spread) -> None:  # noqa: ANN001
    keys = {row["item"] for row in _items(client, personas, "researcher")["items"]}
    assert spread.rifles[1].key in keys and spread.rifles[0].key not in keys  # the issued one is held by a person


def test_filters_sort_and_errors(client, personas, spread) -> None:  # noqa: ANN001
    ammo = _items(client, personas, "quartermaster", kind="ammunition")["items"]
    assert [row["item"] for row in ammo] == [spread.rounds.key]
    under = _items(client, personas, "quartermaster", under="GAO-ASP")["items"]
    assert [(row["item"], row["quantity"]) for row in under] == [(spread.rounds.key, 7_500)]
    by_quantity = _items(client, personas, "quartermaster", sort="quantity", desc="true")["items"]
    assert by_quantity[0]["item"] == spread.rounds.key
    search = _items(client, personas, "quartermaster", q=spread.rifles[1].serial)["items"]
    assert [row["item"] for row in search] == [spread.rifles[1].key]
    auth = {"Authorization": f"Bearer {personas['quartermaster'].token}"}
    bad = client.get("/api/lists/items", params={"sort": "actor"}, headers=auth)
    assert bad.status_code == 422 and "sort" in bad.text
    hidden = client.get("/api/lists/items", params={"under": "JUBA-ARM"}, headers=auth)
    assert hidden.status_code == 404


def test_an_administrator_sees_no_negative_source_as_a_holding(client, personas, spread) -> None:  # noqa: ANN001
    rows = {row["item"]: row for row in _items(client, personas, "admin")["items"]}
    assert rows[spread.rifles[1].key]["quantity"] == 1 and rows[spread.rifles[1].key]["holders"] == 1


def test_the_page_and_its_export(client, personas, spread) -> None:  # noqa: ANN001
    sign_in(client, "quartermaster")
    page = client.get("/lists/items", params={"kind": "ammunition"})
    assert page.status_code == 200 and "2 holders" in page.text and "10,000" in page.text
    assert client.get("/items").text.count('href="/lists/items"') == 1
    csv_text = client.get("/lists/items", params={"format": "csv", "kind": "weapon"}).text
    assert spread.rifles[1].serial in csv_text and spread.rounds.lot not in csv_text


def test_a_search_for_a_wildcard_finds_that_character_only(client, personas, spread) -> None:  # noqa: ANN001
    for q in ("%", "_", "\\"):  # found by a README trial: '%' and '_' matched every item
        assert _items(client, personas, "quartermaster", q=q)["items"] == []
    assert len(_items(client, personas, "quartermaster", q="56-")["items"]) > 1  # a plain search still finds
