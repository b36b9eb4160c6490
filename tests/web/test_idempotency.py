"""Idempotency-Key on the API's writes: a retry records once, concurrent retries record once."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from wam.storage import tables as t

from .conftest import PERSONAS  # noqa: F401  (the personas fixture's roles)


def _count(app) -> int:
    with app.state.wam.ledger.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(t.entries)).scalar()


def _issue(serial: str = "56-00001") -> dict:
    return {"kind": "issue", "item": f"W|NORINCO|TYPE 56|{serial}", "quantity": 1, "source": "GAO-ARM",
            "target": "PTE-RAHMAN"}


def _auth(personas, key: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {personas['armourer'].token}"}
    if key:
        headers["Idempotency-Key"] = key
    return headers


def test_a_retried_movement_is_recorded_once(app, client, personas) -> None:
    before = _count(app)
    first = client.post("/api/movements", json=_issue(), headers=_auth(personas, "k-1"))
    assert first.status_code == 201, first.text
    again = client.post("/api/movements", json=_issue(), headers=_auth(personas, "k-1"))
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert _count(app) == before + 1


def test_without_a_key_a_retry_is_refused_by_the_laws_not_replayed(app, client, personas) -> None:
    assert client.post("/api/movements", json=_issue(), headers=_auth(personas)).status_code == 201
    assert client.post("/api/movements", json=_issue(), headers=_auth(personas)).status_code == 409


def test_the_same_key_with_another_body_is_refused(app, client, personas) -> None:
    assert client.post("/api/movements", json=_issue(), headers=_auth(personas, "k-2")).status_code == 201
    before = _count(app)
    other = dict(_issue(), note="another request")
    refused = client.post("/api/movements", json=other, headers=_auth(personas, "k-2"))
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == "Idempotency-Key" and "different request" in error["message"]
    assert _count(app) == before


def test_keys_belong_to_their_user(app, client, personas) -> None:
    assert client.post("/api/movements", json=_issue(), headers=_auth(personas, "shared")).status_code == 201
    officer = {"Authorization": f"Bearer {personas['officer'].token}", "Idempotency-Key": "shared"}
    back = {"kind": "return", "item": "W|NORINCO|TYPE 56|56-00001", "quantity": 1, "source": "PTE-RAHMAN",
            "target": "GAO-ARM"}
    answer = client.post("/api/movements", json=back, headers=officer)
    assert answer.status_code == 201 and answer.json()["kind"] == "return"


def test_a_refused_request_stores_nothing_and_its_retry_is_checked_again(app, client, personas) -> None:
    wrong = dict(_issue(), target="NOBODY-THERE")
    assert client.post("/api/movements", json=wrong, headers=_auth(personas, "k-3")).status_code in (404, 422)
    assert client.post("/api/movements", json=_issue(), headers=_auth(personas, "k-3")).status_code == 201


def test_an_unusable_key_is_refused(client, personas) -> None:
    answer = client.post("/api/movements", json=_issue(), headers=_auth(personas, "a b"))
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "Idempotency-Key"


def test_concurrent_requests_with_one_key_record_once(app, personas) -> None:
    from .asgi import AppClient

    before = _count(app)
    answers: list = []
    start = threading.Barrier(8)

    def send() -> None:
        with AppClient(app) as c:
            start.wait()
            answers.append(c.post("/api/movements", json=_issue(), headers=_auth(personas, "race")))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert [a.status_code for a in answers] == [201] * 8, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert _count(app) == before + 1


def test_admin_writes_and_confirmations_replay(app, client, personas) -> None:
    admin = {"Authorization": f"Bearer {personas['admin'].token}", "Idempotency-Key": "u-1"}
    body = {"name": "clerk", "password": "a long password"}
    first = client.post("/api/users", json=body, headers=admin)
    again = client.post("/api/users", json=body, headers=admin)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    grant = {"role": "viewer", "holder": "GAO-ARM"}
    g1 = client.post("/api/users/clerk/grants", json=grant, headers=dict(admin, **{"Idempotency-Key": "g-1"}))
    g2 = client.post("/api/users/clerk/grants", json=grant, headers=dict(admin, **{"Idempotency-Key": "g-1"}))
    assert g1.status_code == g2.status_code == 201 and g1.json() == g2.json()
    path = f"/api/users/clerk/grants/{g1.json()['id']}"
    assert client.delete(path, headers=dict(admin, **{"Idempotency-Key": "r-1"})).status_code == 204
    assert client.delete(path, headers=dict(admin, **{"Idempotency-Key": "r-1"})).status_code == 204
    assert client.delete(path, headers=dict(admin, **{"Idempotency-Key": "r-2"})).status_code == 404
