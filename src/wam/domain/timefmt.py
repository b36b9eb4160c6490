"""Time as the ledger stores it: whole microseconds since the Unix epoch, UTC.

An integer is exact, compares fast in every database, and has one text form, so the hash
chain never depends on how a driver prints a timestamp.

Only a moment that every reader can show again may be stored: :data:`FIRST_MOMENT` to
:data:`LAST_MOMENT` (UTC). ``9999-12-31T23:59:59-12:00`` is a valid ISO 8601 text, but it is
year 10000 in UTC, which no page, list or command could print once it was written (issue 9).
:func:`check_readable` refuses such moments at the edge of the domain (``make_movement``, the
ledger's posting entry points, and :func:`parse_moment` for every ``at`` a user types).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from .errors import InvalidInput

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)  # noqa: DTZ001 (iso() prints UTC without an offset)
_DAYS_400_YEARS = 146_097  # the Gregorian calendar repeats every 400 years, to the weekday

#: The first and last moments (UTC) the ledger stores: what Python's datetime can hold, less the
#: last year, so that the month after the last entry (the monthly balance marks) still exists.
FIRST_MOMENT = datetime(1, 1, 1, tzinfo=UTC)
LAST_MOMENT = datetime(9998, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
_MOMENTS_TEXT = "0001-01-01 to 9998-12-31 UTC"


def to_micros(moment: datetime) -> int:
    """Return ``moment`` as microseconds since the epoch. Naive datetimes are refused."""
    if moment.tzinfo is None:
        raise ValueError("a time without a time zone is ambiguous; give it in UTC")
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    """Return the UTC datetime for ``micros`` since the epoch."""
    return _EPOCH + timedelta(microseconds=micros)


def check_readable(moment: object, field: str) -> datetime:
    """Return ``moment`` if the ledger can store it and show it again; else raise InvalidInput
    naming ``field``: a datetime with its time zone, from :data:`FIRST_MOMENT` to
    :data:`LAST_MOMENT` once in UTC (comparing aware datetimes never overflows, converting them
    may)."""
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise InvalidInput("give the time with its time zone (UTC)", field=field)
    if not FIRST_MOMENT <= moment <= LAST_MOMENT:
        raise InvalidInput(f"{moment.isoformat()} is outside the dates the ledger can keep ({_MOMENTS_TEXT})",
                           field=field)
    return moment


# The ISO 8601 forms of a calendar or week date. Matched whole before date.fromisoformat is asked,
# which (Python 3.11) reads "20240201xy" as 2024-02-01 and "2024-W05" as that week's Monday.
_DATE_ALONE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{8}|\d{4}-W\d{2}-\d|\d{4}W\d{3}", re.ASCII)
_WEEK = re.compile(r"\d{4}-?W\d{2}", re.ASCII)  # a whole week is no moment
# The date of a date-time and the separator after it. Python 3.11's datetime.fromisoformat takes any
# character there: "2024-02-01+05:00", a date with an offset, was read as 05:00 that day. ISO 8601
# has T (t and a space are widely written): nothing else separates the date from the time.
_DATE_THEN_TIME = re.compile(r"(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}-W\d{2}-\d|\d{4}W\d{3})[Tt ]", re.ASCII)


def read_datetime(text: str) -> datetime:
    """Read an ISO 8601 date-time; without an offset it is UTC, a date alone is its midnight.

    The date and the time are separated by T, t or a space; any other text, a week without its
    day among them, raises ValueError. Every date a user types is read by this rule (through
    :func:`parse_moment`, or this function for a form's date and time), so it is kept once.
    """
    text = text.strip()
    if _DATE_ALONE.fullmatch(text):  # 2024-03-31, 20240331, 2024-W13-7 or 2024W137
        day = date.fromisoformat(text)
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    return _date_and_time(text)


def parse_moment(text: str, field: str = "at") -> datetime:
    """Parse an ISO 8601 date or date-time; a date means the end of that day, UTC.

    A date alone stands for "as at the end of that day", which is what a user asking for a
    balance "on 2024-03-31" means. Text that is not a date raises ValueError (the rule of
    :func:`read_datetime`); a date the ledger cannot keep (:func:`check_readable`) raises
    InvalidInput naming ``field``.
    """
    text = text.strip()
    if _DATE_ALONE.fullmatch(text):
        day = date.fromisoformat(text)
        return check_readable(datetime(day.year, day.month, day.day, 23, 59, 59, 999_999, tzinfo=UTC), field)
    return check_readable(_date_and_time(text), field).astimezone(UTC)


def read_moment(text: str, field: str) -> datetime:
    """:func:`parse_moment` for what a user typed: text that is not a date raises InvalidInput naming
    ``field`` (files, forms' bodies and the API read a moment by this one rule and this one message)."""
    try:
        return parse_moment(text, field)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD) or date-time (ISO 8601)", field=field) from None


def read_bound(text: str, field: str, end: bool) -> datetime | None:
    """One end of a period a user filters by (a list's or a register's ``since``/``until``, in a page's
    query string or the API's): blank is no bound; a date alone is from the start of that day (``end``
    false) or to its end; a date-time is that moment, UTC. Anything else raises InvalidInput naming
    ``field``: a number is not a moment, nor a week (pages and the API read a period by this one rule)."""
    text = text.strip()
    if not text:
        return None
    try:
        return parse_moment(text, field) if end else read_datetime(text).astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidInput(f"{text[:40]!r} is not a date (YYYY-MM-DD) or date-time (ISO 8601)", field=field) from None


def _date_and_time(text: str) -> datetime:
    """``text`` (stripped, not a date alone) as a date-time, UTC when it gives no offset."""
    if _DATE_THEN_TIME.match(text) is None:
        if _WEEK.fullmatch(text):
            raise ValueError(f"{text!r} is a week, not a day")
        raise ValueError(f"{text!r} is not an ISO 8601 date and time (T or a space between them)")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def iso(micros: int) -> str:
    """Return the fixed ISO text of ``micros`` (UTC, microseconds, ``Z``; the year in four digits).

    A value outside Python's years 1-9999 (written before :func:`check_readable` existed) is
    shown too, shifted by whole 400-year cycles and the year corrected, so that a ledger holding
    one can still be read.
    """
    try:
        return (_EPOCH_NAIVE + timedelta(microseconds=micros)).isoformat(timespec="microseconds") + "Z"
    except OverflowError:
        cycles = (micros - to_micros(datetime(5000, 1, 1, tzinfo=UTC))) // (_DAYS_400_YEARS * 86_400_000_000) + 1
        shifted = _EPOCH_NAIVE + timedelta(microseconds=micros - cycles * _DAYS_400_YEARS * 86_400_000_000)
        text = shifted.isoformat(timespec="microseconds")
        return f"{shifted.year + 400 * cycles}{text[4:]}Z"
