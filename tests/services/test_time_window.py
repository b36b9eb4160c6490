"""Every posting entry point of the ledger keeps to the time window and to moments it can show
again, and a refusal writes nothing (issue 8 item 3, issue 9 finding 1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.builders import mv, snapshot
from tests.builders import own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)
from tests.factories import T0, build_world, rifle
from wam.domain.errors import InvalidInput
from wam.domain.movements import Movement, MovementKind
from wam.domain.timewindow import TimeWindow
from wam.services.ledger import Ledger

NOW = T0 + timedelta(days=30)  # the ledger's clock in these tests
YEAR_10000 = datetime.fromisoformat("9999-12-31T23:59:59-12:00")


@pytest.fixture
def clocked(db_url):  # noqa: ANN001, ANN201
    """The test world on a ledger whose clock reads NOW, with the default window."""
    ledger = Ledger.open(db_url, clock=lambda: NOW, window=TimeWindow())
    ledger.init()
    world = build_world(ledger)
    yield world
    ledger.engine.dispose()


def raw(when: datetime, kind: str = "issue", source: str = "GAO-ARM", target: str = "PTE-RAHMAN",
        serial: str = "56-00001") -> Movement:
    """A movement built without make_movement, as an importer or a caller in a hurry does."""
    return Movement(MovementKind(kind), rifle(serial).key, 1, source, target, when, "armourer")


def refused(ledger, call) -> InvalidInput:  # noqa: ANN001
    before = snapshot(ledger)
    with pytest.raises(InvalidInput) as caught:
        call()
    assert snapshot(ledger) == before, "a refusal wrote something"
    return caught.value


TOO_LATE = NOW + timedelta(minutes=11)
TOO_EARLY = datetime(1900, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("when, words", [(TOO_LATE, "the time of recording plus 10 minutes"),
                                         (TOO_EARLY, "the earliest date this ledger accepts"),
                                         (YEAR_10000, "outside the dates the ledger can keep")])
def test_post_refuses_a_time_outside_the_window(clocked, when: datetime, words: str) -> None:  # noqa: ANN001
    error = refused(clocked.ledger, lambda: clocked.ledger.post(raw(when)))
    assert error.field == "occurred_at" and words in error.detail


def test_post_accepts_the_bounds_and_stamps_recorded_at_from_its_own_clock(clocked) -> None:  # noqa: ANN001
    entry = clocked.ledger.post(raw(NOW + timedelta(minutes=10)))
    assert entry.recorded_at == int((NOW - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()) * 1_000_000
    back = clocked.ledger.post(raw(NOW + timedelta(minutes=10), "return", "PTE-RAHMAN", "GAO-ARM"))
    assert back.occurred_at == entry.occurred_at


def test_post_each_refuses_only_the_movement_outside_the_window(clocked) -> None:  # noqa: ANN001
    ledger = clocked.ledger
    results = ledger.post_each([raw(TOO_LATE), raw(T0 + timedelta(days=1), serial="56-00002"),
                                raw(YEAR_10000, serial="56-00003")])
    assert isinstance(results[0], InvalidInput) and results[0].field == "occurred_at"
    assert isinstance(results[2], InvalidInput) and "outside the dates" in results[2].detail
    assert results[1].item == rifle("56-00002").key  # type: ignore[union-attr]
    assert len(ledger.history(rifle("56-00001").key)) == 1  # its receipt only


def test_post_many_refuses_the_stream_and_names_the_movement(clocked) -> None:  # noqa: ANN001
    ledger = clocked.ledger
    stream = [mv("issue", rifle("56-00001"), "GAO-ARM", "PTE-RAHMAN", days=1),
              mv("issue", rifle("56-00002"), "GAO-ARM", "PTE-RAHMAN", days=1),
              raw(TOO_EARLY, serial="56-00003")]
    error = refused(ledger, lambda: ledger.post_many(stream))
    assert (error.row, error.field) == (3, "occurred_at")


def test_a_long_stream_refused_after_chunks_were_written_leaves_nothing(clocked) -> None:  # noqa: ANN001
    ledger = clocked.ledger
    transfers = [mv("transfer", clocked.rounds, "GAO-ASP", "ANSONGO-ARM", days=1 + n / 100_000)
                 for n in range(6000)]  # more than the poster's chunk (5,000): some rows reach the database first
    error = refused(ledger, lambda: ledger.post_many([*transfers, raw(TOO_LATE)]))
    assert error.row == 6001


def _stock_rows(serials: list[str]) -> list[tuple[int, object, str, int, str]]:
    return [(n + 2, rifle(s), "GAO-ARM", 1, "supply:BGD") for n, s in enumerate(serials)]


@pytest.mark.parametrize("at", [datetime(1900, 1, 1, 23, 59, tzinfo=UTC), datetime(2999, 1, 1, tzinfo=UTC)])
def test_import_stock_refuses_its_date_once_and_registers_nothing(clocked, at: datetime) -> None:  # noqa: ANN001
    ledger = clocked.ledger
    errors: list[InvalidInput] = []
    error = refused(ledger, lambda: ledger.import_stock(_stock_rows(["S-1", "S-2"]), actor="clerk", occurred_at=at,
                                                        keep_going=errors))
    assert error.field == "at" and not errors
    assert ledger.find_items("S-1") == []


def test_import_movements_names_the_line_and_field_of_each_time_outside_the_window(clocked) -> None:  # noqa: ANN001
    ledger = clocked.ledger
    rows = [(2, mv("issue", rifle("56-00001"), "GAO-ARM", "PTE-RAHMAN", days=1)),
            (3, raw(TOO_LATE, serial="56-00002")),
            (4, raw(TOO_EARLY, serial="56-00003"))]
    errors: list[InvalidInput] = []
    refused(ledger, lambda: ledger.import_movements(rows, keep_going=errors))
    assert [(e.row, e.field) for e in errors] == [(3, "occurred_at"), (4, "occurred_at")]
    with pytest.raises(InvalidInput) as caught:
        ledger.import_movements(rows[1:])
    assert (caught.value.row, caught.value.field) == (3, "occurred_at")


def test_a_historical_import_keeps_its_dates_when_the_setting_allows_them(db_url, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("WAM_EARLIEST_OCCURRED_AT", "1900-01-01")
    ledger = Ledger.open(db_url, clock=lambda: NOW)
    try:
        ledger.init()
        build_world(ledger)
        old = datetime(1911, 5, 1, tzinfo=UTC)
        assert ledger.import_stock(_stock_rows(["OLD-1"]), actor="clerk", occurred_at=old) == 1
        entry = ledger.history(rifle("OLD-1").key)[0]
        assert entry.occurred_at < 0 < entry.recorded_at  # its own occurred_at; recorded now
    finally:
        ledger.engine.dispose()


def test_verify_does_not_replay_the_window(db_url) -> None:  # noqa: ANN001
    """A setting changed later must not make history invalid: verify judges the entries, not the window."""
    wide = Ledger.open(db_url, clock=lambda: NOW, window=TimeWindow(datetime(1900, 1, 1, tzinfo=UTC)))
    wide.init()
    build_world(wide)
    wide.import_stock(_stock_rows(["OLD-1"]), actor="clerk", occurred_at=datetime(1911, 5, 1, tzinfo=UTC))
    narrow = Ledger.open(db_url, clock=lambda: T0, window=TimeWindow(datetime(2020, 1, 1, tzinfo=UTC)))
    try:
        assert narrow.verify().ok, narrow.verify().problems
    finally:
        wide.engine.dispose()
        narrow.engine.dispose()


def test_the_default_window_comes_from_the_environment(db_url, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("WAM_FUTURE_TOLERANCE_MINUTES", "60")
    ledger = Ledger.open(db_url)
    try:
        assert ledger.window == TimeWindow(tolerance=timedelta(minutes=60))
    finally:
        ledger.engine.dispose()
