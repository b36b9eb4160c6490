"""Loading public reference data into the ledger's tree and the reference tables.

The parsers in ``wam.importers.public`` read the files (this layer does not import them: it
takes their records, read by attribute); this module decides what the facts
become in wam and writes them, idempotently (a second run of the same file adds nothing):

* **Holders.** Each mission becomes a ``mission`` holder under the organisation ``UN``. Each
  contributing country present in a mission becomes one ``contingent`` (code
  ``<MISSION>-<ISO3>``, e.g. ``MONUSCO-IND``), and each place where that contingent is deployed a
  ``site`` under it (``<MISSION>-<ISO3>-<PLACE>``, e.g. ``MONUSCO-IND-GOMA``). In reality one
  camp often hosts several contingents, but custody follows the contingent (each keeps its own
  armoury and is accountable to its own country for its COE), so a site is "this contingent at
  this place": a camp shared by three contingents is three sites with the same coordinates.
  Sectors are optional in the tree and Geo-PKO does not give them, so they are not created.
* **Reference tables** (:mod:`wam.storage.reference_tables`): operations, the strength of each
  contingent per month (the denominator of loss rates), deployments per site and month, and
  fatalities.

Each function returns an :class:`ImportReport`: what was read, what was added, and every row
skipped with its line and reason (the parser's skips and this module's own).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, insert, select

from wam.domain.holders import Holder, make_holder
from wam.storage import reference_tables as r
from wam.storage import tables as t
from wam.storage.engine import write_connection

if TYPE_CHECKING:
    from .ledger import Ledger

ORGANISATION = "UN"

__all__ = [
    "ImportReport",
    "SkippedRow",
    "contingent_code",
    "import_contributions",
    "import_deployments",
    "import_fatalities",
    "import_mission_totals",
    "import_operations",
    "site_code",
    "slug",
]


@dataclass(frozen=True, slots=True)
class SkippedRow:
    """A row (or one value of it) that was not loaded: line, field, reason, the value as written.

    The parsers' own ``Skipped`` records have the same fields and are accepted as they are
    (this layer does not import the parsers: records are read by attribute).
    """

    line: int
    field: str | None
    reason: str
    value: str | None = None


@dataclass
class ImportReport:
    """What one import read, added and skipped."""

    source: str
    read: int = 0
    added: dict[str, int] = field(default_factory=dict)
    skipped: list[Any] = field(default_factory=list)  # SkippedRow or the parsers' Skipped
    notes: list[Any] = field(default_factory=list)

    def add(self, what: str, count: int) -> None:
        self.added[what] = self.added.get(what, 0) + count

    def skip(self, line: int, field_name: str | None, reason: str, value: str | None = None) -> None:
        self.skipped.append(SkippedRow(line=line, field=field_name, reason=reason, value=value))

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "read": self.read,
            "added": dict(self.added),
            "skipped": [{"line": s.line, "field": s.field, "reason": s.reason, "value": s.value} for s in self.skipped],
            "notes": len(self.notes),
        }


# codes ------------------------------------------------------------------------------------
_NOT_CODE = re.compile(r"[^A-Z0-9]+")


def slug(text: str, max_len: int = 30) -> str:
    """An upper-case code fragment of ``text``: ASCII letters and digits joined by ``-``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = _NOT_CODE.sub("-", ascii_text.upper()).strip("-")
    return (out[:max_len].rstrip("-") or "X")


def mission_code(acronym: str) -> str:
    return slug(acronym, 20)


def contingent_code(mission: str, iso3: str) -> str:
    return f"{mission_code(mission)}-{iso3}"


def site_code(mission: str, iso3: str, location: str) -> str:
    return f"{contingent_code(mission, iso3)}-{slug(location, 40)}"[:64]


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


# writing helpers ----------------------------------------------------------------------------
def _existing_holders(conn: Connection, codes: Sequence[str]) -> set[str]:
    found: set[str] = set()
    codes = list(codes)
    for i in range(0, len(codes), 500):
        chunk = select(t.holders.c.code).where(t.holders.c.code.in_(codes[i:i + 500]))
        found.update(row.code for row in conn.execute(chunk))
    return found


def new_holders(ledger: Ledger, holders: Iterable[Holder]) -> int:
    """Add the holders whose code is not known yet (parents in any order); return how many."""
    holders = list({h.code: h for h in holders}.values())
    with ledger.engine.connect() as conn:
        known = _existing_holders(conn, [h.code for h in holders])
    fresh = [h for h in holders if h.code not in known]
    if fresh:
        ledger.add_holders(fresh)
    return len(fresh)


def _insert_absent(conn: Connection, table: Table, key: Sequence[str], rows: list[dict[str, Any]], report: ImportReport,
                   what: str, lines: list[int] | None = None) -> int:
    """Insert the rows whose natural key is not in ``table`` yet (nor earlier in ``rows``)."""
    columns = [table.c[k] for k in key]
    present = {tuple(row) for row in conn.execute(select(*columns))}
    fresh = []
    for row in rows:
        k = tuple(row[c] for c in key)
        if k in present:
            continue
        present.add(k)
        fresh.append(row)
    for i in range(0, len(fresh), 2000):
        conn.execute(insert(table), fresh[i:i + 2000])
    report.add(what, len(fresh))
    return len(fresh)


def _organisation() -> Holder:
    return make_holder(code=ORGANISATION, name="United Nations", kind="organisation")


def _mission_holder(acronym: str, name: str | None = None, lat: float | None = None, lon: float | None = None,
                    country: str | None = None) -> Holder:
    return make_holder(code=mission_code(acronym), name=(name or acronym)[:200], kind="mission", parent=ORGANISATION,
                       country=country, latitude=lat, longitude=lon)


# Geo-PKO ----------------------------------------------------------------------------------
def deployment_holders(deployments: Iterable[Any], report: ImportReport | None = None) -> list[Holder]:
    """The organisation, missions, contingents and sites that ``deployments`` describe.

    A site's coordinates are those of its latest month in the data. Presences with an unknown
    contributing country cannot be a contingent: they are reported (once per row and slot).
    """
    missions: dict[str, tuple[float | None, float | None, str | None]] = {}
    contingents: dict[str, Holder] = {}
    sites: dict[str, tuple[tuple[int, int], Holder]] = {}
    for d in deployments:
        hq = d.hq == 3 and d.latitude is not None
        if d.mission not in missions or hq:
            missions[d.mission] = (d.latitude if hq else None, d.longitude if hq else None, d.country_iso3)
        for p in d.contingents:
            if p.tcc_iso3 is None:
                if report is not None:
                    report.skip(p.line, f"name.of.TCC{p.slot}",
                                "contributing country unknown or not resolved: no contingent",
                                p.tcc_name)
                continue
            ccode = contingent_code(d.mission, p.tcc_iso3)
            contingents.setdefault(ccode,
                                   make_holder(code=ccode, name=f"{d.mission} {p.tcc_name or p.tcc_iso3} contingent",
                                                      kind="contingent", parent=mission_code(d.mission),
                                               country=p.tcc_iso3))
            scode = site_code(d.mission, p.tcc_iso3, d.location)
            when = (d.year, d.month)
            if scode not in sites or sites[scode][0] <= when:
                sites[scode] = (when, make_holder(code=scode, name=f"{d.location} ({p.tcc_iso3})"[:200], kind="site",
                                                  parent=ccode, country=p.tcc_iso3, latitude=d.latitude,
                                                  longitude=d.longitude))
    out = [_organisation()]
    out += [_mission_holder(m, m, lat, lon, host) for m, (lat, lon, host) in missions.items()]
    out += list(contingents.values())
    out += [h for _, h in sites.values()]
    return out


def import_deployments(ledger: Ledger, deployments: Iterable[Any], *, source: str = "geopko",
                       parse_skipped: Iterable[Any] = (), report: ImportReport | None = None) -> ImportReport:
    """Load Geo-PKO deployments: holders, per-site deployments and per-contingent strength."""
    report = report or ImportReport(source)
    rows = list(deployments)
    report.read += len(rows)
    report.skipped.extend(parse_skipped)
    holders = deployment_holders(rows, report)
    report.add("holders", new_holders(ledger, holders))
    deploy_rows: list[dict[str, Any]] = []
    strength: dict[tuple[str, str, dt.date], int | None] = {}
    parts: dict[tuple[Any, ...], int] = defaultdict(int)
    for d in rows:
        month = dt.date(d.year, d.month, 1)
        where = (d.mission, d.location, month, d.source_map)
        part = parts[where]  # a place can have two rows on one map (e.g. an HQ row and a unit row)
        parts[where] += 1
        base = {"mission": d.mission, "site": d.location, "month": month, "latitude": d.latitude,
                "longitude": d.longitude,
                "source_map": d.source_map, "part": part, "source": source}
        deploy_rows.append({**base, "slot": 0, "country": None, "site_holder": None, "troops": d.troops})
        for p in d.contingents:
            deploy_rows.append({**base, "slot": p.slot, "country": p.tcc_iso3, "troops": p.troops,
                                "site_holder": site_code(d.mission, p.tcc_iso3, d.location) if p.tcc_iso3 else None})
            if p.tcc_iso3:
                key = (d.mission, p.tcc_iso3, month)
                previous = strength.get(key, 0)
                strength[key] = None if previous is None or p.troops is None else previous + p.troops
    with write_connection(ledger.engine) as conn, conn.begin():
        _insert_absent(conn, r.deployments, ("mission", "site", "month", "source_map", "part", "slot", "source"),
                       deploy_rows,
                       report, "deployments")
        _insert_absent(conn, r.strength, ("mission", "country", "month", "source"), [
            {"mission": m, "country": c, "month": month, "contingent": contingent_code(m, c), "troops": troops,
             "police": None, "experts": None, "total": troops, "source": source}
            for (m, c, month), troops in sorted(strength.items())
        ], report, "strength")
    return report


# IPI --------------------------------------------------------------------------------------
def import_contributions(ledger: Ledger, contributions: Iterable[Any], *, source: str = "ipi",
                         parse_skipped: Iterable[Any] = ()) -> ImportReport:
    """Load IPI contributions as contingent strength per month (and the missions as holders)."""
    report = ImportReport(source)
    report.skipped.extend(parse_skipped)
    rows: list[dict[str, Any]] = []
    missions: dict[str, Holder] = {}
    for c in contributions:
        report.read += 1
        missions.setdefault(c.mission,
                            _mission_holder(c.mission, c.mission, c.mission_hq_latitude, c.mission_hq_longitude,
                                                       c.mission_country_iso3))
        rows.append({"mission": c.mission, "country": c.contributor_iso3, "month": month_of(c.date),
                     "contingent": contingent_code(c.mission, c.contributor_iso3), "troops": c.troops,
                     "police": c.police,
                     "experts": c.experts, "total": c.total, "source": source})
    report.add("holders", new_holders(ledger, [_organisation(), *missions.values()]))
    with write_connection(ledger.engine) as conn, conn.begin():
        _insert_absent(conn, r.strength, ("mission", "country", "month", "source"), rows, report, "strength")
    return report


def import_mission_totals(ledger: Ledger, totals: Iterable[Any], *, source: str = "ipi",
                          parse_skipped: Iterable[Any] = ()) -> ImportReport:
    """Load IPI monthly personnel totals per mission (data_mission.csv)."""
    report = ImportReport(source)
    report.skipped.extend(parse_skipped)
    rows = []
    for m in totals:
        report.read += 1
        rows.append({"mission": m.mission, "month": month_of(m.date), "contributors": m.contributors,
                     "troops": m.troops,
                     "police": m.police, "observers": m.observers, "total": m.total, "source": source})
    with write_connection(ledger.engine) as conn, conn.begin():
        _insert_absent(conn, r.mission_strength, ("mission", "month", "source"), rows, report, "mission strength")
    return report


# UN Peace and Security Data Hub --------------------------------------------------------------
def import_operations(ledger: Ledger, operations: Iterable[Any], *, source: str = "un-psdata",
                      parse_skipped: Iterable[Any] = ()) -> ImportReport:
    """Load the list of UN operations, and each as a mission holder under ``UN``."""
    report = ImportReport(source)
    report.skipped.extend(parse_skipped)
    rows, missions = [], {}
    for o in operations:
        report.read += 1
        code = mission_code(o.acronym)
        if code in missions:
            report.skip(o.line, "mission_acronym", "a second operation with the same acronym", o.acronym)
            continue
        missions[code] = _mission_holder(o.acronym, o.name, o.latitude, o.longitude)
        rows.append({"acronym": o.acronym, "name": o.name, "start": o.start, "end": o.end, "active": o.active,
                     "hq": o.hq,
                     "latitude": o.latitude, "longitude": o.longitude, "host_country": None, "source": source})
    report.add("holders", new_holders(ledger, [_organisation(), *missions.values()]))
    with write_connection(ledger.engine) as conn, conn.begin():
        _insert_absent(conn, r.operations, ("acronym", "source"), rows, report, "operations")
    return report


def import_fatalities(ledger: Ledger, fatalities: Iterable[Any], *, source: str = "un-psdata",
                      parse_skipped: Iterable[Any] = ()) -> ImportReport:
    """Load peacekeeper fatalities (one row per casualty)."""
    report = ImportReport(source)
    report.skipped.extend(parse_skipped)
    rows = []
    for f in fatalities:
        report.read += 1
        rows.append({"source_id": f.id, "casualty_id": f.casualty_id, "date": f.date, "mission": f.mission,
                     "nationality": f.nationality_iso3,
                     "nationality_name": (f.nationality or None) and f.nationality[:100],
                     "gender": f.gender, "personnel_type": f.personnel_type, "incident_type": f.incident_type,
                     "source": source})
    with write_connection(ledger.engine) as conn, conn.begin():
        _insert_absent(conn, r.fatalities, ("source_id", "source"), rows, report, "fatalities")
    return report


def strength_at(conn: Connection, *, source: str = "geopko") -> dict[str, int]:
    """The latest known troop strength of each contingent holder code, from ``source``."""
    out: dict[str, tuple[dt.date, int]] = {}
    for row in conn.execute(select(r.strength.c.contingent, r.strength.c.month, r.strength.c.troops)
                            .where(r.strength.c.source == source)):
        if row.contingent and row.troops is not None and (
                row.contingent not in out or out[row.contingent][0] < row.month):
            out[row.contingent] = (row.month, row.troops)
    return {k: v for k, (_, v) in out.items()}
