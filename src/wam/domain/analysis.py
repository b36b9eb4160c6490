"""The figures of the analyses and briefs, as pure functions on plain rows (issue 14).

The services (:mod:`wam.services.analysis`) read the registers, each as its viewer may see it, and
hand this module plain values; everything here is arithmetic that a test can redo by hand:

- :class:`Loss` is one loss, a loss incident of the register or a research record, with what the
  analyses group by (mission, contributing countries, circumstance, mechanism, ownership, the
  materiel's categories) and the weapons and rounds lost;
- :func:`tally` and :func:`breakdown` count incidents, weapons and rounds, over time (:func:`period_of`,
  by month or year, every period of the range shown even when empty) and by each dimension. An
  incident with two contributing countries counts once for each (a country's figure is the incidents
  its contingents were part of), so the countries' figures add up to more than the total;
- :func:`per_thousand` is a rate per 1,000 (personnel, or weapons held), None without a denominator;
- :func:`recovery_figures` the recovered materiel's: volumes by kind of recovery, days to disposal,
  shares traced and answered, confirmed matches to losses and how long after the loss;
- :func:`coarsen` generalises rows for publication so that no published row points to fewer than k
  contingents (k-anonymity on mission, place, period and contingent group), suppressing what cannot.
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from .storage import status_at

BY = ("month", "year")
DIMENSIONS = ("mission", "country", "circumstance", "mechanism", "ownership", "category")
UNKNOWN = "unknown"  # a dimension's value when the record does not say


@dataclass(frozen=True, slots=True)
class Loss:
    """One loss as the analyses count it.

    ``record`` is ``loss`` (a loss incident of the register: its quantities are the ledger's) or
    ``research`` (a research record: its quantities are the minimum of the ranges the sources give,
    ``provisional`` when a maximum is open or larger than the minimum)."""

    id: str
    record: str
    started_at: datetime | None
    mission: str | None
    countries: tuple[str, ...] = ()
    circumstance: str | None = None
    mechanism: str | None = None
    ownership: str | None = None
    weapons: int = 0
    rounds: int = 0
    categories: tuple[tuple[str, int], ...] = ()  # (category of materiel, quantity lost)
    notable: bool = False
    provisional: bool = False
    overdue: bool = False
    place: str | None = None
    site: str | None = None  # the holder it names, for its coordinates when it has none of its own
    point: tuple[float, float] | None = None  # (longitude, latitude)

    def values(self, dimension: str) -> tuple[str, ...]:
        """The values of ``dimension`` this loss counts under (several for countries and categories)."""
        if dimension == "country":
            return tuple(c for c in self.countries if c) or (UNKNOWN,)  # none said: counted, as unknown
        if dimension == "category":
            return tuple(dict.fromkeys(name for name, _ in self.categories)) or (UNKNOWN,)
        value = getattr(self, dimension)
        return (str(value) if value else UNKNOWN,)


@dataclass(slots=True)
class Tally:
    """Incidents, weapons and rounds counted together."""

    incidents: int = 0
    weapons: int = 0
    rounds: int = 0
    quantity: int = 0  # for a category: the quantity of that category lost

    def add(self, loss: Loss, quantity: int = 0) -> None:
        self.incidents += 1
        self.weapons += loss.weapons
        self.rounds += loss.rounds
        self.quantity += quantity

    def as_dict(self) -> dict[str, int]:
        return {"incidents": self.incidents, "weapons": self.weapons, "rounds": self.rounds, "quantity": self.quantity}


def period_of(moment: datetime | date, by: str) -> str:
    """The period a moment falls in: ``2024-02`` by month, ``2024`` by year."""
    if by == "year":
        return f"{moment.year:04d}"
    if by == "month":
        return f"{moment.year:04d}-{moment.month:02d}"
    raise ValueError(f"{by!r} is not one of {', '.join(BY)}")


def periods(since: datetime | date, until: datetime | date, by: str) -> list[str]:
    """Every period from ``since`` to ``until`` included, in order (a chart shows empty months too)."""
    out: list[str] = []
    year, month = since.year, since.month if by == "month" else 1
    while (year, month) <= (until.year, until.month if by == "month" else 1):
        out.append(f"{year:04d}-{month:02d}" if by == "month" else f"{year:04d}")
        if by == "month":
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        else:
            year += 1
    return out


def tally(losses: Iterable[Loss]) -> Tally:
    out = Tally()
    for loss in losses:
        out.add(loss)
    return out


def over_time(losses: Iterable[Loss], by: str, since: datetime | date | None = None,
              until: datetime | date | None = None) -> dict[str, Tally]:
    """Losses per period; with ``since`` and ``until`` every period between them is present."""
    out: dict[str, Tally] = {}
    if since is not None and until is not None:
        out = {p: Tally() for p in periods(since, until, by)}
    for loss in losses:
        if loss.started_at is not None:
            out.setdefault(period_of(loss.started_at, by), Tally()).add(loss)
    return dict(sorted(out.items()))


def breakdown(losses: Iterable[Loss], dimension: str) -> dict[str, Tally]:
    """Losses by one dimension (:data:`DIMENSIONS`), largest first (by weapons, then incidents)."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"{dimension!r} is not one of {', '.join(DIMENSIONS)}")
    out: dict[str, Tally] = {}
    for loss in losses:
        if dimension == "category":
            quantities: dict[str, int] = {}
            for name, quantity in loss.categories:
                quantities[name] = quantities.get(name, 0) + quantity
            for name in loss.values(dimension):
                out.setdefault(name, Tally()).add(loss, quantities.get(name, 0))
        else:
            for value in loss.values(dimension):
                out.setdefault(value, Tally()).add(loss)
    return dict(sorted(out.items(), key=lambda kv: (-kv[1].weapons, -kv[1].incidents, -kv[1].quantity, kv[0])))


def per_thousand(count: int | float, denominator: int | float | None) -> float | None:
    """``count`` per 1,000 of ``denominator`` (rounded to 2 places); None when there is none to divide by."""
    if not denominator or denominator <= 0:
        return None
    return round(count * 1000 / denominator, 2)


def mean_strength(monthly: Mapping[str, int], months: Sequence[str]) -> tuple[float | None, int]:
    """The mean strength over the ``months`` that have a figure, and how many have one."""
    known = [monthly[m] for m in months if monthly.get(m) is not None]
    if not known:
        return None, 0
    return round(sum(known) / len(known), 1), len(known)


def notable(losses: Iterable[Loss], limit: int = 20) -> list[Loss]:
    """The notable losses (more than 10 weapons or 500 rounds), largest first, at most ``limit``."""
    found = [loss for loss in losses if loss.notable]
    found.sort(key=lambda x: (-x.weapons, -x.rounds, x.started_at.isoformat() if x.started_at else "", x.id))
    return found[:limit]


# recovered materiel --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Recovered:
    """One recovery record as the analyses count it."""

    id: str
    how: str | None
    recovered_at: datetime | None
    weapons: int = 0
    rounds: int = 0
    disposed_at: datetime | None = None  # its disposal certificate executed
    retained: bool = False
    traced: bool = False  # a tracing request sent (or further)
    answered: bool = False
    disposal_overdue: bool = False
    matches: tuple[tuple[str, datetime | None], ...] = ()  # (incident, when the loss began) confirmed


def _days(delta_seconds: float) -> float:
    return round(delta_seconds / 86_400, 1)


def recovery_figures(records: Sequence[Recovered]) -> dict[str, Any]:
    """Volumes by kind of recovery, days to disposal (median and mean of the disposed), the shares
    traced (of all records) and answered (of those traced), confirmed matches and days from loss to recovery."""
    by_how: dict[str, dict[str, int]] = {}
    for r in records:
        row = by_how.setdefault(r.how or UNKNOWN, {"records": 0, "weapons": 0, "rounds": 0})
        row["records"] += 1
        row["weapons"] += r.weapons
        row["rounds"] += r.rounds
    to_disposal = [_days((r.disposed_at - r.recovered_at).total_seconds()) for r in records
                   if r.disposed_at is not None and r.recovered_at is not None]
    traced = [r for r in records if r.traced]
    answered = [r for r in traced if r.answered]
    matches = [(r.id, incident, _days((r.recovered_at - lost).total_seconds()) if lost and r.recovered_at else None)
               for r in records for incident, lost in r.matches]
    after = [days for _, _, days in matches if days is not None]
    return {
        "records": len(records), "weapons": sum(r.weapons for r in records), "rounds": sum(r.rounds for r in records),
        "by_how": dict(sorted(by_how.items(), key=lambda kv: (-kv[1]["records"], kv[0]))),
        "disposed": len(to_disposal), "retained": sum(1 for r in records if r.retained),
        "days_to_disposal": {"median": statistics.median(to_disposal) if to_disposal else None,
                             "mean": round(statistics.fmean(to_disposal), 1) if to_disposal else None},
        "traced": len(traced), "answered": len(answered),
        "share_traced": share(len(traced), len(records)), "share_answered": share(len(answered), len(traced)),
        "disposal_overdue": sum(1 for r in records if r.disposal_overdue),
        "matches": [{"recovery": rid, "incident": incident, "days_after_loss": days}
                    for rid, incident, days in matches],
        "days_after_loss": {"median": statistics.median(after) if after else None,
                            "mean": round(statistics.fmean(after), 1) if after else None},
    }


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a fraction (3 places); None of nothing."""
    return round(part / whole, 3) if whole else None


# publication: k-anonymity ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Published:
    """A row for publication: what identifies it (mission, place, period, contingent group) and the
    contingents it points to (never published themselves: only counted)."""

    mission: str
    place: str
    moment: date
    group: str  # the contributing countries, joined by "+"
    contingents: frozenset[str]
    facts: Mapping[str, Any] = field(default_factory=dict)
    level: int = 0

    def key(self) -> tuple[str, str, str, str]:
        place, period, group = LEVELS[self.level]
        return (self.mission, self.place if place else "", coarse_period(self.moment, period),
                self.group if group else ALL)


ALL = "*"
# (keep the place, the period, keep the group), finest first: each level hides more
LEVELS: tuple[tuple[bool, str, bool], ...] = (
    (True, "month", True), (False, "month", True), (False, "quarter", True), (False, "quarter", False),
    (False, "year", False), (False, "all", False))


def coarse_period(moment: date, period: str) -> str:
    """``2024-03`` (month), ``2024-Q1`` (quarter), ``2024`` (year) or ``*`` (all)."""
    if period == "month":
        return f"{moment.year:04d}-{moment.month:02d}"
    if period == "quarter":
        return f"{moment.year:04d}-Q{(moment.month - 1) // 3 + 1}"
    if period == "year":
        return f"{moment.year:04d}"
    return ALL


def coarsen(rows: Sequence[Published], k: int) -> tuple[list[Published], int]:
    """Generalise ``rows`` until every class of equal (mission, place, period, group) points to at least
    ``k`` distinct contingents; rows still below k at the coarsest level are suppressed. Returns the rows
    kept (each at its level: :meth:`Published.key` is what is published) and how many were suppressed.

    Each round moves the rows of every class below k one level coarser; a class is then judged on
    the rows that share its published values, whatever level they came from."""
    if k < 1:
        raise ValueError("k is at least 1")
    current = list(rows)
    last = len(LEVELS) - 1
    while True:
        classes = _classes(current)
        small = {key for key, members in classes.items() if _pointed(members) < k}
        if not small:
            return current, len(rows) - len(current)
        # a small class moves one level coarser; at the coarsest level it is dropped
        current = [row if row.key() not in small else replace(row, level=row.level + 1)
                   for row in current if row.key() not in small or row.level < last]


def _classes(rows: Iterable[Published]) -> dict[tuple[str, str, str, str], list[Published]]:
    out: dict[tuple[str, str, str, str], list[Published]] = {}
    for row in rows:
        out.setdefault(row.key(), []).append(row)
    return out


def _pointed(members: Iterable[Published]) -> int:
    found: set[str] = set()
    for row in members:
        found |= row.contingents
    return len(found)


def smallest_class(rows: Iterable[Published]) -> int | None:
    """The fewest contingents any published class points to (None: no rows): a check on :func:`coarsen`."""
    classes = _classes(rows)
    return min((_pointed(m) for m in classes.values()), default=None)



# early warnings ---------------------------------------------------------------------------------------
# Each warning says why it fired, in figures, and names the records behind it. The thresholds are wam's
# own starting values, not a UN norm: a mission sets them in its SOP (see docs/analysis.md).

ATTACKS = frozenset({"armed_attack_overrun", "ambush", "seizure_detention", "hostage_taking_capture"})
REPEATED_ATTACKS = 2  # hostile losses at one place in the period
REPEATED_DISCREPANCIES = 2  # closed counts with a discrepancy at one holder
SPIKE_FACTOR = 3  # a month's expenditure above this many times the unit's usual month ...
SPIKE_MINIMUM = 500  # ... and at least this many rounds
SPIKE_MONTHS = 3  # months of the period needed to know a unit's usual month


@dataclass(frozen=True, slots=True)
class EarlyWarning:
    """An early warning: its kind, where, why (the figures that made it fire) and the records behind it."""

    kind: str
    where: str
    why: dict[str, Any]
    records: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "where": self.where, "why": dict(self.why), "records": list(self.records)}


def repeated_attacks(losses: Iterable[Loss], at_least: int = REPEATED_ATTACKS) -> list[EarlyWarning]:
    """Places with at least ``at_least`` losses to attacks (:data:`ATTACKS`) in the period."""
    found: dict[str, list[Loss]] = {}
    for loss in losses:
        if loss.mechanism in ATTACKS and loss.place:
            found.setdefault(loss.place, []).append(loss)
    return [EarlyWarning("repeated_attacks", place,
                         {"attacks": len(hits), "weapons": sum(x.weapons for x in hits),
                          "rounds": sum(x.rounds for x in hits), "at_least": at_least},
                         tuple(sorted(x.id for x in hits)))
            for place, hits in sorted(found.items(), key=lambda kv: (-len(kv[1]), kv[0])) if len(hits) >= at_least]


def repeated_discrepancies(counts: Iterable[tuple[str, str, int]],
                           at_least: int = REPEATED_DISCREPANCIES) -> list[EarlyWarning]:
    """Holders where at least ``at_least`` closed counts (holder, number, discrepancies) found a discrepancy."""
    found: dict[str, list[tuple[str, int]]] = {}
    for holder, number, cases in counts:
        if cases > 0:
            found.setdefault(holder, []).append((number, cases))
    return [EarlyWarning("repeated_discrepancies", holder,
                         {"counts": len(hits), "discrepancies": sum(c for _, c in hits), "at_least": at_least},
                         tuple(sorted(n for n, _ in hits)))
            for holder, hits in sorted(found.items(), key=lambda kv: (-len(kv[1]), kv[0])) if len(hits) >= at_least]


def expenditure_spikes(monthly: Mapping[str, Mapping[str, int]], months: Sequence[str], *,
                       factor: float = SPIKE_FACTOR, minimum: int = SPIKE_MINIMUM,
                       needed: int = SPIKE_MONTHS) -> list[EarlyWarning]:
    """Units whose rounds expended in a month (``monthly[unit][month]``, a month absent: none) were at least
    ``minimum`` and more than ``factor`` times the median of the unit's other months of the period."""
    if len(months) < needed:
        return []
    out = []
    for unit in sorted(monthly):
        spent = monthly[unit]
        ordered = sorted(spent.get(m, 0) for m in months)  # once per unit: a century is 1,200 months
        for month in months:
            value = spent.get(month, 0)
            if value < minimum:
                continue
            usual = _median_without(ordered, value)
            if value > factor * usual:
                out.append(EarlyWarning("expenditure_spike", unit, {"month": month, "rounds": value, "usual": usual,
                                                                    "factor": factor, "minimum": minimum}, (month,)))
    return out


def _median_without(ordered: Sequence[int], value: int) -> float | int:
    """The median of ``ordered`` (sorted) less one occurrence of ``value``: ``statistics.median`` of the
    other months, without building their list for every month."""
    at = bisect.bisect_left(ordered, value)
    size = len(ordered) - 1

    def nth(i: int) -> int:  # the i-th of the others
        return ordered[i] if i < at else ordered[i + 1]

    if size % 2:
        return nth(size // 2)
    return (nth(size // 2 - 1) + nth(size // 2)) / 2


def used_while_suspended(moves: Iterable[tuple[str, str, str, int, int]],
                         changes: Mapping[str, Sequence[Any]]) -> list[EarlyWarning]:
    """Lots issued, transferred or expended while suspended or recalled: ``moves`` are (lot, holder the lot
    left, entry id, quantity, moment in microseconds) of those kinds, ``changes`` each lot's
    :class:`~wam.domain.storage.LotStatus` changes in the order recorded. The ledger refuses such a
    movement once the suspension is recorded; these are the ones posted before the notice was recorded
    (a suspension dated back to when the defect was found) or let through by an older wam."""
    found: dict[str, list[tuple[str, str, int, Any]]] = {}
    for lot, holder, entry, quantity, when in moves:
        status = status_at(changes.get(lot, ()), when)
        if status is not None and status.blocks:
            found.setdefault(lot, []).append((holder, entry, quantity, status))
    out = []
    for lot, hits in sorted(found.items()):
        status = hits[0][3]
        out.append(EarlyWarning("used_while_suspended", lot,
                                {"status": status.status, "code": status.code, "reason": status.reason,
                                 "movements": len(hits), "quantity": sum(q for _, _, q, _ in hits),
                                 "holders": sorted({h for h, _, _, _ in hits})},
                                tuple(e for _, e, _, _ in hits)))
    return out
