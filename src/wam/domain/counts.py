"""Stock counts: a count session, its reconciliation against the book and its cases (pure).

A count is a document of type ``count`` (:data:`wam.domain.documents.COUNT`). A session goes

    start (counting) -> record ... (counting) -> close (reconciled) -> review ... -> post (posted)

- ``start`` names the holder counted (a store, or a site: the holder and every holder under it),
  the mode (``full``, or ``sample``: only the items whose key begins with one of the sample's
  prefixes, e.g. ``W|FN|FAL``), whether it is ``blind`` (the counter never sees the book figure:
  the services never show a count's book figures before it is closed), the counter, the witness,
  the moment it started and the threshold rules in force (:class:`Rules`, copied into the count).
- ``record`` adds a batch of counted lines: ``[item key or None, as read, quantity, how, holder,
  moment]``; ``how`` is ``scan`` or ``typed``; a serial that no registered item has is kept as read
  (key None). The lines are kept in the step's record only (a 100,000-item count is not copied into
  every later record); the document keeps how many and a running SHA-256 of the batches, so a
  batch changed in the records chain no longer replays.
- ``close`` takes the cases that :func:`reconcile` found (the services read the book) and decides
  the ones under the threshold (``auto``); ``review`` is a second person's decision on the others
  (approved or rejected, with an explanation), never the counter's nor the starter's, and
  ``post`` posts the approved adjustments, once no case waits.

The book at the count's moment (:func:`reconcile`): a busy armoury can be counted, because each
counted line is compared with the book **at that line's own moment**, and an item that was not
counted is judged over the whole count, from its start to its close:

- a serialised item counted at moment *m* is in place when the book has it at the holder where
  it was counted at *m*; it is in the *wrong place* when the book has it at another holder of the
  mission (a case from that holder), a *surplus* when nobody holds it, or ``count-adjustment``
  (an adjustment can bring it in), or an external holder (``lost``: a recovery, no adjustment);
- a serialised item not counted is *missing* only when the book had it in the counted holders for
  the whole count (at the start, and no movement of it during the count); one that left during
  the count is not expected, and one that arrived during the count is *unverified* (listed, not a
  case: the counter may have passed its shelf before it came);
- a lot counted is compared with the book at the moment of its last line (its lines are summed:
  count a lot in one go); a lot not counted is expected at its balance at the start less what
  left during the count (what arrived is unverified);
- a lot's surplus and another lot's shortfall of the same make and model at the same holder
  are paired into a *wrong lot* case (the lesser quantity), the rest stays surplus and missing.

Cases and thresholds: a case needs a second person's approval when the count's rules say so
(:class:`Rules`: any serialised item, or more than ``quantity_over`` units), else it is decided
``auto`` at the close. An approved missing serialised weapon with no explanation is not adjusted:
the services open a loss incident for it (action ``incident``); explained, it is adjusted.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidInput
from .holders import external_family
from .movements import MAX_QUANTITY
from .text import clean_text, required_text

ADJUST = "count-adjustment"
MODES = ("full", "sample")
SCOPES = ("store", "site")
HOW = ("scan", "typed")
KINDS = ("missing", "surplus", "wrong_place", "wrong_lot")
DECISIONS = ("approved", "rejected")
MAX_BATCH = 200_000
START, RECORD, CLOSE, REVIEW = "start", "record", "close", "review"
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    START: ("holder", "scope", "mode", "sample", "blind", "counter", "witness", "started_at", "rules", "note"),
    RECORD: ("lines",),
    CLOSE: ("cases", "closed_at", "unverified", "duplicates"),
    REVIEW: ("decisions", "role"),
}


@dataclass(frozen=True, slots=True)
class Rules:
    """Which cases need a second person's approval; versioned, copied into each count at its start."""

    version: str = "2026-1"
    serialised: bool = True  # any serialised item
    quantity_over: int = 50  # more than this many units of a lot

    def as_dict(self) -> dict[str, Any]:
        return {"version": self.version, "serialised": self.serialised, "quantity_over": self.quantity_over}

    @classmethod
    def from_dict(cls, raw: object) -> Rules:
        if raw is None:
            return DEFAULT_RULES
        if not isinstance(raw, Mapping):
            raise InvalidInput("threshold rules are a version, serialised and quantity_over", field="rules")
        version = required_text(raw.get("version"), "version", max_len=40)
        over = raw.get("quantity_over", DEFAULT_RULES.quantity_over)
        if type(over) is not int or over < 0:
            raise InvalidInput("quantity_over is a whole number, 0 or more", field="quantity_over")
        return cls(version, bool(raw.get("serialised", True)), over)

    def needs_approval(self, serialised: bool, quantity: int) -> bool:
        return (serialised and self.serialised) or quantity > self.quantity_over


DEFAULT_RULES = Rules()


# the session's steps ---------------------------------------------------------------------------

def _moment(value: object, name: str) -> int:
    if type(value) is not int or value < 0:
        raise InvalidInput("give a moment (microseconds)", field=name)
    return value


def clean_start(given: Mapping[str, Any], actor: str) -> dict[str, Any]:
    """A new session's fields, checked (raises InvalidInput naming the field)."""
    holder = required_text(given.get("holder"), "holder", max_len=64)
    if external_family(holder) is not None:
        raise InvalidInput(f"{holder} is not a holder of the mission: count a store or a site", field="holder")
    scope = str(given.get("scope") or "store")
    if scope not in SCOPES:
        raise InvalidInput(f"{scope!r} is not a scope ({', '.join(SCOPES)})", field="scope")
    mode = str(given.get("mode") or "full")
    if mode not in MODES:
        raise InvalidInput(f"{mode!r} is not a mode ({', '.join(MODES)})", field="mode")
    sample = [required_text(p, "sample", max_len=200) for p in (given.get("sample") or ())]
    if (mode == "sample") != bool(sample):
        raise InvalidInput("a sample count names its sample (item key prefixes, e.g. W|FN|FAL); a full one none",
                           field="sample")
    counter = clean_text(given.get("counter"), "counter", max_len=100) or actor
    witness = clean_text(given.get("witness"), "witness", max_len=100)
    if witness is not None and witness == counter:
        raise InvalidInput("the witness is not the counter", field="witness")
    out: dict[str, Any] = {"holder": holder, "scope": scope, "mode": mode, "sample": sample,
                           "blind": bool(given.get("blind", True)), "counter": counter,
                           "started_at": _moment(given.get("started_at"), "started_at"),
                           "rules": Rules.from_dict(given.get("rules")).as_dict(), "recorded": 0, "digest": "",
                           "started_by": actor}
    if witness:
        out["witness"] = witness
    note = clean_text(given.get("note"), "note", max_len=2000)
    if note:
        out["note"] = note
    return out


def clean_batch(raw: object, started_at: int) -> list[list[Any]]:
    """A batch of counted lines ``[key or None, as read, quantity, how, holder, moment]``, checked."""
    if not isinstance(raw, list | tuple) or not raw:
        raise InvalidInput("record at least one counted line", field="lines")
    if len(raw) > MAX_BATCH:
        raise InvalidInput(f"record at most {MAX_BATCH:,} lines at a time", field="lines")
    out = []
    for row, line in enumerate(raw, start=1):
        if not isinstance(line, list | tuple) or len(line) != 6:
            raise InvalidInput("a counted line is [key, as read, quantity, how, holder, moment]", field="lines",
                               row=row)
        key, read, qty, how, holder, at = line
        if key is not None and (not isinstance(key, str) or not key):
            raise InvalidInput("an item key, or none for a serial no item has", field="item", row=row)
        if not isinstance(read, str) or not read or len(read) > 300:
            raise InvalidInput("what was read (a serial, a key)", field="item", row=row)
        if type(qty) is not int or qty < 1 or qty > MAX_QUANTITY:
            raise InvalidInput(f"a quantity of at least 1 and at most {MAX_QUANTITY:,}", field="quantity", row=row)
        if how not in HOW:
            raise InvalidInput(f"{how!r}: a line is scanned or typed ({', '.join(HOW)})", field="how", row=row)
        if not isinstance(holder, str) or not holder:
            raise InvalidInput("the holder where it was counted", field="holder", row=row)
        if type(at) is not int or at < started_at:
            raise InvalidInput("a line is counted after the count started", field="at", row=row)
        out.append([key, read, qty, how, holder, at])
    return out


def digest(previous: str, batch: Sequence[Sequence[Any]]) -> str:
    text = json.dumps(batch, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((previous + text).encode()).hexdigest()


def update(step: str, state: str, fields: dict[str, Any], given: Mapping[str, Any], actor: str,
           lines: int) -> dict[str, Any] | str:
    """The count's custom steps (:attr:`wam.domain.documents.DocumentType.update`)."""
    if step == START:
        return clean_start(given, actor)
    if step == RECORD:
        if actor != fields["counter"]:
            return f"{fields['counter']} counts it: {actor} may not record its lines"
        batch = clean_batch(given.get("lines"), fields["started_at"])
        return {**fields, "recorded": fields["recorded"] + len(batch), "digest": digest(fields["digest"], batch)}
    if step == CLOSE:
        closed = _moment(given.get("closed_at"), "closed_at")
        if closed < fields["started_at"]:
            return "a count closes after it started"
        rules = Rules.from_dict(fields["rules"])
        raw = given.get("cases") or []
        if not isinstance(raw, list) or not all(isinstance(case, Mapping) for case in raw):
            return "a close gives its cases as a list (the services reconcile: wam counts close)"
        cases = [_clean_case(n, c, rules) for n, c in enumerate(raw, start=1)]
        out = {**fields, "closed_at": closed, "closed_by": actor, "cases": cases,
               "unverified": _count(given.get("unverified")), "duplicates": _count(given.get("duplicates"))}
        return out
    if step == REVIEW:
        if actor in (fields["counter"], fields.get("started_by")):
            return f"{actor} counted it: someone else must approve its discrepancies"
        role = clean_text(given.get("role"), "role", max_len=40)
        if not role:
            return "the approver's role is recorded: give role"
        return _decide(fields, given.get("decisions"), actor, role)
    return f"no step {step!r}"


def _count(value: object) -> int:
    return value if type(value) is int and value >= 0 else 0


def _clean_case(number: int, raw: Mapping[str, Any], rules: Rules) -> dict[str, Any]:
    if raw.get("kind") not in KINDS:
        raise InvalidInput(f"case {number}: {raw.get('kind')!r} is not a discrepancy ({', '.join(KINDS)})",
                           field="cases")
    qty = raw.get("quantity")
    if type(qty) is not int or qty < 1:
        raise InvalidInput(f"case {number}: a quantity of at least 1", field="cases")
    serialised = bool(raw.get("serialised"))
    action = str(raw.get("action") or "adjust")
    if raw["kind"] == "missing" and serialised and raw.get("weapon"):
        action = "incident"
    needs = rules.needs_approval(serialised, qty) or action != "adjust"
    case = {"id": number, "kind": raw["kind"], "item": raw.get("item"), "read": raw.get("read"),
            "holder": str(raw.get("holder")), "other": raw.get("other"), "book": raw.get("book"),
            "counted": raw.get("counted"), "quantity": qty, "serialised": serialised, "weapon": bool(raw.get("weapon")),
            "action": action, "approval": needs, "decision": None if needs else "auto"}
    return case


def _decide(fields: dict[str, Any], decisions: object, actor: str, role: str) -> dict[str, Any] | str:
    if not isinstance(decisions, Mapping) or not decisions:
        return "decide at least one case: {case id: approved or rejected, with an explanation}"
    cases = [dict(c) for c in fields.get("cases") or ()]
    by_id = {c["id"]: c for c in cases}
    for raw_id, raw in decisions.items():
        case = by_id.get(int(raw_id)) if str(raw_id).isdecimal() else None
        if case is None:
            return f"no case {raw_id}"
        if case["decision"] is not None:
            return f"case {raw_id} is decided already ({case['decision']})"
        decision, explanation = (raw, None) if isinstance(raw, str) else (raw.get("decision"), raw.get("explanation"))
        if decision not in DECISIONS:
            return f"case {raw_id}: {decision!r} is not a decision ({', '.join(DECISIONS)})"
        case["decision"], case["by"], case["role"] = decision, actor, role
        if explanation:
            case["explanation"] = clean_text(explanation, "explanation", max_len=2000)
            if case["action"] == "incident":
                case["action"] = "adjust"  # explained: adjusted, not a loss
    return {**fields, "cases": cases}


def guard(step: str, state: str, fields: Mapping[str, Any], actor: str, drafter: str) -> str | None:
    """The count's rule on posting: a session posts once every case is decided."""
    if step == "post" and state == "reconciled":
        waiting = [str(c["id"]) for c in fields.get("cases") or () if c["decision"] is None]
        if waiting:
            return f"case{'s' if len(waiting) > 1 else ''} {', '.join(waiting)} await a second person's approval"
    return None


def lines_of(fields: Mapping[str, Any]) -> list[tuple[str, int, str, str]]:
    """The adjustments the decided cases post: (item, quantity, from, to), merged by item and ends."""
    out: dict[tuple[str, str, str], int] = {}

    def add(item: str, qty: int, source: str, target: str) -> None:
        out[(item, source, target)] = out.get((item, source, target), 0) + qty

    for case in fields.get("cases") or ():
        if case["decision"] not in ("auto", "approved") or case["action"] != "adjust":
            continue
        item, qty, holder, other = case["item"], case["quantity"], case["holder"], case.get("other")
        if case["kind"] == "missing":
            add(item, qty, holder, ADJUST)
        elif case["kind"] == "surplus":
            add(item, qty, ADJUST, holder)
        elif case["kind"] == "wrong_place":
            add(item, qty, other, ADJUST)
            add(item, qty, ADJUST, holder)
        else:  # wrong_lot: the book's lot leaves, the counted lot comes in
            add(other, qty, holder, ADJUST)
            add(item, qty, ADJUST, holder)
    return [(item, qty, source, target) for (item, source, target), qty in out.items()]


def incidents_of(fields: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The approved cases that open a loss incident: missing weapons no one explained."""
    return [c for c in fields.get("cases") or () if c["decision"] == "approved" and c["action"] == "incident"]


# reconciliation --------------------------------------------------------------------------------

@dataclass(slots=True)
class Book:
    """The book of the serialised items a reconciliation needs (plain maps: a count has 100,000 of them).

    ``start``: each item's holder at the count's start (None: nobody); ``moves``: each change after the
    start, (moment, holder after), in occurrence order, of the items that moved; ``not_weapons``: the
    serialised items that are not weapons (equipment)."""

    start: dict[str, str | None] = field(default_factory=dict)
    moves: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    not_weapons: set[str] = field(default_factory=set)

    def holder_at(self, key: str, moment: int) -> str | None:
        holder = self.start.get(key)
        for at, after in self.moves.get(key, ()):
            if at > moment:
                break
            holder = after
        return holder


@dataclass(slots=True)
class LotBook:
    """A lot's book at one holder: its balance at the start and each change after it (moment, delta)."""

    at_start: int
    changes: list[tuple[int, int]] = field(default_factory=list)

    def at(self, moment: int) -> int:
        return self.at_start + sum(d for at, d in self.changes if at <= moment)


@dataclass(slots=True)
class Result:
    cases: list[dict[str, Any]]
    unverified: int
    duplicates: int


def in_sample(key: str, sample: Sequence[str]) -> bool:
    return not sample or any(key.startswith(prefix) for prefix in sample)


def reconcile(fields: Mapping[str, Any], counted: Iterable[Sequence[Any]], closed_at: int, inside: frozenset[str],
              serials: Book, lots: Mapping[tuple[str, str], LotBook]) -> Result:
    """The count's cases, by the rule of the module's docstring.

    Args:
        fields: the count's fields (its sample).
        counted: every counted line ``[key or None, as read, quantity, how, holder, moment]``; a key
            ``W|...`` is serialised, ``L|...`` a lot.
        closed_at: the close's moment; ``inside``: the codes of the holders counted.
        serials: the book of each serialised item counted or held inside during the count.
        lots: the book of each (lot key, holder inside) held or counted.
    """
    sample = fields.get("sample") or ()
    cases: list[dict[str, Any]] = []
    seen: dict[str, tuple[str, int]] = {}
    lot_counted: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    duplicates = 0
    for key, read, qty, _how, holder, at in counted:
        if key is None:
            cases.append({"kind": "surplus", "item": None, "read": read, "holder": holder, "quantity": qty,
                          "serialised": True, "action": "register", "book": 0, "counted": qty})
        elif key[:2] == "W|":
            if key in seen:
                duplicates += 1
            else:
                seen[key] = (holder, at)
        else:
            total = lot_counted[(key, holder)]
            total[0] += qty
            total[1] = max(total[1], at)
    unverified = 0
    moves, not_weapons = serials.moves, serials.not_weapons
    for key, at_start in serials.start.items():
        if sample and not in_sample(key, sample):
            continue
        counted_at = seen.get(key)
        if counted_at is not None:
            holder, at = counted_at
            now = serials.holder_at(key, at) if key in moves else at_start
            if now == holder:
                continue
            weapon = key not in not_weapons
            if now is not None and now != ADJUST and external_family(now) is None:
                cases.append({"kind": "wrong_place", "item": key, "holder": holder, "other": now, "quantity": 1,
                              "serialised": True, "weapon": weapon, "book": 0, "counted": 1})
            else:
                cases.append({"kind": "surplus", "item": key, "holder": holder, "other": now, "quantity": 1,
                              "serialised": True, "weapon": weapon, "book": 0, "counted": 1,
                              "action": "adjust" if now in (None, ADJUST) else "refer"})
            continue
        moved = [c for c in moves.get(key, ()) if c[0] <= closed_at]
        if at_start in inside and not moved:
            cases.append({"kind": "missing", "item": key, "holder": at_start, "quantity": 1, "serialised": True,
                          "weapon": key not in not_weapons, "book": 1, "counted": 0})
        elif serials.holder_at(key, closed_at) in inside:
            unverified += 1
    for key, (holder, _at) in seen.items():  # counted, with no book at all: never in the ledger
        if key not in serials.start and in_sample(key, sample):
            cases.append({"kind": "surplus", "item": key, "holder": holder, "other": None, "quantity": 1,
                          "serialised": True, "weapon": key not in not_weapons, "book": 0, "counted": 1})
    missing: dict[tuple[str, str], int] = {}
    surplus: dict[tuple[str, str], int] = {}
    figures: dict[tuple[str, str], tuple[int, int]] = {}  # (book, counted)
    for lot_holder in sorted(set(lots) | set(lot_counted)):
        key, holder = lot_holder
        if not in_sample(key, sample):
            continue
        lot = lots.get(lot_holder, LotBook(0))
        if lot_holder in lot_counted:
            qty, last = lot_counted[lot_holder]
            diff = qty - lot.at(last)
        else:
            window = [d for when, d in lot.changes if when <= closed_at]
            expected = max(0, lot.at_start + sum(d for d in window if d < 0))
            if any(d > 0 for d in window):
                unverified += 1
            qty, diff = 0, -expected
        figures[lot_holder] = (qty - diff, qty)
        if diff > 0:
            surplus[lot_holder] = diff
        elif diff < 0:
            missing[lot_holder] = -diff
    for (key, holder), extra in sorted(surplus.items()):  # a surplus lot and a missing one of the same model
        model = key.rsplit("|", 1)[0]
        for (other, where), short in sorted(missing.items()):
            if extra == 0 or where != holder or other == key or other.rsplit("|", 1)[0] != model or short == 0:
                continue
            paired = min(extra, short)
            cases.append({"kind": "wrong_lot", "item": key, "holder": holder, "other": other, "quantity": paired,
                          "serialised": False, "book": figures[(other, where)][0],
                          "counted": figures[(key, holder)][1]})
            extra -= paired
            missing[(other, where)] = short - paired
        surplus[(key, holder)] = extra
    for (key, holder), qty in sorted(surplus.items()):
        if qty:
            figure, count = figures[(key, holder)]
            cases.append({"kind": "surplus", "item": key, "holder": holder, "quantity": qty, "serialised": False,
                          "book": figure, "counted": count})
    for (key, holder), qty in sorted(missing.items()):
        if qty:
            figure, count = figures[(key, holder)]
            cases.append({"kind": "missing", "item": key, "holder": holder, "quantity": qty, "serialised": False,
                          "book": figure, "counted": count})
    return Result(cases, unverified, duplicates)


def progress(fields: Mapping[str, Any]) -> dict[str, Any]:
    """What a counter may see of a count while counting (blind or not): never a book figure."""
    keep = ("holder", "scope", "mode", "sample", "blind", "counter", "witness", "started_at", "recorded", "note")
    return {name: fields[name] for name in keep if name in fields}
