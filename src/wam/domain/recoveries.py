"""Recovered materiel: what a recovery record holds, its steps after registration, and its oversight rules.

A recovery is a document of the documents seam (:mod:`wam.domain.documents`, type ``recovery``):
its lines are the items recovered, posted as ``recovery`` movements from ``recovered:<how>``
(or from ``lost``, for a weapon the ledger records as lost) into the store that registers them.
This module holds what is particular to recoveries, as pure functions on plain values, so that
:mod:`wam.domain.documents` calls them without importing anything back (the pattern of
:mod:`wam.domain.incidents`):

- the record's fields (:func:`clean_fields`): how it was recovered (:class:`How`), when, where
  (a place and/or coordinates, checked), from whom as reported, by which unit, and one
  description per line (:func:`clean_item`): type, make, model, calibre, the serial as read and
  every other marking (country and year of manufacture, factory codes, headstamps, import
  marks), condition and whether it is safe to move; photos cited by SHA-256 as an incident cites
  its evidence (:func:`wam.domain.incidents.evidence_record`);
- the steps after the record is posted (:func:`update`), each an append-only record of the
  records chain replayed by ``wam verify``:

  ``mark``     the mission's own mark and number on one item (unique within the record);
  ``trace``    a tracing request under the International Tracing Instrument (ITI), addressed to
               the state of manufacture or of last import: ``draft`` -> ``send`` ->
               ``acknowledge`` -> ``answer``, or ``no_answer`` (then still ``answer``);
  ``match``    a person's decision on a candidate of the matching (confirmed or rejected): a
               confirmed match links the item to the recorded weapon and the incident that lost it;
  ``retain``   kept as evidence, with the reason (state ``retained``);
  ``dispose``  a disposal certificate (destruction or handover, :data:`wam.domain.documents.DISPOSAL`)
               drafted for the items (state ``disposal``); the certificate's own steps post the
               disposal movements.

  A refused step names the field (:class:`~wam.domain.errors.InvalidInput`) or says why the
  record's state does not allow it (a refusal text, which the documents seam raises as
  ``DocumentRefused``).
- the ITI tracing request's content (:func:`trace_request`);
- oversight (:func:`disposal_overdue`, :func:`trace_unanswered`): days are mission SOP parameters
  (the ITI sets no number of days: reference standards.md section 7), :data:`DISPOSAL_SETTING`
  and :data:`TRACE_SETTING`.

A *minimal* recovery (written before this module, by ``wam document step recovery`` and by the
demo's partial recoveries) has no ``how`` field and is checked as it was, so the records already
written replay unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from .errors import InvalidInput
from .incidents import _bool, _coordinate, _evidence, _moment
from .materiel import CONDITIONS
from .text import clean_text, required_text
from .timefmt import from_micros, iso


class How(StrEnum):
    """How the materiel came into the mission's hands; the external holder is ``recovered:<how>``."""

    CHECKPOINT = "checkpoint"  # seized at a checkpoint
    CACHE = "cache"  # found in a cache
    SURRENDER = "surrender"  # surrendered (voluntarily)
    OPERATION = "operation"  # captured in an operation (cordon and search, raid)
    ENGAGEMENT = "engagement"  # picked up after an engagement
    HANDOVER = "handover"  # handed over by another party


ITEM_TYPES = ("weapon", "ammunition", "equipment")
MARKINGS = ("country", "year", "factory", "headstamp", "import_marks", "other")
TRACE_BASES = ("manufacture", "import")  # the state addressed: of manufacture, or of last known import
TRACE_STATUSES = ("drafted", "sent", "acknowledged", "answered", "no_answer")
# action -> (the statuses it may follow, the status it leads to); None: no trace yet
TRACE_ACTIONS: dict[str, tuple[frozenset[str | None], str]] = {
    "draft": (frozenset({None}), "drafted"),
    "send": (frozenset({"drafted"}), "sent"),
    "acknowledge": (frozenset({"sent"}), "acknowledged"),
    "answer": (frozenset({"sent", "acknowledged", "no_answer"}), "answered"),
    "no_answer": (frozenset({"sent", "acknowledged"}), "no_answer"),
}
DECISIONS = ("confirmed", "rejected")
MAX_ITEMS = 500
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "mark": ("row", "mark", "at"),
    "trace": ("action", "to", "basis", "reference", "answer", "detail", "at"),
    "match": ("row", "weapon", "decision", "incident", "at"),
    "retain": ("reason", "at"),
    "dispose": ("certificate", "method", "at"),
}
_MARK = re.compile(r"[A-Z0-9][A-Z0-9/._-]{0,63}")


# the record's fields -----------------------------------------------------------------------------

def _choice(value: object, field: str, choices: Sequence[str], *, row: int | None = None) -> str:
    text = (clean_text(value, field, required=True, max_len=40) or "").lower()
    if text not in choices:
        raise InvalidInput(f"{text!r} is not one of {', '.join(choices)}", field=field, row=row)
    return text


def _country(value: object, field: str, *, row: int | None = None) -> str | None:
    text = clean_text(value, field, max_len=3)
    if text is None:
        return None
    code = text.upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise InvalidInput(f"{code!r} is not an ISO 3166 alpha-3 code", field=field, row=row)
    return code


def clean_item(raw: object, row: int) -> dict[str, Any]:
    """One line's description, checked (naming the field and the line's row).

    ``serial`` is kept exactly as read (``?`` or ``*`` for a character that cannot be read); the
    markings are a mapping of :data:`MARKINGS` (``year`` a year of manufacture)."""
    if not isinstance(raw, Mapping):
        raise InvalidInput("describe each item: type, make, model, calibre, serial as read, markings", field="items",
                           row=row)
    try:
        out: dict[str, Any] = {"type": _choice(raw.get("type") or "weapon", "type", ITEM_TYPES)}
        for name, limit in (("make", 100), ("model", 100), ("calibre", 40), ("serial", 64), ("lot", 64)):
            text = clean_text(raw.get(name), name, max_len=limit)
            if text is not None and "|" in text:
                raise InvalidInput("may not contain '|'", field=name)
            if text is not None:
                out[name] = text
        markings_raw = raw.get("markings") or {}
        if not isinstance(markings_raw, Mapping):
            raise InvalidInput(f"markings are {', '.join(MARKINGS)}", field="markings")
        unknown = sorted(set(markings_raw) - set(MARKINGS))
        if unknown:
            raise InvalidInput(f"{unknown[0]!r} is not one of {', '.join(MARKINGS)}", field="markings")
        markings: dict[str, Any] = {}
        country = _country(markings_raw.get("country"), "country")
        if country:
            markings["country"] = country
        year = clean_text(markings_raw.get("year"), "year", max_len=4)
        if year is not None:
            if not year.isdecimal() or not 1850 <= int(year) <= 2100:
                raise InvalidInput(f"{year!r} is not a year of manufacture", field="year")
            markings["year"] = int(year)
        for name in ("factory", "headstamp", "import_marks", "other"):
            text = clean_text(markings_raw.get(name), name, max_len=500)
            if text is not None:
                markings[name] = text
        out["markings"] = markings
        out["condition"] = _choice(raw.get("condition") or "unknown", "condition", CONDITIONS)
        out["safe_to_move"] = _bool(raw.get("safe_to_move", True), "safe_to_move")
    except InvalidInput as exc:
        raise InvalidInput(exc.detail, field=exc.field, row=row) from None
    return out


def clean_fields(fields: Mapping[str, Any], lines: Sequence[tuple[str, int, str]]) -> dict[str, Any]:
    """A recovery record's fields, checked, in the form the records keep (times in microseconds).

    Keeping them again gives the same (a record's fields replay). Without ``how`` the record is
    minimal and has none of these fields. Each line comes from ``recovered:<how>`` or ``lost``.

    Raises:
        InvalidInput: naming the field (and the row of an item).
    """
    if fields.get("how") is None:
        return {}
    how = _choice(fields.get("how"), "how", tuple(How))
    out: dict[str, Any] = {"how": how}
    recovered = _moment(fields.get("recovered_at"), "recovered_at")
    if recovered is None:
        raise InvalidInput("say when it was recovered", field="recovered_at")
    out["recovered_at"] = recovered
    place = clean_text(fields.get("place"), "place", max_len=200)
    lat = _coordinate(fields.get("latitude"), "latitude", 90)
    lon = _coordinate(fields.get("longitude"), "longitude", 180)
    if (lat is None) != (lon is None):
        raise InvalidInput("give both coordinates, or neither", field="latitude" if lat is None else "longitude")
    if place is None and lat is None:
        raise InvalidInput("say where: the place, or its coordinates", field="place")
    if place:
        out["place"] = place
    if lat is not None:
        out["latitude"], out["longitude"] = lat, lon
    out["unit"] = required_text(fields.get("unit"), "unit", max_len=200)
    for name, limit in (("from_whom", 500), ("mission", 40), ("legal_basis", 500), ("narrative", 20_000)):
        text = clean_text(fields.get(name), name, max_len=limit)
        if text:
            out[name] = text.upper() if name == "mission" else text
    items = fields.get("items")
    if not isinstance(items, list | tuple) or len(items) != len(lines):
        raise InvalidInput(f"describe each of the {len(lines)} line(s): one item description a line", field="items")
    out["items"] = [clean_item(raw, row) for row, raw in enumerate(items, start=1)]
    for row, (_, quantity, source) in enumerate(lines, start=1):
        if source not in (f"recovered:{how}", "lost"):
            raise InvalidInput(f"{source}: a line recovered by {how} comes from recovered:{how} (or lost, for a "
                               "weapon recorded as lost)", field="from", row=row)
        if out["items"][row - 1]["type"] == "weapon" and quantity != 1:
            raise InvalidInput("a weapon is one line each", field="quantity", row=row)
    evidence = _evidence(fields.get("evidence"))
    if evidence:
        out["evidence"] = evidence
    return out


# the steps after the record is posted --------------------------------------------------------------

def _at(given: Mapping[str, Any]) -> int:
    at = _moment(given.get("at"), "at")
    if at is None:
        raise InvalidInput("say when", field="at")
    return at


def _row(value: object, fields: Mapping[str, Any], lines: int) -> int:
    try:
        row = value if type(value) is int else int(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{value!r} is not a line number", field="row") from None
    if not 1 <= row <= lines:
        raise InvalidInput(f"the record has lines 1 to {lines}", field="row")
    return row


def clean_mark(value: object) -> str:
    """The mission's mark and number as stamped (``MINUSMA-R-000123``): Latin capitals, digits, / . _ -."""
    text = required_text(value, "mark", max_len=64).upper().replace(" ", "")
    if not _MARK.fullmatch(text):
        raise InvalidInput(f"{text!r}: a mark is letters A-Z, digits and / . _ - (starting with a letter or digit)",
                           field="mark")
    return text


def update(step: str, state: str, fields: dict[str, Any], given: Mapping[str, Any], actor: str,
           lines: int) -> dict[str, Any] | str:
    """The record's fields after ``step`` (one of :data:`STEP_FIELDS`) by ``actor`` with ``given``, or the
    text of a refusal. ``fields`` is the record's, before the step (a copy: changed and returned).

    Raises:
        InvalidInput: a value the step refuses, naming its field.
    """
    if "how" not in fields:
        return f"{step}: this recovery record was registered without its details (how, when, where, items)"
    at = _at(given)
    if at < int(fields["recovered_at"]):
        raise InvalidInput("is before the materiel was recovered", field="at")
    if step == "mark":
        row = _row(given.get("row"), fields, lines)
        mark = clean_mark(given.get("mark"))
        marks = [list(m) for m in fields.get("marks") or ()]
        if any(m[0] == row for m in marks):
            return f"line {row} is marked already ({next(m[1] for m in marks if m[0] == row)})"
        if any(m[1] == mark for m in marks):
            return f"{mark} marks another line of this record"
        fields["marks"] = [*marks, [row, mark, at, actor]]
    elif step == "trace":
        return _trace(fields, given, at, actor)
    elif step == "match":
        row = _row(given.get("row"), fields, lines)
        decision = _choice(given.get("decision"), "decision", DECISIONS)
        weapon = required_text(given.get("weapon"), "weapon", max_len=300)
        incident = clean_text(given.get("incident"), "incident", max_len=60)
        matches = [list(m) for m in fields.get("matches") or ()]
        if decision == "confirmed" and any(m[0] == row and m[2] == "confirmed" for m in matches):
            return f"line {row} is matched already: reject that match first"
        if any(m[0] == row and m[1] == weapon and m[2] == decision for m in matches):
            return f"line {row} and {weapon} are {decision} already"
        fields["matches"] = [*matches, [row, weapon, decision, incident, at, actor]]
    elif step == "retain":
        reason = clean_text(given.get("reason"), "reason", max_len=2000)
        if not reason:
            raise InvalidInput("say why it is kept as evidence", field="reason")
        fields["retention"] = {"reason": reason, "at": at, "by": actor}
    elif step == "dispose":
        certificate = required_text(given.get("certificate"), "certificate", max_len=60)
        method = _choice(given.get("method"), "method", ("destruction", "handover"))
        fields["disposals"] = [*(fields.get("disposals") or ()), {"certificate": certificate, "method": method,
                                                                  "at": at, "by": actor}]
    else:
        return f"a recovery record has no step {step!r}"
    return fields


def _trace(fields: dict[str, Any], given: Mapping[str, Any], at: int, actor: str) -> dict[str, Any] | str:
    action = _choice(given.get("action"), "action", tuple(TRACE_ACTIONS))
    trace = dict(fields.get("trace") or {})
    status = trace.get("status")
    allowed, target = TRACE_ACTIONS[action]
    if status not in allowed:
        need = " or ".join(sorted(s or "no trace" for s in allowed))
        return f"the trace is {status or 'not drafted'}; {action} needs it {need}"
    if action == "draft":
        state = _country(given.get("to"), "to")
        if state is None:
            raise InvalidInput("address the request to a state (ISO 3166 alpha-3)", field="to")
        trace = {"to": state, "basis": _choice(given.get("basis"), "basis", TRACE_BASES), "events": []}
    if action == "send":
        reference = clean_text(given.get("reference"), "reference", max_len=100)
        if reference:
            trace["reference"] = reference
    if action == "answer":
        answer = clean_text(given.get("answer"), "answer", max_len=20_000)
        if not answer:
            raise InvalidInput("record the answer", field="answer")
        trace["answer"] = answer
    detail = clean_text(given.get("detail"), "detail", max_len=2000)
    trace["status"] = target
    trace[f"{target}_at"] = at
    trace["events"] = [*trace.get("events", ()), [action, at, actor, detail]]
    fields["trace"] = trace
    return fields


# the tracing request (ITI) -----------------------------------------------------------------------

def trace_request(number: str, fields: Mapping[str, Any], lines: Sequence[tuple[str, int]],
                  mission: str | None = None) -> dict[str, Any]:
    """The content of a tracing request as the International Tracing Instrument asks for it (reference
    standards.md section 7, para ~17, UNSURE numbering): the illicit nature of the materiel and the legal
    justification, the markings, type, calibre and other information of each item, with its photos
    (SHA-256), and the intended use of the information; addressed to the state of manufacture or of
    last known import."""
    trace = fields.get("trace") or {}
    marks = {m[0]: m[1] for m in fields.get("marks") or ()}
    items = []
    for row, ((key, quantity), item) in enumerate(zip(lines, fields.get("items") or (), strict=False), start=1):
        items.append({"line": row, "item": key, "quantity": quantity, "type": item.get("type"),
                      "make": item.get("make"), "model": item.get("model"), "calibre": item.get("calibre"),
                      "serial_as_read": item.get("serial"), "lot": item.get("lot"),
                      "markings": dict(item.get("markings") or {}), "condition": item.get("condition"),
                      "mission_mark": marks.get(row)})
    recovered = fields.get("recovered_at")
    return {
        "instrument": "International Instrument to Enable States to Identify and Trace, in a Timely and "
                      "Reliable Manner, Illicit Small Arms and Light Weapons (2005)",
        "request": number, "status": trace.get("status"), "reference": trace.get("reference"),
        "addressed_to": trace.get("to"), "basis": trace.get("basis"),
        "requesting": mission or fields.get("mission"),
        "illicit_nature": {
            "how": fields.get("how"), "recovered_at": iso(recovered) if isinstance(recovered, int) else None,
            "place": fields.get("place"), "latitude": fields.get("latitude"), "longitude": fields.get("longitude"),
            "from_whom": fields.get("from_whom"), "unit": fields.get("unit"),
            "legal_basis": fields.get("legal_basis") or "recovered by a peace operation under its mandate",
        },
        "items": items,
        "photos": [{"name": name, "sha256": digest, "size": size, "media_type": media}
                   for name, digest, size, media in fields.get("evidence") or ()],
        "intended_use": "to identify the point of diversion of the materiel and support the mission's "
                        "reporting and accountability; not to be passed to third parties without consent",
    }


# verification --------------------------------------------------------------------------------------

def certificate_problems(found: Mapping[tuple[str, str], Any]) -> list[str]:
    """Why a recovery record's disposal does not stand (``wam verify``): each certificate a record cites
    exists, is a disposal certificate, and disposes of some of the record's items (one certificate may
    dispose of several records' items: a weapons record and its rounds' record). ``found`` maps (type,
    number) to each document as replayed (:func:`wam.domain.documents.replay`)."""
    problems = []
    for (type_name, number), document in sorted(found.items()):
        if type_name != "recovery":
            continue
        items = {line.item for line in document.lines}
        for disposal in document.fields.get("disposals") or ():
            certificate = found.get(("disposal", disposal.get("certificate")))
            if certificate is None:
                problems.append(f"recovery record {number} cites disposal certificate {disposal.get('certificate')!r}, "
                                "which does not exist")
            elif not {line.item for line in certificate.lines} & items:
                problems.append(f"recovery record {number} cites disposal certificate {certificate.number}, which "
                                "disposes of none of its items")
    return problems


# oversight ----------------------------------------------------------------------------------------

DISPOSAL_SETTING = "WAM_RECOVERY_DISPOSAL_DAYS"
TRACE_SETTING = "WAM_TRACE_ANSWER_DAYS"
DEFAULT_DISPOSAL = timedelta(days=90)  # a mission SOP parameter
DEFAULT_TRACE = timedelta(days=60)  # the ITI asks for a reply "in a timely manner", no number of days


def days_from_settings(settings: Mapping[str, str], name: str, default: timedelta) -> timedelta:
    """A number of days the settings (``os.environ``) set under ``name``; ``default`` if unset."""
    text = (settings.get(name) or "").strip()
    if not text:
        return default
    try:
        days = float(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a number of days", field=name) from None
    if not 0 < days <= 3660:
        raise InvalidInput("must be more than 0 days and at most ten years", field=name)
    return timedelta(days=days)


SETTLED = frozenset({"retained", "cancelled"})  # and an executed disposal certificate


def disposal_overdue(state: str, fields: Mapping[str, Any], now: datetime, limit: timedelta,
                     disposed: bool = False, own: bool = False) -> bool:
    """In custody, not retained as evidence nor disposed of (its certificate executed), more than
    ``limit`` after it was recovered. A record of the mission's own weapons back from ``lost`` (``own``)
    returns them to service: it needs no disposal."""
    if own or disposed or state in SETTLED or "recovered_at" not in fields:
        return False
    return now - from_micros(int(fields["recovered_at"])) > limit


def trace_unanswered(fields: Mapping[str, Any], now: datetime, limit: timedelta) -> bool:
    """A tracing request sent (or acknowledged, or declared unanswered) more than ``limit`` ago and not
    answered."""
    trace = fields.get("trace") or {}
    if trace.get("status") not in ("sent", "acknowledged", "no_answer"):
        return False
    return now - from_micros(int(trace["sent_at"])) > limit
