"""The window of time a movement may have occurred in, seen from the moment it is recorded.

A movement is a fact that has happened: it may not occur later than the moment the ledger
records it (the server's clock, ``recorded_at``) plus a small tolerance for the clocks of
clerks' devices, nor before the earliest date the ledger accepts. A movement dated
2999-12-31 made a rifle unreturnable until someone reversed it (issue 8); one dated 1900 in an
opening stock is a typing error, not a history.

The rule is :func:`check_occurred_at`, a pure function of the movement's time, the recording
clock and the :class:`TimeWindow`. The ledger calls it at every posting entry point (one
movement, a group commit, a stream, an import) with its own clock, so that the command line,
the web form, the API and the imports all meet it. ``wam verify`` does not replay it: the
window is about when a movement was *recorded*, and a setting changed later must not make
old history invalid.

Settings (environment variables, read by the ledger when it opens):

``WAM_EARLIEST_OCCURRED_AT``
    The earliest date (or date-time) a movement may carry; default ``1945-01-01``, the year the
    United Nations was founded, before its first peace operation (UNTSO, 1948). Weapons serve
    for decades (rifles of the 1950s are still issued), but the ledger records their
    *movements*; a national armoury importing an older history sets an earlier date.
``WAM_FUTURE_TOLERANCE_MINUTES``
    How far after the recording clock a movement may be dated; default 10 (clock skew between
    a clerk's device and the server), at most 1440.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .errors import InvalidInput
from .timefmt import LAST_MOMENT, check_readable

DEFAULT_EARLIEST = datetime(1945, 1, 1, tzinfo=UTC)
DEFAULT_TOLERANCE = timedelta(minutes=10)
MAX_TOLERANCE = timedelta(days=1)
EARLIEST_SETTING = "WAM_EARLIEST_OCCURRED_AT"
TOLERANCE_SETTING = "WAM_FUTURE_TOLERANCE_MINUTES"


def _text(moment: datetime) -> str:
    """A bound as a message shows it: UTC, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """The earliest moment a movement may occur, and how far after its recording."""

    earliest: datetime = DEFAULT_EARLIEST
    tolerance: timedelta = DEFAULT_TOLERANCE

    def __post_init__(self) -> None:
        check_readable(self.earliest, EARLIEST_SETTING)
        if not timedelta(0) <= self.tolerance <= MAX_TOLERANCE:
            raise InvalidInput(f"must be from 0 to {MAX_TOLERANCE // timedelta(minutes=1)} minutes",
                               field=TOLERANCE_SETTING)

    def latest(self, recorded_at: datetime) -> datetime:
        """The latest moment a movement recorded at ``recorded_at`` may occur."""
        return min(recorded_at + self.tolerance, LAST_MOMENT) if recorded_at < LAST_MOMENT else LAST_MOMENT


def check_occurred_at(occurred_at: object, recorded_at: datetime, window: TimeWindow, *,
                      field: str = "occurred_at") -> None:
    """Refuse, naming ``field`` and the bound, a time the ledger cannot keep (see
    :func:`~wam.domain.timefmt.check_readable`), one before ``window.earliest``, or one later than
    ``recorded_at`` plus ``window.tolerance``."""
    latest = window.latest(recorded_at)
    try:
        if type(occurred_at) is datetime and window.earliest <= occurred_at <= latest:
            return  # the common case, in one comparison chain (a million rows of an import)
    except TypeError:  # naive: check_readable names it
        pass
    moment = check_readable(occurred_at, field)
    if moment < window.earliest:
        raise InvalidInput(f"{moment.isoformat()} is before {_text(window.earliest)}, the earliest date this ledger "
                           f"accepts ({EARLIEST_SETTING})", field=field)
    if moment > latest:
        minutes = window.tolerance // timedelta(minutes=1)
        raise InvalidInput(f"{moment.isoformat()} is after {_text(latest)}, the time of recording plus {minutes} "
                           f"minutes ({TOLERANCE_SETTING}): a movement is recorded after it happens", field=field)


def window_from_settings(settings: Mapping[str, str]) -> TimeWindow:
    """The window the settings (``os.environ``) ask for; the defaults for those not set. A bad
    setting raises InvalidInput naming it."""
    earliest = DEFAULT_EARLIEST
    text = (settings.get(EARLIEST_SETTING) or "").strip()
    if text:
        try:
            earliest = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD) or date-time (ISO 8601)",
                               field=EARLIEST_SETTING) from None
        if earliest.tzinfo is None:
            earliest = earliest.replace(tzinfo=UTC)
    tolerance = DEFAULT_TOLERANCE
    text = (settings.get(TOLERANCE_SETTING) or "").strip()
    if text:
        try:
            tolerance = timedelta(minutes=int(text))
        except ValueError:
            raise InvalidInput(f"{text!r} is not a whole number", field=TOLERANCE_SETTING) from None
    return TimeWindow(earliest, tolerance)
