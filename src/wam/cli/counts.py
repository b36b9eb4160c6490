"""``wam counts start|record|close|approve|list|show|cancel|schedule``: stock counts (issue 13).

Example::

    wam counts start --holder GAO-ARM --witness "Lt Karim" --actor qm            # blind, full: CNT-000001
    wam counts record CNT-000001 --serial 56-00001 --serial 56-00002 --actor qm  # scanned
    wam counts record CNT-000001 --serial "56 0OO3" --typed --actor qm
    wam counts record CNT-000001 --item "L|POF|7.62X39MM BALL|POF-2021-07" --quantity 9990 --actor qm
    wam counts record CNT-000001 --file scans.txt --actor qm   # a serial a line, or a CSV (serial|item,quantity,...)
    wam counts close CNT-000001 --actor qm --json               # reconciles against the book
    wam counts approve CNT-000001 --actor officer --json        # every waiting case; --reject 2 --explain 1="..."
    wam counts list --holder GAO-ARM --json
    wam counts schedule --holder GAO-ARM --every 30 --actor officer   # a full count every 30 days
    wam counts schedule --json                                      # the schedules, and the counts due
    wam counts rules --quantity-over 100 --actor officer            # a new version of the threshold rules

The command line is blind like the API: a count being counted shows its progress, never the
book's figures; they come with the close. With accounts, ``--actor`` must be a user whose grants
allow the step (and the approver's role is the one the grants give); without accounts, ``approve``
records the ``--role`` given (none: refused).
"""

from __future__ import annotations

import csv
import getpass
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from wam.domain.errors import InvalidInput

from . import common

T = TypeVar("T")
counts_app = typer.Typer(help="Stock counts: start, record, close, approve, list, show, cancel, schedule, rules.",
                         no_args_is_help=True)
ActorOption = typer.Option(None, "--actor", help="Who takes the step (default: your user name).")
JsonOption = typer.Option(False, "--json")


def register(app: typer.Typer) -> None:
    app.add_typer(counts_app, name="counts", help="Stock counts: blind counts of a store or a site, reconciled "
                                                  "against the book, discrepancies approved by a second person.")


def _act(actor: str | None, doing: str, whole: Callable[[Any, str], T], scoped: Callable[[Any], T]) -> T:
    """``whole(ledger, actor)`` on a ledger without accounts, else ``scoped(ScopedCounts)`` as the actor."""
    from wam.services import counts

    return common.act(actor, counts.TYPE, doing, whole, lambda as_user: scoped(counts.ScopedCounts(as_user)))


def _print(document: Any, as_json: bool) -> None:
    from wam.services.counts import shown

    data = shown(document)
    if as_json:
        common.print_json(data)
        return
    line = f"{data['number']} {data['state']}: {data.get('holder', '')} recorded {data.get('recorded', 0)}"
    if "cases" in data:
        line += f", {len(data['cases'])} case(s), {data['waiting']} waiting for approval"
    common.stdout.print(line, markup=False)
    for case in data.get("cases") or ():
        common.stdout.print(f"  {case['id']}. {case['kind']} {case['item'] or case['read']} x{case['quantity']} at "
                            f"{case['holder']}" + (f" (book: {case['other']})" if case.get("other") else "")
                            + f": {case['action']}, {case['decision'] or 'waiting'}", markup=False)


@counts_app.command("start")
def start(
    holder: str = typer.Option(..., "--holder", help="The store (or, with --site, the site) counted."),
    site: bool = typer.Option(False, "--site", help="Count the holder and every holder under it."),
    sample: list[str] = typer.Option([], "--sample", help="A sample count: item key prefixes (W|FN|FAL)."),
    open_count: bool = typer.Option(False, "--open", help="Not blind (the counter may be shown the book)."),
    counter: str | None = typer.Option(None, "--counter", help="Who counts (default: the actor)."),
    witness: str | None = typer.Option(None, "--witness"),
    note: str | None = typer.Option(None, "--note"),
    number: str | None = typer.Option(None, "--number", help="A number of your own (default: CNT-NNNNNN)."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Start a count (blind and full unless told)."""
    from wam.services import counts

    fields: dict[str, Any] = {"scope": "site" if site else "store", "mode": "sample" if sample else "full",
                              "sample": sample, "blind": not open_count, "counter": counter, "witness": witness,
                              "note": note, "number": number}
    document = _act(actor, "start a count", lambda ledger, name: counts.start(ledger, actor=name, holder=holder,
                                                                              **fields),
                    lambda scoped: scoped.start(holder=holder, **fields))
    _print(document, as_json)


def _file_lines(file: Path, how: str) -> list[dict[str, Any]]:
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput(f"cannot read {file}: {exc.strerror}", field="file") from None
    first = text.split("\n", 1)[0]
    if "," in first and ("serial" in first or "item" in first):
        rows = list(csv.DictReader(text.splitlines()))
        return [{k: v for k, v in {"serial": row.get("serial") or None, "item": row.get("item") or None,
                                   "quantity": row.get("quantity") or 1, "how": row.get("how") or how,
                                   "holder": row.get("holder") or None}.items() if v is not None} for row in rows]
    return [{"serial": line.strip(), "how": how} for line in text.splitlines() if line.strip()]


@counts_app.command("record")
def record(
    number: str = typer.Argument(..., help="The count."),
    serial: list[str] = typer.Option([], "--serial", help="A serial counted (repeat)."),
    item: str | None = typer.Option(None, "--item", help="An item key counted (a lot, with --quantity)."),
    quantity: int = typer.Option(1, "--quantity"),
    holder: str | None = typer.Option(None, "--holder", help="Where it was counted (a site count)."),
    file: Path | None = typer.Option(None, "--file", help="A serial a line, or a CSV (serial|item,quantity,how,...)."),
    typed: bool = typer.Option(False, "--typed", help="Typed, not scanned."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Record counted lines (the counter's)."""
    from wam.services import counts

    how = "typed" if typed else "scan"
    lines: list[dict[str, Any]] = [{"serial": s, "how": how} for s in serial]
    if item is not None:
        lines.append({"item": item, "quantity": quantity, "how": how})
    if file is not None:
        lines.extend(_file_lines(file, how))
    if holder is not None:
        for line in lines:
            line.setdefault("holder", holder)
    document = _act(actor, "record a count's lines",
                    lambda ledger, name: counts.record(ledger, number, actor=name, lines=lines),
                    lambda scoped: scoped.record(number, lines=lines))
    _print(document, as_json)


@counts_app.command("close")
def close(number: str = typer.Argument(...), actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """Close the count: reconcile it against the book (posted at once when no case waits)."""
    from wam.services import counts

    document = _act(actor, "close a count", lambda ledger, name: counts.close(ledger, number, actor=name),
                    lambda scoped: scoped.close(number))
    _print(document, as_json)


@counts_app.command("approve")
def approve(
    number: str = typer.Argument(...),
    case: list[int] = typer.Option([], "--case", help="Approve this case (repeat; default: every waiting one)."),
    reject: list[int] = typer.Option([], "--reject", help="Reject this case (repeat)."),
    explain: list[str] = typer.Option([], "--explain", help="ID=TEXT: an approved case's explanation (a missing "
                                                           "weapon explained is adjusted, not a loss)."),
    role: str | None = typer.Option(None, "--role", help="Without accounts: the approver's role, recorded."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """A second person's decisions on the waiting cases; posts when none waits."""
    from wam.services import counts

    reasons: dict[int, str] = {}
    for given in explain:
        key, _, text = given.partition("=")
        if not key.strip().isdecimal() or not text.strip():
            raise InvalidInput("--explain is ID=TEXT", field="explain")
        reasons[int(key)] = text.strip()
    decisions: dict[int, Any] | None = None
    if case or reject or reasons:
        decisions = dict.fromkeys([*case, *reasons], "approved")
        decisions.update(dict.fromkeys(reject, "rejected"))
        for n, text in reasons.items():
            decisions[n] = {"decision": decisions[n], "explanation": text}
    document = _act(actor, "approve a count", lambda ledger, name: counts.approve(ledger, number, actor=name,
                                                                                  role=role, decisions=decisions),
                    lambda scoped: scoped.approve(number, decisions=decisions))
    _print(document, as_json)


@counts_app.command("cancel")
def cancel(number: str = typer.Argument(...), reason: str | None = typer.Option(None, "--reason"),
           actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """Cancel a count not yet posted."""
    from wam.services import counts

    document = _act(actor, "cancel a count", lambda ledger, name: counts.cancel(ledger, number, actor=name,
                                                                                reason=reason),
                    lambda scoped: scoped.cancel(number, reason=reason))
    _print(document, as_json)


@counts_app.command("show")
def show(number: str = typer.Argument(...), as_json: bool = JsonOption) -> None:
    """A count: its progress while counting (no book figure), its cases once closed."""
    from wam.services import documents

    _print(documents.get(common.open_ledger(), "count", number), as_json)


@counts_app.command("list")
def listing(holder: str | None = typer.Option(None, "--holder"), state: str | None = typer.Option(None, "--state"),
            as_json: bool = JsonOption) -> None:
    """Every count (of a holder, in a state)."""
    from wam.services import counts

    rows = counts.listing(common.open_ledger(), holder=holder, state=state)
    if as_json:
        common.print_json({"counts": rows})
        return
    for row in rows:
        cases = f", {row['cases']} case(s), {row['waiting']} waiting" if "cases" in row else ""
        common.stdout.print(f"{row['number']} {row['state']} {row['holder']} {row['mode'] or '-'} recorded "
                            f"{row['recorded'] or 0}{cases}", markup=False)


@counts_app.command("schedule")
def schedule(
    holder: str | None = typer.Option(None, "--holder", help="The store scheduled (none: list the schedules)."),
    every: int | None = typer.Option(None, "--every", help="Days between counts (0 stops the schedule)."),
    sample: list[str] = typer.Option([], "--sample", help="A sample count: item key prefixes."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Schedule a store's counts, or list the schedules with each store's last count and whether it is overdue."""
    from wam.domain.timefmt import iso, to_micros
    from wam.services import counts

    ledger = common.open_ledger()
    if holder is not None:
        if every is None:
            raise InvalidInput("give --every DAYS", field="every")
        body = counts.schedule(ledger, actor=actor or getpass.getuser(), holder=holder, every_days=every,
                               mode="sample" if sample else "full", sample=sample)
        common.print_json(body) if as_json else common.stdout.print(
            f"{holder}: a {body['mode']} count every {every} days", markup=False)
        return
    now = to_micros(ledger.clock())
    with ledger.engine.connect() as conn:
        found, last = counts.schedules(conn), counts.last_counts(conn)
    rows = [{**body, "last": iso(last[code]) if code in last else None,
             "overdue": code not in last or now - last[code] > body["every_days"] * 86_400_000_000}
            for code, body in sorted(found.items())]
    if as_json:
        common.print_json({"schedules": rows})
        return
    for row in rows:
        common.stdout.print(f"{row['holder']}: every {row['every_days']} days, last {row['last'] or 'never'}"
                            + (" (overdue)" if row["overdue"] else ""), markup=False)


@counts_app.command("rules")
def threshold_rules(
    quantity_over: int | None = typer.Option(None, "--quantity-over", help="A lot's case needs approval above "
                                                                          "this many units."),
    serialised: bool | None = typer.Option(None, "--serialised/--no-serialised",
                                           help="Whether every serialised item's case needs approval."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """The threshold rules in force (which cases need a second person's approval), or a new version of them;
    each count copies the version in force when it starts."""
    from wam.services import counts

    ledger = common.open_ledger()
    current = counts.current_rules(ledger)
    if quantity_over is not None or serialised is not None:
        current = counts.set_rules(ledger, actor=actor or getpass.getuser(),
                                   serialised=current.serialised if serialised is None else serialised,
                                   quantity_over=current.quantity_over if quantity_over is None else quantity_over)
    if as_json:
        common.print_json(current.as_dict())
        return
    every = "every serialised item and " if current.serialised else ""
    common.stdout.print(f"rules {current.version}: approval for {every}more than {current.quantity_over} units "
                        "of a lot", markup=False)
