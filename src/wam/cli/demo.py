"""``wam demo``: build a realistic world on MONUSCO's real deployment, then serve it.

Example::

    wam demo                        # the mission scale (about 450,000 movements), then serve
    wam demo --scale small --no-serve
    wam demo --scale global --no-serve --db bench.db   # 10 million movements, for benchmarks
"""

from __future__ import annotations

import secrets
import shlex
import time

import typer

from wam.domain.errors import InvalidInput

from . import common

DEFAULT_DB = "wam-demo.db"

ACCOUNTS = [  # (name, role, scope description, holder or None, country or None)
    ("admin", "administrator", "everywhere", None, None),
    ("wam-officer", "mission-officer", "MONUSCO", "MONUSCO", None),
    ("quartermaster", "quartermaster", "{contingent}", "{contingent}", None),
    ("armourer", "armourer", "{site}", "{site}", None),
    ("auditor", "auditor", "MONUSCO", "MONUSCO", None),
    ("researcher", "researcher", "everywhere (no persons or movements)", None, None),
    ("viewer", "viewer", "MONUSCO", "MONUSCO", None),
    ("country-hq", "viewer", "contingents of {country}", None, "{country}"),
]


def _create_accounts(url: str) -> list[tuple[str, str, str, str]]:
    """One account per role, with a random password each, kept in the database the demo built
    (they outlive the demo: `wam serve` on that database signs them in). Returns
    (name, password, role, scope)."""
    from wam.domain.access import make_grant
    from wam.services.accounts import Accounts
    from wam.services.ledger import Ledger
    from wam.services.world import first_site

    ledger = Ledger.open(url)
    try:
        place = first_site(ledger)
        fill = {"site": place.site, "contingent": place.contingent, "country": place.country}
        accounts = Accounts(ledger.engine)
        out = []
        for name, role, scope, holder, cc in ACCOUNTS:
            password = secrets.token_urlsafe(12)
            accounts.add_user(name, password, display_name=f"Demo {role}", admin=role == "administrator", by="wam demo")
            if role != "administrator":
                accounts.grant(name, make_grant(role=role, holder=holder and holder.format(**fill),
                                                country=cc and cc.format(**fill)), by="wam demo")
            out.append((name, password, role, scope.format(**fill)))
    finally:
        ledger.engine.dispose()
    return out


def _print_accounts(accounts: list[tuple[str, str, str, str]]) -> None:
    common.stdout.print("demo accounts (passwords are new each build):", markup=False)
    common.stdout.print(f"  {'role':<16} {'user':<14} {'password':<18} scope", markup=False)
    for name, password, role, scope in accounts:
        common.stdout.print(f"  {role:<16} {name:<14} {password:<18} {scope}", markup=False)


def serve_command(db: str) -> str:
    """The command that serves the database the demo built, as the user can type it."""
    return f"wam serve --db {shlex.quote(db)}"


def demo(
    scale: str = typer.Option("mission", "--scale",
                              help="small (seconds), mission (default, under a minute), global (10M movements)."),
    seed: int = typer.Option(1, "--seed", help="The same seed builds the same database (same ledger head hash)."),
    no_serve: bool = typer.Option(False, "--no-serve",
                                  help="Only build (and print the command that serves it); do not serve."),
    db: str | None = typer.Option(None, "--db",
                                  help="SQLite file, rebuilt each time (default wam-demo.db), or an empty "
                                                      "PostgreSQL database. `wam --db X demo` builds into X too."),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    as_json: bool = typer.Option(False, "--json", help="Print the summary, figures and accounts as JSON."),
) -> None:
    """Build a demo world on MONUSCO's real 2018 deployment (Geo-PKO) with a year of generated custody.

    Its accounts (one per role) are kept in the database; with --no-serve it prints them and the
    command that serves it, e.g. `wam serve --db wam-demo.db`.
    """
    from wam.demo import SCALES, build_demo, figures
    from wam.services.ledger import Ledger
    from wam.services.setup import fresh_database

    if scale not in SCALES:
        raise InvalidInput(f"{scale!r} is not a scale ({', '.join(SCALES)})", field="scale")
    # Only a --db the user gave (here or before the command): never WAM_DATABASE_URL, which may
    # name a real ledger, since the demo deletes the SQLite file it builds into.
    db = db or common.given_database() or DEFAULT_DB
    url = fresh_database(db)
    if not as_json:
        common.stderr.print(f"building the {scale} demo (seed {seed}) into {db} ...", markup=False)
    summary = build_demo(url, scale, seed)
    ledger = Ledger.open(url)
    from wam.services import research

    # beside the generated world: the publicly documented incidents of the reference, as research records
    documented = research.load_reference(ledger, actor="demo.researcher")
    started = time.perf_counter()
    values = figures(ledger)
    ledger.engine.dispose()
    figures_seconds = time.perf_counter() - started
    accounts = _create_accounts(url)
    command = serve_command(db)
    if as_json:
        common.print_json({"summary": summary.__dict__, "figures": values, "figures_seconds": figures_seconds,
                           "research_records": len(documented),
                           "database": db, "serve": command,
                           "accounts": [{"role": role, "name": name, "password": password, "scope": scope}
                                        for name, password, role, scope in accounts]})
    else:
        s = summary
        common.stdout.print(
            f"built {s.movements:,} movements in {s.seconds:.1f} s: {s.sites} sites, {s.troops:,} troops, "
            f"{s.weapons:,} weapons, {s.lots:,} lots, {s.holders:,} holders; period {s.period[0]} to {s.period[1]}",
            markup=False)
        common.stdout.print(f"ledger head: entry {s.head_seq}, hash {s.head_hash}", markup=False)
        common.stdout.print(
            f"figures: {values['weapons_per_soldier']} weapons per soldier, {values['rounds_per_weapon']} rounds per "
            f"small arm, {values['loss_incidents']} loss incidents "
            f"({values['loss_incidents_per_1000_per_year']} per 1,000 "
            f"troops per year), {values['weapons_lost']} weapons and {values['rounds_lost']:,} rounds lost",
            markup=False)
        common.stdout.print(f"research records: {len(documented)} publicly documented incidents (wam incidents "
                            "list --record research)", markup=False)
    try:
        from .serve import serve
    except ImportError:
        if not as_json:
            common.stdout.print("the web application is not available in this installation; the database is ready:",
                                markup=False)
            common.stdout.print(f"  wam --db {shlex.quote(db)} balance MONUSCO --tree", markup=False)
        return
    if no_serve:
        if not as_json:
            common.stdout.print(f"\nbuilt into {db}; serve it with:\n  {command}", markup=False)
            _print_accounts(accounts)
        return
    if not as_json:
        common.stdout.print(f"\nserving at http://{host}:{port}/  (Ctrl-C to stop; later: {command})", markup=False)
        _print_accounts(accounts)
    serve(host=host, port=port, db=url)
