"""Documents: the registers' records that cause movements, and the rule that movements cite them.

Four movement kinds say that materiel left or entered the mission's custody for a reason that
someone must answer for: ``loss`` (an incident), ``recovery`` (a recovery record),
``adjustment`` (an approved stock count) and ``disposal`` (a destruction certificate or a
handover receipt). Such a movement is never typed on its own: it is one *line* of a
*document*, and it is posted when the document takes its *posting step*.

A :class:`DocumentType` declares, once:

- the movement kind its lines cause (:attr:`DocumentType.kind`), and the register's command;
- its states and its steps: each :class:`Step` leads from some states to one state, may need
  to be taken by someone other than the drafter (``by_other``) or by an approver
  (``approves``: the edges check the role), and one of them posts the lines (``posts``);
- its own fields and the rules on them and on its lines (:attr:`DocumentType.check`).

:func:`apply` is the one function that takes a document from one state to the next; the
services call it when a user takes a step, and ``wam verify`` calls it again on every stored
record (:func:`replay`), so a record written around the services, or changed, shows up.

The citation rule (:func:`check_citations`): every entry of a document kind cites (its
``document`` field) a document of the kind's type that exists, that has taken its posting step,
and whose lines are exactly the entries citing it (item, quantity, from, to): all of its lines,
once. The generic movement paths refuse these kinds (:func:`refuse_generic`).

To add a register (a loss incident's full workflow, a count with its reconciliation), define its
type here, with its steps and its ``check``, and register it in :data:`TYPES`; the service's unit
of work (:mod:`wam.services.documents`) and ``wam verify`` need nothing more.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from . import counts, incidents, recoveries
from .errors import InvalidInput, LedgerProblem, WamError
from .holders import external_family
from .materiel import normalise_item_key
from .movements import (
    DOCUMENT_KIND_VALUES,
    DOCUMENT_KINDS,
    MAX_QUANTITY,
    TEXT_LIMITS,
    Movement,
    MovementKind,
    make_movement,
)
from .text import clean_text, required_text
from .timefmt import check_readable, from_micros, to_micros

RECORD_PREFIX = "document:"  # the records chain's kind of a document of type T is "document:T"
NUMBER_LIMIT = 60
MAX_LINES = 10_000


class DocumentRequired(InvalidInput):
    """A movement of a kind that only its register posts, sent to a generic movement path."""

    code = "document_required"

    def __init__(self, kind: str, command: str, *, row: int | None = None) -> None:
        article = "an" if kind[:1] in "aeiou" else "a"
        super().__init__(f"{article} {kind} is posted only through its register: {command}", field="kind", row=row)
        self.kind = kind
        self.command = command

    @property
    def params(self) -> dict[str, object]:
        return {**super().params, "kind": self.kind, "command": self.command}


class DocumentRefused(WamError):
    """A step that the document's state or its rules do not allow (wrong state, the drafter approving)."""

    code = "document_refused"

    def __init__(self, message: str, *, number: str | None = None, state: str | None = None) -> None:
        super().__init__(message)
        self.number = number
        self.state = state

    @property
    def params(self) -> dict[str, object]:
        return {"detail": self.detail, "number": self.number, "state": self.state}


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a document: ``quantity`` of ``item`` from ``source`` to ``target``."""

    item: str
    quantity: int
    source: str
    target: str

    def as_list(self) -> list[object]:
        return [self.item, self.quantity, self.source, self.target]


@dataclass(frozen=True, slots=True)
class Step:
    """A step of a document's workflow: from one of ``sources`` to ``target``.

    ``accepts`` names the fields the step may set (an execution's ``occurred_at``). A ``custom`` step
    gives what it accepts, as given, to its type's :attr:`DocumentType.update` (a recovery's trace).
    A ``target`` of :data:`SAME` leaves the document in the state it was in (a mark, a trace).
    """

    name: str
    sources: frozenset[str]
    target: str
    posts: bool = False
    by_other: bool = False
    approves: bool = False
    accepts: tuple[str, ...] = ()
    custom: bool = False


SAME = "="  # a step's target: the state the document is in


@dataclass(frozen=True, slots=True)
class Document:
    """A document as its last step left it. ``by`` maps each step taken to who took it."""

    type: str
    number: str
    state: str
    lines: tuple[Line, ...]
    fields: Mapping[str, Any]
    by: Mapping[str, str]
    drafted_by: str

    def body(self) -> dict[str, Any]:
        """The document as plain JSON values (what the records chain stores)."""
        return {"type": self.type, "number": self.number, "state": self.state,
                "lines": [line.as_list() for line in self.lines], "fields": dict(self.fields), "by": dict(self.by),
                "drafted_by": self.drafted_by}

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Document:
        lines = tuple(Line(str(i), int(q), str(s), str(t)) for i, q, s, t in body["lines"])
        return cls(str(body["type"]), str(body["number"]), str(body["state"]), lines, dict(body["fields"]),
                   dict(body["by"]), str(body["drafted_by"]))

    @property
    def occurred_at(self) -> datetime | None:
        value = self.fields.get("occurred_at")
        return from_micros(value) if isinstance(value, int) else None


Check = Callable[[dict[str, Any], list[tuple[str, int, str]]], tuple[dict[str, Any], list[Line]]]
# a type's own rule on a later step: (step, state before, fields after, actor, drafter) -> a refusal or None
Guard = Callable[[str, str, Mapping[str, Any], str, str], str | None]
# a type's custom step: (step, state, fields before (a copy), what it accepts as given, actor, lines) -> the
# fields after, or a refusal
Update = Callable[[str, str, dict[str, Any], Mapping[str, Any], str, int], dict[str, Any] | str]


@dataclass(frozen=True)
class DocumentType:
    """A register's document: what it causes, its workflow and its own rules.

    ``check(fields, lines)`` validates a draft's fields (raw values, by name) and its lines
    (item, quantity, source) and returns the clean fields and the lines with their targets.
    """

    name: str
    kind: MovementKind
    title: str
    command: str
    draft: str  # the first step's name
    initial: str
    steps: Mapping[str, Step]
    check: Check
    prefix: str  # of the numbers the service gives
    held_when_drafted: bool = False  # its lines list what their holders hold when it is drafted
    guard: Guard | None = None  # its own rule on a later step (an incident's board, its write-off)
    update: Update | None = None  # its custom steps (a recovery's mark, trace, disposal)
    # its lines as its fields make them, after each custom step (a count's approved discrepancies)
    lines_of: Callable[[Mapping[str, Any]], list[tuple[str, int, str, str]]] | None = None

    @property
    def record_kind(self) -> str:
        return RECORD_PREFIX + self.name

    @property
    def posting(self) -> Step:
        return next(step for step in self.steps.values() if step.posts)

    @property
    def posted_states(self) -> frozenset[str]:
        """States a document is in once its lines are in the ledger: the posting step's target and
        every state a step leads to from there (an incident investigated, closed)."""
        reached = {self.posting.target}
        while True:
            more = {s.target for s in self.steps.values() if s.sources & reached and s.target != SAME} - reached
            if not more:
                return frozenset(reached)
            reached |= more

    @property
    def states(self) -> tuple[str, ...]:
        seen = [self.initial]
        for step in self.steps.values():
            for state in (*sorted(step.sources), step.target):
                if state not in seen and state != SAME:
                    seen.append(state)
        return tuple(seen)


# steps and fields ---------------------------------------------------------------------------

_NUMBER_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./")


def _number(value: object) -> str:
    """A document's number as people write one (INC-MONUSCO-2018-0001, BOI/12/2024): letters, digits and
    - _ . / only, starting with a letter or digit; it goes into addresses, file names and lists."""
    text = required_text(value, "number", max_len=NUMBER_LIMIT)
    if any(ch.isspace() for ch in text):
        raise InvalidInput("a document number has no spaces", field="number")
    if not set(text) <= _NUMBER_CHARS or not text[0].isalnum() or ".." in text:
        raise InvalidInput("a document number is letters, digits and - _ . / (starting with a letter or digit)",
                           field="number")
    return text


def _lines(raw: object) -> list[tuple[str, int, str]]:
    """(item, quantity, source) of each raw line: a mapping with item, quantity, from, or a sequence."""
    if not isinstance(raw, list | tuple) or not raw:
        raise InvalidInput("list at least one line (item, quantity, from)", field="lines")
    if len(raw) > MAX_LINES:
        raise InvalidInput(f"a document has at most {MAX_LINES:,} lines", field="lines")
    out: list[tuple[str, int, str]] = []
    seen: set[tuple[str, str]] = set()
    for row, line in enumerate(raw, start=1):
        if isinstance(line, Mapping):
            item, quantity, source = line.get("item"), line.get("quantity", 1), line.get("from", line.get("source"))
        elif isinstance(line, list | tuple) and len(line) in (2, 3):
            item, quantity, source = line[0], line[1] if len(line) == 3 else 1, line[-1]
        else:
            raise InvalidInput("a line gives an item, a quantity and the holder it leaves", field="lines", row=row)
        key = normalise_item_key(_row_text(item, "item", row, TEXT_LIMITS["item"]))
        holder = _row_text(source, "from", row, TEXT_LIMITS["source"])
        try:
            qty = quantity if type(quantity) is int else int(str(quantity).strip())
        except ValueError:
            raise InvalidInput(f"{quantity!r} is not a whole number", field="quantity", row=row) from None
        if not 0 < qty <= MAX_QUANTITY:
            raise InvalidInput(f"must be from 1 to {MAX_QUANTITY:,}", field="quantity", row=row)
        if (key, holder) in seen:
            raise InvalidInput(f"{key} from {holder} is listed twice", field="item", row=row)
        seen.add((key, holder))
        out.append((key, qty, holder))
    return out


def _row_text(value: object, name: str, row: int, limit: int) -> str:
    try:
        return required_text(value, name, max_len=limit)
    except InvalidInput as exc:
        raise InvalidInput(exc.detail, field=name, row=row) from None


def _text(fields: Mapping[str, Any], name: str, *, required: bool = False, limit: int = 200) -> str | None:
    return clean_text(fields.get(name), name, required=required, max_len=limit)


def _common(fields: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    note = _text(fields, "note", limit=TEXT_LIMITS["note"])
    if note:
        out["note"] = note
    witness = _text(fields, "witness", limit=TEXT_LIMITS["witness"])
    if witness:
        out["witness"] = witness
    return out


def _from_real(lines: list[tuple[str, int, str]]) -> None:
    for row, (_, _, source) in enumerate(lines, start=1):
        if external_family(source) is not None:
            raise InvalidInput(f"{source} is not a holder of the mission: list what a store or person holds",
                               field="from", row=row)


DESTRUCTION_METHODS = ("cutting", "crushing", "burning", "open-detonation", "open-burning", "demilitarisation",
                       "other")
DISPOSAL_METHODS = ("destruction", "handover")


def check_disposal(fields: dict[str, Any], lines: list[tuple[str, int, str]]) -> tuple[dict[str, Any], list[Line]]:
    """A disposal certificate: destruction (method of destruction, a witness) or handover to the
    host state's authorities (the state, the receipt's number, the receiving authority)."""
    out = _common(fields)
    method = (_text(fields, "method", required=True, limit=20) or "").lower()
    if method not in DISPOSAL_METHODS:
        raise InvalidInput(f"{method!r} is not a disposal method ({', '.join(DISPOSAL_METHODS)})", field="method")
    out["method"] = method
    _from_real(lines)
    if method == "destruction":
        how = (_text(fields, "destruction", required=True, limit=40) or "").lower()
        if how not in DESTRUCTION_METHODS:
            raise InvalidInput(f"{how!r} is not a means of destruction ({', '.join(DESTRUCTION_METHODS)})",
                               field="destruction")
        out["destruction"] = how
        if "witness" not in out:
            raise InvalidInput("a destruction is witnessed: name the witness", field="witness")
        target = "destroyed"
    else:
        state = (_text(fields, "host_state", required=True, limit=3) or "").upper()
        if len(state) != 3 or not state.isalpha() or not state.isascii():
            raise InvalidInput(f"{state!r} is not an ISO 3166 alpha-3 code", field="host_state")
        out["host_state"] = state
        out["receipt"] = _text(fields, "receipt", required=True, limit=100)
        authority = _text(fields, "authority", limit=200)
        if authority:
            out["authority"] = authority
        target = f"handed-over:{state}"
    return out, [Line(item, qty, source, target) for item, qty, source in lines]


def _to(target: str, sources_real: bool = True) -> Check:
    def check(fields: dict[str, Any], lines: list[tuple[str, int, str]]) -> tuple[dict[str, Any], list[Line]]:
        if sources_real:
            _from_real(lines)
        return _common(fields), [Line(item, qty, source, target) for item, qty, source in lines]

    return check


def check_incident(fields: dict[str, Any], lines: list[tuple[str, int, str]]) -> tuple[dict[str, Any], list[Line]]:
    """A loss incident (:mod:`wam.domain.incidents`): each line from a holder of the mission to ``lost``."""
    _from_real(lines)
    return {**_common(fields), **incidents.clean_fields(fields)}, [Line(i, q, s, "lost") for i, q, s in lines]


def check_recovery(fields: dict[str, Any], lines: list[tuple[str, int, str]]) -> tuple[dict[str, Any], list[Line]]:
    """A recovery record (:mod:`wam.domain.recoveries`): each line from ``lost`` or
    ``recovered:<source>`` into the holder named by ``to``; with ``how``, its full fields."""
    out = {**_common(fields), **recoveries.clean_fields(fields, lines)}
    out["to"] = required_text(fields.get("to"), "to", max_len=TEXT_LIMITS["target"])
    if external_family(out["to"]) is not None:
        raise InvalidInput(f"{out['to']} is not a holder of the mission", field="to")
    for row, (_, _, source) in enumerate(lines, start=1):
        if external_family(source) not in ("lost", "recovered"):
            raise InvalidInput(f"{source}: a recovery comes from lost or recovered:<source>", field="from", row=row)
    return out, [Line(item, qty, source, out["to"]) for item, qty, source in lines]


def check_count(fields: dict[str, Any], lines: list[tuple[str, int, str]]) -> tuple[dict[str, Any], list[Line]]:
    """A count given as its approved discrepancies (an import; a count session, :mod:`wam.domain.counts`,
    starts with ``start`` instead and makes its lines from its cases): a line from a real holder is a
    shortfall (to count-adjustment); a line from count-adjustment is a surplus, found at the holder
    named by ``store``."""
    out = _common(fields)
    store = clean_text(fields.get("store"), "store", max_len=TEXT_LIMITS["target"])
    built = []
    for row, (item, qty, source) in enumerate(lines, start=1):
        if source == "count-adjustment":
            if store is None:
                raise InvalidInput("a surplus line needs the count's store", field="store", row=row)
            built.append(Line(item, qty, source, store))
        elif external_family(source) is None:
            built.append(Line(item, qty, source, "count-adjustment"))
        else:
            raise InvalidInput(f"{source}: a count's line comes from a holder or from count-adjustment",
                               field="from", row=row)
    if store:
        out["store"] = store
    return out, built


def _steps(*steps: Step) -> dict[str, Step]:
    return {step.name: step for step in steps}


def _s(*states: str) -> frozenset[str]:
    return frozenset(states)


DISPOSAL = DocumentType(
    name="disposal", kind=MovementKind.DISPOSAL, title="disposal certificate",
    command="wam disposal draft|approve|execute, /api/disposals", draft="draft", initial="drafted",
    steps=_steps(
        Step("draft", _s(), "drafted"),
        Step("approve", _s("drafted"), "approved", by_other=True, approves=True),
        Step("execute", _s("approved"), "executed", posts=True, accepts=("occurred_at",)),
        Step("cancel", _s("drafted", "approved"), "cancelled", accepts=("reason",)),
    ),
    check=check_disposal, prefix="DSP", held_when_drafted=True,
)
INCIDENT = DocumentType(
    name="incident", kind=MovementKind.LOSS, title="loss incident", command="wam incidents report, /api/incidents",
    draft="report", initial="reported",
    steps=_steps(
        Step("report", _s(), "reported"),
        Step("post", _s("reported"), "posted", posts=True, accepts=("occurred_at",)),
        Step("cancel", _s("reported"), "cancelled", accepts=("reason",)),
        # the workflow after the losses are posted (wam.domain.incidents.check_step)
        Step(incidents.INVESTIGATE, _s("posted"), "under_investigation", accepts=incidents.STEP_FIELDS["investigate"]),
        Step(incidents.CONVENE, _s("under_investigation"), "board_of_inquiry", approves=True,
             accepts=incidents.STEP_FIELDS["convene"]),
        Step(incidents.FINDINGS, _s("under_investigation", "board_of_inquiry"), "findings",
             accepts=incidents.STEP_FIELDS["findings"]),
        Step(incidents.CLOSE, _s("findings"), "closed", approves=True, accepts=incidents.STEP_FIELDS["close"]),
    ),
    check=check_incident, prefix="INC", guard=incidents.check_step,
)
_HELD = _s("posted", "retained", "disposal")  # in the ledger: marked, traced, matched whatever its disposition
RECOVERY = DocumentType(
    name="recovery", kind=MovementKind.RECOVERY, title="recovery record",
    command="wam recoveries register, /api/recoveries", draft="register", initial="registered",
    steps=_steps(
        Step("register", _s(), "registered"),
        Step("post", _s("registered"), "posted", posts=True, accepts=("occurred_at",)),
        Step("cancel", _s("registered"), "cancelled", accepts=("reason",)),
        # after the items are in custody (wam.domain.recoveries.update)
        Step("mark", _HELD, SAME, accepts=recoveries.STEP_FIELDS["mark"], custom=True),
        Step("trace", _HELD, SAME, accepts=recoveries.STEP_FIELDS["trace"], custom=True),
        Step("match", _HELD, SAME, accepts=recoveries.STEP_FIELDS["match"], custom=True),
        Step("retain", _s("posted"), "retained", accepts=recoveries.STEP_FIELDS["retain"], custom=True),
        Step("dispose", _HELD, "disposal", accepts=recoveries.STEP_FIELDS["dispose"], custom=True),
    ),
    check=check_recovery, prefix="REC", update=recoveries.update,
)
COUNT = DocumentType(
    name="count", kind=MovementKind.ADJUSTMENT, title="stock count",
    command="wam counts start|record|close|approve, /api/counts", draft="count", initial="counted",
    steps=_steps(
        # discrepancies reconciled elsewhere, given as lines (an import, the first demo worlds)
        Step("count", _s(), "counted"),
        Step("approve", _s("counted"), "approved", by_other=True, approves=True),
        # a count session (wam.domain.counts): its lines are its approved cases' adjustments
        Step(counts.START, _s(), "counting", accepts=counts.STEP_FIELDS[counts.START], custom=True),
        Step(counts.RECORD, _s("counting"), SAME, accepts=counts.STEP_FIELDS[counts.RECORD], custom=True),
        Step(counts.CLOSE, _s("counting"), "reconciled", accepts=counts.STEP_FIELDS[counts.CLOSE], custom=True),
        Step(counts.REVIEW, _s("reconciled"), SAME, approves=True, accepts=counts.STEP_FIELDS[counts.REVIEW],
             custom=True),
        Step("post", _s("approved", "reconciled"), "posted", posts=True, accepts=("occurred_at",)),
        Step("cancel", _s("counted", "approved", "counting", "reconciled"), "cancelled", accepts=("reason",)),
    ),
    check=check_count, prefix="CNT", guard=counts.guard, update=counts.update, lines_of=counts.lines_of,
)

TYPES: dict[str, DocumentType] = {t.name: t for t in (DISPOSAL, INCIDENT, RECOVERY, COUNT)}
TYPE_OF_KIND: dict[MovementKind, DocumentType] = {t.kind: t for t in TYPES.values()}
assert set(TYPE_OF_KIND) == DOCUMENT_KINDS


def document_type(name: str) -> DocumentType:
    try:
        return TYPES[name]
    except KeyError:
        raise InvalidInput(f"{name!r} is not a document type ({', '.join(TYPES)})", field="type") from None


def type_of_record(kind: str) -> DocumentType | None:
    """The document type whose records are of the records chain's ``kind`` (None: not a document)."""
    if not kind.startswith(RECORD_PREFIX):
        return None
    return TYPES.get(kind[len(RECORD_PREFIX):])


def refuse_generic(kind: MovementKind | str, *, row: int | None = None) -> None:
    """Refuse a kind that only a register may post, on a generic movement path (a kind as a user
    types it, ``LOSS`` or `` loss``, as make_movement reads it: before any other check of the row)."""
    text = kind.value if isinstance(kind, MovementKind) else str(kind).strip().lower()
    if text in DOCUMENT_KIND_VALUES:
        document_kind = MovementKind(text)
        raise DocumentRequired(document_kind.value, TYPE_OF_KIND[document_kind].command, row=row)


# the one transition function -----------------------------------------------------------------

def apply(doc_type: DocumentType, document: Document | None, step_name: str, actor: str,
          given: Mapping[str, Any]) -> Document:
    """Take ``step_name`` on ``document`` (None for the first step) by ``actor`` with ``given``.

    The first step reads ``number``, ``lines`` and the type's fields from ``given``; later steps
    read only what they accept. Returns the document as the step leaves it.

    Raises:
        InvalidInput: a field or line that the type's rules refuse (naming it, and the line's row).
        DocumentRefused: a step that does not exist, that the state does not allow, or that the
            drafter may not take.
    """
    step = doc_type.steps.get(step_name)
    if step is None:
        raise DocumentRefused(f"a {doc_type.title} has no step {step_name!r} ({', '.join(doc_type.steps)})")
    required_text(actor, "actor", max_len=TEXT_LIMITS["actor"])
    if document is None:
        if step.sources:  # a first step leads from no state (a type may have more than one: a count)
            raise DocumentRefused(f"a {doc_type.title} begins with {doc_type.draft!r}, not {step_name!r}")
        number = _number(given.get("number"))
        if step.custom and doc_type.update is not None:  # its fields from its update; its lines later
            accepted = {name: given[name] for name in step.accepts if given.get(name) is not None}
            made = doc_type.update(step_name, "", {}, accepted, actor, 0)
            if isinstance(made, str):
                raise DocumentRefused(f"{doc_type.title} {number}: {made}", number=number)
            return Document(doc_type.name, number, step.target, _relined(doc_type, made, ()), made,
                            {step_name: actor}, actor)
        fields, lines = doc_type.check(dict(given), _lines(given.get("lines")))
        _check_movements(doc_type, number, fields, lines, actor)
        return Document(doc_type.name, number, step.target, tuple(lines), fields, {step_name: actor}, actor)
    if document.type != doc_type.name:
        raise DocumentRefused(f"{document.number} is a {document.type}, not a {doc_type.name}", number=document.number)
    if document.state not in step.sources:
        allowed = " or ".join(sorted(step.sources)) or "new"
        raise DocumentRefused(f"{doc_type.title} {document.number} is {document.state}; {step_name} needs it "
                              f"{allowed}", number=document.number, state=document.state)
    if step.by_other and actor == document.drafted_by:
        raise DocumentRefused(f"{actor} drafted {document.number}: someone else must {step_name} it",
                              number=document.number, state=document.state)
    if step.custom and doc_type.update is not None:
        accepted = {name: given[name] for name in step.accepts if given.get(name) is not None}
        updated = doc_type.update(step_name, document.state, dict(document.fields), accepted, actor,
                                  len(document.lines))
        if isinstance(updated, str):
            raise DocumentRefused(f"{doc_type.title} {document.number}: {updated}", number=document.number,
                                  state=document.state)
        target = document.state if step.target == SAME else step.target
        return Document(document.type, document.number, target, _relined(doc_type, updated, document.lines), updated,
                        {**document.by, step_name: actor}, document.drafted_by)
    fields = dict(document.fields)
    for name in step.accepts:
        value = given.get(name)
        if value is None:
            continue
        if name == "occurred_at":
            if isinstance(value, datetime):
                value = to_micros(check_readable(value, "occurred_at"))
            elif type(value) is not int:
                raise InvalidInput("give a date and time", field="occurred_at")
        else:
            value = clean_text(value, name, max_len=TEXT_LIMITS["note"])
        if value is not None:
            fields[name] = value
    if step.posts and not isinstance(fields.get("occurred_at"), int):
        raise InvalidInput("say when it happened", field="occurred_at")
    if doc_type.guard is not None:
        refusal = doc_type.guard(step_name, document.state, fields, actor, document.drafted_by)
        if refusal is not None:
            raise DocumentRefused(refusal, number=document.number, state=document.state)
    target = document.state if step.target == SAME else step.target
    return Document(document.type, document.number, target, document.lines, fields,
                    {**document.by, step_name: actor}, document.drafted_by)


def _relined(doc_type: DocumentType, fields: Mapping[str, Any], lines: tuple[Line, ...]) -> tuple[Line, ...]:
    if doc_type.lines_of is None:
        return lines
    return tuple(Line(item, qty, source, target) for item, qty, source, target in doc_type.lines_of(fields))


_PROBE = datetime(2000, 1, 1, tzinfo=UTC)  # any moment: the kind's rules do not read it


def _check_movements(doc_type: DocumentType, number: str, fields: Mapping[str, Any], lines: Iterable[Line],
                     actor: str) -> None:
    """Each line must make a valid movement of the type's kind (the kind's own rules)."""
    for row, line in enumerate(lines, start=1):
        try:
            _movement(doc_type, number, fields, line, actor, _PROBE)
        except InvalidInput as exc:
            raise InvalidInput(exc.detail, field=exc.field, row=row) from None


def _movement(doc_type: DocumentType, number: str, fields: Mapping[str, Any], line: Line, actor: str,
              occurred_at: datetime) -> Movement:
    note = fields.get("note")
    return make_movement(kind=doc_type.kind, item=line.item, quantity=line.quantity, source=line.source,
                         target=line.target, occurred_at=occurred_at, actor=actor, witness=fields.get("witness"),
                         document=number, note=note)


def movements(doc_type: DocumentType, document: Document, actor: str) -> list[Movement]:
    """The movements a document's posting step posts: one per line, at its ``occurred_at``."""
    when = document.occurred_at
    if when is None:
        raise InvalidInput("say when it happened", field="occurred_at")
    return [_movement(doc_type, document.number, document.fields, line, actor, when) for line in document.lines]


# replay and citations (wam verify) -------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class StoredStep:
    """One record of a document, as the records chain holds it."""

    seq: int
    kind: str
    ref: str
    body: Mapping[str, Any]
    actor: str | None


def record_body(doc_type: DocumentType, step_name: str, given: Mapping[str, Any], document: Document
                ) -> dict[str, Any]:
    """What the records chain stores for one step: the step, what it was given (as the step
    cleaned it: :func:`replay` gives it to :func:`apply` again) and the document it left."""
    step = doc_type.steps[step_name]
    if step.custom and not step.sources:  # a custom first step: as given, with its number
        plain: dict[str, Any] = {**{name: given[name] for name in step.accepts if given.get(name) is not None},
                                 "number": document.number}
    elif step_name == doc_type.draft:
        plain = {**document.fields, "number": document.number,
                                 "lines": [[line.item, line.quantity, line.source] for line in document.lines]}
    elif doc_type.steps[step_name].custom:  # as given: the type's update reads it again on replay
        plain = {name: given[name] for name in doc_type.steps[step_name].accepts if given.get(name) is not None}
    else:
        accepts = doc_type.steps[step_name].accepts
        plain = {name: document.fields[name] for name in accepts if given.get(name) is not None}
    return {"step": step_name, "given": plain, "document": document.body()}


def replay(records: Iterable[StoredStep]) -> tuple[dict[tuple[str, str], Document], list[LedgerProblem]]:
    """Replay every document's steps from its records (seq order) through :func:`apply`.

    Returns each document's state, by (type, number), and a problem for every record whose step
    the document's state or rules did not allow, or whose stored result is not what its step gives.
    """
    documents: dict[tuple[str, str], Document] = {}
    problems: list[LedgerProblem] = []
    for record in records:
        doc_type = type_of_record(record.kind)
        if doc_type is None:
            continue
        key = (doc_type.name, record.ref)
        where = f"record {record.seq} ({doc_type.title} {record.ref})"
        try:
            body = record.body
            given = dict(body["given"])
            expected = apply(doc_type, documents.get(key), str(body["step"]), str(record.actor), given)
            stored = Document.from_body(body["document"])
        except WamError as exc:
            problems.append(LedgerProblem("documents", f"{where}: step not allowed: {exc.message}"))
            continue
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(LedgerProblem("documents", f"{where}: cannot be read ({type(exc).__name__}: {exc})"))
            continue
        if expected.number != record.ref:
            problems.append(LedgerProblem("documents", f"{where}: records document {expected.number}"))
        if stored != expected:
            problems.append(LedgerProblem("documents", f"{where}: the state it records ({stored.state}) is not what "
                                                       f"its step gives ({expected.state}), or its content differs"))
        documents[key] = expected
    return documents, problems


def check_citations(documents: Mapping[tuple[str, str], Document],
                    cited: Mapping[tuple[str, str | None], list[tuple[str, int, str, str]]]) -> list[LedgerProblem]:
    """Every entry of a document kind cites a posted document of its type whose lines it is, once.

    Args:
        documents: each document's state by (type, number), from :func:`replay`.
        cited: the (item key, quantity, source, target) of the entries, by (movement kind, document cited).
    """
    problems: list[LedgerProblem] = []
    posted = set()
    for (kind, number), entries in sorted(cited.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        doc_type = TYPE_OF_KIND[MovementKind(kind)]
        document = documents.get((doc_type.name, number or ""))
        one = len(entries) == 1
        label = f"{len(entries)} {kind} entr{'y' if one else 'ies'}"
        cite = f"{label} cite{'s' if one else ''} {doc_type.title}"
        if number is None or document is None:
            problems.append(LedgerProblem("citations", f"{cite} {number!r}, which does not exist"))
            continue
        posted.add((doc_type.name, number))
        if document.state not in doc_type.posted_states:
            problems.append(LedgerProblem("citations", f"{cite} {number}, which is {document.state}, "
                                                       f"not {doc_type.posting.target}"))
        want = Counter((line.item, line.quantity, line.source, line.target) for line in document.lines)
        have = Counter(entries)
        if want != have:
            extra, missing = have - want, want - have
            problems.append(LedgerProblem("citations", f"{label} citing {doc_type.title} {number} do not match its "
                                                       f"lines ({sum(extra.values())} not on it or posted twice, "
                                                       f"{sum(missing.values())} of its lines not posted)"))
    for (type_name, number), document in sorted(documents.items()):
        doc_type = TYPES[type_name]
        if document.state in doc_type.posted_states and document.lines and (type_name, number) not in posted:
            problems.append(LedgerProblem("citations", f"{doc_type.title} {number} is {document.state} but no "
                                                       f"{doc_type.kind.value} entry cites it"))
    return problems
