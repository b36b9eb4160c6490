"""``wam ammo``: the IATG storage calculators a WAM officer uses on their own, and the stores' status.

Examples::

    wam ammo distance --neq 1000 [--json]        # every kind of exposed site: D = k x Q^(1/3), with k and its source
    wam ammo max-neq --distance 400 [--json]     # the largest NEQ at that distance, for every kind
    wam ammo mixing C G [--json]                 # allowed, forbidden, or conditional with its note
    wam ammo distances GAO-ASP inhabited_building=450 public_traffic_route=300   # record a store's survey
    wam ammo check [--store GAO-ASP] [--json]    # the breaches now: mixing and distances (exit 1 if any)
    wam ammo override GAO-ASP LOT --reason "..." [--withdraw]   # let a lot into a store despite the rules
    wam ammo suspend LOT --reason "..." [--since DATE] [--code J] [--recall]   # or: wam ammo release LOT ...
    wam ammo holders LOT [--json]                # every holder of a lot now (where to collect a recall)
    wam ammo suspended [--json]                  # the lots suspended or recalled now, with their holders

Values the reference labels secondary [S] are marked provisional with their source; values it labels
UNSURE are not encoded, and the answer says so (:mod:`wam.domain.iatg`).
"""

from __future__ import annotations

from typing import Any

import typer

from . import common

ammo_app = typer.Typer(help="Ammunition storage rules (IATG): distances, mixing, the stores' breaches.",
                       no_args_is_help=True)
JsonOption = typer.Option(False, "--json", help="Print JSON.")


def register(app: typer.Typer) -> None:
    app.add_typer(ammo_app, name="ammo")


def _sites() -> list[Any]:
    from wam.domain import iatg

    return list(iatg.EXPOSED_SITES.values())


@ammo_app.command("distance")
def distance(neq: str = typer.Option(..., "--neq", help="Net explosive quantity, kg (HD 1.1)."),
             as_json: bool = JsonOption) -> None:
    """The separation distance from a store of NEQ kg (HD 1.1) to each kind of exposed site."""
    from wam.domain import iatg

    rows = [{"kind": s.kind, "label": s.label, "k": s.k, "source": s.source, "provisional": s.provisional,
             "distance_m": None if s.k is None else round(iatg.distance(neq, s.k), 1)} for s in _sites()]
    _print({"neq_kg": float(neq), "formula": iatg.SOURCE_FORMULA, "sites": rows}, rows, "distance_m", "m", as_json)


@ammo_app.command("max-neq")
def max_neq(distance_m: str = typer.Option(..., "--distance", help="Distance to the exposed site, metres."),
            as_json: bool = JsonOption) -> None:
    """The largest NEQ (kg, HD 1.1) a store may hold at that distance from each kind of exposed site."""
    from wam.domain import iatg

    rows = [{"kind": s.kind, "label": s.label, "k": s.k, "source": s.source, "provisional": s.provisional,
             "max_neq_kg": None if s.k is None else round(iatg.max_neq(distance_m, s.k), 1)} for s in _sites()]
    _print({"distance_m": float(distance_m), "formula": iatg.SOURCE_FORMULA, "sites": rows}, rows, "max_neq_kg",
           "kg", as_json)


def _print(data: dict[str, Any], rows: list[dict[str, Any]], value: str, unit: str, as_json: bool) -> None:
    if as_json:
        common.print_json(data)
        return
    for row in rows:
        shown = "not encoded" if row[value] is None else f"{row[value]:,.1f} {unit}"
        k = "" if row["k"] is None else f"k={row['k']:g}"
        common.stdout.print(f"{row['label']:<52} {shown:>16}  {k}", markup=False)
    common.stdout.print(f"{data['formula']}; k factors: provisional [S], see --json for each source", markup=False)


@ammo_app.command("mixing")
def mixing(first: str = typer.Argument(..., help="A compatibility group (A-H, J, K, L, N, S) or a code like 1.1D."),
           second: str = typer.Argument(...), as_json: bool = JsonOption) -> None:
    """May these two compatibility groups be stored together? (the storage table, not the transport one)"""
    from wam.domain import iatg

    found = iatg.mixing(first, second)
    if as_json:
        common.print_json(found.as_dict())
        return
    said = found.verdict.value + ("".join(f"\n  note {n}: {iatg.NOTES[n]}" for n in found.notes))
    common.stdout.print(f"{found.first} with {found.second}: {said}\n({found.source})", markup=False)


@ammo_app.command("distances")
def record_distances(store: str = typer.Argument(..., help="The store's code."),
                     given: list[str] = typer.Argument(..., help="KIND=METRES, e.g. inhabited_building=450"),
                     actor: str | None = typer.Option(None, "--actor", help="Who surveyed (default: your user name)."),
                     as_json: bool = JsonOption) -> None:
    """Record a store's distances to exposed sites (a new survey replaces the last; both are kept)."""
    from wam.domain.errors import InvalidInput
    from wam.services import ammo

    pairs: dict[str, str] = {}
    for row, text in enumerate(given, start=1):
        kind, sep, metres = text.partition("=")
        if not sep:
            raise InvalidInput(f"{text!r}: write KIND=METRES", field="distances", row=row)
        pairs[kind.strip()] = metres.strip()
    common.act(actor, None, f"survey {store}",
               lambda ledger, name: ammo.record_distances(ledger, store, pairs, actor=name),
               lambda scoped: ammo.ScopedAmmo(scoped).record_distances(store, pairs))
    _print_status(ammo.check(common.open_ledger(), store), as_json)


@ammo_app.command("check")
def check(store: str | None = typer.Option(None, "--store", help="Only this store."),
          as_json: bool = JsonOption) -> None:
    """The stores holding ammunition with their aggregate division and NEQ, their mixing and their
    distances; exits 1 when a store is in breach."""
    from wam.services import ammo

    found = ammo.check(common.open_ledger(), store)
    _print_status(found, as_json)
    if any(s.breaches for s in found):
        raise typer.Exit(1)


ActorOption = typer.Option(None, "--actor", help="Who decides (default: your user name).")


@ammo_app.command("override")
def override(store: str = typer.Argument(..., help="The store's code."),
             item: str = typer.Argument(..., help="The lot's item key."),
             reason: str = typer.Option(..., "--reason", help="Why the lot may be there (kept and shown)."),
             withdraw: bool = typer.Option(False, "--withdraw", help="End the override: the rules apply again."),
             actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """Record an officer's override: the lot may enter the store despite the storage rules."""
    from wam.services import ammo

    done = common.act(
        actor, None, f"override the storage rules at {store}",
        lambda ledger, name: ammo.record_override(ledger, store, item, reason, actor=name, withdrawn=withdraw),
        lambda scoped: ammo.ScopedAmmo(scoped).record_override(store, item, reason, withdrawn=withdraw))
    if as_json:
        common.print_json(done)
        return
    said = "withdrawn" if withdraw else "recorded"
    common.stdout.print(f"override {said}: {done['item']} in {done['store']} ({done['reason']})", markup=False)


def _set_status(item: str, status: str, reason: str, since: str | None, code: str | None, actor: str | None,
                as_json: bool) -> None:
    from wam.services import ammo

    done = common.act(
        actor, None, f"set the status of {item}",
        lambda ledger, name: ammo.set_status(ledger, item, status, reason, actor=name, since=since, code=code),
        lambda scoped: ammo.ScopedAmmo(scoped).set_status(item, status, reason, since=since, code=code))
    held = ammo.holders_of(common.open_ledger(), item)
    if as_json:
        common.print_json({**done, "holders": held})
        return
    common.stdout.print(f"{done['item']}: {done['status']} from {_shown(done['since'])} ({done['reason']})",
                        markup=False)
    _print_holders(held)


SinceOption = typer.Option(None, "--since", help="From this date or moment (a date: from its start, UTC); "
                                                "default now.")


@ammo_app.command("suspend")
def suspend(item: str = typer.Argument(..., help="The lot's item key."),
            reason: str = typer.Option(..., "--reason", help="Why (a technical notice, an incident, a test)."),
            since: str | None = SinceOption,
            code: str | None = typer.Option(None, "--code", help="A US ammunition condition code, J to N."),
            recall: bool = typer.Option(False, "--recall", help="A recall rather than a suspension."),
            actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """Suspend or recall a lot: from then on it is not issued, transferred (but for disposal) or expended."""
    _set_status(item, "recalled" if recall else "suspended", reason, since, code, actor, as_json)


@ammo_app.command("release")
def release(item: str = typer.Argument(..., help="The lot's item key."),
            reason: str = typer.Option(..., "--reason", help="Why the lot may be used again."),
            since: str | None = SinceOption, actor: str | None = ActorOption, as_json: bool = JsonOption) -> None:
    """Lift a lot's suspension or recall from a moment on."""
    _set_status(item, "released", reason, since, None, actor, as_json)


@ammo_app.command("holders")
def holders(item: str = typer.Argument(..., help="The lot's item key."), as_json: bool = JsonOption) -> None:
    """Every holder of a lot now, with its quantity, and the lot's suspensions and recalls."""
    from wam.services import ammo

    ledger = common.open_ledger()
    held, history = ammo.holders_of(ledger, item), ammo.lot_history(ledger, item)
    if as_json:
        common.print_json({"item": item, "holders": held, "history": history})
        return
    for change in history:
        common.stdout.print(f"{change['status']} from {_shown(change['since'])} by {change['by']}: {change['reason']}",
                            markup=False)
    _print_holders(held)


@ammo_app.command("suspended")
def suspended(as_json: bool = JsonOption) -> None:
    """The lots suspended or recalled now, each with every holder of it."""
    from wam.services import ammo

    found = ammo.suspended_lots(common.open_ledger())
    if as_json:
        common.print_json({"lots": found})
        return
    if not found:
        common.stdout.print("no lot is suspended or recalled", markup=False)
    for lot in found:
        common.stdout.print(f"{lot['item']}: {lot['status']} from {_shown(lot['since'])} ({lot['reason']})",
                            markup=False)
        _print_holders(lot["holders"])


def _shown(moment: str) -> str:
    """A stored moment as people read it: to the minute, UTC (the JSON keeps it whole)."""
    return moment[:16].replace("T", " ") + " UTC"


def _print_holders(held: list[dict[str, Any]]) -> None:
    if not held:
        common.stdout.print("  held by no one", markup=False)
    for h in held:
        common.stdout.print(f"  {h['holder']:<24} {h['quantity']:>10,}  {h['name']}", markup=False)


def _print_status(found: list[Any], as_json: bool) -> None:
    if as_json:
        common.print_json({"stores": [s.as_dict() for s in found], "in_breach": [s.code for s in found if s.breaches]})
        return
    if not found:
        common.stdout.print("no store holds classified ammunition", markup=False)
    for s in found:
        held = s.aggregate
        what = "no explosives" if held is None else f"HD {held.division}, {held.neq_kg} kg NEQ"
        survey = "" if s.distances else " (distances not surveyed: wam ammo distances)"
        common.stdout.print(f"{s.code} ({s.name}): {what}: {'IN BREACH' if s.breaches else 'ok'}{survey}",
                            markup=False)
        for reason in s.breaches:
            common.stdout.print(f"  breach: {reason}", markup=False)
        for condition in s.conditions:
            common.stdout.print(f"  condition: {condition}", markup=False)
        for d in s.distances:
            if not d.breach:
                common.stdout.print(f"  {d.label}: {d.reason}", markup=False)
        for o in s.overrides:
            common.stdout.print(f"  override: {o['item']} by {o['by']} at {_shown(o['at'])}: {o['reason']}",
                                markup=False)
        if s.unclassified:
            common.stdout.print(f"  unclassified lots (no division, group or NEQ): {', '.join(s.unclassified)}",
                                markup=False)
