"""``wam recoveries register|list|show|mark|trace|confirm|reject|dispose|oversight|export``: the
recovered-materiel register (issue 12) beside ``wam recoveries match`` (:mod:`wam.cli.recoveries`).

Example::

    wam recoveries register --to GAO-ARM --how checkpoint --recovered-at 2024-03-01T10:00Z \\
        --place "checkpoint north of Gao" --lat 16.3 --lon -0.05 --unit "1st BANBAT patrol" \\
        --from-whom "driver of a pick-up, as reported" --witness "Lt Karim" \\
        --serial 56-OOO12 --make Norinco --model "Type 56" --calibre 7.62x39mm --photo marks.jpg --actor alice
    wam recoveries register --to GAO-ARM --how cache ... --items cache.json   # a list of item descriptions
    wam recoveries mark REC-000001 --line 1 --mark MINUSMA-R-000123 --actor alice
    wam recoveries trace REC-000001 draft --to CHN --basis manufacture --actor alice
    wam recoveries trace REC-000001 send --reference MINUSMA/TR/2024/7 --actor alice
    wam recoveries export REC-000001 --trace -o trace.json                    # the ITI tracing request
    wam recoveries confirm REC-000001 --line 1 --weapon "W|NORINCO|TYPE 56|56-00012" --actor alice
    wam recoveries dispose REC-000001 --method destruction --destruction cutting --witness "UNMAS" --actor alice
    wam recoveries dispose REC-000001 --step approve --actor bob             # then --step execute
    wam recoveries dispose REC-000002 --method retention --reason "evidence for the prosecutor" --actor alice
    wam recoveries oversight --json

With accounts, ``--actor`` must be a user whose grants allow the step, as on the web.
"""

from __future__ import annotations

import getpass
import json
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from wam.domain.errors import InvalidInput

from . import common
from .recoveries import recoveries_app

T = TypeVar("T")
ActorOption = typer.Option(None, "--actor", help="Who takes the step (default: your user name); with accounts, "
                                                 "a user whose grants allow the step.")
JsonOption = typer.Option(False, "--json")
AtOption = typer.Option(None, "--at", help="When (ISO 8601; default: now).")


def _act(actor: str | None, doing: str, whole: Callable[[Any, str], T], scoped: Callable[[Any], T]) -> T:
    """``whole(ledger, actor)`` on a ledger without accounts, else ``scoped(ScopedRecoveries)`` as the actor."""
    from wam.services import recoveries

    return common.act(actor, recoveries.TYPE, doing, whole,
                      lambda as_user: scoped(recoveries.ScopedRecoveries(as_user)))


def _show(number: str, as_json: bool) -> None:
    from wam.services import recoveries
    from wam.services.matching import match_everything

    ledger = common.open_ledger()
    shown = recoveries.full(ledger, number, candidates=lambda reads, own: match_everything(ledger, reads, exclude=own))
    if as_json:
        common.print_json(shown)
        return
    common.stdout.print(_line(shown), markup=False)
    for item in shown["items"]:
        what = " ".join(str(item.get(k)) for k in ("make", "model", "calibre") if item.get(k))
        common.stdout.print(f"  {item['line']}. {item['quantity']} x {item['type']} {what} serial as read "
                            f"{item.get('serial') or '-'} -> {item['item']}"
                            + (f", mark {item['mark']}" if item.get("mark") else "")
                            + (f", matched {item['match']['weapon']}" if item.get("match") else ""), markup=False)
        for c in item.get("candidates") or ():
            common.stdout.print(f"     candidate {c['score']:.3f} {c['weapon']} {c['status']} "
                                f"({c['incident'] or c['holder']}): {c['reason']}", markup=False)
    for line in shown["custody"]:
        for movement in line["movements"]:
            common.stdout.print(f"  custody {line['line']}: {movement['occurred_at']} {movement['kind']} "
                                f"{movement['from']} -> {movement['to']} by {movement['actor']}"
                                f" (witness {movement['witness'] or 'none'})", markup=False)
        for gap in line["gaps"]:
            common.stdout.print(f"  custody gap {line['line']}: {gap}", markup=False)


def _line(row: dict[str, Any]) -> str:
    flags = [name for name, on in (("disposal overdue", row["disposal_overdue"]),
                                   ("trace unanswered", row["trace_unanswered"])) if on]
    disposal = row["disposal"]
    return (f"{row['id']} {row['state']}: {row['recovered_at'] or '-'} {row['how'] or '-'} at "
            f"{row['place'] or '-'} into {row['store']}, {row['lines']} line(s), {row['weapons']} weapon(s)"
            + (f", trace {row['trace']}" if row["trace"] else "")
            + (f", {disposal['method']} {disposal['certificate']} ({disposal['state']})" if disposal else "")
            + (f" ({', '.join(flags)})" if flags else ""))


def _items(items: Path | None, serials: list[str], kind: str, make: str | None, model: str | None,
           calibre: str | None, condition: str | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"type": kind, "make": make, "model": model, "calibre": calibre, "serial": s,
                                  "condition": condition} for s in serials]
    if items is not None:
        try:
            loaded = json.loads(items.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InvalidInput(f"cannot read {items}: {exc.strerror}", field="items") from None
        except ValueError as exc:
            raise InvalidInput(f"{items} is not JSON: {exc}", field="items") from None
        if not isinstance(loaded, list):
            raise InvalidInput("the file is a JSON list of item descriptions", field="items")
        out.extend(loaded)
    if not out:
        raise InvalidInput("give --serial (repeated) or --items FILE", field="items")
    return out


@recoveries_app.command("register")
def register(
    to: str = typer.Option(..., "--to", help="The store the items go into."),
    how: str = typer.Option(..., "--how", help="checkpoint, cache, surrender, operation, engagement, handover"),
    recovered_at: str = typer.Option(..., "--recovered-at", help="When (ISO 8601); the recovery is posted then."),
    place: str | None = typer.Option(None, help="Where, in words."),
    latitude: float | None = typer.Option(None, "--lat"),
    longitude: float | None = typer.Option(None, "--lon"),
    unit: str = typer.Option(..., help="The unit that recovered it."),
    from_whom: str | None = typer.Option(None, "--from-whom", help="From whom, as reported."),
    mission: str | None = typer.Option(None),
    legal_basis: str | None = typer.Option(None, "--legal-basis", help="The mandate or legal basis."),
    narrative: str | None = typer.Option(None),
    serial: list[str] = typer.Option([], "--serial", help="A weapon's serial as read (? for a character not "
                                                          "readable), repeated; with --make, --model, --calibre."),
    kind: str = typer.Option("weapon", "--type", help="For --serial: weapon or equipment."),
    make: str | None = typer.Option(None),
    model: str | None = typer.Option(None),
    calibre: str | None = typer.Option(None),
    condition: str | None = typer.Option(None, help="serviceable, unserviceable, suspended, repairable, unknown"),
    items: Path | None = typer.Option(None, "--items", help="A JSON list of item descriptions (docs/recoveries.md)."),
    photo: list[Path] = typer.Option([], "--photo", help="A photograph, repeated: kept by its SHA-256."),
    witness: str | None = typer.Option(None, help="Who witnessed the entry into custody."),
    note: str | None = typer.Option(None),
    number: str | None = typer.Option(None, help="The record's number (default: the next REC-nnnnnn)."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Register recovered materiel and take it into custody at --to, all or nothing.

    Example: wam recoveries register --to GAO-ARM --how checkpoint --recovered-at 2024-03-01T10:00Z
    --place "north checkpoint" --unit "1st BANBAT" --serial 56-OOO12 --model "Type 56"
    """
    from wam.services import recoveries

    described = _items(items, serial, kind, make, model, calibre, condition)
    files = []
    for row, path in enumerate(photo, start=1):
        try:
            files.append((path.name, path.read_bytes(), mimetypes.guess_type(path.name)[0]))
        except OSError as exc:
            raise InvalidInput(f"cannot read {path}: {exc.strerror}", field="photo", row=row) from None
    fields: dict[str, Any] = {k: v for k, v in {"recovered_at": recovered_at, "place": place, "latitude": latitude,
                                "longitude": longitude, "unit": unit, "from_whom": from_whom, "mission": mission,
                                "legal_basis": legal_basis, "narrative": narrative, "witness": witness,
                                "note": note, "number": number, "evidence": files}.items() if v is not None}
    document = _act(actor, "register a recovery",
                    lambda ledger, name: recoveries.register(ledger, actor=name, to=to, items=described, how=how,
                                                             **fields),
                    lambda scoped: scoped.register(to=to, items=described, how=how, **fields))
    _show(document.number, as_json)


@recoveries_app.command("list")
def listing(
    how: str | None = typer.Option(None), state: str | None = typer.Option(None, help="registered, posted, "
                                                                                      "retained, disposal"),
    store: str | None = typer.Option(None), trace: str | None = typer.Option(None, help="drafted, sent, ..."),
    overdue: bool | None = typer.Option(None, "--overdue/--on-time", help="Disposal overdue, or not."),
    unanswered: bool | None = typer.Option(None, "--unanswered/--answered", help="A trace without an answer."),
    as_json: bool = JsonOption,
) -> None:
    """List the recovery records with what is derived from them (disposal overdue, trace unanswered).

    Example: wam recoveries list --overdue --json
    """
    from wam.services import recoveries

    rows = recoveries.listing(common.open_ledger(), how=how, state=state, store=store, trace=trace,
                              disposal_overdue=overdue, trace_unanswered=unanswered)
    if as_json:
        common.print_json({"recoveries": rows})
        return
    for row in rows:
        common.stdout.print(_line(row), markup=False)


@recoveries_app.command("show")
def show(number: str = typer.Argument(...), as_json: bool = JsonOption) -> None:
    """Show a recovery record: its facts, items, marks, trace, disposal, steps and custody chain.

    Example: wam recoveries show REC-000001 --json
    """
    _show(number, as_json)


@recoveries_app.command("mark")
def mark(number: str = typer.Argument(...), line: int = typer.Option(..., "--line"),
         mark_text: str = typer.Option(..., "--mark", help="The mission's mark and number, as stamped."),
         at: str | None = AtOption, actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """Record the mission's mark on one line's item (searchable like a serial: wam recoveries match --mark).

    Example: wam recoveries mark REC-000001 --line 1 --mark MINUSMA-R-000123
    """
    from wam.services import recoveries

    _act(actor, f"mark {number}",
         lambda ledger, name: recoveries.step(ledger, number, "mark", actor=name, at=at, row=line, mark=mark_text),
         lambda scoped: scoped.step(number, "mark", at=at, row=line, mark=mark_text))
    _show(number, as_json)


@recoveries_app.command("trace")
def trace(
    number: str = typer.Argument(...),
    action: str = typer.Argument(..., help="draft, send, acknowledge, answer, no_answer"),
    to: str | None = typer.Option(None, "--to", help="For draft: the state addressed (ISO3)."),
    basis: str | None = typer.Option(None, help="For draft: manufacture or import (the state's role)."),
    reference: str | None = typer.Option(None, help="For send: the request's reference."),
    answer: str | None = typer.Option(None, help="For answer: what the state answered."),
    detail: str | None = typer.Option(None, help="A note on this step."),
    at: str | None = AtOption, actor: str | None = ActorOption, as_json: bool = JsonOption,
) -> None:
    """Take a step of the record's tracing request (International Tracing Instrument).

    Example: wam recoveries trace REC-000001 draft --to CHN --basis manufacture
    """
    from wam.services import recoveries

    given = {"action": action, "to": to, "basis": basis, "reference": reference, "answer": answer, "detail": detail}
    _act(actor, f"trace {number}",
         lambda ledger, name: recoveries.step(ledger, number, "trace", actor=name, at=at, **given),
         lambda scoped: scoped.step(number, "trace", at=at, **given))
    _show(number, as_json)


def _decide(number: str, line: int, weapon: str, actor: str | None, decision: str) -> None:
    from wam.services import recoveries

    _act(actor, f"match {number}",
         lambda ledger, name: recoveries.decide(ledger, number, line, weapon, decision, actor=name),
         lambda scoped: (scoped.confirm if decision == "confirmed" else scoped.reject)(number, line, weapon))


@recoveries_app.command("confirm")
def confirm(number: str = typer.Argument(...), line: int = typer.Option(..., "--line"),
            weapon: str = typer.Option(..., "--weapon", help="The candidate's item key."),
            actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """Confirm that a line is a recorded weapon (a candidate of its match): links the incident that lost it.

    Example: wam recoveries confirm REC-000001 --line 1 --weapon "W|NORINCO|TYPE 56|56-00012"
    """
    _decide(number, line, weapon, actor, "confirmed")
    _show(number, as_json)


@recoveries_app.command("reject")
def reject(number: str = typer.Argument(...), line: int = typer.Option(..., "--line"),
           weapon: str = typer.Option(..., "--weapon"), actor: str | None = ActorOption,
           as_json: bool = JsonOption) -> None:
    """Reject a candidate of a line's match (or withdraw a confirmation)."""
    _decide(number, line, weapon, actor, "rejected")
    _show(number, as_json)


@recoveries_app.command("dispose")
def dispose(
    number: str = typer.Argument(...),
    method: str | None = typer.Option(None, help="destruction, handover or retention (as evidence)"),
    destruction: str | None = typer.Option(None, help="For destruction: cutting, crushing, burning, ..."),
    witness: str | None = typer.Option(None, help="For destruction: the witness(es)."),
    host_state: str | None = typer.Option(None, "--host-state", help="For handover: the state (ISO3)."),
    receipt: str | None = typer.Option(None, help="For handover: the receipt's number."),
    authority: str | None = typer.Option(None, help="For handover: the receiving authority."),
    certificate: str | None = typer.Option(None, help="The certificate's number (default: the next DSP-nnnnnn)."),
    reason: str | None = typer.Option(None, help="For retention: why it is kept as evidence."),
    step: str | None = typer.Option(None, "--step", help="approve, execute or cancel the record's certificate."),
    note: str | None = typer.Option(None),
    at: str | None = AtOption, actor: str | None = ActorOption, as_json: bool = JsonOption,
) -> None:
    """Dispose of a record's items: draft a certificate of destruction or handover (--method), take its next
    --step (approve by someone else, execute: the disposal movements), or retain them as evidence.

    Example: wam recoveries dispose REC-000001 --method destruction --destruction cutting --witness UNMAS
    """
    from wam.services import recoveries

    if (method is None) == (step is None):
        raise InvalidInput("give --method (destruction, handover, retention) or --step (approve, execute, cancel)",
                           field="method")
    if step is not None:
        _act(actor, f"{step} the disposal of {number}",
             lambda ledger, name: recoveries.disposal_step(ledger, number, step, actor=name),
             lambda scoped: scoped.disposal_step(number, step))
    elif method == "retention":
        _act(actor, f"retain {number}",
             lambda ledger, name: recoveries.step(ledger, number, "retain", actor=name, at=at, reason=reason),
             lambda scoped: scoped.step(number, "retain", at=at, reason=reason))
    else:
        fields = {k: v for k, v in {"destruction": destruction, "witness": witness, "host_state": host_state,
                                    "receipt": receipt, "authority": authority, "certificate": certificate,
                                    "note": note, "at": at}.items() if v is not None}
        _act(actor, f"dispose of {number}",
             lambda ledger, name: recoveries.dispose(ledger, number, actor=name, method=method or "", **fields),
             lambda scoped: scoped.dispose(number, method=method or "", **fields))
    _show(number, as_json)


@recoveries_app.command("oversight")
def oversight(as_json: bool = JsonOption) -> None:
    """What needs a WAM officer's attention: disposal overdue, traces unanswered, custody gaps.

    Example: wam recoveries oversight --json   (WAM_RECOVERY_DISPOSAL_DAYS, WAM_TRACE_ANSWER_DAYS)
    """
    from wam.services import recoveries

    found = recoveries.oversight(common.open_ledger())
    if as_json:
        common.print_json(found)
        return
    for row in found["disposal_overdue"]:
        common.stdout.print(f"disposal overdue: {_line(row)}", markup=False)
    for row in found["trace_unanswered"]:
        common.stdout.print(f"trace unanswered: {row['id']} to {row['trace_to']} ({row['trace']})", markup=False)
    for gap in found["custody_gaps"]:
        common.stdout.print(f"custody gap: {gap['recovery']} line {gap['line']} {gap['item']}: "
                            + "; ".join(gap["gaps"]), markup=False)


@recoveries_app.command("export")
def export(
    number: str | None = typer.Argument(None, help="With --trace: the record whose tracing request to export."),
    trace_request: bool = typer.Option(False, "--trace", help="The record's ITI tracing request (JSON)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file (default: standard output)."),
    pdf: bool = typer.Option(False, "--pdf", help="With --trace: the request as a PDF to sign and send (needs -o)."),
    lang: str = typer.Option("en", "--lang", help="With --pdf: en or fr."),
    as_json: bool = JsonOption,
) -> None:
    """Export the register (JSON), or one record's tracing request with --trace (JSON, or PDF with --pdf).

    Example: wam recoveries export REC-000001 --trace -o trace.json
             wam recoveries export REC-000001 --trace --pdf --lang fr -o trace.pdf
    """
    from wam.services import recoveries

    del as_json  # the export is JSON whatever is asked: --json is accepted for symmetry
    ledger = common.open_ledger()
    if pdf:
        if number is None or not trace_request or output is None:
            raise InvalidInput("a PDF is of one record's tracing request: give the record, --trace and -o FILE",
                               field="pdf")
        if lang not in ("en", "fr"):
            raise InvalidInput(f"{lang!r} is not a language of wam (en, fr)", field="lang")
        from wam.web.i18n import Translator
        from wam.web.paper import trace_request as trace_pdf

        output.write_bytes(trace_pdf(Translator(lang), user=getpass.getuser(),
                                     request=recoveries.trace_export(ledger, number)))
        return
    if trace_request:
        if number is None:
            raise InvalidInput("name the record whose tracing request to export", field="number")
        text = json.dumps(recoveries.trace_export(ledger, number), ensure_ascii=False, indent=1)
    else:
        text = recoveries.export(recoveries.listing(ledger))
    if output is None:
        common.print_json(json.loads(text))
    else:
        output.write_text(text + "\n", encoding="utf-8")
