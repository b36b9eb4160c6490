"""The generic movement paths of the web (``POST /api/movements``, the record form) refuse a kind
that only its register posts, however it is written, naming the register (issue 8 item 2, a
trial of the web); the form's reversal has its field; a lot's blank quantity is refused."""

from __future__ import annotations

import pytest

from tests.factories import ball_rounds, rifle

from .conftest import sign_in

RIFLE = rifle("56-00002").key  # at GAO-ARM


def _bearer(personas, name: str = "officer") -> dict[str, str]:  # noqa: ANN001
    return {"Authorization": f"Bearer {personas[name].token}"}


@pytest.mark.parametrize(("kind", "register"), [
    ("loss", "wam incidents report"), ("LOSS", "wam incidents report"), (" Loss ", "wam incidents report"),
    ("Adjustment", "wam counts"), (" DISPOSAL\t", "wam disposal"), ("recovery", "wam recoveries register"),
])
def test_the_api_names_the_register_of_a_kind_however_written(app, client, personas, kind: str,
                                                             register: str) -> None:  # noqa: ANN001
    head = app.state.wam.ledger.head()
    body = {"kind": kind, "item": RIFLE, "source": "GAO-ARM", "target": "lost", "document": "INC-1"}
    response = client.post("/api/movements", headers=_bearer(personas), json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("document_required", "kind") and register in error["message"]
    assert app.state.wam.ledger.head() == head


@pytest.mark.parametrize("kind", ["loss", " DISPOSAL ", "Adjustment"])
def test_the_record_form_names_the_register_in_any_shape(app, client, personas, kind: str) -> None:  # noqa: ANN001
    csrf = sign_in(client, "officer")
    head = app.state.wam.ledger.head()
    for target, document in (("lost", "INC-1"), ("destroyed", "")):
        page = client.post("/record", data={"csrf": csrf, "kind": kind, "source": "GAO-ARM", "target": target,
                                            "serials": "56-00002", "document": document})
        assert page.status_code == 422, page.text[:300]
        assert 'data-code="document_required"' in page.text and "register" in page.text
    assert app.state.wam.ledger.head() == head


def test_the_record_form_reverses_an_entry_it_is_given(app, client, personas) -> None:  # noqa: ANN001
    ledger = app.state.wam.ledger
    csrf = sign_in(client, "officer")
    done = client.post("/record", data={"csrf": csrf, "kind": "issue", "source": "GAO-ARM", "target": "PTE-RAHMAN",
                                        "serials": "56-00002", "occurred_at": "2024-01-02T08:00"})
    assert done.status_code == 303, done.text[:300]
    [issue] = ledger.entries(limit=1)
    form = client.get("/record?kind=reversal")
    assert 'name="reverses"' in form.text
    undone = client.post("/record", data={"csrf": csrf, "kind": "reversal", "source": "PTE-RAHMAN", "target": "GAO-ARM",
                                          "serials": "56-00002", "occurred_at": "2024-01-02T09:00",
                                          "reverses": issue.uid, "note": "wrong soldier"})
    assert undone.status_code == 303, undone.text[:300]
    assert ledger.custodian(RIFLE) == "GAO-ARM"
    assert ledger.entries(limit=1)[0].reverses == issue.uid


def test_the_record_form_refuses_a_lots_blank_quantity(app, client, personas) -> None:  # noqa: ANN001
    csrf = sign_in(client, "officer")
    head = app.state.wam.ledger.head()
    page = client.post("/record", data={"csrf": csrf, "kind": "transfer", "source": "GAO-ASP", "target": "GAO-ARM",
                                        "item": ball_rounds().key, "quantity": ""})
    assert page.status_code == 422 and "is required for a lot" in page.text
    assert app.state.wam.ledger.head() == head


@pytest.mark.parametrize("body", [b'{"kind": "issue"', b'{"kind": "\xff\xfe"}',
                                  b'{"kind": "issue", "quantity": ' + b"9" * 5000 + b"}"])
def test_a_body_that_is_not_json_is_bad_input_naming_the_body(app, client, personas, body: bytes) -> None:  # noqa: ANN001
    response = client.post("/api/movements", content=body,
                           headers={**_bearer(personas), "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_input", "body")
