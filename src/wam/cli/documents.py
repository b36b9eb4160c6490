"""``wam disposal`` and ``wam document``: the registers' documents that post movements.

Example::

    wam disposal draft --from GAO-ARM --line 56-00012 --line "L|POF|7.62X39MM BALL|POF-2021-07*600@GAO-ASP" \\
        --method destruction --destruction cutting --witness "Capt. Diallo (UNMAS)" --actor alice
    wam disposal approve DSP-000001 --actor bob          # another user, allowed to approve there
    wam disposal execute DSP-000001 --at 2024-03-02T10:00Z --actor alice   # posts the disposals
    wam disposal show DSP-000001 --json
    wam document incident report --line 56-00031@PTE-RAHMAN --field note="ambush near Ansongo" --actor alice
    wam document incident post INC-000001 --at 2024-03-01T12:00Z --actor alice

A line is ``ITEM[*QUANTITY][@FROM]``: a weapon's serial or an item key, the quantity (default 1)
and the holder it leaves (default ``--from``). Each command is one unit of work of
:mod:`wam.services.documents`: the step's record and the movements it causes, or nothing.
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Any

import typer

from wam.domain.errors import InvalidInput

from . import common

if TYPE_CHECKING:
    from wam.domain.documents import Document
    from wam.services.ledger import Ledger

disposal_app = typer.Typer(help="Disposal certificates: destruction, or handover to the host state's authorities.",
                           no_args_is_help=True)
document_app = typer.Typer(help="Any register's document by its type (incident, recovery, count, disposal): "
                                "take a step, show, list.", no_args_is_help=True)

LINE_HELP = "ITEM[*QUANTITY][@FROM], repeated: a serial or item key, the quantity (default 1), the holder it leaves."
ActorOption = typer.Option(None, "--actor", help="Who takes the step (default: your user name); with accounts, "
                                                 "a user whose grants allow the step.")
JsonOption = typer.Option(False, "--json")


def register(app: typer.Typer) -> None:
    app.add_typer(disposal_app, name="disposal", help="Disposal certificates (destruction or handover).")
    app.add_typer(document_app, name="document", help="The registers' documents, by type: steps, show, list.")


# --------------------------------------------------------------------------------- helpers
def parse_lines(ledger: Ledger, specs: list[str], default_from: str | None) -> list[dict[str, object]]:
    """``ITEM[*QUANTITY][@FROM]`` texts as lines; a bad one names its position (row) and field."""
    from .ledger_commands import _resolve_item

    lines: list[dict[str, object]] = []
    for row, spec in enumerate(specs, start=1):
        text, _, source = spec.rpartition("@") if "@" in spec else (spec, "", default_from or "")
        item, star, quantity = text.rpartition("*")
        if not star or not quantity.strip().isdecimal():
            item, quantity = text, "1"
        if not source.strip():
            raise InvalidInput("say which holder it leaves (ITEM@FROM, or --from)", field="from", row=row)
        try:
            key = _resolve_item(ledger, item.strip())
        except InvalidInput as exc:
            raise InvalidInput(exc.detail, field="item", row=row) from None
        lines.append({"item": key, "quantity": int(quantity), "from": source.strip()})
    return lines


def document_dict(document: Document) -> dict[str, Any]:
    from wam.domain.timefmt import iso

    fields = dict(document.fields)
    if isinstance(fields.get("occurred_at"), int):
        fields["occurred_at"] = iso(fields["occurred_at"])
    return {"type": document.type, "number": document.number, "state": document.state,
            "lines": [{"item": line.item, "quantity": line.quantity, "from": line.source, "to": line.target}
                      for line in document.lines],
            "fields": fields, "by": dict(document.by), "drafted_by": document.drafted_by}


def _show(document: Document, as_json: bool) -> None:
    from wam.domain.documents import TYPES

    if as_json:
        common.print_json(document_dict(document))
        return
    title = TYPES[document.type].title
    common.stdout.print(f"{title} {document.number}: {document.state} ({len(document.lines)} line"
                        f"{'s' if len(document.lines) != 1 else ''})", markup=False)


def _step(type_name: str, number: str | None, step: str, actor: str | None, as_json: bool, at: str | None = None,
          **given: Any) -> None:
    from wam.services import documents
    from wam.services.registers import ScopedDocuments, acting, refusals

    from .ledger_commands import _moment

    ledger = common.open_ledger()
    name = actor or getpass.getuser()
    given = {k: v for k, v in given.items() if v is not None}
    scoped = acting(ledger, name)  # with accounts, the actor's grants decide, as on the web
    if scoped is None:
        document = documents.step(ledger, type_name, number, step, actor=name, occurred_at=_moment(at, "at"), **given)
    else:
        register = ScopedDocuments(scoped, type_name)
        with refusals(scoped, type_name, f"{step} {number or 'a ' + register.type.title}"):
            if step == register.type.draft:
                document = register.draft(number=number, occurred_at=_moment(at, "at"), **given)
            else:
                document = register.take(number or "", step, occurred_at=_moment(at, "at"), **given)
    _show(document, as_json)


def _fields(pairs: list[str]) -> dict[str, str]:
    out = {}
    for row, pair in enumerate(pairs, start=1):
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InvalidInput(f"{pair!r} is not NAME=VALUE", field="field", row=row)
        out[name.strip()] = value
    return out


# --------------------------------------------------------------------------------- wam disposal
@disposal_app.command("draft")
def disposal_draft(
    line: list[str] = typer.Option(..., "--line", help=LINE_HELP),
    source: str | None = typer.Option(None, "--from", help="The holder every line leaves unless it says @FROM."),
    method: str = typer.Option(..., help="destruction or handover"),
    destruction: str | None = typer.Option(None, help="For a destruction: cutting, crushing, burning, "
                                                      "open-detonation, open-burning, demilitarisation, other."),
    witness: str | None = typer.Option(None, help="For a destruction: who witnesses it."),
    host_state: str | None = typer.Option(None, "--host-state", help="For a handover: the host state (ISO3)."),
    receipt: str | None = typer.Option(None, help="For a handover: the receipt's number."),
    authority: str | None = typer.Option(None, help="For a handover: the receiving authority."),
    note: str | None = typer.Option(None),
    number: str | None = typer.Option(None, help="The certificate's number (default: the next DSP-nnnnnn)."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Draft a disposal certificate: nothing moves until it is approved and executed.

    Example: wam disposal draft --from GAO-ARM --line 56-00012 --method destruction --destruction cutting
    --witness "Capt. Diallo"
    """
    ledger = common.open_ledger()
    lines = parse_lines(ledger, line, source)
    _step("disposal", number, "draft", actor, as_json, lines=lines, method=method, destruction=destruction,
          witness=witness, host_state=host_state, receipt=receipt, authority=authority, note=note)


@disposal_app.command("approve")
def disposal_approve(number: str = typer.Argument(...), actor: str | None = ActorOption,
                     as_json: bool = JsonOption) -> None:
    """Approve a drafted certificate (someone other than its drafter). Example: wam disposal approve DSP-000001"""
    _step("disposal", number, "approve", actor, as_json)


@disposal_app.command("execute")
def disposal_execute(number: str = typer.Argument(...),
                     at: str | None = typer.Option(None, "--at", help="When it was destroyed or handed over "
                                                                       "(default: now)."),
                     actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """Execute an approved certificate: post its disposals, all or none. Example: wam disposal execute DSP-000001"""
    _step("disposal", number, "execute", actor, as_json, at=at)


@disposal_app.command("cancel")
def disposal_cancel(number: str = typer.Argument(...), reason: str | None = typer.Option(None),
                    actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """Cancel a certificate not yet executed. Example: wam disposal cancel DSP-000001 --reason "drafted twice\""""
    _step("disposal", number, "cancel", actor, as_json, reason=reason)


@disposal_app.command("show")
def disposal_show(number: str = typer.Argument(...), as_json: bool = JsonOption) -> None:
    """Show a certificate, its steps and the movements it posted. Example: wam disposal show DSP-000001 --json"""
    show("disposal", number, as_json)


@disposal_app.command("list")
def disposal_list(state: str | None = typer.Option(None, help="Only certificates in this state."),
                  as_json: bool = JsonOption) -> None:
    """List the certificates. Example: wam disposal list --state approved"""
    listing("disposal", state, as_json)


# --------------------------------------------------------------------------------- wam document
def show(type_name: str, number: str, as_json: bool) -> None:
    from wam.services import documents

    from .ledger_commands import entry_dict

    ledger = common.open_ledger()
    document = documents.get(ledger, type_name, number)
    steps = documents.history(ledger, type_name, number)
    entries = [entry_dict(e) for e in documents.entries(ledger, document)]
    if as_json:
        common.print_json({**document_dict(document), "steps": steps, "entries": entries})
        return
    _show(document, False)
    for line in document.lines:
        common.stdout.print(f"  {line.quantity} x {line.item}: {line.source} -> {line.target}", markup=False)
    for step in steps:
        common.stdout.print(f"  {step['recorded_at']} {step['step']} by {step['by']} -> {step['state']}", markup=False)
    for entry in entries:
        common.stdout.print(f"  entry {entry['seq']} ({entry['id']}) at {entry['occurred_at']}", markup=False)


def listing(type_name: str, state: str | None, as_json: bool) -> None:
    from wam.services import documents

    found = documents.documents(common.open_ledger(), type_name, state=state)
    if as_json:
        common.print_json({"type": type_name, "state": state, "items": [document_dict(d) for d in found]})
        return
    for document in found:
        _show(document, False)


@document_app.command("step")
def document_step(
    type_name: str = typer.Argument(..., metavar="TYPE", help="incident, recovery, count or disposal"),
    step: str = typer.Argument(..., help="The step: its type's first step (report, register, count, draft) "
                                         "creates the document; then approve, post or execute, cancel."),
    number: str | None = typer.Argument(None, help="The document (not needed by the first step: the next number)."),
    line: list[str] = typer.Option([], "--line", help=LINE_HELP + " For the first step."),
    source: str | None = typer.Option(None, "--from", help="The holder every line leaves unless it says @FROM."),
    field: list[str] = typer.Option([], "--field", help="NAME=VALUE, repeated: the type's fields (note, witness, "
                                                         "to for a recovery, store for a count, reason to cancel)."),
    at: str | None = typer.Option(None, "--at", help="For the posting step: when it happened (default: now)."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Take one step of a document: record it, and for its posting step post its movements.

    Example: wam document step incident report --line 56-00031@PTE-RAHMAN --field note="ambush near Ansongo";
    wam document step incident post INC-000001 --at 2024-03-01T12:00Z
    """
    given: dict[str, Any] = _fields(field)
    if line:
        given["lines"] = parse_lines(common.open_ledger(), line, source)
    _step(type_name, number, step, actor, as_json, at=at, **given)


@document_app.command("show")
def document_show(type_name: str = typer.Argument(..., metavar="TYPE"), number: str = typer.Argument(...),
                  as_json: bool = JsonOption) -> None:
    """Show a document, its steps and its movements. Example: wam document show incident INC-000001"""
    show(type_name, number, as_json)


@document_app.command("list")
def document_list(type_name: str = typer.Argument(..., metavar="TYPE"),
                  state: str | None = typer.Option(None), as_json: bool = JsonOption) -> None:
    """List a type's documents. Example: wam document list count --state approved --json"""
    listing(type_name, state, as_json)
