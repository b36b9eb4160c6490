"""``wam incidents``: the loss-incident register (report, list, show, advance, export, import) and
the research records beside it (record).

Example::

    wam incidents report --site GAO --line 56-00012@GAO-ARM --line "L|POF|7.62X39MM BALL|POF-2021-07*600@GAO-ASP" \\
        --started-at 2024-03-01T02:00Z --mission MINUSMA --contingent "1st BANBAT:BGD" \\
        --circumstance fixed_site --mechanism theft_burglary --ownership COE \\
        --narrative "armoury door forced at night" --source "SINREP 2024-061" --actor alice
    wam incidents advance INC-000001 investigate --investigator "Maj. Sy" --actor bob
    wam incidents advance INC-000001 findings --findings "lock not replaced after the audit" --actor bob
    wam incidents advance INC-000001 close --outcome written_off --actor bob    # not the reporter
    wam incidents list --notable --json
    wam incidents export --format csv --output incidents.csv
    wam incidents record --started-at 2015-10-26 --mission UNMISS --country SSD --place Kaka \
        --contingent "Bangladeshi contingent:BGD" --circumstance convoy_escort --mechanism seizure_detention \
        --quantity small_arms=16 --quantity light_weapons=2 --quantity rounds=3000 \
        --source "theeastafrican.co.ke, 9 Nov 2017 | kind=media | reliability=medium" --verification reported
    wam incidents import incidents.json            # the export's layout (docs/incidents.md), all or nothing
    wam incidents import events.csv --format acled  # ACLED conflict events, linked to the incidents they caused

A report is one unit of work: the incident's record and its loss movements (one a line, at the
time it began, from the holder that held the item then), or nothing.
"""

from __future__ import annotations

import getpass
import mimetypes
import sys
from pathlib import Path
from typing import Any

import typer

from wam.domain.errors import InvalidInput

from . import common

incidents_app = typer.Typer(help="Loss incidents: report (posts the losses), list, show, advance, export, import; "
                                 "research records from open sources (record).",
                            no_args_is_help=True)
ActorOption = typer.Option(None, "--actor", help="Who takes the step (default: your user name); with accounts, "
                                                 "a user whose grants allow the step.")
JsonOption = typer.Option(False, "--json")


def register(app: typer.Typer) -> None:
    app.add_typer(incidents_app, name="incidents",
                  help="Loss incidents: report, list, show, advance, export, import; research records (record).")


@incidents_app.command("report")
def report(
    line: list[str] = typer.Option(..., "--line", help="ITEM[*QUANTITY][@FROM], repeated: what was lost and the "
                                                       "holder that held it (default: --from, else --site)."),
    source: str | None = typer.Option(None, "--from", help="The holder every line leaves unless it says @FROM."),
    started_at: str = typer.Option(..., "--started-at", help="When it began (ISO 8601); the losses are posted then."),
    ended_at: str | None = typer.Option(None, "--ended-at", help="When it ended."),
    time_precision: str | None = typer.Option(None, "--time-precision", help="minute, hour, day, week, month, year"),
    site: str | None = typer.Option(None, help="The site of the tree (every line leaves it or a holder under it)."),
    place: str | None = typer.Option(None, help="The place, when not a site of the tree (or besides it)."),
    latitude: float | None = typer.Option(None, "--lat"),
    longitude: float | None = typer.Option(None, "--lon"),
    place_precision: str | None = typer.Option(None, "--place-precision",
                                               help="exact, approximate, place, admin1, country"),
    mission: str = typer.Option(..., help="The mission's acronym, e.g. MINUSMA."),
    contingent: list[str] = typer.Option([], "--contingent", help="NAME:ISO3, repeated: contingents and countries."),
    circumstance: str = typer.Option(..., help="fixed_site, patrol, convoy_escort, resupply, rotation_in_transit, "
                                               "riverine_movement, storage_depot, other"),
    mechanism: str = typer.Option(..., help="armed_attack_overrun, ambush, seizure_detention, "
                                            "hostage_taking_capture, forced_abandonment, theft_burglary, carjacking, "
                                            "household_robbery, insider_theft_sale_corruption, "
                                            "negligence_poor_practice, surrender_without_resistance, unknown"),
    ownership: str = typer.Option(..., help="COE, UNOE, recovered_materiel, host_state"),
    coe_provider: str | None = typer.Option(None, "--coe-provider", help="For COE: the providing country (ISO3)."),
    value_usd: int | None = typer.Option(None, "--value-usd", help="Estimated value of what was lost (USD)."),
    perpetrator: str | None = typer.Option(None, help="The perpetrator as reported."),
    claim: bool = typer.Option(False, "--claim", help="The loss is the perpetrator's claim."),
    killed: int = typer.Option(0),
    wounded: int = typer.Option(0),
    captured: int = typer.Option(0),
    missing: int = typer.Option(0),
    narrative: str | None = typer.Option(None),
    sources: list[str] = typer.Option([], "--source", help="A source (report, SINREP, article), repeated."),
    confidentiality: str | None = typer.Option(None, help="public, restricted (default), confidential"),
    evidence: list[Path] = typer.Option([], "--evidence", help="A file (photograph, scanned report), repeated: kept "
                                                               "by its SHA-256 with the incident."),
    note: str | None = typer.Option(None, help="A note carried by the loss movements."),
    number: str | None = typer.Option(None, help="The incident's number (default: the next INC-nnnnnn)."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Report an incident and post its losses, all or nothing.

    Example: wam incidents report --site GAO --line 56-00012@GAO-ARM --started-at 2024-03-01T02:00Z
    --mission MINUSMA --circumstance fixed_site --mechanism theft_burglary --ownership COE
    """
    from wam.services import incidents

    from .documents import parse_lines

    ledger = common.open_ledger()
    lines = parse_lines(ledger, line, source or site)
    fields: dict[str, Any] = {
        "started_at": started_at, "ended_at": ended_at, "time_precision": time_precision, "site": site,
        "place": place, "latitude": latitude, "longitude": longitude, "place_precision": place_precision,
        "mission": mission, "contingents": contingent, "circumstance": circumstance, "mechanism": mechanism,
        "ownership": ownership, "coe_provider": coe_provider, "value_usd": value_usd, "perpetrator": perpetrator,
        "perpetrator_claim": claim, "casualties": {"killed": killed, "wounded": wounded, "captured": captured,
                                                    "missing": missing},
        "narrative": narrative, "sources": sources, "confidentiality": confidentiality, "note": note}
    files = []
    for row, path in enumerate(evidence, start=1):
        try:
            files.append((path.name, path.read_bytes(), mimetypes.guess_type(path.name)[0]))
        except OSError as exc:
            raise InvalidInput(f"cannot read {path}: {exc.strerror}", field="evidence", row=row) from None
    from wam.services.registers import acting, refusals

    name = actor or getpass.getuser()
    given = {k: v for k, v in fields.items() if v is not None}
    scoped = acting(ledger, name)  # with accounts, the actor's grants decide, as on the web
    if scoped is None:
        document = incidents.report(ledger, actor=name, lines=lines, number=number, evidence=files, **given)
    else:
        with refusals(scoped, incidents.TYPE, "report an incident"):
            document = incidents.ScopedIncidents(scoped).report(lines=lines, number=number, evidence=files, **given)
    _print_one(ledger, document.number, as_json)


def _print_one(ledger: Any, number: str, as_json: bool) -> None:
    from wam.services import incidents

    shown = incidents.full(ledger, number)
    if as_json:
        common.print_json(shown)
        return
    common.stdout.print(_line(shown), markup=False)


def _line(row: dict[str, Any]) -> str:
    if row.get("record") == "research":
        from wam.domain.research import format_quantity

        weapons = format_quantity(row["weapons_lost"], row["weapons_lost_max"])
        rounds = format_quantity(row["rounds_lost"], row["rounds_lost_max"])
        return (f"{row['id']} research ({row['verification_status']}): {row['started_at'] or '-'} "
                f"{row['mission'] or '-'} {row['circumstance'] or '-'}/{row['mechanism'] or '-'}/"
                f"{row['ownership'] or '-'}, {weapons} weapons, {rounds} rounds lost"
                + (" (notable)" if row["notable"] else ""))
    flags = [name for name, on in (("notable", row["notable"]), ("board of inquiry", row["board_of_inquiry_required"]),
                                   ("overdue", row["overdue"])) if on]
    return (f"{row['id']} {row['step']}: {row['started_at'] or '-'} {row['mission'] or '-'} "
            f"{row['circumstance'] or '-'}/{row['mechanism'] or '-'}/{row['ownership'] or '-'}, "
            f"{row['weapons_lost']} weapons, {row['rounds_lost']} rounds lost" + (f" ({', '.join(flags)})" if flags
                                                                                 else ""))


def _filters(mission: str | None, country: str | None, circumstance: str | None, mechanism: str | None,
             ownership: str | None, step: str | None, since: str | None, until: str | None, notable: bool | None,
             board: bool | None, overdue: bool | None) -> Any:
    from wam.services import incidents

    from .ledger_commands import _moment

    if since is not None and len(since.strip()) == 10:  # a date alone: from its start
        since = since.strip() + "T00:00:00+00:00"
    return incidents.Filters(mission=mission, country=country, circumstance=circumstance, mechanism=mechanism,
                             ownership=ownership, step=step, since=_moment(since, "since"),
                             until=_moment(until, "until"), notable=notable, board_of_inquiry_required=board,
                             overdue=overdue)


MissionOption = typer.Option(None, help="Only this mission.")
CountryOption = typer.Option(None, help="Only incidents with a contingent of this country (ISO3).")
CircumstanceOption = typer.Option(None)
MechanismOption = typer.Option(None)
OwnershipOption = typer.Option(None)
StepOption = typer.Option(None, help="reported, under_investigation, board_of_inquiry, findings, closed")
SinceOption = typer.Option(None, help="Began at or after (date or ISO 8601).")
UntilOption = typer.Option(None, help="Began at or before (a date means its end).")
NotableOption = typer.Option(None, "--notable/--not-notable")
BoardOption = typer.Option(None, "--board/--no-board", help="A board of inquiry required, or not.")
OverdueOption = typer.Option(None, "--overdue/--on-time")
RecordOption = typer.Option(None, "--record", help="loss (the register's incidents) or research (research records); "
                                                   "default: both")


def _rows(filters: Any, record: str | None, *, full: bool = False) -> list[dict[str, Any]]:
    """The register as the command line sees it: outside the scope of confidential sources."""
    from wam.services import research

    if record not in (None, "loss", "research"):
        raise InvalidInput(f"{record!r} is not loss or research", field="record")
    ledger = common.open_ledger()
    if record == "research":
        return research.listing(ledger, filters, full=full)
    return research.register_rows(ledger, filters, research=record is None, full=full)


@incidents_app.command("list")
def listing(
    mission: str | None = MissionOption, country: str | None = CountryOption,
    circumstance: str | None = CircumstanceOption, mechanism: str | None = MechanismOption,
    ownership: str | None = OwnershipOption, step: str | None = StepOption, since: str | None = SinceOption,
    until: str | None = UntilOption, notable: bool | None = NotableOption, board: bool | None = BoardOption,
    overdue: bool | None = OverdueOption, record: str | None = RecordOption, as_json: bool = JsonOption,
) -> None:
    """List the incidents and research records, with what is derived from them (never a confidential source).

    Example: wam incidents list --mechanism ambush --json
    """
    rows = _rows(_filters(mission, country, circumstance, mechanism, ownership, step, since, until, notable, board,
                          overdue), record)
    if as_json:
        common.print_json({"incidents": rows})
        return
    for row in rows:
        common.stdout.print(_line(row), markup=False)


@incidents_app.command("show")
def show(number: str = typer.Argument(...), as_json: bool = JsonOption) -> None:
    """Show an incident: its facts, flags, lines, steps (who, when) and loss entries; or a research record
    (its quantities and sources, never a confidential one).

    Example: wam incidents show INC-000001 --json
    """
    ledger = common.open_ledger()
    from wam.domain.research import format_quantity
    from wam.services import research

    if research.exists(ledger, number):
        shown = research.show(ledger, number)
        if as_json:
            common.print_json(shown)
            return
        common.stdout.print(_line(shown), markup=False)
        for name, low, high in shown["fields"]["quantities"]:
            common.stdout.print(f"  {name}: {format_quantity(low, high)}", markup=False)
        for source in shown["sources"]:
            common.stdout.print(f"  source ({source['kind']}, {source['reliability']}"
                                f"{', claim' if source['claim'] else ''}): {source['citation']}", markup=False)
        for event in shown["events"]:
            common.stdout.print(f"  event {event['event_id_cnty']} {event['event_date']} {event['event_type']}",
                                markup=False)
        return
    if as_json:
        _print_one(ledger, number, True)
        return
    from wam.services import incidents

    shown = incidents.full(ledger, number)
    common.stdout.print(_line(shown), markup=False)
    for reason in shown["board_of_inquiry_reasons"]:
        common.stdout.print(f"  board of inquiry: {reason}", markup=False)
    for item in shown["lines"]:
        common.stdout.print(f"  {item['quantity']} x {item['item']}: {item['from']} -> {item['to']}", markup=False)
    for step in shown["steps"]:
        common.stdout.print(f"  {step['recorded_at']} {step['step']} by {step['by']} -> {step['state']}",
                            markup=False)


@incidents_app.command("advance")
def advance(
    number: str = typer.Argument(...),
    step: str = typer.Argument(..., help="investigate, convene (a board of inquiry), findings, close"),
    investigator: str | None = typer.Option(None, help="For investigate: who investigates."),
    board_reference: str | None = typer.Option(None, "--board-reference", help="For convene: the board's reference."),
    findings: str | None = typer.Option(None, help="For findings: what was found."),
    outcome: str | None = typer.Option(None, help="For close: written_off, recovered or partly."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Take the next step of an incident's workflow.

    Example: wam incidents advance INC-000001 close --outcome written_off --actor bob
    """
    from wam.services import incidents
    from wam.services.registers import acting, refusals

    ledger = common.open_ledger()
    name = actor or getpass.getuser()
    given = {"investigator": investigator, "board_reference": board_reference, "findings": findings,
             "outcome": outcome}
    scoped = acting(ledger, name)  # with accounts, the actor's grants decide, as on the web
    if scoped is None:
        document = incidents.advance(ledger, number, step, actor=name, **given)
    else:
        with refusals(scoped, incidents.TYPE, f"{step} {number}"):
            document = incidents.ScopedIncidents(scoped).advance(number, step, **given)
    _print_one(ledger, document.number, as_json)


@incidents_app.command("export")
def export(
    fmt: str = typer.Option("csv", "--format", help="csv or json"),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file (default: standard output)."),
    mission: str | None = MissionOption, country: str | None = CountryOption,
    circumstance: str | None = CircumstanceOption, mechanism: str | None = MechanismOption,
    ownership: str | None = OwnershipOption, step: str | None = StepOption, since: str | None = SinceOption,
    until: str | None = UntilOption, notable: bool | None = NotableOption, board: bool | None = BoardOption,
    overdue: bool | None = OverdueOption, record: str | None = RecordOption,
) -> None:
    """Export the incidents and research records as CSV or JSON in the layout that import reads
    (docs/incidents.md); never a confidential source or research record.

    Example: wam incidents export --format json
    """
    from wam.services import research

    if fmt not in ("csv", "json"):
        raise InvalidInput(f"{fmt!r} is not an export format (csv, json)", field="format")
    rows = _rows(_filters(mission, country, circumstance, mechanism, ownership, step, since, until, notable, board,
                          overdue), record, full=True)
    text = research.export(rows, fmt)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.write_text(text, encoding="utf-8")
        common.stderr.print(f"{len(rows)} incidents written to {output}", markup=False)


def _source_option(text: str, row: int) -> dict[str, Any]:
    """``CITATION | kind=media | date=2017-11-09 | reliability=medium | claim | confidential``."""
    citation, *parts = [part.strip() for part in text.split(" | ")]
    source: dict[str, Any] = {"citation": citation}
    for part in parts:
        name, sep, value = part.partition("=")
        if not sep and name in ("claim", "confidential"):
            source[name] = True
        elif sep and name in ("kind", "date", "reliability"):
            source[name] = value.strip()
        else:
            raise InvalidInput(f"{part!r}: write kind=, date=, reliability=, claim or confidential after ' | '",
                               field="source", row=row)
    return source


@incidents_app.command("record")
def record_research(
    started_at: str = typer.Option(..., "--started-at", help="When it began: 2015, 2015-10, 2015-10-26 or ISO 8601."),
    ended_at: str | None = typer.Option(None, "--ended-at"),
    time_precision: str | None = typer.Option(None, "--time-precision", help="minute, hour, day, week, month, year "
                                                                             "(default: as the date is written)"),
    mission: str = typer.Option(..., help="The mission's acronym, e.g. UNMISS."),
    organisation: str | None = typer.Option(None, help="UN, AU, AU-UN, REC, ad_hoc, joint, other"),
    country: str | None = typer.Option(None, help="The country where it happened (ISO3)."),
    admin1: str | None = typer.Option(None),
    place: str | None = typer.Option(None),
    latitude: float | None = typer.Option(None, "--lat"),
    longitude: float | None = typer.Option(None, "--lon"),
    place_precision: str | None = typer.Option(None, "--place-precision"),
    contingent: list[str] = typer.Option([], "--contingent", help="NAME:ISO3, repeated, as reported."),
    circumstance: str | None = typer.Option(None, help="default: other"),
    mechanism: str | None = typer.Option(None, help="default: unknown"),
    ownership: str | None = typer.Option(None, help="COE, UNOE, recovered_materiel, host_state (if known)"),
    perpetrator: str | None = typer.Option(None, help="As reported."),
    claim: bool = typer.Option(False, "--claim", help="The loss is the perpetrator's claim."),
    killed: int = typer.Option(0), wounded: int = typer.Option(0), captured: int = typer.Option(0),
    missing: int = typer.Option(0),
    quantity: list[str] = typer.Option([], "--quantity", help="CATEGORY=MIN[-MAX] or CATEGORY=MIN+ (no maximum "
                                                              "known), repeated; categories: small_arms, "
                                                              "light_weapons, weapons, rounds, grenades, mortar_bombs, "
                                                              "rockets, mines, vehicles, communications, fuel_litres, "
                                                              "other"),
    source: list[str] = typer.Option(..., "--source", help="'CITATION | kind=media | date=YYYY-MM-DD | "
                                                           "reliability=high|medium|low | claim | confidential', "
                                                           "repeated"),
    verification: str | None = typer.Option(None, "--verification", help="unverified (default), claimed, alleged, "
                                                                         "reported, corroborated, confirmed"),
    recovery: str | None = typer.Option(None, "--recovery", help="none, partial, full, unknown"),
    confidentiality: str | None = typer.Option(None, help="public (default), restricted, confidential"),
    narrative: str | None = typer.Option(None),
    number: str | None = typer.Option(None, "--id", help="The record's id (default: the next RES-nnnnnn)."),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Record an incident from open sources, without inventory detail (a research record): quantities by
    category as a minimum and a maximum, each source with its reliability. No movement is posted.

    Example: wam incidents record --started-at 2014-04-14 --mission UNMISS --place Bor --quantity small_arms=20
    --quantity rounds=3000 --source "theeastafrican.co.ke | kind=media | reliability=medium"
    """
    from wam.services import research
    from wam.services.registers import acting

    ledger = common.open_ledger()
    fields: dict[str, Any] = {
        "started_at": started_at, "ended_at": ended_at, "time_precision": time_precision, "mission": mission,
        "organisation": organisation, "country": country, "admin1": admin1, "place": place, "latitude": latitude,
        "longitude": longitude, "place_precision": place_precision, "contingents": contingent,
        "circumstance": circumstance, "mechanism": mechanism, "ownership": ownership, "perpetrator": perpetrator,
        "perpetrator_claim": claim, "casualties": {"killed": killed, "wounded": wounded, "captured": captured,
                                                    "missing": missing},
        "quantities": ";".join(quantity), "sources": [_source_option(s, row) for row, s in enumerate(source, 1)],
        "verification_status": verification, "recovery_status": recovery, "confidentiality": confidentiality,
        "narrative": narrative}
    given = {k: v for k, v in fields.items() if v is not None}
    name = actor or getpass.getuser()
    scoped = acting(ledger, name)
    if scoped is None:
        rid = research.record(ledger, actor=name, id=number, **given)
    else:
        from wam.domain.errors import PermissionDenied

        try:
            rid = research.ScopedResearch(scoped).record(id=number, **given)
        except PermissionDenied as exc:
            raise PermissionDenied(f"actor {name!r} may not record a research record: {exc.detail}") from None
    from wam.domain.errors import NotFound

    try:
        shown = research.show(ledger, rid)  # as the command line sees it: without confidential sources
    except NotFound:  # a confidential record: kept, shown to an administrator for everything only
        shown = {"id": rid, "recorded": True, "confidential": True}
        if not as_json:
            common.stdout.print(f"recorded {rid} (confidential: shown only to an administrator for everything)",
                                markup=False)
            return
    if as_json:
        common.print_json(shown)
    else:
        common.stdout.print(_line(shown), markup=False)


@incidents_app.command("import")
def import_file(
    path: Path = typer.Argument(..., help="The file: CSV or JSON in the export's layout, or an ACLED CSV export."),
    fmt: str | None = typer.Option(None, "--format", help="csv, json or acled (default: from the file's suffix)"),
    actor: str | None = ActorOption,
    as_json: bool = JsonOption,
) -> None:
    """Import incidents as research records (the layout that export writes, docs/incidents.md), or ACLED
    conflict events (linking attacks on peacekeepers to the incidents they caused): all or nothing, each bad
    row named by its line and field.

    Example: wam incidents import incidents.csv; wam incidents import acled-2015.csv --format acled
    """
    from wam.services import research
    from wam.services.registers import acting

    kind = (fmt or path.suffix.lstrip(".")).lower()
    if kind not in ("csv", "json", "acled"):
        raise InvalidInput(f"{kind!r} is not an import format (csv, json, acled)", field="format")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}", field="file") from None
    ledger = common.open_ledger()
    name = actor or getpass.getuser()
    scoped = acting(ledger, name)
    if scoped is not None:
        done = research.ScopedResearch(scoped).import_text(text, kind)
    elif kind == "acled":
        done = research.import_acled(ledger, text, actor=name)
    else:
        done = {"imported": research.import_text(ledger, text, kind, actor=name)}
    if as_json:
        common.print_json(done)
    elif kind == "acled":
        common.stdout.print(f"{done['events']} conflict events read, {done['written']} written, "
                            f"{done['attacks_on_peacekeepers']} attacks on peacekeepers, "
                            f"{len(done['links'])} linked to incidents", markup=False)
        for event, ids in done["links"].items():
            common.stdout.print(f"  {event} -> {', '.join(ids)}", markup=False)
    else:
        ids = done["imported"]
        common.stdout.print(f"{len(ids)} research records imported" + (
            f": {', '.join(ids[:10])}" + (f" ... {ids[-1]}" if len(ids) > 10 else "") if ids else ""), markup=False)
