"""Recording without typing codes: the holder and item pickers (``/api/pick/...`` and the record
form's datalists), scoped to where the user may record, answered with a limit, prefix first."""

from __future__ import annotations

from tests.factories import rifle

from .conftest import sign_in


def _get(client, personas, who: str, path: str, **params):  # noqa: ANN001, ANN003, ANN202
    return client.get(path, params=params, headers={"Authorization": f"Bearer {personas[who].token}"})


def test_the_holder_picker_finds_by_name_within_the_recording_scope(client, personas) -> None:  # noqa: ANN001
    found = _get(client, personas, "armourer", "/api/pick/holders", q="rahman").json()["items"]
    assert found == [{"code": "PTE-RAHMAN", "name": "Private Rahman", "kind": "person"}]
    names = [h["code"] for h in _get(client, personas, "armourer", "/api/pick/holders", q="armoury").json()["items"]]
    assert names == ["GAO-ARM"]  # the armourer's store only: not Ansongo's, Kidal's or Juba's
    names = [h["code"] for h in _get(client, personas, "officer", "/api/pick/holders", q="armoury").json()["items"]]
    assert set(names) == {"GAO-ARM", "KIDAL-ARM", "ANSONGO-ARM"}  # the mission, not UNMISS
    lost = [h["code"] for h in _get(client, personas, "armourer", "/api/pick/holders", q="lost").json()["items"]]
    assert lost == ["lost"]  # external holders are for every recorder


def test_the_holder_picker_puts_prefix_matches_first_and_stops_at_its_limit(client, personas) -> None:  # noqa: ANN001
    found = _get(client, personas, "admin", "/api/pick/holders", q="an", limit=50).json()["items"]
    prefix = [h["code"].lower().startswith("an") or h["name"].lower().startswith("an") for h in found]
    assert prefix[:2] == [True, True] and False in prefix and prefix == sorted(prefix, reverse=True)
    assert len(_get(client, personas, "admin", "/api/pick/holders", limit=2).json()["items"]) == 2
    assert _get(client, personas, "admin", "/api/pick/holders", limit=51).status_code == 422


def test_the_item_picker_says_items_as_people_do(client, personas) -> None:  # noqa: ANN001
    found = _get(client, personas, "armourer", "/api/pick/items", q="56-0000").json()["items"]
    assert [i["ident"] for i in found] == ["56-00001", "56-00002", "56-00003", "56-00009"]
    first = found[0]
    assert first["label"] == "Norinco Type 56 56-00001" and first["holder_name"] == "Gao armoury"
    assert first["key"] == rifle("56-00001").key and first["serialised"] is True
    rounds = _get(client, personas, "admin", "/api/pick/items", q="pof").json()["items"]
    assert rounds[0]["label"] == "POF 7.62x39mm ball POF-2021-07 7.62x39mm" and rounds[0]["quantity"] == 10_000
    assert rounds[0]["serialised"] is False


def test_the_item_picker_keeps_to_the_scope_and_the_holder(client, personas) -> None:  # noqa: ANN001
    assert _get(client, personas, "armourer", "/api/pick/items", q="56-20001").json()["items"] == []  # Ansongo's
    assert [i["ident"] for i in _get(client, personas, "officer", "/api/pick/items", q="56-20001").json()["items"]] \
        == ["56-20001"]
    at = _get(client, personas, "officer", "/api/pick/items", q="56-", holder="ANSONGO-ARM").json()["items"]
    assert {i["holder"] for i in at} == {"ANSONGO-ARM"}
    assert _get(client, personas, "armourer", "/api/pick/items", holder="JUBA-ARM").status_code == 404
    for who in ("viewer", "researcher", "auditor", "nobody"):
        assert _get(client, personas, who, "/api/pick/items", q="56").status_code == 403, who
        assert _get(client, personas, who, "/api/pick/holders", q="gao").status_code == 403, who


def test_the_record_form_fills_its_lists_and_takes_a_picked_item(client, personas) -> None:  # noqa: ANN001
    csrf = sign_in(client, "armourer")
    form = client.get("/record").text
    assert 'list="pick-source"' in form and 'list="pick-items"' in form and '<script src="/static/wam.js"' in form
    options = client.get("/record/pick/holders", params={"target": "rah"}).text
    assert '<option value="PTE-RAHMAN">Private Rahman' in options
    options = client.get("/record/pick/items", params={"pick": "56-00002", "source": "GAO-ARM"}).text
    assert '<option value="56-00002" data-lot="">Norinco Type 56 56-00002 · Gao armoury</option>' in options
    # without the script, the picker's value is recorded as if it had been typed into the serials
    done = client.post("/record", data={"csrf": csrf, "kind": "issue", "source": "GAO-ARM", "target": "PTE-RAHMAN",
                                        "serials": "", "pick": "56-00002"})
    assert done.status_code == 303, done.text
    assert client.get("/api/pick/items", params={"q": "56-00002"}).json()["items"][0]["holder"] == "PTE-RAHMAN"
