"""``wam ammo``: the IATG storage calculators a WAM officer uses on their own, and the stores' status.

Examples::

    wam ammo distance --neq 1000 [--json]        # every kind of exposed site: D = k x Q^(1/3), with k and its source
    wam ammo max-neq --distance 400 [--json]     # the largest NEQ at that distance, for every kind
    wam ammo mixing C G [--json]                 # allowed, forbidden, or conditional with its note
    wam ammo distances GAO-ASP inhabited_building=450 public_traffic_route=300   # record a store's survey
    wam ammo check [--store GAO-ASP] [--json]    # the breaches now: mixing and distances (exit 1 if any)

Values the reference labels secondary [S] are marked provisional with their source; values it labels
UNSURE are not encoded, and the answer says so (:mod:`wam.domain.iatg`).
"""

from __future__ import annotations

import getpass
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
    ledger = common.open_ledger()
    ammo.record_distances(ledger, store, pairs, actor=actor or getpass.getuser())
    _print_status(ammo.check(ledger, store), as_json)


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
        if s.unclassified:
            common.stdout.print(f"  unclassified lots (no division, group or NEQ): {', '.join(s.unclassified)}",
                                markup=False)
