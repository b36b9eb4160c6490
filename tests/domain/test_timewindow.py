"""The moments the ledger can keep and the window a movement may occur in (issues 9 and 8)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine

from wam.domain.errors import InvalidInput
from wam.domain.movements import make_movement
from wam.domain.timefmt import FIRST_MOMENT, LAST_MOMENT, check_readable, iso, parse_moment, to_micros
from wam.domain.timewindow import (
    DEFAULT_EARLIEST,
    DEFAULT_TOLERANCE,
    TimeWindow,
    check_occurred_at,
    window_from_settings,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
YEAR_10000 = datetime.fromisoformat("9999-12-31T23:59:59-12:00")  # valid ISO 8601; year 10000 in UTC


def refusal(call, *args, **kwargs) -> InvalidInput:  # noqa: ANN001
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    return caught.value


# the moments the ledger can keep (issue 9, finding 1) -------------------------------------
def test_a_moment_past_year_9999_in_utc_is_refused_naming_its_field() -> None:
    error = refusal(check_readable, YEAR_10000, "occurred_at")
    assert error.field == "occurred_at"
    assert "outside the dates the ledger can keep (0001-01-01 to 9998-12-31 UTC)" in error.message


@pytest.mark.parametrize("text", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+05:00", "9999-12-31",
                                  "9999-06-01T00:00:00Z"])
def test_an_at_the_ledger_cannot_keep_is_invalid_input_not_an_overflow(text: str) -> None:
    error = refusal(parse_moment, text, "at")
    assert error.field == "at"


def test_make_movement_refuses_a_time_it_could_not_show_again() -> None:
    error = refusal(make_movement, kind="receipt", item="W|A|B|1", quantity=1, source="supply:BGD", target="GAO",
                    occurred_at=YEAR_10000, actor="clerk")
    assert error.field == "occurred_at"


def test_the_first_and_last_moments_are_kept_and_shown_with_four_digit_years() -> None:
    assert check_readable(FIRST_MOMENT, "at") is FIRST_MOMENT
    assert check_readable(LAST_MOMENT, "at") is LAST_MOMENT
    assert iso(to_micros(FIRST_MOMENT)) == "0001-01-01T00:00:00.000000Z"
    assert iso(to_micros(LAST_MOMENT)) == "9998-12-31T23:59:59.999999Z"
    assert parse_moment(iso(to_micros(datetime(5, 3, 1, tzinfo=UTC)))) == datetime(5, 3, 1, tzinfo=UTC)


def test_a_value_stored_before_the_check_is_still_shown() -> None:
    """A ledger that took year 10000 before this fix can still list it (and so reverse it)."""
    assert iso(to_micros(YEAR_10000)) == "10000-01-01T11:59:59.000000Z"


@given(st.datetimes(timezones=st.just(UTC)))
def test_iso_is_the_same_text_as_before_for_every_four_digit_year(moment: datetime) -> None:
    if moment.year >= 1000:
        assert iso(to_micros(moment)) == moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# the window (issue 8, item 3) ------------------------------------------------------------
def test_the_default_window_is_from_1945_to_ten_minutes_after_recording() -> None:
    window = TimeWindow()
    assert (window.earliest, window.tolerance) == (DEFAULT_EARLIEST, DEFAULT_TOLERANCE)
    assert (datetime(1945, 1, 1, tzinfo=UTC), timedelta(minutes=10)) == (DEFAULT_EARLIEST, DEFAULT_TOLERANCE)
    check_occurred_at(DEFAULT_EARLIEST, NOW, window)  # both bounds are inside
    check_occurred_at(NOW + DEFAULT_TOLERANCE, NOW, window)


def test_a_movement_after_the_recording_time_plus_the_tolerance_is_refused_naming_the_bound() -> None:
    error = refusal(check_occurred_at, NOW + timedelta(minutes=10, microseconds=1), NOW, TimeWindow())
    assert error.field == "occurred_at"
    assert error.detail == ("2026-06-01T12:10:00.000001+00:00 is after 2026-06-01T12:10:00Z, the time of recording "
                            "plus 10 minutes (WAM_FUTURE_TOLERANCE_MINUTES): a movement is recorded after it happens")


def test_a_movement_before_the_earliest_date_is_refused_naming_the_bound() -> None:
    error = refusal(check_occurred_at, datetime(1900, 1, 1, tzinfo=UTC), NOW, TimeWindow(), field="at")
    assert error.field == "at"
    assert error.detail == ("1900-01-01T00:00:00+00:00 is before 1945-01-01T00:00:00Z, the earliest date this "
                            "ledger accepts (WAM_EARLIEST_OCCURRED_AT)")


def test_offsets_count_the_moment_not_the_wall_clock() -> None:
    three_hours_east = timezone(timedelta(hours=3))
    check_occurred_at(datetime(2026, 6, 1, 15, 5, tzinfo=three_hours_east), NOW, TimeWindow())  # 12:05 UTC
    refusal(check_occurred_at, datetime(2026, 6, 1, 12, 5, tzinfo=timezone(timedelta(hours=-3))), NOW, TimeWindow())


def test_year_10000_is_refused_as_unkeepable_even_in_the_widest_window() -> None:
    widest = TimeWindow(FIRST_MOMENT, timedelta(days=1))
    assert "outside the dates" in refusal(check_occurred_at, YEAR_10000, LAST_MOMENT, widest).detail
    assert "time zone" in refusal(check_occurred_at, datetime(2026, 1, 1), NOW, widest).detail  # noqa: DTZ001
    check_occurred_at(LAST_MOMENT, LAST_MOMENT, widest)


def test_the_settings_choose_the_window_and_a_bad_setting_names_itself() -> None:
    assert window_from_settings({}) == TimeWindow()
    wide = window_from_settings({"WAM_EARLIEST_OCCURRED_AT": "1900-01-01", "WAM_FUTURE_TOLERANCE_MINUTES": "0"})
    assert wide == TimeWindow(datetime(1900, 1, 1, tzinfo=UTC), timedelta(0))
    check_occurred_at(datetime(1900, 1, 1, tzinfo=UTC), NOW, wide)
    for given_settings, field in [({"WAM_EARLIEST_OCCURRED_AT": "soon"}, "WAM_EARLIEST_OCCURRED_AT"),
                            ({"WAM_EARLIEST_OCCURRED_AT": "0001-01-01T00:00:00+01:00"}, "WAM_EARLIEST_OCCURRED_AT"),
                            ({"WAM_FUTURE_TOLERANCE_MINUTES": "ten"}, "WAM_FUTURE_TOLERANCE_MINUTES"),
                            ({"WAM_FUTURE_TOLERANCE_MINUTES": "-1"}, "WAM_FUTURE_TOLERANCE_MINUTES"),
                            ({"WAM_FUTURE_TOLERANCE_MINUTES": "1441"}, "WAM_FUTURE_TOLERANCE_MINUTES")]:
        assert refusal(window_from_settings, given_settings).field == field


offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes)))
moments = st.one_of(st.datetimes(timezones=offsets), st.datetimes(), st.datetimes(timezones=st.just(UTC)),
                    st.sampled_from([YEAR_10000, FIRST_MOMENT, LAST_MOMENT, DEFAULT_EARLIEST]))


@settings(deadline=None)  # the first example imports the services
@given(moment=moments, now=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),  # noqa: DTZ001
       minutes=st.integers(0, 1440))
def test_the_ledgers_shortcut_decides_exactly_as_the_domain_rule(moment: datetime, now: datetime,
                                                                 minutes: int) -> None:
    """Ledger._time_check passes times inside the bounds without calling the rule: it must accept
    and refuse exactly what check_occurred_at accepts and refuses, with the same error."""
    from wam.services.ledger import Ledger

    window = TimeWindow(DEFAULT_EARLIEST, timedelta(minutes=minutes))
    recorded_at = now.replace(tzinfo=UTC)
    ledger = Ledger(create_engine("sqlite://"), clock=lambda: recorded_at, window=window)
    outcomes = []
    for check in (ledger._time_check(), lambda m: check_occurred_at(m, recorded_at, window)):
        try:
            check(moment)
            outcomes.append(None)
        except InvalidInput as exc:
            outcomes.append(exc.message)
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("text", ["2024-02-01", "20240201", "2024-W05-4", "2024W054", " 2024-02-01 "])
def test_a_date_alone_in_any_iso_form_is_the_end_of_that_day(text):
    assert parse_moment(text) == datetime(2024, 2, 1, 23, 59, 59, 999_999, tzinfo=UTC)


@pytest.mark.parametrize("text", ["20240201xy", "2024020110", "20240201 1", "20240201T1", "2024W054T1", "2024-W05",
                                  "2024W05", "2024-13-01", "yesterday!"])
def test_a_text_that_only_starts_like_a_date_is_not_one(text):
    """Python 3.11's date.fromisoformat reads "20240201xy" as 2024-02-01 and a week as its Monday."""
    with pytest.raises(ValueError):
        parse_moment(text)


@pytest.mark.parametrize("text", ["2024-02-01+05:00", "2024-02-01x05:00", "2024-02-01_05:00", "2024-02-01-05:00",
                                  "20240201+0500", "2024-W05-4+05:00", "2024-02-01\u00a005:00"])
def test_only_t_or_a_space_separates_the_date_from_the_time(text):
    """Python 3.11's datetime.fromisoformat takes any character after the date as the separator:
    "2024-02-01+05:00", a date with an offset, was read as 05:00 UTC that day."""
    with pytest.raises(ValueError):
        parse_moment(text, "occurred_at")


@pytest.mark.parametrize(("text", "moment"), [
    ("2024-02-01T05:00+05:00", datetime(2024, 2, 1, 0, 0, tzinfo=UTC)),
    ("2024-02-01t05:00+05:00", datetime(2024, 2, 1, 0, 0, tzinfo=UTC)),
    ("2024-02-01 05:00Z", datetime(2024, 2, 1, 5, 0, tzinfo=UTC)),
    ("2024-02-01 05:00", datetime(2024, 2, 1, 5, 0, tzinfo=UTC)),  # no offset: UTC
    ("20240201T0500Z", datetime(2024, 2, 1, 5, 0, tzinfo=UTC)),
    ("2024-W05-4T05:00Z", datetime(2024, 2, 1, 5, 0, tzinfo=UTC)),
    ("2024-02-01", datetime(2024, 2, 1, 23, 59, 59, 999_999, tzinfo=UTC)),  # a date alone: its end
])
def test_a_date_and_time_separated_by_t_or_a_space_is_read(text, moment):
    assert parse_moment(text, "occurred_at") == moment


@pytest.mark.parametrize("text", ["2024-02-01+05:00", "2024-02-01_05:00"])
def test_a_form_reads_dates_by_the_same_rule(text):
    from wam.domain.timefmt import read_datetime

    with pytest.raises(ValueError):
        read_datetime(text)
    assert read_datetime("2024-02-01T05:00") == datetime(2024, 2, 1, 5, 0, tzinfo=UTC)  # a form's datetime-local
