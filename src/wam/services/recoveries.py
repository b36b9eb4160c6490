"""The recovered-materiel register: register what was recovered and take it into custody at once, mark,
trace, match and dispose of it, and read it with its custody chain and its oversight flags.

The API for the adapters (the command line, ``/api/recoveries``, the web pages) is
:class:`ScopedRecoveries`, which every signed-in read and write goes through; the module's functions
are the same operations on the whole ledger (the command line's user holds the database).

- :func:`register`: one unit of work of the documents seam (:mod:`wam.services.documents`): each
  item described is registered in the catalogue (its key from make, model and the serial as read;
  a serial that cannot be read, or ammunition, gets one of the record's own: ``<number>-<line>``),
  the photos are kept by SHA-256 (as an incident's evidence), the record's ``register`` step is
  written and its ``post`` step posts one ``recovery`` movement a line from ``recovered:<how>`` into
  the registering store, at the time of recovery. A serial the ledger already records as *lost*
  comes back from ``lost`` (the loss and its incident are that weapon's history); one recorded as
  held or disposed of is refused (naming the line): match it instead.
- every handover after that is an ordinary movement (transfer, issue) with the receiving person and
  a witness: the chain of custody is the ledger's (:func:`custody`).
- :func:`step` takes the steps of :mod:`wam.domain.recoveries`: ``mark``, ``trace``, ``match``
  (a candidate of :mod:`wam.services.matching` confirmed or rejected), ``retain``; :func:`dispose`
  drafts a disposal certificate (:data:`wam.domain.documents.DISPOSAL`) for the items where they are
  now, in the same unit of work as the record's ``dispose`` step; the certificate is then approved and
  executed as every certificate is (:func:`disposal_step`), which posts the disposal movements.
- reads: :func:`listing` (summaries), :func:`full` (a record with its items, custody chain, marks,
  trace, disposal and candidate matches), :func:`trace_export` (the ITI request as JSON),
  :func:`linked` (the confirmed matches of a weapon or of a loss incident: its history's link),
  :func:`find_mark` (a mission mark, matched as a serial is), :func:`oversight` (disposal overdue after
  ``WAM_RECOVERY_DISPOSAL_DAYS``, default 90; traces unanswered after ``WAM_TRACE_ANSWER_DAYS``, default
  60; custody gaps: a movement after the recovery without a witness, or an item out of the tree other
  than by the record's disposal).

``wam verify`` replays every record through :func:`wam.domain.documents.apply`, and every photo
against its SHA-256, like every document (:func:`wam.services.documents.verify_documents`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from wam.domain import recoveries as rules
from wam.domain.access import Action
from wam.domain.documents import DISPOSAL, RECOVERY, Document, DocumentRefused
from wam.domain.errors import InvalidInput, NotFound
from wam.domain.holders import external_family, is_external
from wam.domain.incidents import EVIDENCE_KIND, evidence_record
from wam.domain.materiel import Item, make_item, normalise_serial
from wam.domain.serial_match import Read, score
from wam.domain.timefmt import from_micros, iso, to_micros

from . import documents, queries, records

if TYPE_CHECKING:
    from wam.domain.movements import Entry

    from .ledger import Ledger
    from .matching import Candidate
    from .scoped import ScopedLedger

TYPE = RECOVERY.name
STEPS = ("mark", "trace", "match", "retain")
Evidence = tuple[str, bytes, str | None]  # a file's name, content and media type


def _limits() -> tuple[timedelta, timedelta]:
    return (rules.days_from_settings(os.environ, rules.DISPOSAL_SETTING, rules.DEFAULT_DISPOSAL),
            rules.days_from_settings(os.environ, rules.TRACE_SETTING, rules.DEFAULT_TRACE))


def _micros(value: datetime | str | int | None) -> int:
    if value is None:
        return to_micros(datetime.now(UTC))
    if isinstance(value, datetime):
        return to_micros(value)
    from wam.domain.incidents import _moment

    return value if isinstance(value, int) else int(_moment(value, "at") or 0)


# registering --------------------------------------------------------------------------------------

def _catalogue_item(described: Mapping[str, Any], number: str, row: int) -> Item:
    """The catalogue's item for one described line (see the module's text for its key)."""
    kind = described["type"]
    markings = described.get("markings") or {}
    words = "; ".join(f"{name}: {value}" for name, value in markings.items()) or None
    common = {"make": described.get("make") or "Unknown", "model": described.get("model") or "Unknown",
              "calibre": described.get("calibre"), "country_of_manufacture": markings.get("country"),
              "year_of_manufacture": markings.get("year"), "markings": words,
              "condition": described.get("condition"), "category": f"{kind} (recovered)"}
    if kind == "ammunition" or (kind == "equipment" and not described.get("serial")):
        lot = f"{number}/{described.get('lot') or markings.get('headstamp') or row}"
        return make_item(type=kind, lot=lot[:64].replace("|", "/"), **common)
    serial = described.get("serial") or ""
    try:
        readable = normalise_serial(serial) if serial and not any(c in serial for c in "?*\ufffd") else None
    except InvalidInput:
        readable = None
    return make_item(type=kind, serial=readable or f"{number}-{row}", **common)


def register(ledger: Ledger, *, actor: str, to: str, items: Sequence[Mapping[str, Any]], how: str,
             number: str | None = None, evidence: Sequence[Evidence] = (), **fields: Any) -> Document:
    """Register a recovery and take its items into custody at ``to``, in one transaction.

    ``items`` describe one line each (``type``, ``make``, ``model``, ``calibre``, ``serial`` as read,
    ``lot``, ``quantity`` (ammunition), ``markings`` {country, year, factory, headstamp,
    import_marks, other}, ``condition``, ``safe_to_move``); the fields are those of
    :func:`wam.domain.recoveries.clean_fields` (``recovered_at``, ``place`` and/or coordinates,
    ``unit``, ``from_whom``, ...) and ``witness``, ``note``.

    Raises:
        InvalidInput: a field or an item (naming its row and field), a serial recorded as held or
            disposed of, a store that is not a holder of the tree.
    """
    if not isinstance(items, Sequence) or not items:
        raise InvalidInput("list at least one item", field="items")
    if is_external(to):
        raise InvalidInput(f"{to} is not a holder of the mission", field="to")
    described = [rules.clean_item(raw, row) for row, raw in enumerate(items, start=1)]
    quantities = [_quantity(raw, d, row) for row, (raw, d) in enumerate(zip(items, described, strict=True), start=1)]
    files = [evidence_record(name, data, media) for name, data, media in evidence]
    if files:
        fields["evidence"] = [cited for cited, _ in files]
    how_text = str(how or "").strip().lower()
    rules.clean_fields({**fields, "how": how_text, "items": described},
                       [("", q, f"recovered:{how_text}") for q in quantities])  # a bad field named before any read

    def work(uow: documents.UnitOfWork) -> Document:
        conn, catalog = uow.conn, uow.ledger.catalog
        own = number or uow._next_number(RECOVERY)  # noqa: SLF001  (the key of an unreadable serial needs it)
        uow.poster.drain()
        try:
            catalog.holder(conn, to)
        except NotFound:
            raise InvalidInput(f"holder {to!r} does not exist", field="to") from None
        lines = []
        for row, (item_desc, quantity) in enumerate(zip(described, quantities, strict=True), start=1):
            item = _catalogue_item(item_desc, own, row)
            source = f"recovered:{how_text}"
            try:
                ref = catalog.item(conn, item.key)
            except NotFound:
                catalog.ensure_item(conn, item)
            else:
                if ref.shape.value == "serial":
                    holder = queries.custodian(conn, ref.id)
                    if holder == "lost":
                        source = "lost"
                    elif holder is not None:
                        where = "disposed of" if is_external(holder) else "held"
                        raise InvalidInput(f"{item.key} is recorded as {where} ({holder}): a recovered weapon "
                                           "that the ledger holds is an alarm: check it with wam recoveries match",
                                           field="serial", row=row)
            lines.append([item.key, quantity, source])
        for cited, body in files:
            uow.poster.drain()
            if records.latest(conn, EVIDENCE_KIND, cited[1]) is None:
                uow.record(EVIDENCE_KIND, cited[1], body, actor)
        drafted = uow.take(TYPE, "register", actor=actor, number=own, lines=lines, to=to, how=how_text,
                           items=described, **fields)
        return uow.take(TYPE, "post", actor=actor, number=drafted.number,
                        occurred_at=from_micros(drafted.fields["recovered_at"]))

    return documents.run(ledger, work)


def _quantity(raw: Mapping[str, Any], described: Mapping[str, Any], row: int) -> int:
    value = raw.get("quantity", 1)
    try:
        quantity = value if type(value) is int else int(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{value!r} is not a whole number", field="quantity", row=row) from None
    if quantity < 1 or (described["type"] != "ammunition" and quantity != 1):
        raise InvalidInput("a weapon or a piece of equipment is one a line; ammunition one or more rounds",
                           field="quantity", row=row)
    return quantity


# the steps --------------------------------------------------------------------------------------

def step(ledger: Ledger, number: str, name: str, *, actor: str, at: datetime | str | int | None = None,
         **given: Any) -> Document:
    """Take ``mark``, ``trace``, ``match`` or ``retain`` (:mod:`wam.domain.recoveries`) in its own transaction.

    A mark is unique among every record's marks (it is searched like a serial)."""
    if name not in STEPS:
        raise InvalidInput(f"{name!r} is not a step of a recovery ({', '.join(STEPS)}; dispose)", field="step")
    clean = {k: v for k, v in given.items() if v is not None}
    if name == "mark":
        mark = rules.clean_mark(clean.get("mark"))
        for other, row, _ in _marks(ledger):
            if _form(other) == _form(mark):
                raise InvalidInput(f"{other} marks line {row[1]} of {row[0]} already", field="mark")
        clean["mark"] = mark
    return documents.step(ledger, TYPE, number, name, actor=actor, at=_micros(at), **clean)


def dispose(ledger: Ledger, number: str, *, actor: str, method: str, at: datetime | str | int | None = None,
            certificate: str | None = None, **fields: Any) -> tuple[Document, Document]:
    """Draft the disposal certificate of every item of the record where it is now, and take the record's
    ``dispose`` step, in one transaction; return both (the certificate's approval and execution post the
    disposal movements: :func:`disposal_step`).

    ``fields`` are the certificate's (:func:`wam.domain.documents.check_disposal`): for a destruction
    ``destruction`` (the means) and ``witness``; for a handover ``host_state``, ``receipt`` and ``authority``.

    Raises:
        DocumentRefused: a certificate of the record that is not cancelled (it is being disposed of).
    """
    when = _micros(at)

    def work(uow: documents.UnitOfWork) -> tuple[Document, Document]:
        record = uow.get(TYPE, number)
        if record is None:
            raise NotFound(RECOVERY.title, number)
        for earlier in record.fields.get("disposals") or ():
            found = uow.get(DISPOSAL.name, earlier["certificate"])
            if found is not None and found.state != "cancelled":
                raise DocumentRefused(f"{RECOVERY.title} {number} is being disposed of by {found.number} "
                                      f"({found.state}): cancel it first", number=number, state=record.state)
        uow.poster.drain()
        lines = _where_now(uow.ledger, uow.conn, record)
        certificate_doc = uow.take(DISPOSAL.name, "draft", actor=actor, number=certificate, lines=lines,
                                   method=method, **{k: v for k, v in fields.items() if v is not None})
        document = uow.take(TYPE, "dispose", actor=actor, number=number, certificate=certificate_doc.number,
                            method=certificate_doc.fields["method"], at=when)
        return document, certificate_doc

    return documents.run(ledger, work)


def _where_now(ledger: Ledger, conn: Any, record: Document) -> list[list[Any]]:
    """The record's items where they are now: a weapon at its custodian; a lot at the record's store
    (``conn`` None: read on a connection of its own)."""
    if conn is None:
        with ledger.engine.connect() as own:
            return _where_now(ledger, own, record)
    lines = []
    for row, line in enumerate(record.lines, start=1):
        ref = ledger.catalog.item(conn, line.item)
        holder = queries.custodian(conn, ref.id) if ref.shape.value == "serial" else line.target
        if holder is None or is_external(holder):
            raise InvalidInput(f"{line.item} is not held by the mission ({holder or 'nowhere'})", field="lines",
                               row=row)
        lines.append([line.item, line.quantity, holder])
    return lines


def disposal_step(ledger: Ledger, number: str, name: str, *, actor: str) -> Document:
    """Approve, execute or cancel the record's current disposal certificate."""
    certificate = _certificate(ledger, get(ledger, number))
    if certificate is None:
        raise DocumentRefused(f"{RECOVERY.title} {number} has no disposal certificate: dispose of it first",
                              number=number)
    return documents.step(ledger, DISPOSAL.name, certificate, name, actor=actor)


def decide(ledger: Ledger, number: str, row: int, weapon: str, decision: str, *, actor: str,
           candidates: Any = None) -> Document:
    """Confirm (``confirmed``) or reject (``rejected``) that line ``row`` is the recorded ``weapon``, one of its
    candidates (``candidates(reads, exclude, limit)``: the caller's scoped matching; default every weapon of
    the ledger). A confirmed match links the line to the weapon and to the incident that lost it.

    Raises:
        InvalidInput: a line without a serial read; a weapon that is not a candidate (naming ``weapon``).
    """
    from . import matching

    document = get(ledger, number)
    items = document.fields.get("items") or ()
    if not 1 <= row <= len(items) or not items[row - 1].get("serial"):
        raise InvalidInput(f"line {row} has no serial read to match", field="row")
    item = items[row - 1]
    own = frozenset(line.item for line in document.lines)
    read = Read(item["serial"], item.get("make"), item.get("model"), item.get("calibre"))
    if candidates is None:
        found = matching.match_everything(ledger, [read], limit=matching.MAX_LIMIT, exclude=own)[0]
    else:
        found = candidates([read], own, matching.MAX_LIMIT)[0]
    wanted = next((c for c in found if c.key == weapon), None)
    if wanted is None:
        raise InvalidInput(f"{weapon} is not a candidate for line {row}", field="weapon")
    return step(ledger, number, "match", actor=actor, row=row, weapon=weapon, decision=decision,
                incident=wanted.incident)


def _certificate(ledger: Ledger, record: Document) -> str | None:
    disposals = record.fields.get("disposals") or ()
    return str(disposals[-1]["certificate"]) if disposals else None


# reads ------------------------------------------------------------------------------------------

def get(ledger: Ledger, number: str) -> Document:
    return documents.get(ledger, TYPE, number)


def _certificates(ledger: Ledger) -> dict[str, str]:
    return {d.number: d.state for d in documents.documents(ledger, DISPOSAL.name)}


def summary(document: Document, certificates: Mapping[str, str], now: datetime,
            limits: tuple[timedelta, timedelta]) -> dict[str, Any]:
    """One record as the register lists it: its facts and what is derived from them."""
    fields = document.fields
    disposals = fields.get("disposals") or ()
    current = disposals[-1] if disposals else None
    certificate_state = certificates.get(current["certificate"]) if current else None
    disposed = certificate_state == "executed"
    trace = fields.get("trace") or {}
    recovered = fields.get("recovered_at")
    items = fields.get("items") or ()
    return {
        "id": document.number, "state": document.state, "how": fields.get("how"),
        "recovered_at": iso(recovered) if isinstance(recovered, int) else None,
        "place": fields.get("place"), "latitude": fields.get("latitude"), "longitude": fields.get("longitude"),
        "unit": fields.get("unit"), "from_whom": fields.get("from_whom"), "mission": fields.get("mission"),
        "store": fields.get("to"), "lines": len(document.lines),
        "weapons": sum(1 for item in items if item.get("type") == "weapon"),
        "rounds": sum(line.quantity for line, item in zip(document.lines, items, strict=False)
                      if item.get("type") == "ammunition"),
        "marks": [m[1] for m in fields.get("marks") or ()],
        "trace": trace.get("status"), "trace_to": trace.get("to"),
        "disposal": None if current is None else {"certificate": current["certificate"], "method": current["method"],
                                                  "state": certificate_state},
        "disposed": disposed, "retained": document.state == "retained",
        "matched": sorted({m[1] for m in _confirmed(fields)}),
        "registered_by": document.drafted_by,
        "disposal_overdue": rules.disposal_overdue(document.state, fields, now, limits[0], disposed,
                                                   own=all(line.source == "lost" for line in document.lines)),
        "trace_unanswered": rules.trace_unanswered(fields, now, limits[1]),
    }


def _confirmed(fields: Mapping[str, Any]) -> list[list[Any]]:
    """The matches standing confirmed: each (row, weapon) whose last decision is ``confirmed``."""
    last: dict[tuple[int, str], list[Any]] = {}
    for match in fields.get("matches") or ():
        last[(match[0], match[1])] = match
    return [m for m in last.values() if m[2] == "confirmed"]


def listing(ledger: Ledger, *, keep: Any = None, now: datetime | None = None, **filters: Any) -> list[dict[str, Any]]:
    """Every record's summary that ``keep(document)`` and the filters (``how``, ``state``, ``store``,
    ``trace``, ``disposal_overdue``, ``trace_unanswered``, ``disposed``: equal to the summary's) keep,
    by id."""
    certificates, limits, moment = _certificates(ledger), _limits(), now or datetime.now(UTC)
    rows = []
    for document in documents.documents(ledger, TYPE):
        if keep is not None and not keep(document):
            continue
        row = summary(document, certificates, moment, limits)
        if all(value is None or row.get(name) == value for name, value in filters.items()):
            rows.append(row)
    return rows


def recovered_chain(ledger: Ledger, item: str, number: str, *, read: bool = True) -> tuple[bool, list[Entry]]:
    """Whether the item has a recovery movement of record ``number``, and its movements from the first
    such on, in occurrence order (none when ``read`` is False): the item's history from there, read from
    there through the item's index (``ix_entries_item_time``), not from its first movement. A mission
    rifle back from lost has thousands of routine issues before it; at ten million movements reading
    each recovered item's whole history took 0.2 s of the home page's oversight.

    Raises:
        NotFound: no such item.
    """
    from sqlalchemy import and_, or_, select

    from wam.storage import tables as t

    e = t.entries
    with ledger.engine.connect() as conn:
        ref = ledger.catalog.item(conn, item)
        first = conn.execute(select(e.c.occurred_at, e.c.seq)
                             .where(e.c.item_id == ref.id, e.c.kind == "recovery", e.c.document == number)
                             .order_by(e.c.occurred_at, e.c.seq).limit(1)).first()
        if first is None or not read:
            return first is not None, []
        since = or_(e.c.occurred_at > first.occurred_at,
                    and_(e.c.occurred_at == first.occurred_at, e.c.seq >= first.seq))
        query = queries._entry_query().where(e.c.item_id == ref.id, since)  # noqa: SLF001
        return True, [queries.entry_from_row(r) for r in conn.execute(query.order_by(e.c.occurred_at, e.c.seq))]


def custody(ledger: Ledger, document: Document, *, gaps_only: bool = False) -> list[dict[str, Any]]:
    """Each line's chain of custody from its recovery on: every movement of the item after it came in,
    and the gaps in it (a movement without a witness; the item out of the tree other than by the
    record's disposal certificate). A line from ``lost`` is the mission's own weapon back in service:
    its chain is shown, its routine issues are not gaps (``gaps_only``: its chain is not read, and the
    lines' movements are what the gaps needed)."""
    certificates = {d["certificate"] for d in document.fields.get("disposals") or ()}
    out = []
    for row, line in enumerate(document.lines, start=1):
        try:
            found, chain = recovered_chain(ledger, line.item, document.number,
                                           read=not (gaps_only and line.source == "lost"))
        except NotFound:
            continue
        start = 0 if found else None
        gaps: list[str] = []
        for entry in chain[1:] if line.source != "lost" else ():
            if entry.kind == "disposal" and entry.document in certificates:
                continue
            if entry.witness is None and entry.kind in ("transfer", "issue", "return"):
                gaps.append(f"{entry.kind} {entry.source} -> {entry.target} at {iso(entry.occurred_at)} "
                            "without a witness")
            if is_external(entry.target) and external_family(entry.target) != "recovered":
                gaps.append(f"{entry.kind} to {entry.target} at {iso(entry.occurred_at)}, not by this record's "
                            "disposal")
        if start is None and document.state in RECOVERY.posted_states:
            gaps.append("no recovery movement of this record")
        out.append({"line": row, "item": line.item, "gaps": gaps, "movements": [
            {"kind": e.kind, "from": e.source, "to": e.target, "quantity": e.quantity,
             "occurred_at": iso(e.occurred_at), "actor": e.actor, "witness": e.witness, "document": e.document}
            for e in chain]})
    return out


def full(ledger: Ledger, number: str, *, candidates: Any = None) -> dict[str, Any]:
    """One record: its summary, every field, its items with marks and matches, its steps, its custody
    chain and the disposal certificate's state; ``candidates(reads)`` (the caller's scoped matching)
    adds each weapon's candidates.

    Raises:
        NotFound: no such record.
    """
    document = get(ledger, number)
    out = summary(document, _certificates(ledger), datetime.now(UTC), _limits())
    fields = document.fields
    marks = {m[0]: m[1] for m in fields.get("marks") or ()}
    confirmed = {m[0]: {"weapon": m[1], "incident": m[3]} for m in _confirmed(fields)}
    items = []
    described = fields.get("items") or [{}] * len(document.lines)
    for row, (line, item) in enumerate(zip(document.lines, described, strict=False), start=1):
        items.append({"line": row, "item": line.item, "quantity": line.quantity, "from": line.source,
                      **item, "mark": marks.get(row), "match": confirmed.get(row)})
    if candidates is not None:
        weapons = [i for i in items if i.get("type") == "weapon" and i.get("serial")]
        found = candidates([Read(i["serial"], i.get("make"), i.get("model"), i.get("calibre")) for i in weapons],
                           frozenset(line.item for line in document.lines))
        for item, proposed in zip(weapons, found, strict=True):
            item["candidates"] = [c.as_dict() for c in proposed]
    out.update({
        "fields": {k: (iso(v) if k == "recovered_at" and isinstance(v, int) else v) for k, v in fields.items()
                   if k != "items"},
        "items": items, "by": dict(document.by), "steps": documents.history(ledger, TYPE, number),
        "custody": custody(ledger, document),
    })
    return out


def linked(ledger: Ledger, *, weapon: str | None = None, incident: str | None = None,
           keep: Any = None) -> list[dict[str, Any]]:
    """The confirmed matches standing, of one recorded ``weapon`` or of one loss ``incident`` (or all): where a
    lost weapon resurfaced. Each: the recovery, its line and item, the weapon, the incident, when
    recovered, how and where; for a weapon's history page or an incident's."""
    out = []
    for document in documents.documents(ledger, TYPE):
        if keep is not None and not keep(document):
            continue
        fields = document.fields
        for row, key, _, lost_in, at, by in _confirmed(fields):
            if (weapon is not None and key != weapon) or (incident is not None and lost_in != incident):
                continue
            recovered = fields.get("recovered_at")
            out.append({"recovery": document.number, "line": row, "item": document.lines[row - 1].item,
                        "weapon": key, "incident": lost_in, "how": fields.get("how"), "place": fields.get("place"),
                        "recovered_at": iso(recovered) if isinstance(recovered, int) else None,
                        "confirmed_at": iso(at), "confirmed_by": by})
    return out


def trace_export(ledger: Ledger, number: str) -> dict[str, Any]:
    """The record's ITI tracing request (:func:`wam.domain.recoveries.trace_request`), as JSON values."""
    document = get(ledger, number)
    return rules.trace_request(number, document.fields, [(line.item, line.quantity) for line in document.lines])


def _form(mark: str) -> str:
    """A mark as compared for uniqueness: two marks a reader could confuse (O and 0) are one."""
    from wam.domain.serial_match import read_form, skeleton

    return skeleton(read_form(mark))


def _marks(ledger: Ledger, keep: Any = None) -> list[tuple[str, tuple[str, int], Document]]:
    return [(m[1], (d.number, m[0]), d) for d in documents.documents(ledger, TYPE)
            if keep is None or keep(d) for m in d.fields.get("marks") or ()]


def find_mark(ledger: Ledger, text: str, *, keep: Any = None, limit: int = 5) -> list[dict[str, Any]]:
    """Mission marks like ``text``, best first: compared as a serial read in the field is
    (:func:`wam.domain.serial_match.score`: look-alikes, a lost, extra or swapped character)."""
    found: list[tuple[float, str, dict[str, Any]]] = []
    for mark, (number, row), document in _marks(ledger, keep):
        fit = score(Read(text), mark)
        if fit.score >= 0.55:
            found.append((-fit.score, mark, {"mark": mark, "recovery": number, "line": row,
                                             "item": document.lines[row - 1].item, "score": fit.score,
                                             "reason": fit.reason}))
    return [f for _, _, f in sorted(found, key=lambda f: (f[0], f[1]))][:limit]


def oversight(ledger: Ledger, *, keep: Any = None, now: datetime | None = None) -> dict[str, list[dict[str, Any]]]:
    """What the WAM officer and the auditor must see: records overdue for disposal, traces without an
    answer, and items whose custody has a gap."""
    rows = listing(ledger, keep=keep, now=now)
    gaps = []
    for row in rows:
        if row["state"] in ("registered", "cancelled") or row["disposed"]:
            continue
        for line in custody(ledger, get(ledger, row["id"]), gaps_only=True):
            if line["gaps"]:
                gaps.append({"recovery": row["id"], "line": line["line"], "item": line["item"], "gaps": line["gaps"]})
    return {"disposal_overdue": [r for r in rows if r["disposal_overdue"]],
            "trace_unanswered": [r for r in rows if r["trace_unanswered"]], "custody_gaps": gaps}


def export(rows: Sequence[Mapping[str, Any]]) -> str:
    return json.dumps({"recoveries": list(rows)}, ensure_ascii=False, indent=1)


# as a signed-in user may see and change them ------------------------------------------------------

class ScopedRecoveries:
    """The recovery records ``scoped``'s user may see and change, scoped by the holder tree.

    A record is in sight of whoever reads movements at the store that registered it (its lines'
    target; the lines come from external holders). Registering needs a recording role at that
    store; marking, tracing, matching and retaining a recording role there; disposing of the items
    a recording role where they are now (the certificate's draft), its approval and execution the
    approver's role (a WAM officer, never the drafter). Matching is the user's own scope
    (:func:`wam.services.matching.match`).

    Methods: :meth:`listing`, :meth:`show`, :meth:`register`, :meth:`step` (mark, trace, match, retain),
    :meth:`confirm` / :meth:`reject` (a candidate), :meth:`dispose`, :meth:`disposal_step`,
    :meth:`trace_export`, :meth:`match`, :meth:`find_mark`, :meth:`linked` (where a weapon or an incident's
    losses resurfaced), :meth:`oversight`, :meth:`evidence`.
    """

    def __init__(self, scoped: ScopedLedger) -> None:
        from .registers import ScopedDocuments

        self.scoped = scoped
        self.certificates = ScopedDocuments(scoped, DISPOSAL.name)

    def _visible(self, document: Document) -> bool:
        return any(self.scoped._reads_movements_at(line.target) for line in document.lines)  # noqa: SLF001

    def _get(self, number: str) -> Document:
        self.scoped.require_movements(None)
        try:
            document = get(self.scoped.ledger, number)
        except NotFound:
            raise NotFound(RECOVERY.title, number) from None
        if not self._visible(document):
            raise NotFound(RECOVERY.title, number)
        return document

    def _require_record(self, document: Document) -> None:
        for code in sorted({line.target for line in document.lines}):
            self.scoped._require(code, Action.RECORD)  # noqa: SLF001

    def listing(self, **filters: Any) -> list[dict[str, Any]]:
        self.scoped.require_movements(None)
        return listing(self.scoped.ledger, keep=self._visible, **filters)

    def show(self, number: str) -> dict[str, Any]:
        self._get(number)
        return full(self.scoped.ledger, number, candidates=self._candidates)

    def _candidates(self, reads: Sequence[Read], exclude: frozenset[str] = frozenset(),
                    limit: int = 3) -> list[list[Candidate]]:
        from . import matching

        if not reads:
            return []
        return matching.match(self.scoped, reads, limit=limit, exclude=exclude)

    def register(self, *, to: str, items: Sequence[Mapping[str, Any]], how: str, **fields: Any) -> Document:
        scoped = self.scoped
        scoped._require(to, Action.RECORD)  # noqa: SLF001  (404 out of sight, 403 without the role)
        return scoped._append(lambda: register(scoped.ledger, actor=scoped.actor, to=to, items=items,  # noqa: SLF001
                                               how=how, **fields))

    def step(self, number: str, name: str, **given: Any) -> Document:
        self.scoped._require_anywhere(Action.RECORD)  # noqa: SLF001  (403 for a role that allows it nowhere, first)
        self._require_record(self._get(number))
        scoped = self.scoped
        return scoped._append(lambda: step(scoped.ledger, number, name, actor=scoped.actor, **given))  # noqa: SLF001

    def confirm(self, number: str, row: int, weapon: str) -> Document:
        """Confirm that line ``row`` is the recorded ``weapon`` (a candidate the user may see): the record
        links to it and to the incident that lost it."""
        return self._decide(number, row, weapon, "confirmed")

    def reject(self, number: str, row: int, weapon: str) -> Document:
        return self._decide(number, row, weapon, "rejected")

    def _decide(self, number: str, row: int, weapon: str, decision: str) -> Document:
        self.scoped._require_anywhere(Action.RECORD)  # noqa: SLF001
        document = self._get(number)
        self._require_record(document)
        scoped = self.scoped
        return scoped._append(lambda: decide(scoped.ledger, number, row, weapon, decision,  # noqa: SLF001
                                             actor=scoped.actor, candidates=self._candidates))

    def dispose(self, number: str, *, method: str, **fields: Any) -> tuple[Document, Document]:
        """Draft the certificate for the items where they are now (a recording role there: the
        certificate's own draft checks it) and take the record's ``dispose`` step."""
        self.scoped._require_anywhere(Action.RECORD)  # noqa: SLF001
        document = self._get(number)
        where = {code for _, _, code in _where_now(self.scoped.ledger, None, document)}
        for code in sorted(where):
            self.scoped._require(code, Action.RECORD)  # noqa: SLF001
        self._require_record(document)
        scoped = self.scoped
        return scoped._append(lambda: dispose(scoped.ledger, number, actor=scoped.actor,  # noqa: SLF001
                                              method=method, **fields))

    def disposal_step(self, number: str, name: str) -> Document:
        """Approve, execute or cancel the record's current certificate (the certificate's own rules)."""
        step_of = DISPOSAL.steps.get(name)
        posts = step_of is not None and (step_of.approves or step_of.posts)
        self.scoped._require_anywhere(Action.APPROVE if posts else Action.RECORD)  # noqa: SLF001
        certificate = _certificate(self.scoped.ledger, self._get(number))
        if certificate is None:
            raise DocumentRefused(f"{RECOVERY.title} {number} has no disposal certificate: dispose of it first",
                                  number=number)
        return self.certificates.take(certificate, name)

    def linked(self, *, weapon: str | None = None, incident: str | None = None) -> list[dict[str, Any]]:
        """The confirmed matches of a weapon or an incident, in the records the user may see."""
        self.scoped.require_movements(None)
        return linked(self.scoped.ledger, weapon=weapon, incident=incident, keep=self._visible)

    def trace_export(self, number: str) -> dict[str, Any]:
        self._get(number)
        return trace_export(self.scoped.ledger, number)

    def match(self, serial: str, *, make: str | None = None, model: str | None = None, calibre: str | None = None,
              limit: int = 3) -> list[Candidate]:
        from . import matching

        return matching.match_one(self.scoped, serial, make=make, model=model, calibre=calibre, limit=limit)

    def find_mark(self, text: str) -> list[dict[str, Any]]:
        self.scoped.require_movements(None)
        return find_mark(self.scoped.ledger, text, keep=self._visible)

    def oversight(self) -> dict[str, list[dict[str, Any]]]:
        self.scoped.require_movements(None)
        return oversight(self.scoped.ledger, keep=self._visible)

    def evidence(self, number: str, digest: str) -> tuple[str, bytes]:
        """A photo the record (in sight) cites: its media type and content."""
        from .incidents import evidence_file

        document = self._get(number)
        if digest not in {cited[1] for cited in document.fields.get("evidence") or ()}:
            raise NotFound("evidence file", digest)
        return evidence_file(self.scoped.ledger, digest)
