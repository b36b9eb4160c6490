"""Lists past the count's cap: "more than 10,000", paging on, and the large-list plan proven equal.

A list's total is counted up to ``wam.services.lists.COUNT_CAP``; past it the page says "more
than" and reads its rows down the sort's index instead of through the holders' indexes. The cap
is lowered here so that a small ledger crosses it, and every sort and filter is asked of both
plans: the rows (and their order) must be the same.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.factories import T0, rifle
from wam.domain.materiel import make_item
from wam.domain.movements import make_movement
from wam.services import lists

from .conftest import sign_in

RIFLES = 60


@pytest.fixture
def busy(app):  # noqa: ANN001, ANN201
    """GAO-ARM receives RIFLES rifles and a lot of rounds over several days, issues some rifles to a
    soldier (another actor), and some come back: kinds, quantities, actors and times that tie and differ."""
    ledger = app.state.wam.ledger
    items = [rifle(f"88-{n:05d}", model="AK-47" if n % 3 else "G3") for n in range(RIFLES)]
    lot = make_item(type="ammunition", make="POF", model="7.62 ball", lot="L-88", category="cartridge",
                    calibre="7.62x39mm")
    ledger.register_items([*items, lot])
    moves = [make_movement(kind="receipt", item=i.key, quantity=1, source="supply:BGD", target="GAO-ARM",
                           occurred_at=T0 + timedelta(days=n % 4), actor="setup") for n, i in enumerate(items)]
    moves += [make_movement(kind="receipt", item=lot.key, quantity=100 * (n + 1), source="supply:BGD",
                            target="GAO-ARM", occurred_at=T0 + timedelta(days=n), actor="store-clerk")
              for n in range(5)]
    later = T0 + timedelta(days=10)
    moves += [make_movement(kind="issue", item=i.key, quantity=1, source="GAO-ARM", target="PTE-RAHMAN",
                            occurred_at=later + timedelta(hours=n % 5), actor="armourer-2")
              for n, i in enumerate(items[:20])]
    moves += [make_movement(kind="return", item=i.key, quantity=1, source="PTE-RAHMAN", target="GAO-ARM",
                            occurred_at=later + timedelta(days=1), actor="armourer-2") for i in items[:7]]
    ledger.post_many(moves)
    return app


def _total(html: str) -> int:
    found = re.search(r'data-total="(\d+)"', html)
    assert found, "the list shows no total"
    return int(found[1])


def test_a_list_past_the_cap_says_more_than_and_pages_on(client, personas, busy, monkeypatch) -> None:  # noqa: ANN001
    sign_in(client, "quartermaster")
    monkeypatch.setattr(lists, "COUNT_CAP", 40)
    html = client.get("/lists/movements", params={"holder": "GAO-ARM"}).text
    assert 'data-more="1"' in html and _total(html) == 40
    assert "1–50 of more than 40" in html
    assert 'rel="next"' in html and 'rel="last"' not in html  # the last page is not known
    seen: set[str] = set()
    page = 1
    while True:  # follow "next" to the end: every movement is reached once
        html = client.get("/lists/movements", params={"holder": "GAO-ARM", "page": page}).text
        seen |= set(re.findall(r"88-\d{5}|L-88", html))
        if 'rel="next"' not in html:
            break
        page += 1
    assert len(seen) == RIFLES + 1
    api = client.get("/api/lists/movements", params={"holder": "GAO-ARM"},
                     headers={"Authorization": f"Bearer {personas['quartermaster'].token}"}).json()
    assert api["more"] is True and api["total"] == 40 and len(api["items"]) == 50
    monkeypatch.setattr(lists, "COUNT_CAP", 10_000)
    exact = client.get("/api/lists/movements", params={"holder": "GAO-ARM"},
                       headers={"Authorization": f"Bearer {personas['quartermaster'].token}"}).json()
    assert exact["more"] is False and exact["total"] > 40


def test_a_list_exactly_at_the_cap_is_counted_exactly(client, personas, busy, monkeypatch) -> None:  # noqa: ANN001
    sign_in(client, "quartermaster")
    full = _total(client.get("/lists/movements", params={"holder": "GAO-ARM"}).text)
    monkeypatch.setattr(lists, "COUNT_CAP", full)
    html = client.get("/lists/movements", params={"holder": "GAO-ARM"}).text
    assert _total(html) == full and 'data-more="1"' not in html and 'rel="last"' in html
    monkeypatch.setattr(lists, "COUNT_CAP", full - 1)
    assert 'data-more="1"' in client.get("/lists/movements", params={"holder": "GAO-ARM"}).text


FILTERS = [{}, {"kind": "issue"}, {"category": "rifle"}, {"calibre": "7.62x39mm"}, {"q": "88-0001"},
           {"since": "2024-01-02", "until": "2024-01-11"}, {"under": "GAO"}, {"holder": "PTE-RAHMAN"},
           {"kind": "receipt", "category": "cartridge"}]


@pytest.mark.parametrize("sort", [None, *lists.MOVEMENT_SORTS])
def test_the_large_list_plan_gives_the_same_rows_as_the_small_one(client, personas, busy, monkeypatch,  # noqa: ANN001
                                                                  sort) -> None:
    auth = {"Authorization": f"Bearer {personas['officer'].token}"}
    for desc in ("false", "true"):
        for filters in FILTERS:
            params = {**filters, "desc": desc, "per": "7", **({"sort": sort} if sort else {})}
            answers = []
            for cap in (10_000, 0):  # every list small (exact count), then every list large
                monkeypatch.setattr(lists, "COUNT_CAP", cap)
                pages = [client.get("/api/lists/movements", params={**params, "page": p}, headers=auth)
                         for p in (1, 3)]
                assert all(r.status_code == 200 for r in pages), pages[0].text
                answers.append([[row["id"] for row in r.json()["items"]] for r in pages])
            assert answers[0] == answers[1], (params, answers)
            assert answers[0][0] or filters, params  # the unfiltered list is not empty


@pytest.mark.parametrize("persona", ["officer", "quartermaster", "admin"])
def test_a_lists_total_is_the_number_of_its_rows(client, personas, busy, persona) -> None:  # noqa: ANN001
    """The count (on PostgreSQL: the entries leaving the holders, then those entering them from
    elsewhere, from the holders' indexes alone) counts each listed movement once, a movement between
    two of the list's holders (GAO-ARM to PTE-RAHMAN under GAO) included."""
    auth = {"Authorization": f"Bearer {personas[persona].token}"}
    for filters in [*FILTERS, {"holder": "GAO-ARM", "category": "rifle"}, {"under": "GAO", "q": "88-0001"}]:
        r = client.get("/api/lists/movements", params={**filters, "per": "500"}, headers=auth)
        assert r.status_code == 200, (filters, r.text)
        body = r.json()
        assert body["more"] is False and body["total"] == len(body["items"]) == len({i["id"] for i in body["items"]}), \
            filters
    inside = client.get("/api/lists/movements", params={"under": "GAO", "kind": "issue", "per": "500"},
                        headers=auth).json()
    assert inside["total"] == 20, inside["total"]  # both ends under GAO: each issue once
