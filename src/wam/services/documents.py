"""The documents seam: a register writes its documents and posts the movements they cause, atomically.

A register (disposals here; loss incidents, recoveries and counts as their issues enrich them)
never posts a ``loss``, ``recovery``, ``adjustment`` or ``disposal`` on its own: it takes a step
of one of its documents in a :class:`UnitOfWork`, and the step's movements are posted in the
same transaction as the document's record::

    from wam.services import documents

    def draft(uow: documents.UnitOfWork) -> documents.Document:
        return uow.take("disposal", "draft", actor="alice", lines=[{"item": key, "quantity": 1, "from": "GAO-ARM"}],
                        method="destruction", destruction="cutting", witness="Capt. Diallo (UNMAS)")

    certificate = documents.run(ledger, draft)           # one transaction: a record, no movement
    documents.step(ledger, "disposal", certificate.number, "approve", actor="bob")
    documents.step(ledger, "disposal", certificate.number, "execute", actor="alice")  # record + movements

Steps:

1. The unit of work opens the ledger's poster (on PostgreSQL it takes the ledger head's row lock,
   so units of work and postings queue there, and a document read is the last one written).
2. Each :meth:`UnitOfWork.take` reads the document's state (this transaction's own steps first,
   then the records chain), runs the domain's one transition function
   (:func:`wam.domain.documents.apply`) and, for a posting step, posts one movement per line
   through the poster, with the laws of every posting.
3. At the end the poster writes the entries and the new head, and every step taken is appended to
   the records chain (:mod:`wam.services.records`): kind ``document:<type>``, ref the number,
   body the step, what it was given and the document it left. Any error before the commit rolls
   all of it back: no record and no movement.

``wam verify`` replays every document from its records through the same ``apply`` and resolves
every citation (:func:`verify_documents`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, func, select

from wam.domain.documents import (
    RECORD_PREFIX,
    TYPES,
    Document,
    DocumentRefused,
    DocumentType,
    StoredStep,
    apply,
    check_citations,
    document_type,
    movements,
    record_body,
    refuse_generic,
    replay,
)
from wam.domain.errors import InvalidInput, LedgerProblem, NotFound, PostingRejected
from wam.domain.holders import is_external
from wam.domain.movements import DOCUMENT_KINDS, Entry, Movement
from wam.storage import tables as t
from wam.storage.record_tables import records as r

from . import queries, records

if TYPE_CHECKING:
    from .ledger import Ledger
    from .posting import Poster

__all__ = ["Document", "DocumentStep", "UnitOfWork", "documents", "get", "post_stream", "run", "step",
           "verify_documents"]

T = TypeVar("T")


class UnitOfWork:
    """One write transaction in which documents take steps and their movements are posted."""

    def __init__(self, ledger: Ledger, conn: Connection, poster: Poster) -> None:
        self.ledger = ledger
        self.conn = conn
        self.poster = poster
        self.at = ledger.clock()
        self._taken: dict[tuple[str, str], Document] = {}
        self._pending: list[tuple[str, str, Mapping[str, object], str | None]] = []
        self._numbers: dict[str, int] = {}

    def get(self, type_name: str, number: str) -> Document | None:
        """The document as this unit of work sees it (its own steps included), or None."""
        doc_type = document_type(type_name)
        key = (doc_type.name, number)
        if key in self._taken:
            return self._taken[key]
        self.poster.drain()  # the connection is ours alone while we read
        last = records.latest(self.conn, doc_type.record_kind, number)
        return None if last is None else Document.from_body(last.data["document"])

    def take(self, type_name: str, step_name: str, *, actor: str, number: str | None = None,
             occurred_at: datetime | None = None, **given: Any) -> Document:
        """Take a step of a document (its first step creates it); return the document as it leaves it.

        A posting step posts one movement per line, at ``occurred_at`` (default: now).

        Raises:
            InvalidInput: a field or line that the type refuses (naming it and the line's row).
            NotFound: no such document.
            DocumentRefused: the state or the rules do not allow the step; a number already used.
            PostingRejected: a line that the ledger's laws refuse (the source does not hold it).
        """
        doc_type = document_type(type_name)
        first = doc_type.steps.get(step_name)
        if step_name == doc_type.draft or (first is not None and not first.sources):  # a first step
            number = number or self._next_number(doc_type)
            if self.get(doc_type.name, number) is not None:
                raise DocumentRefused(f"{doc_type.title} {number} exists already", number=number)
            current = None
        else:
            if number is None:
                raise NotFound(doc_type.title, "")
            current = self.get(doc_type.name, number)
            if current is None:
                raise NotFound(doc_type.title, number)
        step = doc_type.steps.get(step_name)
        if step is not None and step.posts and occurred_at is None:
            occurred_at = self.at
        if occurred_at is not None:
            given["occurred_at"] = occurred_at
        document = apply(doc_type, current, step_name, actor, {**given, "number": number})
        if current is None:
            self._check_held(doc_type, document)
        if doc_type.steps[step_name].posts:
            in_window = self.ledger._time_check()  # noqa: SLF001  (the posting entry points' time window)
            for movement in movements(doc_type, document, actor):
                in_window(movement.occurred_at)
                self.poster.post(movement)
        self._pending.append((doc_type.record_kind, document.number, record_body(doc_type, step_name, given, document),
                              actor))
        self._taken[(doc_type.name, document.number)] = document
        return document

    def _check_held(self, doc_type: DocumentType, document: Document) -> None:
        """Refuse a new document's line whose item is unknown or whose holder does not exist (naming
        the line, its row, and the field), and, for a type that lists what is held now (a disposal
        certificate), a line its holder does not hold: the laws' own refusal (law 1, law 2).

        Early word for the user, not the rule: the holdings are those stored when this unit of
        work began (the holdings check is skipped once the unit has posted), and the laws decide
        again when the lines are posted, at their moment.
        """
        from wam.domain.laws import check_non_negative, check_serial_custody

        poster = self.poster
        held_now = doc_type.held_when_drafted and poster.seq == poster.start_seq
        poster.drain()
        catalog, b = self.ledger.catalog, t.balances
        for row, line in enumerate(document.lines, start=1):
            if is_external(line.source):
                continue
            try:
                item = catalog.item(self.conn, line.item)
            except NotFound:
                raise InvalidInput(f"item {line.item!r} is not registered", field="item", row=row) from None
            try:
                holder = catalog.holder(self.conn, line.source)
            except NotFound:
                raise InvalidInput(f"holder {line.source!r} does not exist", field="from", row=row) from None
            if not held_now:
                continue
            if item.serialised:
                check_serial_custody(item=line.item, quantity=line.quantity, source=line.source,
                                     holder_now=queries.custodian(self.conn, item.id), source_external=False)
            else:
                held = self.conn.execute(select(b.c.quantity).where(b.c.holder_id == holder.id,
                                                                    b.c.item_id == item.id)).scalar() or 0
                check_non_negative(item=line.item, holder=line.source, quantity=line.quantity, balance_at=held,
                                   later_deltas=())

    def record(self, kind: str, ref: str, body: Mapping[str, object], actor: str | None) -> None:
        """Append a record of the register's own (an incident's evidence file) with this unit's steps."""
        self._pending.append((kind, ref, body, actor))

    def post(self, movement: Movement) -> None:
        """Post a movement of a kind that cites no document (in the same transaction)."""
        refuse_generic(movement.kind)
        self.ledger._time_check()(movement.occurred_at)  # noqa: SLF001  (the posting entry points' time window)
        self.poster.post(movement)

    def _next_number(self, doc_type: DocumentType) -> str:
        """The type's next number, ``<prefix>-000001`` on: one more than the highest of its series.

        Documents given numbers of their own (``INC-MONUSCO-2018-0001``) are not counted: the series
        has no gaps that an auditor would read as removed records (a refused document leaves none either:
        its transaction writes nothing)."""
        if doc_type.name not in self._numbers:
            self.poster.drain()
            width = len(doc_type.prefix) + 7  # "<prefix>-" and six digits
            refs = self.conn.execute(select(func.distinct(r.c.ref)).where(
                r.c.kind == doc_type.record_kind, r.c.ref.like(f"{doc_type.prefix}-%"),
                func.length(r.c.ref) == width)).scalars()
            series = [int(ref[-6:]) for ref in refs if ref[-6:].isdecimal()]
            self._numbers[doc_type.name] = max(series, default=0)
        while True:
            self._numbers[doc_type.name] += 1
            number = f"{doc_type.prefix}-{self._numbers[doc_type.name]:06d}"
            if self.get(doc_type.name, number) is None:
                return number

    def _finish(self) -> None:
        self.poster.finish()
        if self._pending:
            records.append_many(self.conn, self._pending, at=self.at)


def run(ledger: Ledger, work: Callable[[UnitOfWork], T]) -> T:
    """Run ``work(uow)`` in one transaction: every step it takes and every movement, or nothing."""

    def transaction(conn: Connection, poster: Poster) -> T:
        uow = UnitOfWork(ledger, conn, poster)
        result = work(uow)
        uow._finish()
        return result

    return ledger.document_transaction(transaction)


def step(ledger: Ledger, type_name: str, number: str | None, step_name: str, *, actor: str,
         occurred_at: datetime | None = None, **given: Any) -> Document:
    """Take one step of one document in a transaction of its own (see :meth:`UnitOfWork.take`)."""
    return run(ledger, lambda uow: uow.take(type_name, step_name, actor=actor, number=number,
                                            occurred_at=occurred_at, **given))


class DocumentStep:
    """A step in a stream of movements (:func:`post_stream`): ordered by ``occurred_at`` like them."""

    __slots__ = ("actor", "given", "number", "occurred_at", "step", "type")

    def __init__(self, type_name: str, step_name: str, *, actor: str, occurred_at: datetime,
                 number: str | None = None, **given: Any) -> None:
        self.type, self.step, self.actor, self.number = type_name, step_name, actor, number
        self.occurred_at = occurred_at
        self.given = given


def post_stream(ledger: Ledger, stream: Iterable[Movement | DocumentStep],
                on_each: Callable[[], None] | None = None) -> int:
    """Post a stream of movements and document steps in one transaction (the demo's year).

    A posting step's movements are posted at its ``occurred_at``; other steps record only.
    Returns the number of movements posted.
    """

    def work(uow: UnitOfWork) -> int:
        uow.poster.defer_indexes()
        posted = 0
        for number, thing in enumerate(stream, start=1):
            try:
                if isinstance(thing, DocumentStep):
                    document = uow.take(thing.type, thing.step, actor=thing.actor, number=thing.number,
                                        occurred_at=thing.occurred_at, **thing.given)
                    lines = len(document.lines) if TYPES[document.type].steps[thing.step].posts else 0
                else:
                    uow.post(thing)
                    lines = 1
            except PostingRejected as exc:  # named by its position in the stream, as Ledger.post_many does
                exc.args = (f"movement {number}: {exc.message}",)
                exc.message = exc.args[0]
                raise
            except InvalidInput as exc:
                if type(exc) is not InvalidInput or exc.row is not None:
                    raise
                raise InvalidInput(exc.detail, field=exc.field, row=number) from None
            posted += lines
            if on_each is not None:
                for _ in range(lines):
                    on_each()
        return posted

    return run(ledger, work)


# reads -------------------------------------------------------------------------------------------

def _stored(rows: Iterable[records.Record]) -> Iterator[StoredStep]:
    for record in rows:
        yield StoredStep(record.seq, record.kind, record.ref, record.data, record.actor)


def get(ledger: Ledger, type_name: str, number: str) -> Document:
    """The document ``number`` of ``type_name``, as its last step left it.

    Raises:
        NotFound: no such document.
    """
    doc_type = document_type(type_name)
    with ledger.engine.connect() as conn:
        last = records.latest(conn, doc_type.record_kind, number)
    if last is None:
        raise NotFound(doc_type.title, number)
    return Document.from_body(last.data["document"])


def history(ledger: Ledger, type_name: str, number: str) -> list[dict[str, Any]]:
    """Every step of a document: step, state, who, when (the records chain's time)."""
    from wam.domain.timefmt import iso

    doc_type = document_type(type_name)
    with ledger.engine.connect() as conn:
        found = records.history(conn, doc_type.record_kind, number)
    if not found:
        raise NotFound(doc_type.title, number)
    return [{"step": rec.data["step"], "state": rec.data["document"]["state"], "by": rec.actor,
             "recorded_at": iso(rec.recorded_at), "record": rec.seq} for rec in found]


def documents(ledger: Ledger, type_name: str, *, state: str | None = None) -> list[Document]:
    """Every document of a type (in one state, if given), by number."""
    doc_type = document_type(type_name)
    latest: dict[str, Document] = {}
    with ledger.engine.connect() as conn:
        for record in records.all_records(conn, kinds=[doc_type.record_kind]):
            latest[record.ref] = Document.from_body(record.data["document"])
    return [d for _, d in sorted(latest.items()) if state is None or d.state == state]


def entries(ledger: Ledger, document: Document) -> list[Entry]:
    """The entries a document posted (citing it, of its type's kind), in order."""
    from .queries import _entry_query, entry_from_row

    kind = TYPES[document.type].kind.value
    query = _entry_query().where(t.entries.c.document == document.number, t.entries.c.kind == kind)
    with ledger.engine.connect() as conn:
        return [entry_from_row(row) for row in conn.execute(query.order_by(t.entries.c.seq))]


# verify ------------------------------------------------------------------------------------------

def verify_documents(conn: Connection) -> list[LedgerProblem]:
    """Replay every document from its records and resolve every citation.

    A record whose step its document's state or rules did not allow, or whose stored document is
    not what the step gives; an entry of a document kind citing a document that does not exist,
    has not been posted, or whose lines are not exactly the entries citing it; a posted document
    that no entry cites.
    """
    from sqlalchemy import inspect

    if not inspect(conn).has_table("records"):
        return []
    kinds = [RECORD_PREFIX + name for name in TYPES]
    found, problems = replay(_stored(records.all_records(conn, kinds=kinds)))
    e, i, src, dst = t.entries, t.items, t.holders.alias("src"), t.holders.alias("dst")
    query = (select(e.c.kind, e.c.document, i.c.key, e.c.quantity, src.c.code, dst.c.code.label("target"))
             .join(i, i.c.id == e.c.item_id).join(src, src.c.id == e.c.source_id).join(dst, dst.c.id == e.c.target_id)
             .where(e.c.kind.in_([k.value for k in DOCUMENT_KINDS])))
    cited: dict[tuple[str, str | None], list[tuple[str, int, str, str]]] = {}
    for row in conn.execute(query):
        cited.setdefault((row.kind, row.document), []).append((row.key, row.quantity, row.code, row.target))
    from wam.domain.recoveries import certificate_problems

    from .incidents import verify_evidence

    recovered = [LedgerProblem("documents", text) for text in certificate_problems(found)]
    return problems + check_citations(found, cited) + verify_evidence(conn, found) + recovered
