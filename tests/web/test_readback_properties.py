"""Nothing that cannot be read back is ever written (issue 9, finding 1): a property test.

Arbitrary dates (any year, any offset, and text that is not a date), texts (control characters,
separators, any length) and quantities (zero, negative, beyond the limit) are posted through the
service, the API, the record form, `wam move` and `wam import movements`; whatever each path
answers, it is never a crash (HTTP 500, exit 70), a refusal writes nothing, and every page and
command that shows movements still reads afterwards: home, the holder page (now and at the date
posted), the item page, the movement lists, /api/movements, the item's history, `wam history`
and `wam balance --at`.

Two windows: the default one on the real clock, and the widest the settings allow, on a clock
at the last moment the ledger keeps, so that every moment from year 1 to 9998 is accepted and
must then be shown.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.factories import ball_rounds
from wam.cli.main import run
from wam.domain.errors import WamError
from wam.domain.movements import make_movement
from wam.domain.timefmt import FIRST_MOMENT, LAST_MOMENT
from wam.domain.timewindow import TimeWindow

from .asgi import AppClient
from .conftest import sign_in

IMPORT_HEADER = ["kind", "item", "quantity", "from", "to", "occurred_at", "actor", "witness", "document", "note",
                 "reason"]
ROUNDS = ball_rounds().key  # 10,000 at GAO-ASP in the test world
YEAR_10000 = datetime.fromisoformat("9999-12-31T23:59:59-12:00")

offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.one_of(
    st.datetimes(timezones=offsets),  # years 1 to 9999, any offset: some fall outside years 1-9999 in UTC
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=offsets),  # noqa: DTZ001
    st.sampled_from([YEAR_10000, FIRST_MOMENT, LAST_MOMENT, datetime.fromisoformat("0001-01-01T00:00:00+00:01"),
                     datetime(1945, 1, 1, tzinfo=UTC), datetime.now(UTC)]),
)
whens = st.one_of(moments, moments.map(datetime.isoformat), st.text(max_size=40))  # a moment, or its text, or text
texts = st.one_of(st.none(), st.text(max_size=40), st.text(min_size=1990, max_size=2100),
                  st.sampled_from(["a\x1fb", "\x00", " ", "ordinary note", "é" * 2000]))
quantities = st.one_of(st.integers(min_value=-5, max_value=20), st.sampled_from([0, 10**12, 10**12 + 1, 2**63]))


def _bearer(personas) -> dict[str, str]:  # noqa: ANN001
    return {"Authorization": f"Bearer {personas['quartermaster'].token}"}


def _when_text(when: object) -> str:
    return when.isoformat() if isinstance(when, datetime) else str(when)


_OPENED: list = []  # the ledgers the command line opened (see the test's set-up)


def _cli(db_url: str, capsys, *args: str) -> int:  # noqa: ANN001
    code = run(["--db", db_url, *args])
    while _OPENED:  # a process would exit and close them; in this one PostgreSQL's 100 connections would run out
        _OPENED.pop().engine.dispose()
    out, err = capsys.readouterr()
    assert code != 70 and "Traceback" not in out + err, (args, out, err)
    return code


def _post(path: str, app, client, personas, db_url, capsys, tmp_path_factory, when, note, document,
          quantity) -> bool:  # noqa: ANN001, PLR0913
    """Post one receipt of rounds through ``path``; return whether it was recorded."""
    if path == "form":
        with AppClient(app) as browser:
            csrf = sign_in(browser, "quartermaster")
            page = browser.post("/record", data={"csrf": csrf, "kind": "receipt", "source": "supply:BGD",
                                                 "target": "GAO-ASP", "item": ROUNDS, "quantity": str(quantity),
                                                 "occurred_at": _when_text(when), "note": note or "",
                                                 "document": document or ""})
        assert page.status_code in (303, 403, 409, 422), (page.status_code, page.text[:300])
        return page.status_code == 303
    if path == "import":
        file = tmp_path_factory.mktemp("import") / "movements.csv"
        with file.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([IMPORT_HEADER, ["receipt", ROUNDS, str(quantity), "supply:BGD", "GAO-ASP",
                                                          _when_text(when), "clerk", "", document or "", note or "",
                                                          ""]])
        return _cli(db_url, capsys, "import", "movements", str(file)) == 0
    if path == "service":
        try:
            occurred = when if isinstance(when, datetime) else datetime.fromisoformat(str(when))
        except ValueError:
            return False
        try:
            app.state.wam.ledger.post(make_movement(
                kind="receipt", item=ROUNDS, quantity=quantity, source="supply:BGD", target="GAO-ASP",
                occurred_at=occurred, actor="clerk", note=note, document=document))
        except WamError:
            return False
        return True
    if path == "api":
        body = {"kind": "receipt", "item": ROUNDS, "quantity": quantity, "source": "supply:BGD", "target": "GAO-ASP",
                "occurred_at": _when_text(when), "note": note, "document": document}
        response = client.post("/api/movements", headers=_bearer(personas), json=body)
        assert response.status_code != 500 and response.status_code < 600, response.text
        assert response.status_code in (201, 403, 409, 422), (response.status_code, response.text)
        return response.status_code == 201
    args = ["move", "--kind", "receipt", "--item", ROUNDS, "--from", "supply:BGD", "--to", "GAO-ASP",
            "--quantity", str(quantity), "--at", _when_text(when)]
    for option, value in (("--note", note), ("--document", document)):
        if value is not None:
            args += [option, value]
    if any("\x00" in a for a in args):  # a process's arguments cannot hold NUL: no user can type it
        return False
    return _cli(db_url, capsys, *args) == 0


def _read_back(client, personas, db_url, capsys, when) -> None:  # noqa: ANN001
    at = _when_text(when)[:40]
    for url, params in [("/", {}), ("/holders/GAO-ASP", {}), ("/holders/GAO-ASP", {"at": at}), (f"/items/{ROUNDS}", {}),
                        ("/lists/movements", {}), ("/lists/movements", {"sort": "when", "desc": "1"}),
                        ("/api/movements", {}), (f"/api/items/{ROUNDS}/history", {"limit": 1000}),
                        ("/api/lists/movements", {}), ("/api/holders/GAO-ASP/balances", {"at": at}),
                        ("/api/holders/GAO-ASP/summary", {"at": at})]:
        response = client.get(url, params=params, headers=_bearer(personas))
        assert response.status_code in (200, 422), (url, params, response.status_code, response.text[:300])
        if not params:
            assert response.status_code == 200, (url, response.text[:300])
    assert _cli(db_url, capsys, "history", ROUNDS) == 0
    assert _cli(db_url, capsys, "history", ROUNDS, "--json") == 0
    assert _cli(db_url, capsys, "balance", "GAO-ASP") == 0
    assert _cli(db_url, capsys, "balance", "GAO-ASP", "--at", at) in (0, 2)
    assert _cli(db_url, capsys, "balance", "GAO-ASP", "--at", "9998-12-31") == 0


PROPERTY = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.parametrize("window", ["default", "widest"])
def test_whatever_is_posted_every_page_and_command_reads_back(window, app, client, personas, db_url, capsys,  # noqa: ANN001
                                                              monkeypatch, tmp_path_factory) -> None:
    from wam.services import setup

    opener = setup.open_ledger
    monkeypatch.setattr(setup, "open_ledger", lambda *a, **k: _OPENED.append(opener(*a, **k)) or _OPENED[-1])
    ledger = app.state.wam.ledger
    if window == "widest":  # the web's ledger and the command line's: from year 1 to the last moment kept
        monkeypatch.setenv("WAM_EARLIEST_OCCURRED_AT", "0001-01-01")
        monkeypatch.setenv("WAM_FUTURE_TOLERANCE_MINUTES", "1440")
        ledger.window = TimeWindow(FIRST_MOMENT, timedelta(days=1))
        ledger.clock = lambda: LAST_MOMENT
    recorded: list[object] = []

    @PROPERTY
    @given(path=st.sampled_from(["service", "api", "form", "cli", "import"]), when=whens, note=texts, document=texts,
           quantity=quantities)
    # one example the widest window must accept (year 5000; the default one refuses it): 25 drawn ones
    # all fell outside the window or were bad input about once in eight runs
    @example(path="api", when="5000-06-01T12:00:00+03:00", note="far future", document=None, quantity=5)
    def post_and_read(path: str, when: object, note: str | None, document: str | None, quantity: int) -> None:
        head = ledger.head()
        if _post(path, app, client, personas, db_url, capsys, tmp_path_factory, when, note, document, quantity):
            recorded.append(when)
            assert ledger.head()[0] == head[0] + 1
        else:
            assert ledger.head() == head, "a refused posting wrote something"
        _read_back(client, personas, db_url, capsys, when)

    post_and_read()
    assert ledger.verify().ok
    if window == "widest":
        assert recorded, "the widest window accepted nothing: the property saw no extreme date written"
