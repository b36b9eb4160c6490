"""Analyses of the registers for mission leaders and policymakers (issue 14): losses over time and by
mission, contributing country, circumstance, mechanism, ownership and category of materiel, with rates per
1,000 personnel and per 1,000 weapons held; recovered materiel; the health of accountability; early
warnings (repeated attacks at a place, repeated count discrepancies at a holder, a site's expenditure far
above its usual month).

Each analysis reads the registers through a :class:`View`: the whole ledger (the command line, as
every other ``wam`` command) or what a signed-in user may see (:class:`ScopedAnalysis`, through the
scoped registers: :class:`~wam.services.incidents.ScopedIncidents`, ``ScopedRecoveries``, ``ScopedAmmo``,
``ScopedAssessments``). A researcher reads aggregates only: the incidents whose losses left holders in
their sight are counted, but no incident is listed by id, place or who reported it, and no item key or
person name appears anywhere in an analysis.

Sources. Loss incidents are the register's (their quantities posted to the ledger); research records
(public sources, quantities as ranges) are kept apart unless asked for (``research="with"`` or
``"only"``), each row saying which it is; a research record that is an import of a loss incident
(``source_id``) is counted once, as the incident.

Denominators. Personnel: the mean monthly strength, over the months of the period that have a figure,
from the reference tables the public-data importers fill (``wam import ipi`` contributions, then Geo-PKO
deployments, then IPI mission totals: the first source that has the mission's month); a scoped user's
denominator is the strength of the contingents in their sight. Weapons held: the ledger's balances of
weapons in the mission (or the user's sight) at the period's start, or at its end when none were held at
its start. The pure arithmetic is :mod:`wam.domain.analysis`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, literal_column, select

from wam.domain import analysis as figures
from wam.domain.access import Action, Role, covers
from wam.domain.documents import DISPOSAL
from wam.domain.errors import InvalidInput, NotFound, PermissionDenied
from wam.domain.holders import HolderKind
from wam.domain.timefmt import check_readable, iso, to_micros
from wam.storage import reference_tables as r
from wam.storage import tables as t

from . import ammo, assessments, documents, incidents, recoveries, research

if TYPE_CHECKING:
    from .ledger import Ledger
    from .scoped import ScopedLedger

RESEARCH = ("no", "with", "only")
SOURCES = ("ipi", "geopko")  # contingent strength, in order of preference
#: the longest period an analysis answers: its months are counted, charted and compared one by one (a period
#: to 9998 was minutes of one CPU's time), and no peace operation's records are older
MAX_YEARS = 100


@dataclass(frozen=True, slots=True)
class Question:
    """What an analysis is asked: a mission (None: all in sight), a period (each end included), periods by
    month or year, and whether research records are counted (``no``, ``with`` the incidents, ``only``)."""

    mission: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    by: str = "month"
    research: str = "no"
    #: what the asker calls the period's ends (``from``/``to`` on the API and the command line), for errors
    fields: tuple[str, str] = field(default=("since", "until"), compare=False)

    def __post_init__(self) -> None:
        if self.by not in figures.BY:
            raise InvalidInput(f"{self.by!r} is not one of {', '.join(figures.BY)}", field="by")
        if self.research not in RESEARCH:
            raise InvalidInput(f"{self.research!r} is not one of {', '.join(RESEARCH)}", field="research")
        for moment, name in ((self.since, self.fields[0]), (self.until, self.fields[1])):
            if moment is not None:
                check_readable(moment, name)  # the dates the ledger can keep (year 10000 is none)
        if self.since is not None and self.until is not None:
            if self.until < self.since:
                raise InvalidInput("the period ends before it begins", field=self.fields[1])
            if self.until - self.since > timedelta(days=365.25 * MAX_YEARS):
                raise InvalidInput(f"a period is at most {MAX_YEARS} years", field=self.fields[1])

    def check(self, ledger: Ledger) -> None:
        """Refuse, naming the end, a period outside the dates this ledger accepts for a movement (its time
        window's earliest date, ``WAM_EARLIEST_OCCURRED_AT``): nothing can have happened there."""
        earliest = ledger.window.earliest
        for moment, name in ((self.since, self.fields[0]), (self.until, self.fields[1])):
            if moment is not None and moment < earliest:
                raise InvalidInput(f"{moment.date().isoformat()} is before {earliest.date().isoformat()}, the "
                                   f"earliest date this ledger accepts (WAM_EARLIEST_OCCURRED_AT)", field=name)

    def filters(self) -> incidents.Filters:
        return incidents.Filters(mission=self.mission, since=self.since, until=self.until)

    def within(self, moment: datetime | None) -> bool:
        if moment is None:
            return self.since is None and self.until is None
        return (self.since is None or moment >= self.since) and (self.until is None or moment <= self.until)


# what a viewer may read ------------------------------------------------------------------------------

class View:
    """The registers as the command line reads them: everything. :class:`ScopedView` narrows each read."""

    aggregates_only = False

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.kept: dict[Any, Any] = {}  # what one brief's analyses read once and share

    def incident_rows(self, filters: incidents.Filters, keep: Callable[[Any], bool]) -> list[dict[str, Any]]:
        return incidents.listing(self.ledger, filters, keep=keep)

    def research_rows(self, filters: incidents.Filters) -> list[dict[str, Any]]:
        return research.listing(self.ledger, filters, full=True)

    def recovery_rows(self) -> list[dict[str, Any]]:
        return recoveries.listing(self.ledger)

    def stores(self) -> list[ammo.StoreStatus]:
        return ammo.check(self.ledger)

    def assessment_rows(self) -> list[dict[str, Any]]:
        return assessments.listing(self.ledger)

    def count_rows(self) -> list[dict[str, Any]] | None:
        return _counts(self.ledger, None)

    def sees_contingent(self, code: str | None, mission: str) -> bool:
        """Whether the viewer sees the contingent of a strength figure (its holder; without one, its mission)."""
        return True

    def whole(self) -> bool:
        """Whether the viewer sees every holder (a mission's own total strength is then theirs)."""
        return True

    def sees_holder(self, code: str) -> bool:
        return True

    def weapons_held(self, mission: str | None, at: datetime | None) -> int:
        codes = [mission] if mission else _tree(self).roots()
        return _weapons_held(self, codes, at)


class ScopedView(View):
    """What a signed-in user may see: the registers through their scoped classes (a researcher's
    aggregates through the holders in their sight, persons' losses counted at their store)."""

    def __init__(self, scoped: ScopedLedger) -> None:
        super().__init__(scoped.ledger)
        self.scoped = scoped
        if not scoped.can(Action.READ):
            raise PermissionDenied("your role does not allow this")
        self.movements = scoped.can(Action.READ_MOVEMENTS)
        self.aggregates_only = not self.movements or any(g.role is Role.RESEARCHER for g in scoped.grants)
        self._seen: dict[str, bool] = {}

    def _in_sight(self, code: str) -> bool:
        """A holder in the user's sight (READ), a person counted at the holder above them."""
        if code not in self._seen:
            places = self.scoped._places(code)  # noqa: SLF001
            if places and places[0].kind is HolderKind.PERSON:
                places = places[1:]
            self._seen[code] = bool(places) and any(covers(g, places or []) for g in self.scoped.grants)
        return self._seen[code]

    def incident_rows(self, filters: incidents.Filters, keep: Callable[[Any], bool]) -> list[dict[str, Any]]:
        if self.movements:
            incidents.ScopedIncidents(self.scoped).listing(filters)  # the register's own permission check
            return incidents.listing(self.ledger, filters, keep=keep,
                                     visible_source=self.scoped._reads_movements_at)  # noqa: SLF001
        return incidents.listing(self.ledger, filters, keep=keep, visible_source=self._in_sight)

    def research_rows(self, filters: incidents.Filters) -> list[dict[str, Any]]:
        viewer = research.ScopedResearch(self.scoped)
        viewer.listing(filters)  # its permission check
        return research.listing(self.ledger, filters, confidential=viewer.confidential, full=True)

    def recovery_rows(self) -> list[dict[str, Any]]:
        if self.movements:
            return recoveries.ScopedRecoveries(self.scoped).listing()
        return recoveries.listing(self.ledger, keep=lambda d: any(self._in_sight(line.target) for line in d.lines))

    def stores(self) -> list[ammo.StoreStatus]:
        return ammo.ScopedAmmo(self.scoped).check()

    def assessment_rows(self) -> list[dict[str, Any]]:
        return assessments.ScopedAssessments(self.scoped).listing()

    def count_rows(self) -> list[dict[str, Any]] | None:
        return _counts(self.ledger, self._in_sight)

    def sees_contingent(self, code: str | None, mission: str) -> bool:
        key = f"{code}|{mission}"
        if key not in self._seen:
            try:
                self.ledger.holder(str(code))
                self._seen[key] = bool(code) and self.scoped.visible(str(code))
            except NotFound:
                self._seen[key] = self.scoped.visible(mission)
        return self._seen[key]

    def whole(self) -> bool:
        return any(g.everywhere for g in self.scoped.grants)

    def sees_holder(self, code: str) -> bool:
        return self._in_sight(code)

    def weapons_held(self, mission: str | None, at: datetime | None) -> int:
        scoped = self.scoped
        if mission and scoped.visible(mission):
            codes = [mission]
        else:
            codes = [h.code for h in scoped.roots()
                     if mission is None or mission in {p.code for p in scoped._places(h.code) or ()}]  # noqa: SLF001
        for code in codes:  # the aggregate a researcher may read (ScopedLedger.summary's permission)
            scoped._require(code, Action.READ)  # noqa: SLF001
        return _weapons_held(self, codes, at)


def _counts(ledger: Ledger, keep: Callable[[str], bool] | None) -> list[dict[str, Any]] | None:
    """The stock counts (wam.services.counts, read only), None when this installation has none."""
    try:
        from . import counts
    except ImportError:  # pragma: no cover - the counts register is part of the package
        return None
    rows = counts.listing(ledger)
    return [row for row in rows if keep is None or keep(str(row.get("holder") or ""))]


class _Tree:
    """Every holder (id, code, kind, parent, coordinates), read in one query and kept by a view: the
    mission's holders, the map's places and the sites of spenders come from it, not a query each."""

    def __init__(self, rows: Iterable[Any]) -> None:
        self.rows: dict[int, tuple[str, str, int | None, float | None, float | None]] = {}
        self.ids: dict[str, int] = {}
        self.children: dict[int | None, list[int]] = {}
        self._below: dict[str, list[int]] = {}
        for row in rows:
            self.rows[row[0]] = (row[1], row[2], row[3], row[4], row[5])
            self.ids[row[1]] = row[0]
            self.children.setdefault(row[3], []).append(row[0])

    def roots(self) -> list[str]:
        """The top holders that are not external (``Ledger.children(None)``)."""
        tops = self.children.get(None, ())
        return sorted(self.rows[i][0] for i in tops if self.rows[i][1] != HolderKind.EXTERNAL.value)

    def below(self, code: str) -> list[int]:
        """The ids of ``code`` and every holder under it (none for an unknown code)."""
        if code not in self.ids:
            return []
        if code not in self._below:
            out, todo = [], [self.ids[code]]
            while todo:
                current = todo.pop()
                out.append(current)
                todo.extend(self.children.get(current, ()))
            self._below[code] = out
        return self._below[code]

    def point(self, holder_id: int, within: set[int] | None = None) -> tuple[float, float] | None:
        """A holder's (longitude, latitude), else the nearest holder's above it that has one (within a set)."""
        current: int | None = holder_id
        for _ in range(12):
            if current is None or current not in self.rows or (within is not None and current not in within):
                return None
            _, _, parent, lat, lon = self.rows[current]
            if lat is not None and lon is not None:
                return (float(lon), float(lat))
            current = parent
        return None

    def site_of(self, holder_id: int) -> str | None:
        """The site a holder is at (itself, or the first site above it)."""
        current: int | None = holder_id
        for _ in range(50):
            if current is None or current not in self.rows:
                return None
            code, kind, parent, _, _ = self.rows[current]
            if kind == HolderKind.SITE.value:
                return code
            current = parent
        return None


def _tree(view: View) -> _Tree:
    if "tree" not in view.kept:
        h = t.holders
        with view.ledger.engine.connect() as conn:
            view.kept["tree"] = _Tree(conn.execute(select(h.c.id, h.c.code, h.c.kind, h.c.parent_id, h.c.latitude,
                                                          h.c.longitude)).all())
    tree: _Tree = view.kept["tree"]
    return tree


BOUNDARY = 2000  # at most this many holders outside: the weapons held are summed over the boundary's entries


def _weapons_held(view: View, codes: Iterable[str], at: datetime | None) -> int:
    """The weapons held in the subtrees of ``codes`` now or at ``at``: what came in across the subtrees'
    boundary less what went out (the same sum as the balances: every movement nets to zero, so the movements
    inside cancel). Over a mission, the boundary is the external holders and the other missions: a few
    thousand entries against ten million; when the outside is larger than the inside, the balances."""
    tree = _tree(view)
    inside = {i for code in codes for i in tree.below(code)}
    if not inside:
        return 0
    outside = [i for i in tree.rows if i not in inside]
    if len(outside) > BOUNDARY:
        total = 0
        for code in codes:
            if code in tree.ids:
                lines = view.ledger.balance(code, at=at, tree=True)
                total += sum(line.quantity for line in lines if line.type == "weapon")
        return total
    if not outside:
        return 0  # nothing outside: nothing ever came in
    e, i = t.entries, t.items
    when = [e.c.occurred_at <= to_micros(at)] if at is not None else []
    held = 0
    with view.ledger.engine.connect() as conn:
        for into, other, sign in ((e.c.target_id, e.c.source_id, 1), (e.c.source_id, e.c.target_id, -1)):
            query = (select(into, func.sum(e.c.quantity)).join(i, i.c.id == e.c.item_id)
                     .where(other.in_(outside), i.c.type == "weapon", *when).group_by(into))
            held += sign * sum(int(q) for holder, q in conn.execute(query) if holder in inside)
    return held


# reading the registers into the domain's rows ---------------------------------------------------------

def _moment(text: str | None) -> datetime | None:
    """A register's ISO time (``...Z``, UTC) as a datetime."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _categories(ledger: Ledger, documents: Mapping[str, Any]) -> dict[str, tuple[tuple[str, int], ...]]:
    """Each incident's quantities lost by category of materiel (the catalogue's category, else its type)."""
    keys = sorted({line.item for d in documents.values() for line in d.lines})
    kinds: dict[str, str] = {}
    with ledger.engine.connect() as conn:
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            for row in conn.execute(select(t.items.c.key, t.items.c.type, t.items.c.category)
                                    .where(t.items.c.key.in_(chunk))):
                kinds[row.key] = (row.category or row.type or figures.UNKNOWN).lower()
    out: dict[str, tuple[tuple[str, int], ...]] = {}
    for number, document in documents.items():
        quantities: dict[str, int] = {}
        for line in document.lines:
            name = kinds.get(line.item, figures.UNKNOWN)
            quantities[name] = quantities.get(name, 0) + line.quantity
        out[number] = tuple(sorted(quantities.items()))
    return out


def _loss(row: Mapping[str, Any], categories: tuple[tuple[str, int], ...],
          fields: Mapping[str, Any] | None = None) -> figures.Loss:
    research_row = row.get("record") == "research"
    provisional = research_row and (row.get("weapons_lost_max") != row["weapons_lost"]
                                    or row.get("rounds_lost_max") != row["rounds_lost"])
    return figures.Loss(
        id=str(row["id"]), record="research" if research_row else "loss", started_at=_moment(row.get("started_at")),
        mission=row.get("mission"), countries=tuple(row.get("countries") or ()),
        circumstance=row.get("circumstance"), mechanism=row.get("mechanism"), ownership=row.get("ownership"),
        weapons=int(row.get("weapons_lost") or 0), rounds=int(row.get("rounds_lost") or 0), categories=categories,
        notable=bool(row.get("notable")), provisional=bool(provisional), overdue=bool(row.get("overdue")),
        place=row.get("place") or row.get("site"), site=row.get("site"), point=_point(fields or row))


def loss_rows(view: View, question: Question) -> list[figures.Loss]:
    """The losses the question asks for, as the viewer may see them (read once per view and question:
    a brief's analyses share them)."""
    key = ("losses", question.mission, question.since, question.until, question.research)
    if key not in view.kept:
        view.kept[key] = _loss_rows(view, question)
    return list(view.kept[key])


def _loss_rows(view: View, question: Question) -> list[figures.Loss]:
    out: list[figures.Loss] = []
    filters = question.filters()
    incident_ids: set[str] = set()
    if question.research != "only":
        documents: dict[str, Any] = {}

        def keep(document: Any) -> bool:
            documents[document.number] = document
            return True

        rows = view.incident_rows(filters, keep)
        wanted = {row["id"] for row in rows}
        categories = _categories(view.ledger, {n: d for n, d in documents.items() if n in wanted})
        out += [_loss(row, categories.get(row["id"], ()), documents[row["id"]].fields if row["id"] in documents
                      else None) for row in rows]
        incident_ids = wanted
    if question.research != "no":
        for row in view.research_rows(filters):
            if row.get("source_id") in incident_ids:
                continue  # the research copy of an incident counted already
            named = tuple((str(q[0]), int(q[1] or 0)) for q in row.get("quantities") or ())
            out.append(_loss(row, named))
    return out


# denominators -------------------------------------------------------------------------------------------

def _span(view: View, question: Question, losses: Sequence[figures.Loss]) -> tuple[datetime | None, datetime | None]:
    """The period whose months an analysis walks: the question's, an open end the losses' first or last, and
    never past today or the last loss (nothing is recorded later), so that ``to=9998-12-31`` walks no more
    months than the records have."""
    moments = [loss.started_at for loss in losses if loss.started_at is not None]
    since = question.since or (min(moments) if moments else None)
    until = question.until or (max(moments) if moments else None)
    if until is not None:
        now = view.ledger.clock()
        until = min(until, max([now, *moments]))
    return since, until


def _months(view: View, question: Question, losses: Sequence[figures.Loss]) -> list[str]:
    since, until = _span(view, question, losses)
    if since is None or until is None or until < since:
        return []
    return figures.periods(since, until, "month")


def strength(view: View, missions: Iterable[str], months: Sequence[str]) -> dict[str, Any]:
    """Personnel per month and per contributing country, from the reference tables (see the module)."""
    wanted = {m.upper() for m in missions}
    if not wanted or not months:
        return {"monthly": {}, "by_country": {}, "sources": []}
    first = dt.date.fromisoformat(months[0] + "-01")
    last = dt.date.fromisoformat(months[-1] + "-01")
    s, ms = r.strength, r.mission_strength
    per: dict[tuple[str, str, str], dict[str, int]] = {}  # (mission, month, source) -> country -> total
    totals: dict[tuple[str, str], int] = {}
    with view.ledger.engine.connect() as conn:
        for row in conn.execute(select(s.c.mission, s.c.country, s.c.month, s.c.contingent, s.c.total, s.c.troops,
                                       s.c.source).where(s.c.month >= first, s.c.month <= last)):
            mission = str(row.mission).upper()
            value = row.total if row.total is not None else row.troops
            if mission not in wanted or value is None or not view.sees_contingent(row.contingent, row.mission):
                continue
            per.setdefault((mission, row.month.strftime("%Y-%m"), row.source), {})[row.country] = int(value)
        if view.whole():
            for found in conn.execute(select(ms.c.mission, ms.c.month, ms.c.total)
                                      .where(ms.c.month >= first, ms.c.month <= last)):
                if str(found.mission).upper() in wanted and found.total is not None:
                    totals[(str(found.mission).upper(), found.month.strftime("%Y-%m"))] = int(found.total)
    monthly: dict[str, int] = {}
    by_country: dict[str, dict[str, int]] = {}
    used: set[str] = set()
    for mission in sorted(wanted):
        for month in months:
            chosen = next(((source, per[(mission, month, source)]) for source in SOURCES
                           if (mission, month, source) in per), None)
            if chosen is not None:
                used.add(chosen[0])
                monthly[month] = monthly.get(month, 0) + sum(chosen[1].values())
                for country, value in chosen[1].items():
                    by_country.setdefault(country, {})[month] = by_country.get(country, {}).get(month, 0) + value
            elif (mission, month) in totals:
                used.add("ipi mission totals")
                monthly[month] = monthly.get(month, 0) + totals[(mission, month)]
    return {"monthly": monthly, "by_country": by_country, "sources": sorted(used)}


# the analyses -------------------------------------------------------------------------------------------

def _tallies(found: Mapping[str, figures.Tally]) -> list[dict[str, Any]]:
    return [{"value": key, **tally.as_dict()} for key, tally in found.items()]


def _notable_row(loss: figures.Loss, aggregates_only: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"record": loss.record, "mission": loss.mission,
                           "month": figures.period_of(loss.started_at, "month") if loss.started_at else None,
                           "circumstance": loss.circumstance, "mechanism": loss.mechanism,
                           "countries": list(loss.countries), "weapons": loss.weapons, "rounds": loss.rounds,
                           "provisional": loss.provisional}
    if not aggregates_only:
        row.update(id=loss.id, started_at=loss.started_at.isoformat() if loss.started_at else None, place=loss.place)
    return row


def losses(view: View, question: Question) -> dict[str, Any]:
    """Losses over time and by each dimension, weapons and rounds lost, notable incidents and the rates."""
    _asking(view, question)
    found = loss_rows(view, question)
    total = figures.tally(found)
    months = _months(view, question, found)
    missions = {question.mission.upper()} if question.mission else {x.mission.upper() for x in found if x.mission}
    personnel = strength(view, missions, months)
    mean, known = figures.mean_strength(personnel["monthly"], months)
    held_at = question.since
    held = view.weapons_held(question.mission, held_at)
    if not held and question.until is not None:
        held_at = question.until
        held = view.weapons_held(question.mission, held_at)
    by = {name: _tallies(figures.breakdown(found, name)) for name in figures.DIMENSIONS}
    for row in by["country"]:
        country_mean, _ = figures.mean_strength(personnel["by_country"].get(row["value"], {}), months)
        row["personnel"] = country_mean
        row["weapons_per_1000_personnel"] = figures.per_thousand(row["weapons"], country_mean)
    since, until = _span(view, question, found)
    return {
        "question": _asked(question),
        "totals": {**total.as_dict(), "notable": sum(1 for x in found if x.notable),
                   "loss_incidents": sum(1 for x in found if x.record == "loss"),
                   "research_records": sum(1 for x in found if x.record == "research"),
                   "provisional": sum(1 for x in found if x.provisional),
                   "reported_late": sum(1 for x in found if x.overdue)},
        "over_time": _tallies(figures.over_time(found, question.by, since, until)),
        "by": by,
        "notable": [_notable_row(x, view.aggregates_only) for x in figures.notable(found)],
        "rates": {
            "personnel": {"mean_strength": mean, "months_with_strength": known, "months": len(months),
                          "sources": personnel["sources"],
                          "incidents_per_1000": figures.per_thousand(total.incidents, mean),
                          "weapons_per_1000": figures.per_thousand(total.weapons, mean)},
            "weapons_held": {"held": held, "at": held_at.isoformat() if held_at else None,
                             "weapons_lost_per_1000": figures.per_thousand(total.weapons, held)},
        },
        "aggregates_only": view.aggregates_only,
    }


def _asked(question: Question) -> dict[str, Any]:
    return {"mission": question.mission, "from": question.since.isoformat() if question.since else None,
            "to": question.until.isoformat() if question.until else None, "by": question.by,
            "research": question.research}


def _asking(view: View, question: Question) -> None:
    """Refuse, once per view and question, a period outside the ledger's dates (:meth:`Question.check`) and a
    mission nobody knows (NotFound, 404 / exit 3, as the registers answer an unknown code)."""
    key = ("asked", question)
    if key in view.kept:
        return
    question.check(view.ledger)
    if question.mission is not None:
        require_mission(view, question.mission)
    view.kept[key] = True


def require_mission(view: View, mission: str) -> None:
    """A mission is known when it is a holder of the ledger, has a strength figure of the reference tables or
    is named by a research record that is not confidential (public data may name a mission the ledger does
    not hold); any other code (a typing error, a look-alike letter) is not found, rather than empty figures."""
    if mission in _tree(view).ids:
        return
    s, ms = r.strength, r.mission_strength
    with view.ledger.engine.connect() as conn:
        for table in (s, ms):
            if conn.execute(select(table.c.id).where(func.upper(table.c.mission) == mission.upper()).limit(1)).first():
                return
    if research.listing(view.ledger, incidents.Filters(mission=mission)):
        return
    raise NotFound("mission", mission)


def _mission_codes(view: View, mission: str | None) -> set[str] | None:
    """The holders of the mission (None: every holder)."""
    if mission is None:
        return None
    if ("inside", mission) not in view.kept:
        tree = _tree(view)
        view.kept[("inside", mission)] = {tree.rows[i][0] for i in tree.below(mission)}
    inside: set[str] = view.kept[("inside", mission)]
    return inside


def _recoveries_of(view: View, mission: str | None) -> list[dict[str, Any]]:
    """The recovery records of the mission: those that name it, and those that name none registered at
    one of its stores."""
    if "recoveries" not in view.kept:
        view.kept["recoveries"] = view.recovery_rows()
    rows: list[dict[str, Any]] = view.kept["recoveries"]
    if mission is None:
        return rows
    inside = _mission_codes(view, mission) or set()
    return [row for row in rows if str(row.get("mission") or "").upper() == mission.upper()
            or (not row.get("mission") and row.get("store") in inside)]


def recovered(view: View, question: Question) -> dict[str, Any]:
    """Recovered materiel in the period: volumes by kind of recovery, time to disposal, share traced and
    answered, confirmed matches to losses and how long after the loss."""
    _asking(view, question)
    rows = [row for row in _recoveries_of(view, question.mission) if question.within(_moment(row.get("recovered_at")))]
    certificates = {d.number: d for d in documents.documents(view.ledger, DISPOSAL.name)}
    confirmed = {row["id"]: _confirmed(recoveries.get(view.ledger, row["id"]).fields)
                 for row in rows if row.get("matched")}
    wanted = {str(m[3]) for found in confirmed.values() for m in found if m[3]}
    started: dict[str, datetime | None] = {}
    if wanted:
        for row in incidents.listing(view.ledger, keep=lambda d: d.number in wanted):
            started[row["id"]] = _moment(row.get("started_at"))
    records = []
    for row in rows:
        disposal = row.get("disposal") or {}
        certificate = certificates.get(str(disposal.get("certificate"))) if row.get("disposed") else None
        records.append(figures.Recovered(
            id=row["id"], how=row.get("how"), recovered_at=_moment(row.get("recovered_at")),
            weapons=int(row.get("weapons") or 0), rounds=int(row.get("rounds") or 0),
            disposed_at=certificate.occurred_at if certificate is not None else None,
            retained=bool(row.get("retained")),
            traced=row.get("trace") in ("sent", "acknowledged", "answered", "no_answer"),
            answered=row.get("trace") == "answered", disposal_overdue=bool(row.get("disposal_overdue")),
            matches=tuple((str(m[3]), started.get(str(m[3]))) for m in confirmed.get(row["id"], ()) if m[3])))
    out = figures.recovery_figures(records)
    if view.aggregates_only:
        out["matches"] = [{"days_after_loss": m["days_after_loss"]} for m in out["matches"]]
    return {"question": _asked(question), **out}


def health(view: View, question: Question) -> dict[str, Any]:
    """Accountability now: incidents reported late, recoveries without disposal past their limit, traces
    without an answer, stores in breach of the storage rules, suspended lots still held, assessment scores,
    stock-count discrepancies and overdue counts, and how much of the ledger a signed checkpoint covers."""
    _asking(view, question)
    inside = _mission_codes(view, question.mission)

    def ours(code: str | None) -> bool:
        return inside is None or (code or "") in inside

    late = [x for x in loss_rows(view, Question(question.mission, question.since, question.until)) if x.overdue]
    recovery = _recoveries_of(view, question.mission)
    breaches = [s for s in view.stores() if s.breaches and ours(s.code)]
    latest: dict[str, dict[str, Any]] = {}
    for row in view.assessment_rows():  # newest first: the first of a site is its latest
        if ours(row["site"]) and row["state"] == "closed":
            latest.setdefault(row["site"], row)
    scores = [row["score"]["percent"] for row in latest.values() if row["score"]["percent"] is not None]
    counted = [row for row in view.count_rows() or () if ours(row.get("holder")) and "cases" in row]
    cases = sum(int(row["cases"]) for row in counted)
    overdue = _counts_overdue(view, ours)
    suspended = [lot for lot in ammo.suspended_lots(view.ledger)
                 if any(ours(h["holder"]) and view.sees_holder(h["holder"]) for h in lot["holders"])]
    out: dict[str, Any] = {
        "question": _asked(question),
        "incidents_reported_late": len(late),
        "recoveries_disposal_overdue": sum(1 for row in recovery if row.get("disposal_overdue")),
        "traces_unanswered": sum(1 for row in recovery if row.get("trace_unanswered")),
        "stores_in_breach": len(breaches),
        "assessments": {"sites": len(latest), "mean_percent": round(sum(scores) / len(scores), 1) if scores else None,
                        "lowest_percent": min(scores) if scores else None,
                        "failed_critical": sum(1 for row in latest.values() if row["score"]["failed_critical"])},
        "counts": {"closed": len(counted), "with_discrepancies": sum(1 for row in counted if row["cases"]),
                   "discrepancies": cases,
                   "discrepancies_per_count": round(cases / len(counted), 2) if counted else None,
                   "stores_overdue": len(overdue), "interval_days": COUNT_INTERVAL_DAYS},
        "lots_suspended_held": len(suspended),
        "verification": _verification(view),
    }
    if not view.aggregates_only:
        out["late_incidents"] = sorted(x.id for x in late)
        out["stores"] = [{"store": s.code, "breaches": s.breaches} for s in breaches]
        out["counts_overdue"] = overdue
    return out


#: a store not counted for longer is overdue, unless its schedule says otherwise (wam serve's default too)
COUNT_INTERVAL_DAYS = 30


def _counts_overdue(view: View, ours: Callable[[str | None], bool]) -> list[str]:
    """The stores in sight (and the mission) not counted within their schedule's interval, or
    :data:`COUNT_INTERVAL_DAYS` for a store without one (:mod:`wam.services.counts_due`'s rule)."""
    from .counts import schedules
    from .counts_due import last_counts, overdue

    now = to_micros(view.ledger.clock())
    h = t.holders.c
    with view.ledger.engine.connect() as conn:
        stores = conn.execute(select(h.id, h.code).where(h.kind == HolderKind.STORE.value)).all()
        last = last_counts(conn)
        every = {code: body["every_days"] for code, body in schedules(conn).items()}
    return sorted(code for holder_id, code in stores if ours(code) and view.sees_holder(code)
                  and overdue(last.get(holder_id), every.get(code), COUNT_INTERVAL_DAYS, now))


def _verification(view: View) -> dict[str, Any]:
    """How much of the ledger a signed checkpoint covers: its last one, and the entries posted since
    (``wam checkpoint`` signs the head; ``wam verify`` checks every checkpoint against the chain)."""
    c = t.checkpoints.c
    with view.ledger.engine.connect() as conn:
        last = conn.execute(select(c.seq, c.signed_at).order_by(c.seq.desc()).limit(1)).first()
        head = conn.execute(select(t.chain_head.c.seq).where(t.chain_head.c.id == 1)).scalar() or 0
    return {"last_checkpoint_seq": None if last is None else last.seq,
            "last_checkpoint_at": None if last is None else iso(last.signed_at),
            "entries_since_checkpoint": head - (0 if last is None else last.seq)}


def expenditure(view: View, mission: str | None, months: Sequence[str]) -> dict[str, dict[str, int]]:
    """Rounds expended per site (its stores and persons with it) and month, in the viewer's sight: one
    aggregate query, the database summing by spender and month."""
    if not months:
        return {}
    starts = [datetime.fromisoformat(m + "-01").replace(tzinfo=UTC) for m in months]
    last = starts[-1]
    end = (to_micros(datetime.max.replace(tzinfo=UTC)) + 1 if (last.year, last.month) == (9999, 12)  # no year 10000
           else to_micros(last.replace(year=last.year + (last.month == 12), month=last.month % 12 + 1)))
    bounds = [to_micros(m) for m in starts] + [end]
    e = t.entries
    # the month as a CASE of literal bounds: the same SQL text in SELECT and GROUP BY (PostgreSQL)
    bucket = case(*[(e.c.occurred_at < literal_column(str(bounds[i + 1])), literal_column(str(i)))
                    for i in range(len(months))], else_=literal_column("-1"))
    tree = _tree(view)
    # rounds are expended to an external holder: its index on (target, time) reads those entries alone
    externals = [i for i, row in tree.rows.items() if row[1] == HolderKind.EXTERNAL.value]
    query = (select(e.c.source_id, bucket.label("month"), func.sum(e.c.quantity).label("rounds"))
             .where(e.c.target_id.in_(externals), e.c.kind == "expenditure", e.c.occurred_at >= bounds[0],
                    e.c.occurred_at < bounds[-1])
             .group_by(e.c.source_id, bucket))
    inside = _mission_codes(view, mission)
    with view.ledger.engine.connect() as conn:
        spent = conn.execute(query).all()
    if not spent:
        return {}
    out: dict[str, dict[str, int]] = {}
    for row in spent:
        site = tree.site_of(row.source_id)
        if site is None or row.month < 0 or (inside is not None and site not in inside) or not view.sees_holder(site):
            continue
        month = months[int(row.month)]
        out.setdefault(site, {})[month] = out.get(site, {}).get(month, 0) + int(row.rounds)
    return out


def suspended_use(view: View, question: Question) -> list[figures.EarlyWarning]:
    """Lots issued, transferred (but for disposal) or expended in the period while suspended or recalled,
    from holders in the viewer's sight (and the mission's): a query of those lots' movements alone."""
    from wam.domain.storage import BLOCKED_KINDS, FOR_DISPOSAL

    from .records import all_records
    from .storage_state import STATUS_KIND, status_change

    changes: dict[str, list[Any]] = {}
    with view.ledger.engine.connect() as conn:
        for record in all_records(conn, kinds=[STATUS_KIND]):
            changes.setdefault(record.ref, []).append(status_change(record.data))
        if not changes:
            return []
        e, i, h = t.entries.c, t.items.c, t.holders.c
        query = (select(i.key, h.code, t.ledgers.c.uuid, e.origin_seq, e.quantity, e.occurred_at)
                 .join(t.items, t.items.c.id == e.item_id).join(t.holders, t.holders.c.id == e.source_id)
                 .join(t.ledgers, t.ledgers.c.id == e.origin_id)
                 .where(i.key.in_(sorted(changes)), e.kind.in_(sorted(k.value for k in BLOCKED_KINDS)),
                        (e.reason.is_(None)) | (e.reason != FOR_DISPOSAL) | (e.kind != "transfer")))
        if question.since is not None:
            query = query.where(e.occurred_at >= to_micros(question.since))
        if question.until is not None:
            query = query.where(e.occurred_at <= to_micros(question.until))
        rows = conn.execute(query.order_by(e.occurred_at, e.seq)).all()
    inside = _mission_codes(view, question.mission)
    moves = [(key, code, f"{origin}:{seq}", quantity, when) for key, code, origin, seq, quantity, when in rows
             if (inside is None or code in inside) and view.sees_holder(code)]
    return figures.used_while_suspended(moves, changes)


def warnings(view: View, question: Question) -> dict[str, Any]:
    """Early warnings, each saying why it fired and naming its records: places with repeated attacks in the
    period, holders whose closed counts found discrepancies again and again, sites whose expenditure in a month
    was far above their usual month, lots used while suspended (:mod:`wam.domain.analysis` for the thresholds)."""
    _asking(view, question)
    inside = _mission_codes(view, question.mission)
    found = loss_rows(view, question)
    counted = [(str(row.get("holder") or ""), str(row["number"]), int(row["cases"]))
               for row in view.count_rows() or () if "cases" in row
               and (inside is None or str(row.get("holder") or "") in inside)]
    months = _months(view, question, found)
    out = [*figures.repeated_attacks(found), *figures.repeated_discrepancies(counted),
           *figures.expenditure_spikes(expenditure(view, question.mission, months), months),
           *suspended_use(view, question)]
    shown = [w.as_dict() for w in out]
    if view.aggregates_only:
        kinds = _kinds_of(view, [w["where"] for w in shown if w["kind"] == "used_while_suspended"])
        for w in shown:
            if w["kind"] != "expenditure_spike":
                w["records"] = []
            if w["kind"] == "used_while_suspended":  # a lot key names the item: researchers see its kind
                w["where"] = kinds.get(w["where"], figures.UNKNOWN)
            w["why"].pop("holders", None)  # a person may have used the lot: researchers see no one
    return {"question": _asked(question), "warnings": shown}


def _kinds_of(view: View, keys: Sequence[str]) -> dict[str, str]:
    """Each item's kind as an aggregate may name it: its category and calibre (``ammunition, 7.62x51mm``), else
    its type; never its key, maker or lot."""
    if not keys:
        return {}
    i = t.items.c
    with view.ledger.engine.connect() as conn:
        rows = conn.execute(select(i.key, i.type, i.category, i.calibre).where(i.key.in_(sorted(set(keys))))).all()
    return {row.key: ", ".join(str(part) for part in (row.category or row.type, row.calibre) if part) or figures.UNKNOWN
            for row in rows}


def places(view: View, question: Question) -> dict[str, list[list[float]]]:
    """What a map shows, as [longitude, latitude] points in the viewer's sight: the mission's sites, the
    losses of the period (their coordinates, else their site's; with the weapons lost) and the recoveries
    of the period (their coordinates, else their store's site's)."""
    _asking(view, question)
    inside = _mission_codes(view, question.mission)
    tree = _tree(view)
    roots = [question.mission] if question.mission else tree.roots()
    shown = {i for root in roots for i in tree.below(root)}
    sites: list[list[float]] = []
    for i in sorted(shown, key=lambda i: tree.rows[i][0]):
        code, kind, _, lat, lon = tree.rows[i]
        if kind == HolderKind.SITE.value and lat is not None and lon is not None and view.sees_holder(code):
            sites.append([float(lon), float(lat)])

    def where(code: str) -> tuple[float, float] | None:  # a store or a person at its site's place
        return tree.point(tree.ids[code], shown) if code in tree.ids else None

    losses_at: list[list[float]] = []
    if view.aggregates_only:  # no incident's own place: the weapons lost summed at each site's (or a 1° square's)
        summed: dict[tuple[float, float], float] = {}
        for loss in loss_rows(view, question):
            point = where(str(loss.site or "")) or _coarse(loss.point)
            if point is not None:
                summed[point] = summed.get(point, 0.0) + float(loss.weapons)
        losses_at = [[x, y, weapons] for (x, y), weapons in sorted(summed.items())]
    for loss in () if view.aggregates_only else loss_rows(view, question):
        point = loss.point or where(str(loss.site or ""))
        if point is not None:
            losses_at.append([point[0], point[1], float(loss.weapons)])
    recovered_at = []
    for row in _recoveries_of(view, question.mission):
        if question.within(_moment(row.get("recovered_at"))):
            own = _coarse(_point(row)) if view.aggregates_only else _point(row)  # a researcher: no exact place
            point = own or where(str(row.get("store") or ""))
            if point is not None and (inside is None or row.get("store") in inside or row.get("mission")):
                recovered_at.append([point[0], point[1]])
    return {"sites": sites, "losses": losses_at, "recoveries": recovered_at}


def _coarse(point: tuple[float, float] | None) -> tuple[float, float] | None:
    """A point at the centre of its whole-degree square (about 110 km): where a researcher's map puts a loss
    that names no site."""
    return None if point is None else (math.floor(point[0]) + 0.5, math.floor(point[1]) + 0.5)


def _point(row: Mapping[str, Any]) -> tuple[float, float] | None:
    lat, lon = row.get("latitude"), row.get("longitude")
    return (float(lon), float(lat)) if isinstance(lat, int | float) and isinstance(lon, int | float) else None


def brief(view: View, question: Question) -> dict[str, Any]:
    """Everything a brief prints: the losses, the recovered materiel and the health of accountability."""
    _asking(view, question)
    return {"losses": losses(view, question), "recovered": recovered(view, question),
            "health": health(view, question), "warnings": warnings(view, question)["warnings"],
            "places": places(view, question),
            "made_at": datetime.now(UTC).isoformat(timespec="seconds")}


class ScopedAnalysis:
    """The analyses as a signed-in user may see them (see :class:`ScopedView`)."""

    def __init__(self, scoped: ScopedLedger) -> None:
        self.scoped = scoped
        ScopedView(scoped)  # refused now for a user who may read nothing

    def losses(self, question: Question) -> dict[str, Any]:
        return losses(ScopedView(self.scoped), question)  # a view per answer: what it keeps is never stale

    def recovered(self, question: Question) -> dict[str, Any]:
        return recovered(ScopedView(self.scoped), question)

    def health(self, question: Question) -> dict[str, Any]:
        return health(ScopedView(self.scoped), question)

    def warnings(self, question: Question) -> dict[str, Any]:
        return warnings(ScopedView(self.scoped), question)

    def places(self, question: Question) -> dict[str, list[list[float]]]:
        return places(ScopedView(self.scoped), question)

    def brief(self, question: Question) -> dict[str, Any]:
        return brief(ScopedView(self.scoped), question)


def whole(ledger: Ledger) -> View:
    """The view of the command line: every record (a new view for each answer: it keeps what it read)."""
    return View(ledger)


def _confirmed(fields: Mapping[str, Any]) -> list[list[Any]]:
    """A record's matches standing confirmed (its last decision on each row and weapon), as the register
    derives them (``recoveries._confirmed``, private there)."""
    last: dict[tuple[int, str], list[Any]] = {}
    for match in fields.get("matches") or ():
        last[(match[0], match[1])] = match
    return [m for m in last.values() if m[2] == "confirmed"]


__all__ = ["Question", "ScopedAnalysis", "ScopedView", "View", "brief", "expenditure", "health", "loss_rows",
           "losses", "places", "recovered", "strength", "warnings", "whole"]
