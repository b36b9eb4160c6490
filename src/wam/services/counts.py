"""Stock counts: sessions, their reconciliation against the book, approvals, schedules.

A count is a document of type ``count`` (:mod:`wam.domain.counts` has the session's steps and
the reconciliation rule); each function here is one unit of work of the documents seam
(:mod:`wam.services.documents`), so its records and the adjustments it posts are written together
or not at all, and ``wam verify`` replays them.

The service API (the command line, the API and the pages use these; ``ScopedCounts`` is the same
for a signed-in user, scoped by the holder tree)::

    start(ledger, actor=, holder=, scope="store"|"site", mode="full"|"sample", sample=[prefixes],
          blind=True, counter=None, witness=None, note=None, number=None, started_at=None) -> Document
    record(ledger, number, actor=, lines=[{"serial"|"item", "quantity", "how", "holder", "at"}]) -> Document
    close(ledger, number, actor=, closed_at=None) -> Document   # reconciles; posts when nothing waits
    approve(ledger, number, actor=, role=, decisions=None, mission=None) -> Document
        # decisions {case id: "approved"|"rejected" or {"decision", "explanation"}}; None approves every
        # waiting case. Posts the adjustments once no case waits, and opens one loss incident
        # (numbered <count>-LOSS) for the approved missing weapons that no one explained.
    cancel(ledger, number, actor=, reason=) -> Document
    show(ledger, number) -> dict        # blind: no book figure and no case before the close
    listing(ledger, holder=None, state=None) -> list[dict]
    schedule(ledger, actor=, holder=, every_days=, mode="full", sample=()) -> dict; schedules(ledger)
    set_rules(ledger, actor=, serialised=, quantity_over=) -> Rules; current_rules(ledger)
    last_counts(conn) -> {holder code: closed_at}

A line names a serial (``serial``: looked up among the registered items; a serial that two models
share needs the item key) or an item key (``item``), a quantity (lots), ``how`` (scan, typed), the
holder where it was counted (default: the count's holder; inside it for a site count) and its
moment (default: now). A serial no item has is kept as read and becomes a surplus case to register.

Closing writes a ``count-closed`` record (ref: the holder) that the due counts read
(:mod:`wam.services.counts_due`) without reading the counts' lines.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from wam.domain import counts as rules
from wam.domain.access import Action, Role, may
from wam.domain.documents import COUNT, Document, DocumentRefused
from wam.domain.errors import InvalidInput, NotFound, PermissionDenied
from wam.domain.holders import external_family
from wam.domain.incidents import CURRENT_RULES as BOARD_RULES
from wam.domain.materiel import normalise_item_key, normalise_serial
from wam.domain.text import required_text
from wam.domain.timefmt import from_micros, iso, to_micros
from wam.storage import tables as t
from wam.storage.record_tables import records as r

from . import documents, records

if TYPE_CHECKING:
    from .ledger import Ledger
    from .scoped import ScopedLedger

TYPE = COUNT.name
CLOSED_KIND = "count-closed"
SCHEDULE_KIND = "count-schedule"
RULES_KIND = "count-rules"
CHUNK = 900  # keys per IN (...) query


# rules and schedules (records) -----------------------------------------------------------------

def current_rules(ledger: Ledger) -> rules.Rules:
    with ledger.engine.connect() as conn:
        last = records.latest(conn, RULES_KIND, "current")
    return rules.DEFAULT_RULES if last is None else rules.Rules.from_dict(last.data)


def set_rules(ledger: Ledger, *, actor: str, serialised: bool = True, quantity_over: int = 50) -> rules.Rules:
    """A new version of the threshold rules (counts started from now on copy it)."""
    with ledger.engine.connect() as conn:
        versions = len(records.history(conn, RULES_KIND, "current"))
    series = rules.DEFAULT_RULES.version.split("-")[0]
    new = rules.Rules.from_dict({"version": f"{series}-{versions + 2}", "serialised": serialised,
                                 "quantity_over": quantity_over})
    records.record(ledger.engine, kind=RULES_KIND, ref="current", body=new.as_dict(), actor=actor)
    return new


def schedule(ledger: Ledger, *, actor: str, holder: str, every_days: int, mode: str = "full",
             sample: Sequence[str] = ()) -> dict[str, Any]:
    """Schedule a holder's counts: a full (or sample) count every ``every_days`` days (0 stops it)."""
    ledger.holder(holder)  # NotFound
    if external_family(holder) is not None:
        raise InvalidInput(f"{holder} is not a holder of the mission", field="holder")
    if type(every_days) is not int or not 0 <= every_days <= 3660:
        raise InvalidInput("every_days is a whole number of days, 0 (stop) to 3660", field="every_days")
    if mode not in rules.MODES or (mode == "sample") != bool(sample):
        raise InvalidInput("a full count, or a sample count with its sample", field="mode")
    body = {"holder": holder, "every_days": every_days, "mode": mode, "sample": list(sample)}
    records.record(ledger.engine, kind=SCHEDULE_KIND, ref=holder, body=body, actor=actor)
    return body


def schedules(conn: Connection) -> dict[str, dict[str, Any]]:
    """Each holder's schedule in force (those stopped left out), by holder code."""
    return {ref: body for ref, body in _latest(conn, SCHEDULE_KIND).items() if body["every_days"]}


def last_counts(conn: Connection) -> dict[str, int]:
    """Each holder's latest closed count: holder code -> closed_at (microseconds)."""
    return {ref: int(body["closed_at"]) for ref, body in _latest(conn, CLOSED_KIND).items()}


def _latest(conn: Connection, kind: str) -> dict[str, dict[str, Any]]:
    last = select(func.max(r.c.seq)).where(r.c.kind == kind).group_by(r.c.ref).scalar_subquery()
    rows = conn.execute(select(r.c.seq, r.c.kind, r.c.ref, r.c.body, r.c.actor, r.c.recorded_at, r.c.prev_hash,
                               r.c.hash).where(r.c.seq.in_(last)))
    return {rec.ref: rec.data for rec in map(records._record, rows)}  # noqa: SLF001


# the session ------------------------------------------------------------------------------------

def _inside(conn: Connection, ledger: Ledger, fields: Mapping[str, Any]) -> dict[str, int]:
    """The codes (and ids) of the holders counted: the holder, and for a site every holder under it."""
    from .queries import subtree_ids

    holder = ledger.catalog.holder(conn, fields["holder"])
    if fields["scope"] == "store":
        return {fields["holder"]: holder.id}
    h = t.holders
    ids = {row.code: row.id for row in conn.execute(select(h.c.code, h.c.id).where(
        h.c.id.in_(subtree_ids(conn, holder.id))))}
    ids[fields["holder"]] = holder.id
    return ids


def start(ledger: Ledger, *, actor: str, holder: str, started_at: datetime | None = None,
          number: str | None = None, **fields: Any) -> Document:
    """Start a count of ``holder`` (see the module's docstring for the fields)."""
    ledger.holder(holder)  # NotFound, naming it
    at = to_micros(started_at or ledger.clock())
    given = {k: v for k, v in fields.items() if v is not None and k in rules.STEP_FIELDS[rules.START]}
    given.update(holder=holder, started_at=at, rules=current_rules(ledger).as_dict())
    return documents.step(ledger, TYPE, number, rules.START, actor=actor, **given)


def _resolve(conn: Connection, raw_lines: Sequence[Mapping[str, Any]], fields: Mapping[str, Any],
             inside: Mapping[str, int], now: int) -> list[list[Any]]:
    """Counted lines as the count keeps them: serials and keys looked up, holders and moments checked."""
    if not isinstance(raw_lines, list | tuple) or not raw_lines:
        raise InvalidInput("record at least one counted line", field="lines")
    serials: dict[str, list[str]] = {}
    wanted: list[str] = []
    cleaned: list[tuple[str | None, str, int, Any, str, int, str | None]] = []
    for row, line in enumerate(raw_lines, start=1):
        if not isinstance(line, Mapping):
            raise InvalidInput("a line is a mapping (serial or item, quantity, how, holder, at)", field="lines",
                               row=row)
        try:
            if line.get("item"):
                read = required_text(line["item"], "item", max_len=300)
                key: str | None = normalise_item_key(read)
                serial = None
            else:
                read = required_text(line.get("serial"), "serial", max_len=64)
                serial, key = normalise_serial(read), None
                wanted.append(serial)
            holder = str(line.get("holder") or fields["holder"])
            if holder not in inside:
                raise InvalidInput(f"{holder} is not counted here ({fields['holder']})", field="holder")
            at = line.get("at")
            at = to_micros(at) if isinstance(at, datetime) else (at if type(at) is int else now)
            qty = line.get("quantity", 1)
            qty = qty if type(qty) is int else int(str(qty))
        except InvalidInput as exc:
            raise InvalidInput(exc.detail, field=exc.field, row=row) from None
        except ValueError:
            raise InvalidInput("a quantity is a whole number", field="quantity", row=row) from None
        cleaned.append((key, read, qty, line.get("how") or "scan", holder, at, serial))
    i = t.items
    keys = sorted({line[0] for line in cleaned if line[0] is not None})
    known: set[str] = set()
    for chunk in _chunks(keys):
        known.update(conn.execute(select(i.c.key).where(i.c.key.in_(chunk))).scalars())
    for chunk in _chunks(sorted(set(wanted))):
        for found_row in conn.execute(select(i.c.serial, i.c.key).where(i.c.serial.in_(chunk), i.c.shape == "serial")):
            serials.setdefault(found_row.serial, []).append(found_row.key)
    out = []
    for row, (key, read, qty, how, holder, at, serial) in enumerate(cleaned, start=1):
        if serial is not None:
            found = serials.get(serial, [])
            if len(found) > 1:
                raise InvalidInput(f"serial {read!r} is on {len(found)} models: give the item key", field="item",
                                   row=row)
            key = found[0] if found else None
        elif key not in known:  # a key no item has: kept as read, a surplus to register
            key = None
        out.append([key, read, qty, how, holder, at])
    return rules.clean_batch(out, fields["started_at"])


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for n in range(0, len(values), CHUNK):
        yield values[n:n + CHUNK]


def record(ledger: Ledger, number: str, *, actor: str, lines: Sequence[Mapping[str, Any]]) -> Document:
    """Record a batch of counted lines (by the counter)."""
    def work(uow: documents.UnitOfWork) -> Document:
        current = _current(uow, number)
        uow.poster.drain()
        batch = _resolve(uow.conn, lines, current.fields, _inside(uow.conn, ledger, current.fields),
                         to_micros(uow.at))
        return uow.take(TYPE, rules.RECORD, actor=actor, number=number, lines=batch)

    return documents.run(ledger, work)


def _current(uow: documents.UnitOfWork, number: str) -> Document:
    document = uow.get(TYPE, number)
    if document is None:
        raise NotFound(COUNT.title, number)
    if "started_at" not in document.fields:
        raise DocumentRefused(f"{number} is a count given as its adjustments, not a count session", number=number)
    return document


def counted_lines(conn: Connection, number: str) -> list[list[Any]]:
    """Every line the count recorded, in the order recorded."""
    out: list[list[Any]] = []
    for rec in records.history(conn, COUNT.record_kind, number):
        if rec.data.get("step") == rules.RECORD:
            out.extend(rec.data["given"]["lines"])
    return out


def book(conn: Connection, fields: Mapping[str, Any], inside: Mapping[str, int], counted: Sequence[Sequence[Any]]
         ) -> tuple[rules.Book, dict[tuple[str, str], rules.LotBook]]:
    """The book the reconciliation needs: the serialised items held inside now, counted, or moved in or
    out since the count started, each with its holder at the start and its changes; the lots' balances
    inside at the start and their changes.

    From the balances (now) back to the start through the entries since the start (few: a count's
    hours), so the work is one read of what the holders hold, not of their history."""
    started = fields["started_at"]
    b, i, h, e = t.balances, t.items, t.holders, t.entries
    codes = {holder_id: code for code, holder_id in inside.items()}
    serials = rules.Book()
    start, not_weapons = serials.start, serials.not_weapons
    lots: dict[tuple[str, str], rules.LotBook] = {}
    held = (select(i.c.key, i.c.type, b.c.holder_id, b.c.quantity).join(b, b.c.item_id == i.c.id)
            .where(b.c.holder_id.in_(list(codes)), b.c.quantity > 0))
    for key, kind, holder_id, quantity in conn.execute(held):
        if key[:2] == "W|":
            start[key] = codes[holder_id]
            if kind != "weapon":
                not_weapons.add(key)
        else:
            lots[(key, codes[holder_id])] = rules.LotBook(quantity)
    counted_keys = {line[0] for line in counted if line[0] is not None and line[0][:2] == "W|"}
    others = sorted(counted_keys - start.keys())
    for chunk in _chunks(others):  # counted, not held inside now: where they are, if anywhere
        query = (select(i.c.key, i.c.type, h.c.code).select_from(i)
                 .outerjoin(b, (b.c.item_id == i.c.id) & (b.c.quantity > 0)).outerjoin(h, h.c.id == b.c.holder_id)
                 .where(i.c.key.in_(chunk)))
        for key, kind, code in conn.execute(query):
            start[key] = code
            if kind != "weapon":
                not_weapons.add(key)
    src, dst = h.alias("src"), h.alias("dst")
    since = (select(i.c.key, i.c.type, e.c.quantity, e.c.occurred_at, src.c.code.label("source"),
                    dst.c.code.label("target"))
             .join(i, i.c.id == e.c.item_id).join(src, src.c.id == e.c.source_id).join(dst, dst.c.id == e.c.target_id)
             .where(e.c.occurred_at > started).order_by(e.c.occurred_at, e.c.seq))  # few: the count's hours
    moves = [row for row in conn.execute(since) if row.source in inside or row.target in inside
             or row.key in start]
    for row in reversed(moves):  # back from now to the start
        if row.key[:2] == "W|":
            if row.type != "weapon":
                not_weapons.add(row.key)
            start[row.key] = row.source  # the earliest change's source: its holder at the start
            serials.moves.setdefault(row.key, []).insert(0, (row.occurred_at, row.target))
        else:
            for code, delta in ((row.source, -row.quantity), (row.target, row.quantity)):
                if code in inside:
                    lot = lots.setdefault((row.key, code), rules.LotBook(0))
                    lot.at_start -= delta
                    lot.changes.insert(0, (row.occurred_at, delta))
    return serials, lots


def close(ledger: Ledger, number: str, *, actor: str, closed_at: datetime | None = None) -> Document:
    """Close the count and reconcile it; post at once when no case waits for approval."""
    def work(uow: documents.UnitOfWork) -> Document:
        uow.poster.drain()
        conn = uow.conn
        steps = [rec.data for rec in records.history(conn, COUNT.record_kind, number)]  # each read once
        if not steps:
            raise NotFound(COUNT.title, number)
        current = Document.from_body(steps[-1]["document"])
        if "started_at" not in current.fields:
            raise DocumentRefused(f"{number} is a count given as its adjustments, not a count session", number=number)
        if current.state != "counting":
            raise DocumentRefused(f"count {number} is {current.state}: only a count being counted closes",
                                  number=number, state=current.state)
        uow._taken[(TYPE, number)] = current  # noqa: SLF001  (read above: not its 100,000 lines again)
        at = to_micros(closed_at or uow.at)
        inside = _inside(conn, ledger, current.fields)
        counted = [line for step in steps if step.get("step") == rules.RECORD for line in step["given"]["lines"]]
        serials, lots = book(conn, current.fields, inside, counted)
        result = rules.reconcile(current.fields, counted, at, frozenset(inside), serials, lots)
        closed = uow.take(TYPE, rules.CLOSE, actor=actor, number=number, cases=result.cases, closed_at=at,
                          unverified=result.unverified, duplicates=result.duplicates)
        uow.record(CLOSED_KIND, current.fields["holder"], {"number": number, "closed_at": at,
                                                           "mode": current.fields["mode"]}, actor)
        if not any(c["decision"] is None for c in closed.fields["cases"]):
            return uow.take(TYPE, "post", actor=actor, number=number)
        return closed

    return documents.run(ledger, work)


def approve(ledger: Ledger, number: str, *, actor: str, role: str | None,
            decisions: Mapping[Any, Any] | None = None, mission: str | None = None) -> Document:
    """A second person's decisions on the waiting cases (every one approved when ``decisions`` is None);
    posts the adjustments when none waits any more, and opens the loss incident of the missing weapons."""
    def work(uow: documents.UnitOfWork) -> Document:
        current = _current(uow, number)
        waiting = {c["id"]: "approved" for c in current.fields.get("cases") or () if c["decision"] is None}
        chosen = waiting if decisions is None else decisions
        reviewed = uow.take(TYPE, rules.REVIEW, actor=actor, number=number, decisions=dict(chosen), role=role)
        if any(c["decision"] is None for c in reviewed.fields["cases"]):
            return reviewed
        lost = rules.incidents_of(reviewed.fields)
        if lost:
            _open_incident(uow, ledger, reviewed, lost, actor, mission)
        return uow.take(TYPE, "post", actor=actor, number=number)

    return documents.run(ledger, work)


def _open_incident(uow: documents.UnitOfWork, ledger: Ledger, count: Document, lost: list[dict[str, Any]],
                   actor: str, mission: str | None) -> Document:
    """The loss incident of the approved, unexplained missing weapons (the loss register's own type and
    rules), in the count's unit of work: reported and posted from the count's start."""
    fields = count.fields
    lines = [{"item": c["item"], "quantity": 1, "from": c["holder"]} for c in lost]
    uow.poster.drain()
    site = fields["holder"]
    narrative = (f"Missing at stock count {count.number} of {site} (started {iso(fields['started_at'])}, counted by "
                 f"{fields['counter']}); cases {', '.join(str(c['id']) for c in lost)} approved by {actor}, "
                 "not explained.")
    report = uow.take("incident", "report", actor=actor, number=f"{count.number}-LOSS", lines=lines,
                      rules=BOARD_RULES.version, started_at=fields["started_at"], time_precision="day", site=site,
                      mission=mission or _mission(uow.conn, site), circumstance="storage_depot", mechanism="unknown",
                      ownership="COE", narrative=narrative)
    return uow.take("incident", "post", actor=actor, number=report.number,
                    occurred_at=from_micros(fields["started_at"]))


def _mission(conn: Connection, code: str) -> str:
    """The mission above a holder (its ancestor of kind mission), else its top ancestor."""
    h = t.holders
    rows = {row.id: row for row in conn.execute(select(h.c.id, h.c.code, h.c.kind, h.c.parent_id))}
    node = next((row for row in rows.values() if row.code == code), None)
    top = code
    while node is not None:
        if node.kind == "mission":
            return str(node.code)
        top = node.code
        node = rows.get(node.parent_id)
    return top[:40]


def cancel(ledger: Ledger, number: str, *, actor: str, reason: str | None = None) -> Document:
    return documents.step(ledger, TYPE, number, "cancel", actor=actor, reason=reason)


# reads ---------------------------------------------------------------------------------------------

def show(ledger: Ledger, number: str) -> dict[str, Any]:
    """A count as the services show it: while counting, only its progress (blind: no book figure)."""
    document = documents.get(ledger, TYPE, number)
    return shown(document)


def shown(document: Document) -> dict[str, Any]:
    fields = document.fields
    out: dict[str, Any] = {"number": document.number, "state": document.state, "by": dict(document.by)}
    if "started_at" not in fields:  # a count given as its adjustments
        return {**out, "fields": dict(fields), "lines": [line.as_list() for line in document.lines]}
    out.update(rules.progress(fields))
    out["started_at"] = iso(fields["started_at"])
    if document.state in ("counting",) or "closed_at" not in fields:
        return out
    cases = fields.get("cases") or ()
    out.update(closed_at=iso(fields["closed_at"]), closed_by=fields.get("closed_by"), rules=fields["rules"],
               unverified=fields.get("unverified", 0), duplicates=fields.get("duplicates", 0), cases=list(cases),
               waiting=sum(1 for c in cases if c["decision"] is None),
               adjustments=[line.as_list() for line in document.lines])
    if rules.incidents_of(fields) and document.state == "posted":
        out["incident"] = f"{document.number}-LOSS"
    return out


def where(document: Document) -> str:
    """The holder a count counted: a session's holder, or the store of a count given as its adjustments."""
    fields = document.fields
    found = fields.get("holder") or fields.get("store")
    if found:
        return str(found)
    return next((line.source for line in document.lines if line.source != rules.ADJUST), "")


_DOCUMENT = '{"document":'  # a document step's record begins so (canonical JSON: sorted keys)
_DECODER = json.JSONDecoder()


def _sessions(conn: Connection) -> list[Document]:
    """Every count as its last record left it, read from the start of that record only: the document
    comes first in its canonical JSON, before what the step was given (a batch of 100,000 lines)."""
    last = (select(func.max(r.c.seq)).where(r.c.kind == COUNT.record_kind).group_by(r.c.ref)
            .scalar_subquery())
    out = []
    for body in conn.execute(select(r.c.body).where(r.c.seq.in_(last))).scalars():
        if body.startswith(_DOCUMENT):
            document, _ = _DECODER.raw_decode(body, len(_DOCUMENT))
        else:
            document = json.loads(body)["document"]
        out.append(Document.from_body(document))
    return out


def listing(ledger: Ledger, *, holder: str | None = None, state: str | None = None,
            visible: Any = None) -> list[dict[str, Any]]:
    """Every count (of ``holder``, in ``state``), by number: a summary each (no book figure)."""
    with ledger.engine.connect() as conn:
        found = _sessions(conn)
    out = []
    for document in sorted(found, key=lambda d: d.number):
        at = where(document)
        if (holder and at != holder) or (state and document.state != state):
            continue
        if visible is not None and not visible(document):
            continue
        row = {"number": document.number, "state": document.state, "holder": at,
               "mode": document.fields.get("mode"), "counter": document.fields.get("counter"),
               "recorded": document.fields.get("recorded")}
        if "cases" in document.fields:  # closed: how many cases (blind before)
            cases = document.fields["cases"]
            row.update(cases=len(cases), waiting=sum(1 for c in cases if c["decision"] is None))
        out.append(row)
    return out


# as a signed-in user may see and change them (the API) ------------------------------------------

class ScopedCounts:
    """The counts ``scoped``'s user may see and take steps of, scoped by the holder tree as the
    incidents are (:class:`wam.services.incidents.ScopedIncidents`): a count is in sight of whoever
    reads movements at its holder. Starting, recording and closing need a recording role at the
    holder; approving the approver's role there (its name is recorded), and never by the counter or
    the one who started it (the domain). Recording is the counter's alone."""

    def __init__(self, scoped: ScopedLedger) -> None:
        self.scoped = scoped

    def _where(self, document: Document) -> str:
        return where(document)

    def _visible(self, document: Document) -> bool:
        return self.scoped._reads_movements_at(self._where(document))  # noqa: SLF001

    def _get(self, number: str) -> Document:
        self.scoped.require_movements(None)
        try:
            document = documents.get(self.scoped.ledger, TYPE, number)
        except NotFound:
            raise NotFound(COUNT.title, number) from None
        if not self._visible(document):
            raise NotFound(COUNT.title, number)
        return document

    def show(self, number: str) -> dict[str, Any]:
        return self._redacted(shown(self._get(number)))

    def _redacted(self, out: dict[str, Any]) -> dict[str, Any]:
        """A case that names a holder out of the user's sight (a serial counted here that the ledger
        has at another contingent's store) does not say where: counting is not a way to find weapons."""
        if out.get("cases"):
            out["cases"] = [c if not c.get("other") or external_family(str(c["other"])) is not None
                            or self.scoped.visible(str(c["other"])) else {**c, "other": None, "elsewhere": True}
                            for c in out["cases"]]
        return out

    def listing(self, *, holder: str | None = None, state: str | None = None) -> list[dict[str, Any]]:
        self.scoped.require_movements(holder)
        return listing(self.scoped.ledger, holder=holder, state=state, visible=self._visible)

    def _write(self, work: Callable[[], Document]) -> Document:
        return self.scoped._append(work)  # noqa: SLF001

    def start(self, *, holder: str, **fields: Any) -> Document:
        self.scoped._require(holder, Action.RECORD)  # noqa: SLF001  (404 out of sight, 403 without the role)
        return self._write(lambda: start(self.scoped.ledger, actor=self.scoped.actor, holder=holder, **fields))

    def _require(self, number: str, action: Action) -> Document:
        self.scoped._require_anywhere(action)  # noqa: SLF001
        document = self._get(number)
        self.scoped._require(self._where(document), action)  # noqa: SLF001
        return document

    def record(self, number: str, *, lines: Sequence[Mapping[str, Any]]) -> Document:
        self._require(number, Action.RECORD)
        return self._write(lambda: record(self.scoped.ledger, number, actor=self.scoped.actor, lines=lines))

    def close(self, number: str) -> Document:
        self._require(number, Action.RECORD)
        return self._write(lambda: close(self.scoped.ledger, number, actor=self.scoped.actor))

    def approve(self, number: str, *, decisions: Mapping[Any, Any] | None = None) -> Document:
        document = self._require(number, Action.APPROVE)
        role = approver_role(self.scoped, self._where(document))
        # approving moves what another holder's books have: the approver's role there too
        approving = {str(k) for k, v in (decisions or {}).items()
                     if (v if isinstance(v, str) else (v or {}).get("decision")) == "approved"}
        for case in document.fields.get("cases") or ():
            other = case.get("other")
            chosen = str(case["id"]) in approving if decisions else case["decision"] is None
            if chosen and other and external_family(str(other)) is None \
                    and not self.scoped.allows(str(other), Action.APPROVE):
                raise PermissionDenied(f"case {case['id']} moves what a holder out of your approval holds: "
                                       "reject it, or ask an officer who approves there")
        return self._write(lambda: approve(self.scoped.ledger, number, actor=self.scoped.actor, role=role,
                                           decisions=decisions))

    def cancel(self, number: str, *, reason: str | None = None) -> Document:
        self._require(number, Action.RECORD)
        return self._write(lambda: cancel(self.scoped.ledger, number, actor=self.scoped.actor, reason=reason))


def approver_role(scoped: ScopedLedger, code: str) -> str:
    """The role by which the user approves at ``code`` (the first that allows it), or PermissionDenied."""
    for role in sorted(scoped.roles(code), key=lambda r: list(Role).index(r)):
        if may(role, Action.APPROVE):
            return role.value
    raise PermissionDenied(f"your role does not allow approving at {code}")


__all__ = ["ScopedCounts", "approve", "book", "cancel", "close", "counted_lines", "current_rules", "last_counts",
           "listing", "record", "schedule", "schedules", "set_rules", "show", "start"]
