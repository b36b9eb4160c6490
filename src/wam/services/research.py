"""Research records (:mod:`wam.domain.research`) in the records chain, and the register's exchange
layout: list them beside the loss incidents, export and import both as CSV and JSON.

A research record is a record of kind ``research:incident`` whose ref is its id (``RES-000001``
unless an import keeps the id it had); a later record of the same id supersedes it, and, like
every record, it is append-only and hashed into the chain that ``wam verify`` checks. It posts
no movement: it has no inventory detail.

Who sees what (:class:`Viewer`): every signed-in user with a grant reads research records;
confidential sources (and confidential records) only an administrator for everything; the
command line and every export are outside that scope.

The exchange layout (:data:`COLUMNS`, ``docs/incidents.md``) is the one ``wam incidents export``
writes; ``wam incidents import`` reads it back, all or nothing, naming the line and the field of
every bad row. A loss incident's row imports as a research record (its id kept as ``source_id``):
an import never posts a movement.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from wam.domain import incidents as loss_rules
from wam.domain import research as rules
from wam.domain.errors import InvalidInput, NotFound
from wam.domain.timefmt import iso
from wam.storage.record_tables import records as record_table

from . import incidents, records

if TYPE_CHECKING:
    from .ledger import Ledger

TITLE = "research record"


class ImportRefused(InvalidInput):
    """A file with bad rows: nothing was imported; ``problems`` names each line and field."""

    def __init__(self, problems: Sequence[str]) -> None:
        shown = list(problems[:50]) + ([f"... and {len(problems) - 50} more"] if len(problems) > 50 else [])
        super().__init__(f"{len(problems)} problem(s), nothing imported:\n" + "\n".join(shown))
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class Stored:
    """A research record as its last version left it."""

    id: str
    fields: dict[str, Any]
    recorded_by: str | None
    recorded_at: int  # micros, its first version
    updated_at: int


# writing -----------------------------------------------------------------------------------------

def _number(ref: str | None) -> int:
    if ref and ref.startswith(rules.PREFIX) and ref[len(rules.PREFIX):].isdecimal():
        return int(ref[len(rules.PREFIX):])
    return 0


def _next_numbers(conn: Connection, count: int, given: Iterable[str] = ()) -> list[str]:
    """``count`` fresh ids after the last ``RES-nnnnnn`` kept and those ``given`` beside them."""
    r = record_table
    refs = conn.execute(select(r.c.ref).where(r.c.kind == rules.RECORD_KIND, r.c.ref.like(f"{rules.PREFIX}%"))
                        .distinct()).scalars()
    start = max([0, *map(_number, refs), *map(_number, given)])
    return [f"{rules.PREFIX}{start + i:06d}" for i in range(1, count + 1)]


def _taken(conn: Connection, ids: Iterable[str]) -> set[str]:
    wanted = sorted(set(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update(conn.execute(select(record_table.c.ref).where(
            record_table.c.kind == rules.RECORD_KIND, record_table.c.ref.in_(chunk))).scalars())
    return found


def write(conn: Connection, rows: Sequence[tuple[str | None, Mapping[str, Any]]], actor: str) -> list[str]:
    """Append research records (id or None for the next ``RES-nnnnnn``, clean fields) in the caller's
    write transaction; return their ids.

    Raises:
        InvalidInput: an id that a research record already has (``row``: its place in ``rows``).
    """
    given = [rid for rid, _ in rows if rid is not None]
    taken = _taken(conn, given)
    for row, (rid, _) in enumerate(rows, start=1):
        if rid is not None and rid in taken:
            raise InvalidInput(f"{rid} is already a research record", field="id", row=row)
    if len(set(given)) != len(given):
        seen: set[str] = set()
        for row, (rid, _) in enumerate(rows, start=1):
            if rid is not None and rid in seen:
                raise InvalidInput(f"{rid} is given twice", field="id", row=row)
            if rid is not None:
                seen.add(rid)
    fresh = iter(_next_numbers(conn, sum(1 for rid, _ in rows if rid is None), given))
    ids = [rid if rid is not None else next(fresh) for rid, _ in rows]
    if ids:
        records.append_many(conn, [(rules.RECORD_KIND, rid, {"fields": dict(fields)}, actor)
                                   for rid, (_, fields) in zip(ids, rows, strict=True)])
    return ids


def record(ledger: Ledger, *, actor: str, id: str | None = None, **fields: Any) -> str:  # noqa: A002
    """Record one research record in a transaction of its own; return its id.

    Raises:
        InvalidInput: a field (naming it), or an id already taken.
    """
    clean = rules.clean_fields(fields, now=ledger.clock())
    rid = rules.check_id(id) if id is not None else None
    return records.retrying(ledger.engine, lambda conn: write(conn, [(rid, clean)], actor))[0]


# reading -----------------------------------------------------------------------------------------

def stored(ledger: Ledger, rid: str | None = None) -> list[Stored]:
    """Every research record's last version (or only ``rid``'s), in id order."""
    r = record_table
    last = (select(r.c.ref, func.max(r.c.seq).label("seq"), func.min(r.c.recorded_at).label("first_at"))
            .where(r.c.kind == rules.RECORD_KIND))
    if rid is not None:
        last = last.where(r.c.ref == rid)
    grouped = last.group_by(r.c.ref).subquery()
    first = r.alias("first")
    first_actor = (select(first.c.actor).where(first.c.kind == rules.RECORD_KIND, first.c.ref == r.c.ref)
                   .order_by(first.c.seq).limit(1).correlate(r).scalar_subquery())
    query = (select(r.c.ref, r.c.body, r.c.recorded_at, grouped.c.first_at, first_actor.label("by"))
             .join(grouped, r.c.seq == grouped.c.seq).order_by(r.c.ref))
    with ledger.engine.connect() as conn:
        return [Stored(row.ref, json.loads(row.body)["fields"], row.by, row.first_at, row.recorded_at)
                for row in conn.execute(query)]


def summary(item: Stored, fields: Mapping[str, Any]) -> dict[str, Any]:
    """One research record as the register lists it, beside the loss incidents (the same keys)."""
    totals = rules.totals(fields.get("quantities") or ())
    started, ended = fields.get("started_at"), fields.get("ended_at")
    weapons, rounds = int(totals["weapons_min"] or 0), int(totals["rounds_min"] or 0)
    return {
        "id": item.id, "record": "research", "step": None, "state": None,
        "started_at": iso(started) if isinstance(started, int) else None,
        "ended_at": iso(ended) if isinstance(ended, int) else None,
        "time_precision": fields.get("time_precision"), "mission": fields.get("mission"), "site": None,
        "place": fields.get("place"),
        "countries": sorted({country for _, country in fields.get("contingents") or ()}),
        "circumstance": fields.get("circumstance"), "mechanism": fields.get("mechanism"),
        "ownership": fields.get("ownership"), "confidentiality": fields.get("confidentiality"),
        "weapons_lost": weapons, "rounds_lost": rounds,
        "weapons_lost_max": totals["weapons_max"], "rounds_lost_max": totals["rounds_max"],
        "notable": loss_rules.notable(weapons, rounds),
        "board_of_inquiry_required": None, "board_of_inquiry_reasons": [],
        "reported_by": item.recorded_by, "reported_at": iso(item.recorded_at), "updated_at": iso(item.updated_at),
        "overdue": False, "outcome": None, "verification_status": fields.get("verification_status"),
    }


def detail(item: Stored, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The summary with every field (as the viewer may see them)."""
    shown = {k: (iso(v) if k in ("started_at", "ended_at") and isinstance(v, int) else v) for k, v in fields.items()}
    return {**summary(item, fields), "fields": shown, "sources": list(fields.get("sources") or ())}


def keeps(filters: incidents.Filters, fields: Mapping[str, Any], row: Mapping[str, Any]) -> bool:
    """Whether the list's filters keep a research record (a step filter keeps none: it has no workflow)."""
    if filters.step is not None:
        return False
    for name in ("circumstance", "mechanism", "ownership"):
        wanted = getattr(filters, name)
        if wanted is not None and fields.get(name) != wanted:
            return False
    if filters.mission is not None and fields.get("mission") != filters.mission.upper():
        return False
    if filters.country is not None and filters.country.upper() not in set(row["countries"]):
        return False
    started = fields.get("started_at")
    from wam.domain.timefmt import to_micros

    if filters.since is not None and (not isinstance(started, int) or started < to_micros(filters.since)):
        return False
    if filters.until is not None and (not isinstance(started, int) or started > to_micros(filters.until)):
        return False
    return filters.keeps(row)


def listing(ledger: Ledger, filters: incidents.Filters = incidents.NO_FILTERS, *, confidential: bool = False,
            full: bool = False) -> list[dict[str, Any]]:
    """Every research record the filters keep, as a viewer (``confidential``: in the confidential scope) sees it."""
    out = []
    for item in stored(ledger):
        fields = rules.visible(item.fields, confidential)
        if fields is None:
            continue
        row = summary(item, fields)
        if keeps(filters, fields, row):
            out.append({**row, **_extras(fields)} if full else row)
    return out


def show(ledger: Ledger, rid: str, *, confidential: bool = False) -> dict[str, Any]:
    """One research record with its sources and the conflict events linked to it.

    Raises:
        NotFound: no such record, or one out of the viewer's sight (the same answer).
    """
    found = stored(ledger, rid)
    fields = rules.visible(found[0].fields, confidential) if found else None
    if fields is None:
        raise NotFound(TITLE, rid)
    out = detail(found[0], fields)
    out["events"] = linked_events(ledger).get(rid, [])
    return out


def exists(ledger: Ledger, rid: str) -> bool:
    return bool(stored(ledger, rid))


# conflict events and their links ------------------------------------------------------------------

def events(ledger: Ledger) -> list[dict[str, Any]]:
    """Every imported conflict event's last version (its ``incidents`` are those it caused)."""
    r = record_table
    last = select(func.max(r.c.seq).label("seq")).where(r.c.kind == rules.EVENT_KIND).group_by(r.c.ref).subquery()
    query = select(r.c.body).join(last, r.c.seq == last.c.seq).order_by(r.c.ref)
    with ledger.engine.connect() as conn:
        return [json.loads(row.body) for row in conn.execute(query)]


def linked_events(ledger: Ledger) -> dict[str, list[dict[str, Any]]]:
    """The conflict events linked to each incident or research record, by its id."""
    out: dict[str, list[dict[str, Any]]] = {}
    for event in events(ledger):
        for rid in event.get("incidents") or ():
            out.setdefault(rid, []).append({k: v for k, v in event.items() if k != "incidents"})
    return out


# the register: loss incidents and research records, and its exchange layout ----------------------

COLUMNS = incidents.EXPORT_COLUMNS + (
    "record", "weapons_lost_max", "rounds_lost_max", "quantities", "contingents", "country", "admin1", "latitude",
    "longitude", "place_precision", "organisation", "perpetrator", "perpetrator_claim", "killed", "wounded",
    "captured", "missing", "verification_status", "recovery_status", "narrative", "sources", "source_id")
DERIVED = frozenset({"step", "countries", "weapons_lost", "rounds_lost", "weapons_lost_max", "rounds_lost_max",
                     "notable", "board_of_inquiry_required", "reported_by", "reported_at", "overdue", "outcome"})


def _extras(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields the exchange layout carries beyond the list's columns."""
    casualties = fields.get("casualties") or {}
    return {
        "quantities": [list(q) for q in fields.get("quantities") or ()],
        "contingents": [list(c) for c in fields.get("contingents") or ()],
        **{name: fields.get(name) for name in ("country", "admin1", "latitude", "longitude", "place_precision",
                                               "organisation", "perpetrator", "verification_status",
                                               "recovery_status", "narrative", "source_id")},
        "perpetrator_claim": bool(fields.get("perpetrator_claim")),
        **{name: int(casualties.get(name, 0)) for name in loss_rules.CASUALTIES},
        "sources": [dict(s) for s in fields.get("sources") or ()],
    }


def register_rows(ledger: Ledger, filters: incidents.Filters = incidents.NO_FILTERS, *, confidential: bool = False,
                  keep: Callable[[Any], bool] | None = None, research: bool = True,
                  full: bool = False) -> list[dict[str, Any]]:
    """The register as a viewer sees it: the loss incidents (``keep``: the caller's scope) and, with
    ``research``, the research records; ``full`` adds the exchange layout's fields."""
    rows = incidents.listing(ledger, filters, keep=keep, full=full, confidential=confidential)
    if research:
        rows += listing(ledger, filters, confidential=confidential, full=full)
    return rows


def _cell(value: Any, column: str) -> str:
    if value is None:
        return ""
    if column == "quantities":
        return ";".join(f"{name}={rules.format_quantity(low, high)}" for name, low, high in value)
    if column == "contingents":
        return ";".join(f"{name}:{country}" for name, country in value)
    if column == "sources":
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def export(rows: Sequence[Mapping[str, Any]], fmt: str) -> str:
    """The register's rows (:func:`register_rows` with ``full``) in the exchange layout, CSV or JSON.

    An export is outside the confidential scope whoever asks: the rows are to have been read with
    ``confidential=False`` (checked here all the same: a confidential source or record is refused).
    """
    for row in rows:
        if row.get("confidentiality") == "confidential" and row.get("record") == "research":
            raise AssertionError("a confidential research record reached an export")
        if any(s.get("confidential") for s in row.get("sources") or ()):
            raise AssertionError("a confidential source reached an export")
    if fmt == "json":
        return json.dumps({"layout": "wam-incidents/1", "incidents": [{c: row.get(c) for c in COLUMNS}
                                                                     for row in rows]},
                          ensure_ascii=False, indent=1)
    if fmt != "csv":
        raise InvalidInput(f"{fmt!r} is not an export format (csv, json)", field="format")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(row.get(c), c) for c in COLUMNS])
    return buffer.getvalue()


# import --------------------------------------------------------------------------------------------

def _json_rows(text: str) -> list[tuple[int, Any]]:
    """The incidents of a JSON file, each with the line its object begins on."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused([f"line {exc.lineno}, field 'file': not JSON ({exc.msg})"]) from None
    items = data.get("incidents") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ImportRefused(["line 1, field 'incidents': a list of incidents (or {\"incidents\": [...]})"])
    decoder = json.JSONDecoder()
    start = text.index("[") if isinstance(data, list) else text.index("[", text.index('"incidents"'))
    pos, out = start + 1, []
    for item in items:
        while text[pos] in " \t\r\n,":
            pos += 1
        out.append((text.count("\n", 0, pos) + 1, item))
        _, pos = decoder.raw_decode(text, pos)
    return out


def _csv_rows(text: str) -> list[tuple[int, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    unknown = [c for c in reader.fieldnames or () if c not in COLUMNS]
    if not reader.fieldnames:
        raise ImportRefused(["line 1, field 'header': the file is empty"])
    if unknown:
        raise ImportRefused([f"line 1, field {unknown[0]!r}: not a column of the layout (docs/incidents.md)"])
    out, line = [], 2
    for row in reader:
        out.append((line, row))
        line = reader.line_num + 1
    return out


def _parse_sources(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise InvalidInput("a JSON list of sources", field="sources") from None
    return [line for line in text.splitlines() if line.strip()]


def _contingents(value: Any) -> Any:
    if isinstance(value, str):
        return [part for part in value.split(";") if part.strip()]
    return value


def row_fields(row: Mapping[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """One row of the layout as a research record: its id (None: the next ``RES-nnnnnn``) and clean fields.

    Raises:
        InvalidInput: naming the field.
    """
    unknown = sorted(set(row) - set(COLUMNS))
    if unknown:
        raise InvalidInput("not a column of the layout (docs/incidents.md)", field=unknown[0])
    kind = str(row.get("record") or "research").strip()
    if kind not in ("research", "loss"):
        raise InvalidInput(f"{kind!r} is not loss or research", field="record")
    get = row.get
    fields: dict[str, Any] = {name: get(name) for name in (
        "started_at", "ended_at", "time_precision", "mission", "country", "admin1", "latitude", "longitude",
        "place_precision", "organisation", "circumstance", "mechanism", "ownership", "perpetrator", "narrative",
        "verification_status", "recovery_status", "confidentiality", "source_id")}
    fields["place"] = get("place") or get("site")
    fields["perpetrator_claim"] = get("perpetrator_claim") or False
    fields["casualties"] = {name: get(name) for name in loss_rules.CASUALTIES}
    contingents = _contingents(get("contingents"))
    if not contingents and get("countries"):
        countries = get("countries")
        listed = countries.split(";") if isinstance(countries, str) else list(countries or ())
        contingents = [[str(c).strip().upper(), c] for c in listed if str(c).strip()]
    fields["contingents"] = contingents
    quantities = get("quantities")
    if not quantities:  # a row without categories: the weapons and rounds columns
        quantities = []
        for name in ("weapons", "rounds"):
            low, high = get(f"{name}_lost"), get(f"{name}_lost_max")
            if low not in (None, "", 0, "0"):
                quantities.append([name, low, low if high in (None, "") else high])
    fields["quantities"] = quantities
    fields["sources"] = _parse_sources(get("sources"))
    rid = get("id")
    if kind == "loss":
        fields["source_id"] = fields.get("source_id") or rid
        fields["verification_status"] = fields.get("verification_status") or "reported"
        if not fields["sources"]:
            fields["sources"] = [{"citation": f"loss incident {rid} of an exported register", "kind": "other"}]
        rid = None
    clean = rules.clean_fields(fields, now=datetime.now(UTC))
    return (rules.check_id(rid) if rid not in (None, "") else None), clean


def parse(text: str, fmt: str) -> list[tuple[str | None, dict[str, Any]]]:
    """Every row of a file in the layout, checked; every bad row named by line and field.

    Raises:
        ImportRefused: one problem or more (nothing is to be written).
    """
    if fmt not in ("csv", "json"):
        raise InvalidInput(f"{fmt!r} is not an import format (csv, json, acled)", field="format")
    rows = _json_rows(text) if fmt == "json" else _csv_rows(text)
    problems, out = [], []
    seen: dict[str, int] = {}
    for line, raw in rows:
        if not isinstance(raw, Mapping):
            problems.append(f"line {line}, field 'incident': an object with the layout's fields")
            continue
        try:
            rid, fields = row_fields(raw)
        except InvalidInput as exc:
            where = f"field {exc.field!r}" if exc.field else "field '?'"
            if exc.row is not None:
                where += f" (item {exc.row})"
            problems.append(f"line {line}, {where}: {exc.detail}")
            continue
        if rid is not None:
            if rid in seen:
                problems.append(f"line {line}, field 'id': {rid} is also on line {seen[rid]}")
                continue
            seen[rid] = line
        out.append((line, rid, fields))
    if problems:
        raise ImportRefused(problems)
    return [(rid, fields) for _, rid, fields in out]


def import_text(ledger: Ledger, text: str, fmt: str, *, actor: str) -> list[str]:
    """Import a file in the layout as research records: all or nothing; return their ids.

    Raises:
        ImportRefused: bad rows (each named by line and field), or ids already taken.
    """
    parsed = parse(text, fmt)
    lines = _lines_of(text, fmt, len(parsed))

    def work(conn: Connection) -> list[str]:
        taken = _taken(conn, [rid for rid, _ in parsed if rid is not None])
        if taken:  # every one of them, not the first
            raise ImportRefused([f"line {line}, field 'id': {rid} is already a research record"
                                 for line, (rid, _) in zip(lines, parsed, strict=False) if rid in taken])
        try:
            return write(conn, parsed, actor)
        except InvalidInput as exc:
            line = lines[exc.row - 1] if exc.row is not None and exc.row <= len(lines) else "?"
            raise ImportRefused([f"line {line}, field {exc.field!r}: {exc.detail}"]) from None

    return records.retrying(ledger.engine, work)


def _lines_of(text: str, fmt: str, count: int) -> list[int]:
    rows = _json_rows(text) if fmt == "json" else _csv_rows(text)
    return [line for line, _ in rows][:count]


# ACLED conflict events ------------------------------------------------------------------------------

def candidates(ledger: Ledger) -> list[Any]:
    """Every loss incident and research record as the ACLED linking needs it."""
    from wam.domain import acled

    out = []
    for incident in incidents._incidents(ledger):  # noqa: SLF001
        found = acled.candidate(incident.document.number, incident.document.fields)
        if found is not None:
            out.append(found)
    for item in stored(ledger):
        found = acled.candidate(item.id, item.fields)
        if found is not None:
            out.append(found)
    return out


def import_acled(ledger: Ledger, text: str, *, actor: str) -> dict[str, Any]:
    """Import conflict events in the ACLED export layout (all or nothing) and link the attacks on
    peacekeepers to the incidents they caused; return what was written and linked.

    Raises:
        ImportRefused: bad rows, each named by line and field.
    """
    from wam.domain import acled

    parsed, problems = acled.parse(text)
    if problems:
        raise ImportRefused([str(p) for p in problems])
    linked = acled.with_links(parsed, candidates(ledger))

    def work(conn: Connection) -> list[dict[str, Any]]:
        written = []
        rows = []
        for event in linked:
            last = records.latest(conn, rules.EVENT_KIND, event["event_id_cnty"])
            if last is not None and last.data == event:
                continue
            rows.append((rules.EVENT_KIND, event["event_id_cnty"], event, actor))
            written.append(event)
        if rows:
            records.append_many(conn, rows)
        return written

    written = records.retrying(ledger.engine, work)
    return {"events": len(parsed), "written": len(written),
            "attacks_on_peacekeepers": sum(1 for e in linked if e["attack_on_peacekeepers"]),
            "links": {e["event_id_cnty"]: e["incidents"] for e in linked if e["incidents"]}}


# as a signed-in user may see and change them --------------------------------------------------------

class ScopedResearch:
    """Research records as ``scoped``'s user may see and record them: every user with a grant reads
    them (confidential sources and records only in their scope, :func:`wam.domain.research.sees_confidential`);
    researchers, mission officers and administrators record and import them."""

    def __init__(self, scoped: Any) -> None:
        self.scoped = scoped
        self.confidential = rules.sees_confidential(scoped.grants)

    def _reader(self) -> None:
        from wam.domain.errors import PermissionDenied

        if not self.scoped.grants:
            raise PermissionDenied("your role does not allow this")

    def _recorder(self) -> None:
        from wam.domain.errors import PermissionDenied

        if not rules.may_record(self.scoped.grants):
            raise PermissionDenied("recording research records is for researchers, mission officers and "
                                   "administrators")

    def listing(self, filters: incidents.Filters = incidents.NO_FILTERS) -> list[dict[str, Any]]:
        self._reader()
        return listing(self.scoped.ledger, filters, confidential=self.confidential)

    def show(self, rid: str) -> dict[str, Any]:
        self._reader()
        return show(self.scoped.ledger, rid, confidential=self.confidential)

    def export(self, filters: incidents.Filters, fmt: str) -> str:
        """The research records in the exchange layout: an export is outside the confidential scope."""
        self._reader()
        return export(listing(self.scoped.ledger, filters, confidential=False, full=True), fmt)

    def record(self, **fields: Any) -> str:
        self._recorder()
        rid: str = self.scoped._append(  # noqa: SLF001
            lambda: record(self.scoped.ledger, actor=self.scoped.actor, **fields))
        return rid

    def import_text(self, text: str, fmt: str) -> dict[str, Any]:
        self._recorder()
        if fmt == "acled":
            done: dict[str, Any] = self.scoped._append(  # noqa: SLF001
                lambda: import_acled(self.scoped.ledger, text, actor=self.scoped.actor))
            return done
        ids = self.scoped._append(lambda: import_text(self.scoped.ledger, text, fmt, actor=self.scoped.actor))  # noqa: SLF001
        return {"imported": ids}


# the example research dataset -------------------------------------------------------------------

REFERENCE_FILE = "incidents-reference.json"  # in wam/demo/data: reference domain.md section 7, with its sources


def reference_text() -> str:
    """The publicly documented incidents of the reference (section 7), in the exchange layout."""
    from importlib import resources

    return (resources.files("wam.demo") / "data" / REFERENCE_FILE).read_text(encoding="utf-8")


def load_reference(ledger: Ledger, *, actor: str) -> list[str]:
    """Record the publicly documented incidents as research records (once: none if they are there)."""
    parsed = parse(reference_text(), "json")
    if any(exists(ledger, rid) for rid, _ in parsed[:1] if rid is not None):
        return []
    return records.retrying(ledger.engine, lambda conn: write(conn, parsed, actor))
