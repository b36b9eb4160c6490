"""Lists that scale: paging with the total, sorting, filters, search and exports, scoped to the user.

A store here holds 130 rifles (more than a page), so a list that stopped silently shows up.
"""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.factories import T0, rifle
from wam.domain.movements import make_movement

from .conftest import sign_in

MANY = 130


@pytest.fixture
def stocked(app):  # noqa: ANN001, ANN201
    """GAO-ARM receives MANY more rifles (serials 77-00000...)."""
    ledger = app.state.wam.ledger
    items = [rifle(f"77-{n:05d}", model="AK-47") for n in range(MANY)]
    ledger.register_items(items)
    ledger.post_many([make_movement(kind="receipt", item=i.key, quantity=1, source="supply:BGD", target="GAO-ARM",
                                    occurred_at=T0, actor="setup", document="RV-1") for i in items])
    return app


def _total(html: str) -> int:
    found = re.search(r'data-total="(\d+)"', html)
    assert found, "the list shows no total"
    return int(found[1])


def _rows(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr>")


def test_it_pages_a_store_holding_more_than_a_page_and_shows_the_total(client, personas, stocked) -> None:  # noqa: ANN001
    sign_in(client, "quartermaster")
    first = client.get("/lists/holdings", params={"holder": "GAO-ARM"})
    assert first.status_code == 200
    total = _total(first.text)
    assert total >= MANY and _rows(first.text) == 50
    assert 'rel="next"' in first.text
    seen = set()
    for page in range(1, -(-total // 50) + 1):
        html = client.get("/lists/holdings", params={"holder": "GAO-ARM", "page": page}).text
        seen |= set(re.findall(r"77-\d{5}", html))
    assert len(seen) == MANY  # every rifle is reachable, none repeated or lost
    holder_page = client.get("/holders/GAO-ARM").text
    assert "/lists/holdings?holder=GAO-ARM" in holder_page and str(total) in holder_page


def test_it_searches_serials_by_prefix_and_part_and_filters(client, personas, stocked) -> None:  # noqa: ANN001
    sign_in(client, "quartermaster")
    prefix = client.get("/lists/holdings", params={"holder": "GAO-ARM", "q": "77-0012"}).text
    assert _total(prefix) == 10  # 77-00120 .. 77-00129
    part = client.get("/lists/holdings", params={"holder": "GAO-ARM", "q": "0012"}).text
    assert {f"77-0012{n}" for n in range(10)} <= set(re.findall(r"77-\d{5}", part))  # inside the serial too
    assert _total(client.get("/lists/holdings", params={"holder": "GAO-ARM", "q": "ak-47"}).text) == MANY
    ammo = client.get("/lists/holdings", params={"holder": "GAO-ARM", "kind": "ammunition"}).text
    assert "77-000" not in ammo
    bad = client.get("/lists/holdings", params={"holder": "GAO-ARM", "page": "0"})
    assert bad.status_code == 422 and "page" in bad.text


def test_it_sorts(client, personas, stocked) -> None:  # noqa: ANN001
    sign_in(client, "quartermaster")
    up = client.get("/lists/holdings", params={"holder": "GAO-ARM", "q": "77-", "sort": "ident"}).text
    down = client.get("/lists/holdings", params={"holder": "GAO-ARM", "q": "77-", "sort": "ident", "desc": "1"}).text
    assert re.findall(r"77-\d{5}", up)[0] == "77-00000"
    assert re.findall(r"77-\d{5}", down)[0] == f"77-{MANY - 1:05d}"


def test_it_exports_what_was_filtered_to_csv_and_xlsx(client, personas, stocked) -> None:  # noqa: ANN001
    from openpyxl import load_workbook

    sign_in(client, "quartermaster")
    response = client.get("/lists/holdings", params={"holder": "GAO-ARM", "q": "77-0012", "format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Make", "Model", "Serial or lot"] and len(rows) == 11
    assert {r[2] for r in rows[1:]} == {f"77-0012{n}" for n in range(10)}
    xlsx = client.get("/lists/holdings", params={"holder": "GAO-ARM", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    assert len(list(sheet.iter_rows())) == _total(client.get("/lists/holdings", params={"holder": "GAO-ARM"}).text) + 1
    assert client.get("/lists/holdings", params={"holder": "GAO-ARM", "format": "pdf"}).status_code == 422


def test_it_lists_movements_with_filters_and_their_document(client, personas, stocked) -> None:  # noqa: ANN001
    sign_in(client, "quartermaster")
    html = client.get("/lists/movements", params={"kind": "receipt", "q": "77-0012"}).text
    assert _total(html) == 10 and "RV-1" in html  # the document of each movement is shown
    assert _total(client.get("/lists/movements", params={"kind": "issue", "q": "77-0012"}).text) == 0
    assert _total(client.get("/lists/movements", params={"q": "77-0012", "until": "2023-12-31"}).text) == 0
    assert _total(client.get("/lists/movements", params={"q": "77-0012", "since": "2024-01-01",
                                                          "under": "GAO"}).text) == 10


def test_it_scopes_every_list(client, personas, stocked) -> None:  # noqa: ANN001
    sign_in(client, "armourer")  # GAO-ARM only
    assert client.get("/lists/holdings", params={"holder": "JUBA-ARM"}).status_code == 404
    assert client.get("/lists/movements", params={"holder": "JUBA-ARM"}).status_code == 404
    everything = client.get("/lists/movements", params={"per": 500}).text
    assert "JUBA-ARM" not in everything and "56-30001" not in everything
    found = client.get("/lists/holders", params={"q": "arm"}).text
    assert "GAO-ARM" in found and "KIDAL-ARM" not in found
    assert client.get("/lists/users").status_code == 403
    export = client.get("/lists/movements", params={"format": "csv"}).text
    assert "JUBA-ARM" not in export and "77-00001" in export


def test_it_keeps_persons_from_a_researchers_lists(client, personas, stocked) -> None:  # noqa: ANN001
    sign_in(client, "researcher")
    assert "PTE-RAHMAN" not in client.get("/lists/holders", params={"parent": "GAO-ARM"}).text
    assert "PTE-RAHMAN" not in client.get("/lists/holdings", params={"holder": "BGD-BATT", "tree": "1"}).text
    assert client.get("/lists/movements").status_code == 403


def test_the_api_lists_with_totals_filters_and_exports(client, personas, stocked) -> None:  # noqa: ANN001
    headers = {"Authorization": f"Bearer {personas['quartermaster'].token}"}
    page = client.get("/api/lists/holdings", params={"holder": "GAO-ARM", "q": "77-001", "per": 20,
                                                      "sort": "serial", "desc": True}, headers=headers).json()
    assert page["total"] == 30 and len(page["items"]) == 20 and page["items"][0]["serial"] == "77-00129"
    second = client.get("/api/lists/holdings", params={"holder": "GAO-ARM", "q": "77-001", "per": 20, "page": 2,
                                                        "sort": "serial", "desc": True}, headers=headers).json()
    assert not {i["item"] for i in page["items"]} & {i["item"] for i in second["items"]}
    moves = client.get("/api/lists/movements", params={"kind": "receipt", "q": "77-0000", "until": "2024-01-01"},
                       headers=headers).json()
    assert moves["total"] == 10 and all(m["document"] == "RV-1" for m in moves["items"])
    export = client.get("/api/lists/movements", params={"kind": "receipt", "q": "77-0000", "format": "csv"},
                        headers=headers)
    assert export.status_code == 200 and export.text.count("77-0000") == 20  # item label and key on each row
    assert client.get("/api/lists/holdings", params={"holder": "GAO-ARM", "per": 0}, headers=headers).status_code == 422


def test_exports_write_when_as_a_moment_not_microseconds(client, personas, stocked) -> None:  # noqa: ANN001
    from datetime import datetime

    from openpyxl import load_workbook

    sign_in(client, "quartermaster")
    params = {"kind": "receipt", "q": "77-00001", "format": "csv"}
    rows = list(csv.reader(io.StringIO(client.get("/lists/movements", params=params).content.decode("utf-8-sig"))))
    assert rows[0][0] == "When" and rows[1][0] == T0.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    xlsx = client.get("/lists/movements", params={**params, "format": "xlsx"})
    cells = list(load_workbook(io.BytesIO(xlsx.content), read_only=True).active.iter_rows(values_only=True))
    assert cells[1][0] == T0.replace(tzinfo=None) and isinstance(cells[1][0], datetime)
    headers = {"Authorization": f"Bearer {personas['quartermaster'].token}"}
    api = client.get("/api/lists/movements", params=params, headers=headers).content.decode("utf-8-sig")
    head, first = list(csv.reader(io.StringIO(api)))[:2]
    assert first[head.index("occurred_at")] == T0.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
