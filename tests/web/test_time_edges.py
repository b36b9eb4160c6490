"""Dates at the edges through the web: the API, the record form and every ``?at=`` (issue 9 finding 1,
issue 8 item 3). Each refusal is a 422 naming its field, in English and French, and writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import ball_rounds, rifle
from wam.domain.timewindow import TimeWindow, check_occurred_at
from wam.web.i18n import Translator
from wam.web.messages import localize

from .conftest import sign_in

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}
RIFLE = rifle("56-00002").key  # at GAO-ARM
YEAR_10000 = "9999-12-31T23:59:59-12:00"
READ_BACK = ["/", "/holders/GAO-ARM", "/holders/PTE-RAHMAN", f"/items/{RIFLE}", "/lists/movements",
             "/api/movements", f"/api/items/{RIFLE}/history", "/api/holders/GAO-ARM/movements",
             "/api/lists/movements", "/api/holders/GAO-ARM/balances"]


def _bearer(personas, name: str = "quartermaster", **extra: str) -> dict[str, str]:  # noqa: ANN001
    return {"Authorization": f"Bearer {personas[name].token}", **extra}


def _issue(when: str) -> dict[str, object]:
    return {"kind": "issue", "item": RIFLE, "source": "GAO-ARM", "target": "PTE-RAHMAN", "occurred_at": when}


def _every_page_reads(client, personas) -> None:  # noqa: ANN001
    for path in READ_BACK:
        response = client.get(path, headers=_bearer(personas))
        assert response.status_code == 200, (path, response.status_code, response.text[:300])


def test_a_date_past_year_9999_in_utc_is_refused_by_the_api_and_writes_nothing(app, client, personas) -> None:  # noqa: ANN001
    """The finding: this was written while the client got 500, and every page failed from then on."""
    head = app.state.wam.ledger.head()
    response = client.post("/api/movements", headers=_bearer(personas), json=_issue(YEAR_10000))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == "occurred_at" and "outside the dates the ledger can keep" in error["message"]
    assert app.state.wam.ledger.head() == head
    _every_page_reads(client, personas)
    ok = client.post("/api/movements", headers=_bearer(personas), json=_issue("2024-01-02T10:00:00Z"))
    assert ok.status_code == 201


@pytest.mark.parametrize("when, words", [
    ((datetime.now(UTC) + timedelta(hours=1)).isoformat(), "the time of recording plus 10 minutes"),
    ("2999-12-31T00:00:00Z", "the time of recording plus 10 minutes"),
    ("1900-01-01T00:00:00Z", "is before 1945-01-01T00:00:00Z, the earliest date this ledger accepts"),
])
def test_the_api_refuses_a_time_outside_the_window(app, client, personas, when: str, words: str) -> None:  # noqa: ANN001
    head = app.state.wam.ledger.head()
    response = client.post("/api/movements", headers=_bearer(personas), json=_issue(when))
    assert response.status_code == 422 and response.json()["error"]["field"] == "occurred_at"
    assert words in response.json()["error"]["message"]
    assert app.state.wam.ledger.head() == head


def test_the_window_is_explained_in_french(client, personas) -> None:  # noqa: ANN001
    later = client.post("/api/movements", headers=_bearer(personas, **FR), json=_issue("2999-12-31T00:00:00Z"))
    message = later.json()["error"]["message"]
    assert message.startswith("Saisie invalide dans le champ « date et heure » : 2999-12-31T00:00:00+00:00 est "
                              "postérieure au ")
    assert "l’heure d’enregistrement plus 10 minutes (WAM_FUTURE_TOLERANCE_MINUTES)" in message
    early = client.post("/api/movements", headers=_bearer(personas, **FR), json=_issue("1900-01-01T00:00:00Z"))
    assert early.json()["error"]["message"] == (
        "Saisie invalide dans le champ « date et heure » : 1900-01-01T00:00:00+00:00 est antérieure au "
        "1945-01-01T00:00:00Z, la date la plus ancienne que ce registre accepte (WAM_EARLIEST_OCCURRED_AT)")
    beyond = client.post("/api/movements", headers=_bearer(personas, **FR), json=_issue(YEAR_10000))
    assert beyond.json()["error"]["message"] == (
        "Saisie invalide dans le champ « date et heure » : 9999-12-31T23:59:59-12:00 est hors des dates que le "
        "registre peut conserver (du 0001-01-01 au 9998-12-31, UTC)")


def test_every_window_message_has_its_french_text() -> None:
    fr, now = Translator("fr"), datetime(2026, 1, 1, tzinfo=UTC)
    for when in (datetime(1900, 1, 1, tzinfo=UTC), datetime(2999, 1, 1, tzinfo=UTC),
                 datetime.fromisoformat(YEAR_10000)):
        with pytest.raises(Exception) as caught:
            check_occurred_at(when, now, TimeWindow(tolerance=timedelta(minutes=7)))
        text = localize(caught.value, fr)  # type: ignore[arg-type]
        assert caught.value.detail not in text, text  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", ["/holders/GAO-ARM", "/api/holders/GAO-ARM/balances", "/api/holders/GAO-ARM/summary"])
@pytest.mark.parametrize("at", [YEAR_10000, "0001-01-01T00:00:00+01:00", "9999-12-31"])
def test_an_at_the_ledger_cannot_keep_is_a_422_not_a_500(client, personas, path: str, at: str) -> None:  # noqa: ANN001
    response = client.get(path, params={"at": at}, headers=_bearer(personas))
    assert response.status_code == 422, response.text[:300]
    assert "at" in response.text


def test_the_record_form_refuses_a_time_outside_the_window_and_keeps_what_was_typed(app, client, personas) -> None:  # noqa: ANN001
    csrf = sign_in(client, "armourer")
    head = app.state.wam.ledger.head()
    for when in ("2999-12-31T00:00", "9999-12-31T23:59", "1900-01-01T08:00", YEAR_10000):
        page = client.post("/record", data={"csrf": csrf, "kind": "issue", "source": "GAO-ARM", "target": "PTE-RAHMAN",
                                            "serials": "56-00002", "occurred_at": when})
        assert page.status_code == 422, (when, page.status_code)
        assert "occurred_at" in page.text and when in page.text
    assert app.state.wam.ledger.head() == head
    _every_page_reads(client, personas)


@pytest.mark.parametrize("when", ["2024-02-01+05:00", "2024-02-01_05:00"])
def test_the_record_form_reads_a_date_and_time_by_the_ledgers_rule(app, client, personas, when: str) -> None:  # noqa: ANN001
    """Python 3.11 read "2024-02-01+05:00" (a date with an offset) as 05:00 that day: only T or a
    space separates the date from the time, in a form as in a file (wam.domain.timefmt)."""
    csrf = sign_in(client, "armourer")
    head = app.state.wam.ledger.head()
    page = client.post("/record", data={"csrf": csrf, "kind": "issue", "source": "GAO-ARM", "target": "PTE-RAHMAN",
                                        "serials": "56-00002", "occurred_at": when})
    assert page.status_code == 422 and "occurred_at" in page.text
    assert app.state.wam.ledger.head() == head


# A later trial: pydantic read a body's "20240201" and 1700000000 as Unix timestamps (1970-08-23,
# 2023-11-14) and refused a time without an offset. Every body's moment is now read as the command
# line and the files read it (wam.web.api.schemas.Moment).
@pytest.mark.parametrize(("when", "stored"), [
    ("20240201", "2024-02-01T23:59:59.999999Z"),  # a date alone: the end of that day
    ("2024-02-01", "2024-02-01T23:59:59.999999Z"),
    ("2024-02-01T05:00", "2024-02-01T05:00:00.000000Z"),  # no offset: UTC
    ("2024-02-01T05:00+05:00", "2024-02-01T00:00:00.000000Z"),
])
def test_the_api_reads_a_moment_as_every_path_does(app, client, personas, when: str, stored: str) -> None:  # noqa: ANN001
    response = client.post("/api/movements", headers=_bearer(personas), json=_issue(when))
    assert response.status_code == 201, response.text
    assert response.json()["occurred_at"] == stored


@pytest.mark.parametrize("when", [1700000000, "1700000000", True, "2024-02-01_05:00", "2024-W05"])
def test_the_api_refuses_a_number_or_a_malformed_moment(app, client, personas, when: object) -> None:  # noqa: ANN001
    head = app.state.wam.ledger.head()
    response = client.post("/api/movements", headers=_bearer(personas), json=_issue(when))  # type: ignore[arg-type]
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "occurred_at"
    assert app.state.wam.ledger.head() == head


@pytest.mark.parametrize("quantity", [True, "1_000", 1.5, "12"])
def test_the_api_takes_a_quantity_as_a_whole_json_number(app, client, personas, quantity: object) -> None:  # noqa: ANN001
    body = {"kind": "transfer", "item": ball_rounds().key, "quantity": quantity, "source": "GAO-ASP",
            "target": "GAO-ARM", "occurred_at": "2024-01-02T10:00:00Z"}
    response = client.post("/api/movements", headers=_bearer(personas, "officer"), json=body)
    assert response.status_code == 422 and response.json()["error"]["field"] == "quantity", response.text
