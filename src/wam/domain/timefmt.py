"""Time as the ledger stores it: whole microseconds since the Unix epoch, UTC.

An integer is exact, compares fast in every database, and has one text form, so the hash
chain never depends on how a driver prints a timestamp.
"""

from __future__ import annotations

from datetime import UTC, datetime

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(moment: datetime) -> int:
    """Return ``moment`` as microseconds since the epoch. Naive datetimes are refused."""
    if moment.tzinfo is None:
        raise ValueError("a time without a time zone is ambiguous; give it in UTC")
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    """Return the UTC datetime for ``micros`` since the epoch."""
    from datetime import timedelta

    return _EPOCH + timedelta(microseconds=micros)


def parse_moment(text: str) -> datetime:
    """Parse an ISO 8601 date or date-time; a date means the end of that day, UTC.

    A date alone stands for "as at the end of that day", which is what a user asking for a
    balance "on 2024-03-31" means.
    """
    text = text.strip()
    if len(text) == 10:
        day = datetime.fromisoformat(text)
        return day.replace(hour=23, minute=59, second=59, microsecond=999_999, tzinfo=UTC)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso(micros: int) -> str:
    """Return the fixed ISO text of ``micros`` (UTC, microseconds, ``Z``)."""
    return from_micros(micros).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
