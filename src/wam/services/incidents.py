"""The loss-incident register: report an incident and post its losses at once, take it through
its workflow, and read it with what is derived from it (never typed).

A report is one unit of work of the documents seam (:mod:`wam.services.documents`): the
incident's ``report`` step (its record) and its ``post`` step (one ``loss`` a line, at the time the
incident began, from the holder that held the item then), or nothing. The laws decide, at that
moment, whether the holder held the item: a line it did not hold is refused, naming the line.
When the incident names a site of the tree, every line leaves that site or a holder under it
(its stores and its persons).

The later steps (``investigate``, ``convene``, ``findings``, ``close``) record who and when, each an
append-only record of the records chain, under the rules of :mod:`wam.domain.incidents`.

Derived on reading (:func:`summary`): the weapons and rounds lost (from the catalogue's item
types), ``notable``, ``board_of_inquiry_required`` and its reasons, ``reported_at`` and ``overdue``
(the reporting deadline, ``WAM_INCIDENT_REPORT_HOURS``, default 24).
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from wam.domain import incidents as rules
from wam.domain.documents import INCIDENT, Document
from wam.domain.errors import InvalidInput, LedgerProblem, NotFound, PostingRejected
from wam.domain.holders import is_external
from wam.domain.timefmt import from_micros, iso, to_micros
from wam.storage import tables as t
from wam.storage.record_tables import records as record_table

from . import documents, records

if TYPE_CHECKING:
    from .ledger import Ledger
    from .scoped import ScopedLedger

TYPE = INCIDENT.name
STEPS = (rules.INVESTIGATE, rules.CONVENE, rules.FINDINGS, rules.CLOSE)
# the workflow's step as the register shows it: "posted" is a report whose losses are in the ledger
STEP_SHOWN = {"reported": "reported", "posted": "reported", "under_investigation": "under_investigation",
              "board_of_inquiry": "board_of_inquiry", "findings": "findings", "closed": "closed",
              "cancelled": "cancelled"}


Evidence = tuple[str, bytes, str | None]  # a file's name, content and media type


def report(ledger: Ledger, *, actor: str, lines: Sequence[Mapping[str, Any] | Sequence[Any]],
           number: str | None = None, evidence: Sequence[Evidence] = (), **fields: Any) -> Document:
    """Report an incident and post its losses, in one transaction.

    ``lines`` are (item, quantity, from) or mappings with ``item``, ``quantity``, ``from``; the
    fields are those of :func:`wam.domain.incidents.clean_fields` (the current board rules are
    applied unless ``rules`` names a version). Each ``evidence`` file is kept once, by its SHA-256,
    in the same transaction (a record of kind ``evidence``), and the incident cites it.

    Raises:
        InvalidInput: a field or a line (naming its row and field), a site that is not a holder,
            a line that leaves a holder outside the site.
        PostingRejected: a line whose holder did not hold the item when the incident began (the
            laws), naming the line.
    """
    fields.setdefault("rules", rules.CURRENT_RULES.version)
    files = [rules.evidence_record(name, data, media) for name, data, media in evidence]
    if files:
        fields["evidence"] = [cited for cited, _ in files]
    clean = rules.clean_fields(fields)  # early, so that a bad field is named before anything is read
    site = clean.get("site")
    if site is not None:
        _check_site(ledger, site, lines)

    def work(uow: documents.UnitOfWork) -> Document:
        kept: set[str] = set()
        for cited, body in files:
            digest = cited[1]
            uow.poster.drain()
            if digest not in kept and records.latest(uow.conn, rules.EVIDENCE_KIND, digest) is None:
                uow.record(rules.EVIDENCE_KIND, digest, body, actor)
            kept.add(digest)
        drafted = uow.take(TYPE, "report", actor=actor, number=number, lines=list(lines), **fields)
        try:
            return uow.take(TYPE, "post", actor=actor, number=drafted.number,
                            occurred_at=from_micros(clean["started_at"]))
        except InvalidInput as exc:
            if exc.field != "occurred_at":
                raise
            # its losses are posted when it began: a time outside the window is the report's started_at
            raise InvalidInput(exc.detail, field="started_at") from None
        except PostingRejected as exc:
            row = next((i for i, line in enumerate(drafted.lines, start=1)
                        if line.item == exc.item and line.source == exc.holder), None)
            if row is None:
                raise
            raise PostingRejected(f"line {row}, field 'item': {exc.detail}",
                                  law=exc.law, item=exc.item, holder=exc.holder,
                                  mentions=exc.mentions) from None

    return documents.run(ledger, work)


def _source(line: Mapping[str, Any] | Sequence[Any]) -> str:
    if isinstance(line, Mapping):
        return str(line.get("from", line.get("source", "")))
    return str(line[-1]) if line else ""


def _check_site(ledger: Ledger, site: str, lines: Sequence[Mapping[str, Any] | Sequence[Any]]) -> None:
    if is_external(site):
        raise InvalidInput(f"{site} is not a site of the mission", field="site")
    try:
        inside = {holder.code for holder in ledger.subtree(site)}
    except NotFound:
        raise InvalidInput(f"holder {site!r} does not exist", field="site") from None
    inside.add(site)
    for row, line in enumerate(lines, start=1):
        source = _source(line)
        if source and source not in inside:
            raise InvalidInput(f"{source} is not at {site}: list what the site and its persons held",
                               field="from", row=row)


def advance(ledger: Ledger, number: str, step: str, *, actor: str, **given: Any) -> Document:
    """Take a later step of the workflow (investigate, convene, findings, close) in its own transaction."""
    if step not in STEPS and step != "cancel":
        raise InvalidInput(f"{step!r} is not a step of an incident's workflow ({', '.join(STEPS)})", field="step")
    return documents.step(ledger, TYPE, number, step, actor=actor, **{k: v for k, v in given.items() if v is not None})


# reads -------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Incident:
    """An incident as its last step left it, with when it was reported and when it last moved."""

    document: Document
    reported_at: int  # micros
    updated_at: int


def _incidents(ledger: Ledger, number: str | None = None) -> list[Incident]:
    """Each incident's last record (its state), with the times of its first and last records."""
    with ledger.engine.connect() as conn:
        return _incidents_of(conn, number)


def _incidents_of(conn: Connection, number: str | None = None, *, up_to: int | None = None) -> list[Incident]:
    r = record_table
    last = (select(r.c.ref, func.max(r.c.seq).label("seq"), func.min(r.c.recorded_at).label("first_at"))
            .where(r.c.kind == INCIDENT.record_kind))
    if number is not None:
        last = last.where(r.c.ref == number)
    if up_to is not None:
        last = last.where(r.c.seq <= up_to)
    grouped = last.group_by(r.c.ref).subquery()
    query = (select(r.c.ref, r.c.body, r.c.recorded_at, grouped.c.first_at)
             .join(grouped, r.c.seq == grouped.c.seq).order_by(r.c.ref))
    return [Incident(Document.from_body(json.loads(row.body)["document"]), row.first_at, row.recorded_at)
            for row in conn.execution_options(yield_per=5000).execute(query)]


def _item_types(ledger: Ledger, keys: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(keys))
    out: dict[str, str] = {}
    with ledger.engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            out.update({row.key: row.type for row in conn.execute(
                select(t.items.c.key, t.items.c.type).where(t.items.c.key.in_(chunk)))})
    return out


def deadline() -> timedelta:
    """The reporting deadline the environment sets (``WAM_INCIDENT_REPORT_HOURS``)."""
    return rules.deadline_from_settings(os.environ)


def summary(incident: Incident, types: Mapping[str, str], limit: timedelta) -> dict[str, Any]:
    """One incident as the register lists it: its facts and what is derived from them."""
    document, fields = incident.document, incident.document.fields
    weapons = sum(line.quantity for line in document.lines if types.get(line.item) == "weapon")
    rounds = sum(line.quantity for line in document.lines if types.get(line.item) == "ammunition")
    reasons = rules.board_reasons(fields)
    started, ended = fields.get("started_at"), fields.get("ended_at")
    return {
        "id": document.number, "record": "loss", "step": STEP_SHOWN.get(document.state, document.state),
        "state": document.state,
        "started_at": iso(started) if isinstance(started, int) else None,
        "ended_at": iso(ended) if isinstance(ended, int) else None,
        "time_precision": fields.get("time_precision"),
        "mission": fields.get("mission"), "site": fields.get("site"), "place": fields.get("place"),
        "countries": sorted({country for _, country in fields.get("contingents") or ()}),
        "circumstance": fields.get("circumstance"), "mechanism": fields.get("mechanism"),
        "ownership": fields.get("ownership"), "confidentiality": fields.get("confidentiality"),
        "weapons_lost": weapons, "rounds_lost": rounds, "weapons_lost_max": weapons, "rounds_lost_max": rounds,
        "notable": rules.notable(weapons, rounds), "board_of_inquiry_required": bool(reasons),
        "board_of_inquiry_reasons": reasons,
        "reported_by": document.drafted_by, "reported_at": iso(incident.reported_at),
        "updated_at": iso(incident.updated_at),
        "overdue": rules.overdue(fields, from_micros(incident.reported_at), limit, document.state),
        "outcome": fields.get("outcome"), "verification_status": None,
    }


def extras(document: Document, row: Mapping[str, Any], confidential: bool = False) -> dict[str, Any]:
    """What the exchange layout (``wam.services.research.COLUMNS``) carries beyond the list's columns:
    the quantities as counted from the lines, and the sources unless the incident is confidential
    and the viewer outside that scope."""
    fields = document.fields
    casualties = fields.get("casualties") or {}
    quantities = [[name, row[f"{name}_lost"], row[f"{name}_lost"]] for name in ("weapons", "rounds")
                  if row[f"{name}_lost"]]
    hidden = fields.get("confidentiality") == "confidential" and not confidential
    return {
        "quantities": quantities, "contingents": [list(c) for c in fields.get("contingents") or ()],
        "country": None, "admin1": None, "organisation": None, "recovery_status": None, "source_id": None,
        **{name: fields.get(name) for name in ("latitude", "longitude", "place_precision", "perpetrator")},
        "narrative": None if hidden else fields.get("narrative"),
        "perpetrator_claim": bool(fields.get("perpetrator_claim")),
        **{name: int(casualties.get(name, 0)) for name in rules.CASUALTIES},
        "sources": [] if hidden else [{"citation": s, "kind": "other", "reliability": "unknown", "claim": False,
                                       "confidential": False} for s in fields.get("sources") or ()],
    }


def detail(incident: Incident, types: Mapping[str, str], limit: timedelta) -> dict[str, Any]:
    """The summary, every field and the lines."""
    document = incident.document
    fields = {k: (iso(v) if k in ("started_at", "ended_at", "occurred_at") and isinstance(v, int) else v)
              for k, v in document.fields.items()}
    return {**summary(incident, types, limit), "fields": fields, "by": dict(document.by),
            "lines": [{"item": line.item, "quantity": line.quantity, "from": line.source, "to": line.target}
                      for line in document.lines]}


@dataclass(frozen=True, slots=True)
class Filters:
    """What the list keeps; None keeps all."""

    mission: str | None = None
    country: str | None = None
    circumstance: str | None = None
    mechanism: str | None = None
    ownership: str | None = None
    step: str | None = None
    since: datetime | None = None  # the incident began at or after
    until: datetime | None = None  # ... and at or before
    notable: bool | None = None
    board_of_inquiry_required: bool | None = None
    overdue: bool | None = None

    def __post_init__(self) -> None:
        """A filter on a value the vocabulary does not have is refused, naming it (not an empty list)."""
        known = {"circumstance": tuple(rules.Circumstance), "mechanism": tuple(rules.Mechanism),
                 "ownership": tuple(rules.Ownership), "step": tuple(sorted(set(STEP_SHOWN.values())))}
        for name, values in known.items():
            wanted = getattr(self, name)
            if wanted is not None and wanted not in values:
                raise InvalidInput(f"{wanted!r} is not one of {', '.join(values)}", field=name)
        if self.since is not None and self.until is not None and self.until < self.since:
            raise InvalidInput("the period ends before it begins", field="until")

    def keeps_facts(self, document: Document) -> bool:
        """Whether the incident's own facts pass (everything but the derived flags)."""
        fields = document.fields
        for name in ("circumstance", "mechanism", "ownership"):
            wanted = getattr(self, name)
            if wanted is not None and fields.get(name) != wanted:
                return False
        if self.step is not None and STEP_SHOWN.get(document.state, document.state) != self.step:
            return False
        if self.mission is not None and fields.get("mission") != self.mission.upper():
            return False
        if self.country is not None and self.country.upper() not in {c for _, c in fields.get("contingents") or ()}:
            return False
        started = fields.get("started_at")
        if self.since is not None and (not isinstance(started, int) or from_micros(started) < self.since):
            return False
        return not (self.until is not None and (not isinstance(started, int) or from_micros(started) > self.until))

    def keeps(self, row: Mapping[str, Any]) -> bool:
        """Whether the derived flags of a summary pass."""
        return all(getattr(self, name) is None or row[name] == getattr(self, name)
                   for name in ("notable", "board_of_inquiry_required", "overdue"))


NO_FILTERS = Filters()


# the register as of a point of the records chain, kept between reads ------------------------------
# Reading every incident's last record and decoding it took ~30 s at 100,000 incidents (docs/benchmarks.md);
# a process keeps each register it has read, and a read only decodes the incident records appended since
# (the records chain is append-only). The point it has read up to is checked by its hash, so a database
# replaced or restored under the same URL is read again from the start.

_NOTHING = object()


@dataclass
class _Register:
    head: tuple[int, bytes] = (0, b"")  # the records chain's head when last read
    incidents: dict[str, Incident] = field(default_factory=dict)
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)  # the summaries, by id
    limit: timedelta | None = None  # the reporting deadline the summaries were made with
    # positions in ``rows``: by the value of each field the list filters on, and by the time each began
    index: dict[str, dict[Any, list[int]]] = field(default_factory=dict)
    starts: list[tuple[str, int]] = field(default_factory=list)
    position: dict[str, int] = field(default_factory=dict)  # id -> its position in ``rows``
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)  # id -> the holders its lines leave

    def update(self, before: Mapping[str, dict[str, Any] | None]) -> bool:
        """Bring the rows and indexes up to date with the summaries of ``before``'s ids (their summaries
        before: None for a new incident) without reindexing every row; False when it cannot (a new id that
        does not sort after every other, or an incident whose lines changed), and nothing was changed."""
        new = sorted(ref for ref, old in before.items() if old is None)
        if not self.rows or (new and new[0] <= self.rows[-1]["id"]):
            return False
        if any(old is not None and self.sources.get(ref) != self._sources_of(ref) for ref, old in before.items()):
            return False
        for ref, old in sorted(before.items()):
            if old is None:
                continue
            position, row = self.position[ref], self.summaries[ref]
            self.rows[position] = row
            for name in INDEXED:
                if old[name] != row[name]:
                    self._move(self.index[name], old[name], row[name], position)
            if old["countries"] != row["countries"]:
                for country in old["countries"]:
                    self._move(self.index["country"], country, _NOTHING, position)
                for country in row["countries"]:
                    self._move(self.index["country"], _NOTHING, country, position)
            if old["started_at"] != row["started_at"]:
                if old["started_at"] is not None:
                    self.starts.remove((old["started_at"], position))
                if row["started_at"] is not None:
                    bisect.insort(self.starts, (row["started_at"], position))
        for ref in new:  # after every other id: appended, every index stays in order
            position, row = len(self.rows), self.summaries[ref]
            self.rows.append(row)
            self.position[ref] = position
            for name in INDEXED:
                self.index[name].setdefault(row[name], []).append(position)
            for country in row["countries"]:
                self.index["country"].setdefault(country, []).append(position)
            if row["started_at"] is not None:
                bisect.insort(self.starts, (row["started_at"], position))
            self.sources[ref] = self._sources_of(ref)
            for code in self.sources[ref]:
                self.index["source"].setdefault(code, []).append(position)
        return True

    @staticmethod
    def _move(index: dict[Any, list[int]], old: Any, new: Any, position: int) -> None:
        """Move ``position`` from ``old``'s list to ``new``'s (either :data:`_NOTHING`: none), keeping both in order."""
        if old is not _NOTHING:
            held = index.get(old, [])
            at = bisect.bisect_left(held, position)
            if at < len(held) and held[at] == position:
                del held[at]
        if new is not _NOTHING:
            bisect.insort(index.setdefault(new, []), position)

    def _sources_of(self, ref: str) -> tuple[str, ...]:
        return tuple(sorted({line.source for line in self.incidents[ref].document.lines}))

    def reindex(self) -> None:
        self.rows = [self.summaries[ref] for ref in sorted(self.summaries)]
        self.position = {row["id"]: position for position, row in enumerate(self.rows)}
        self.sources = {row["id"]: self._sources_of(row["id"]) for row in self.rows}
        self.index = {name: {} for name in (*INDEXED, "country")}
        for position, row in enumerate(self.rows):
            for name in INDEXED:
                self.index[name].setdefault(row[name], []).append(position)
            for country in row["countries"]:
                self.index["country"].setdefault(country, []).append(position)
        self.starts = sorted((row["started_at"], position) for position, row in enumerate(self.rows)
                             if row["started_at"] is not None)
        by_source: dict[Any, list[int]] = {}
        for position, row in enumerate(self.rows):
            for code in self.sources[row["id"]]:
                by_source.setdefault(code, []).append(position)
        self.index["source"] = by_source

    def in_sight(self, positions: list[int] | None, visible_source: Any) -> list[int] | None:
        """``positions`` (None: all) of the incidents a line of which leaves a holder ``visible_source`` accepts
        (None: all)."""
        seen: set[int] = set()
        sources = self.index.get("source", {})
        visible = [code for code in sources if visible_source(code)]
        if len(visible) == len(sources):  # every holder in sight: the scope narrows nothing
            return positions
        for code in visible:
            seen.update(sources[code])
        if positions is None:
            return sorted(seen)
        return [p for p in positions if p in seen]

    def positions(self, filters: Filters) -> list[int] | None:
        """The positions of the rows the filters keep, in order; None: every row."""
        index = self.index
        wanted: list[Iterable[int]] = [index.get(name, {}).get(getattr(filters, name), ()) for name in INDEXED
                                       if name != "mission" and getattr(filters, name) is not None]
        if filters.mission is not None:
            wanted.append(index.get("mission", {}).get(filters.mission.upper(), ()))
        if filters.country is not None:
            wanted.append(index.get("country", {}).get(filters.country.upper(), ()))
        if filters.since is not None or filters.until is not None:
            low = 0 if filters.since is None else bisect.bisect_left(self.starts, (iso(to_micros(filters.since)),))
            high = (len(self.starts) if filters.until is None else
                    bisect.bisect_right(self.starts, (iso(to_micros(filters.until)), len(self.rows))))
            wanted.append([position for _, position in self.starts[low:high]])
        lists = sorted((w if isinstance(w, list) else list(w) for w in wanted), key=len)
        lists = [w for w in lists if len(w) < len(self.rows)]  # a filter every row passes narrows nothing
        if not lists:  # no filter, or none that narrows (an empty register too)
            return None
        kept = set(lists[0])
        for other in lists[1:]:
            if not kept:
                break
            kept.intersection_update(other)
        return sorted(kept)


INDEXED = ("circumstance", "mechanism", "ownership", "step", "notable", "board_of_inquiry_required", "overdue",
           "mission")
_REGISTERS: dict[str, _Register] = {}
_REGISTERS_LOCK = threading.Lock()
REGISTERS_KEPT = 8  # registers a process keeps (one per database it serves, in practice)


def _register(ledger: Ledger) -> _Register:
    """The register of ``ledger``, brought up to date with the records appended since the last read."""
    r = record_table
    key = str(ledger.engine.url)
    limit = deadline()
    with _REGISTERS_LOCK:
        register = _REGISTERS.get(key)
        changed: set[str] = set()
        with ledger.engine.connect() as conn:
            head = records.head(conn)
            if register is not None and register.head != head and register.head[0]:
                row = conn.execute(select(r.c.hash).where(r.c.seq == register.head[0])).first()
                if row is None or bytes(row.hash) != register.head[1]:
                    register = None  # another chain under this URL (a database replaced, restored)
            if register is None:
                register = _Register()
            if register.head != head and not register.head[0]:  # the first read: each incident's last record
                for incident in _incidents_of(conn, up_to=head[0]):
                    register.incidents[incident.document.number] = incident
                    changed.add(incident.document.number)
                register.head = head
            if register.head != head:  # a few records since the last read: by seq, whatever their kind
                query = select(r.c.ref, r.c.body, r.c.recorded_at, r.c.kind).where(r.c.seq > register.head[0],
                                                                                   r.c.seq <= head[0])
                for row in conn.execution_options(yield_per=5000).execute(query.order_by(r.c.seq)):
                    if row.kind != INCIDENT.record_kind:
                        continue
                    before = register.incidents.get(row.ref)
                    document = Document.from_body(json.loads(row.body)["document"])
                    register.incidents[row.ref] = Incident(document, before.reported_at if before else row.recorded_at,
                                                           row.recorded_at)
                    changed.add(row.ref)
                register.head = head
        whole = register.limit != limit
        if whole:
            changed = set(register.incidents)
            register.limit = limit
        if changed:
            types = _item_types(ledger, (line.item for ref in changed
                                         for line in register.incidents[ref].document.lines))
            earlier = {ref: register.summaries.get(ref) for ref in changed}
            for ref in changed:
                register.summaries[ref] = summary(register.incidents[ref], types, limit)
            if whole or not register.update(earlier):
                register.reindex()
        if key not in _REGISTERS and len(_REGISTERS) >= REGISTERS_KEPT:
            _REGISTERS.pop(next(iter(_REGISTERS)))
        _REGISTERS[key] = register
        return register


def listing(ledger: Ledger, filters: Filters = NO_FILTERS, *, keep: Any = None, full: bool = False,
            confidential: bool = False, visible_source: Any = None) -> list[dict[str, Any]]:
    """Every incident's summary that the filters (and the caller's scope: ``visible_source(holder)``, a line
    leaves a holder it accepts, or ``keep(document)``) keep, by id; ``full`` adds the exchange layout's fields
    (:func:`extras`). The rows are the register's own: copy one before changing it."""
    register = _register(ledger)
    positions = register.positions(filters)
    if visible_source is not None:
        positions = register.in_sight(positions, visible_source)
    rows = register.rows if positions is None else [register.rows[p] for p in positions]
    if keep is not None:
        incidents = register.incidents
        rows = [row for row in rows if keep(incidents[row["id"]].document)]
    else:
        rows = list(rows)
    if full:
        return [{**row, **extras(register.incidents[row["id"]].document, row, confidential)} for row in rows]
    return rows


def get(ledger: Ledger, number: str) -> Incident:
    found = _incidents(ledger, number)
    if not found:
        raise NotFound(INCIDENT.title, number)
    return found[0]


CONCEALED = ("narrative", "sources", "evidence")  # what a confidential incident keeps to its scope


def conceal(shown: dict[str, Any]) -> dict[str, Any]:
    """A confidential incident as a viewer outside its scope sees it: without its narrative, sources
    and evidence (who told what), and saying so (``concealed``). Other incidents unchanged."""
    if shown.get("confidentiality") != "confidential":
        return shown
    return {**shown, "fields": {k: v for k, v in shown["fields"].items() if k not in CONCEALED}, "concealed": True}


def full(ledger: Ledger, number: str, *, confidential: bool = False) -> dict[str, Any]:
    """One incident with its steps and the entries it posted; a confidential one without its
    narrative, sources and evidence unless the viewer is in its scope (``confidential``).

    Raises:
        NotFound: no such incident.
    """
    incident = get(ledger, number)
    types = _item_types(ledger, (line.item for line in incident.document.lines))
    out = detail(incident, types, deadline())
    out["steps"] = documents.history(ledger, TYPE, number)
    out["entries"] = [{"id": e.uid, "seq": e.seq, "kind": e.kind, "item": e.item, "quantity": e.quantity,
                       "from": e.source, "to": e.target, "occurred_at": iso(e.occurred_at),
                       "recorded_at": iso(e.recorded_at), "actor": e.actor, "document": e.document}
                      for e in documents.entries(ledger, incident.document)]
    from .research import linked_events

    out["events"] = linked_events(ledger).get(number, [])
    return out if confidential else conceal(out)


def evidence_file(ledger: Ledger, digest: str) -> tuple[str, bytes]:
    """The media type and content of the evidence file ``digest`` (its SHA-256).

    Raises:
        NotFound: no such file.
    """
    import base64

    with ledger.engine.connect() as conn:
        found = records.latest(conn, rules.EVIDENCE_KIND, digest)
    if found is None:
        raise NotFound("evidence file", digest)
    return str(found.data["media_type"]), base64.b64decode(str(found.data["data"]))


def verify_evidence(conn: Connection, found: Mapping[tuple[str, str], Document]) -> list[LedgerProblem]:
    """Every evidence record is the file its SHA-256 names; every file an incident or a recovery cites is kept."""
    problems: list[LedgerProblem] = []
    kept: set[str] = set()
    for record in records.all_records(conn, kinds=[rules.EVIDENCE_KIND]):
        kept.add(record.ref)
        problem = rules.evidence_problem(record.ref, record.data)
        if problem is not None:
            problems.append(LedgerProblem("documents", f"record {record.seq}: {problem}"))
    for (type_name, number), document in sorted(found.items()):
        if type_name not in (TYPE, "recovery"):  # a recovery's photos are kept as evidence too
            continue
        title = INCIDENT.title if type_name == TYPE else "recovery record"
        for name, digest, _, _ in document.fields.get("evidence") or ():
            if digest not in kept:
                problems.append(LedgerProblem("documents", f"{title} {number} cites evidence {name} "
                                                           f"({digest[:12]}), which is not kept"))
    return problems


EXPORT_COLUMNS = ("id", "step", "started_at", "ended_at", "time_precision", "mission", "site", "place", "countries",
                  "circumstance", "mechanism", "ownership", "weapons_lost", "rounds_lost", "notable",
                  "board_of_inquiry_required", "reported_by", "reported_at", "overdue", "outcome", "confidentiality")


def export(rows: Sequence[Mapping[str, Any]], fmt: str) -> str:
    """The rows as CSV (the columns of :data:`EXPORT_COLUMNS`, lists joined by ``;``) or JSON."""
    if fmt == "json":
        return json.dumps({"incidents": list(rows)}, ensure_ascii=False, indent=1)
    if fmt != "csv":
        raise InvalidInput(f"{fmt!r} is not an export format (csv, json)", field="format")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([";".join(row[c]) if isinstance(row[c], list) else
                         ("true" if row[c] is True else "false" if row[c] is False else
                          "" if row[c] is None else row[c]) for c in EXPORT_COLUMNS])
    return buffer.getvalue()


# as a signed-in user may see and change them (the API) ------------------------------------------

class ScopedIncidents:
    """The incidents ``scoped``'s user may see and change, scoped by the holder tree as disposals are
    (:class:`wam.services.registers.ScopedDocuments`): an incident is in sight of whoever reads
    movements at a holder its lines leave. Reporting needs a recording role at every holder its
    lines leave (and the site it names in sight, or above them); convening a board of inquiry and closing
    (which writes off) the approver's role at every one; the other steps a recording role.

    A confidential incident's narrative, sources and evidence are seen only by whoever may take its
    steps (a recording or approving role at every holder its lines leave) and by an administrator
    for everything: not by an auditor, a viewer or a researcher who reads those holders' movements.
    """

    def __init__(self, scoped: ScopedLedger) -> None:
        from .registers import ScopedDocuments

        self.scoped = scoped
        self.documents = ScopedDocuments(scoped, TYPE)

    def listing(self, filters: Filters = Filters()) -> list[dict[str, Any]]:
        self.scoped.require_movements(None)
        # in sight: a line leaves a holder whose movements the user reads (ScopedDocuments._visible)
        return listing(self.scoped.ledger, filters, visible_source=self.scoped._reads_movements_at)  # noqa: SLF001

    def show(self, number: str) -> dict[str, Any]:
        document = self.documents.get(number)  # NotFound out of sight, as for a number that does not exist
        return full(self.scoped.ledger, number, confidential=self.in_confidence(document))

    def in_confidence(self, document: Document) -> bool:
        """Whether the user is in the scope of this incident's confidential narrative, sources and evidence."""
        from wam.domain.access import Action
        from wam.domain.research import sees_confidential

        scoped = self.scoped
        if sees_confidential(scoped.grants):
            return True
        sources = {line.source for line in document.lines} - {""}
        return bool(sources) and any(all(scoped.allows(code, action) for code in sources)
                                     for action in (Action.RECORD, Action.APPROVE))

    def report(self, *, lines: Sequence[Mapping[str, Any]], **fields: Any) -> Document:
        from wam.domain.access import Action

        scoped = self.scoped
        for code in sorted({_source(line) for line in lines}):
            if code:
                scoped._require(code, Action.RECORD)  # noqa: SLF001  (404 out of sight, 403 without the role)
        site = str(fields.get("site") or "")
        if site:  # in sight, or above every holder the lines leave (an armourer reports from his armoury's site)
            sources = [code for code in {_source(line) for line in lines} if code]
            above = bool(sources) and all(site in {p.code for p in scoped._places(code) or ()}  # noqa: SLF001
                                          for code in sources)
            if not above:
                scoped._require(site, Action.READ)  # noqa: SLF001  (404 out of sight)
        return scoped._append(lambda: report(scoped.ledger, actor=scoped.actor, lines=lines, **fields))  # noqa: SLF001

    def evidence(self, number: str, digest: str) -> tuple[str, bytes]:
        """A file the incident (in sight) cites: its media type and content."""
        document = self.documents.get(number)
        if digest not in {cited[1] for cited in document.fields.get("evidence") or ()}:
            raise NotFound("evidence file", digest)
        if document.fields.get("confidentiality") == "confidential" and not self.in_confidence(document):
            raise NotFound("evidence file", digest)
        return evidence_file(self.scoped.ledger, digest)

    def advance(self, number: str, step: str, **given: Any) -> Document:
        if step not in STEPS:
            raise InvalidInput(f"{step!r} is not a step of an incident's workflow ({', '.join(STEPS)})",
                               field="step")
        return self.documents.take(number, step, **{k: v for k, v in given.items() if v is not None})
