"""``wam demo``: build a realistic world on MONUSCO's real deployment, then serve it.

Example::

    wam demo                        # the mission scale (about 450,000 movements), then serve
    wam demo --scale small --no-serve
    wam demo --scale global --no-serve --db bench.db   # 10 million movements, for benchmarks
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import typer

from wam.domain.errors import InvalidInput

from . import common

ACCOUNTS = [  # (name, role, scope description, holder or None, country or None)
    ("admin", "administrator", "everywhere", None, None),
    ("wam-officer", "mission-officer", "MONUSCO", "MONUSCO", None),
    ("quartermaster", "quartermaster", "{contingent}", "{contingent}", None),
    ("armourer", "armourer", "{site}", "{site}", None),
    ("auditor", "auditor", "MONUSCO", "MONUSCO", None),
    ("researcher", "researcher", "everywhere (aggregates)", None, None),
    ("viewer", "viewer", "MONUSCO", "MONUSCO", None),
    ("country-hq", "viewer", "contingents of {country}", None, "{country}"),
]


def _fresh_database(db: str) -> str:
    from wam.storage.engine import normalise_url

    url = normalise_url(db)
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        for extra in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + extra).unlink(missing_ok=True)
        return url
    from sqlalchemy import inspect

    from wam.storage.engine import make_engine

    engine = make_engine(url)
    try:
        if inspect(engine).get_table_names():
            raise InvalidInput("the demo needs an empty database (it rebuilds SQLite files, never a server's tables)",
                               field="db")
    finally:
        engine.dispose()
    return url


def _create_accounts(url: str) -> list[tuple[str, str, str, str]]:
    """One account per role, with a random password each; returns (name, password, role, scope)."""
    from sqlalchemy import select

    from wam.domain.access import make_grant
    from wam.services.accounts import Accounts
    from wam.storage import tables as t
    from wam.storage.engine import make_engine

    engine = make_engine(url)
    accounts = Accounts(engine)
    with engine.connect() as conn:
        site = conn.execute(select(t.holders.c.code).where(t.holders.c.kind == "site").order_by(t.holders.c.code)).scalars().first()
        contingent = conn.execute(select(t.holders.c.parent_id).where(t.holders.c.code == site)).scalar()
        contingent = conn.execute(select(t.holders.c.code).where(t.holders.c.id == contingent)).scalar()
        country = conn.execute(select(t.holders.c.country).where(t.holders.c.code == contingent)).scalar()
    out = []
    for name, role, scope, holder, cc in ACCOUNTS:
        fill = {"site": site, "contingent": contingent, "country": country}
        password = secrets.token_urlsafe(12)
        accounts.add_user(name, password, display_name=f"Demo {role}", admin=role == "administrator", by="wam demo")
        if role != "administrator":
            accounts.grant(name, make_grant(role=role, holder=holder and holder.format(**fill), country=cc and cc.format(**fill)),
                           by="wam demo")
        out.append((name, password, role, scope.format(**fill)))
    engine.dispose()
    return out


def demo(
    scale: str = typer.Option("mission", "--scale", help="small (seconds), mission (default, under a minute), global (10M movements)."),
    seed: int = typer.Option(1, "--seed", help="The same seed builds the same database (same ledger head hash)."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Only build; do not serve."),
    db: str = typer.Option("wam-demo.db", "--db", help="SQLite file (rebuilt each time) or an empty PostgreSQL database."),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    as_json: bool = typer.Option(False, "--json", help="Print the summary and figures as JSON."),
) -> None:
    """Build a demo world on MONUSCO's real 2018 deployment (Geo-PKO) with a year of generated custody."""
    from wam.demo import SCALES, build_demo, figures
    from wam.services.ledger import Ledger

    if scale not in SCALES:
        raise InvalidInput(f"{scale!r} is not a scale ({', '.join(SCALES)})", field="scale")
    url = _fresh_database(db)
    if not as_json:
        common.stderr.print(f"building the {scale} demo (seed {seed}) into {db} ...", markup=False)
    summary = build_demo(url, scale, seed)
    ledger = Ledger.open(url)
    started = time.perf_counter()
    values = figures(ledger)
    ledger.engine.dispose()
    if as_json:
        common.print_json({"summary": summary.__dict__, "figures": values, "figures_seconds": time.perf_counter() - started})
    else:
        s = summary
        common.stdout.print(
            f"built {s.movements:,} movements in {s.seconds:.1f} s: {s.sites} sites, {s.troops:,} troops, "
            f"{s.weapons:,} weapons, {s.lots:,} lots, {s.holders:,} holders; period {s.period[0]} to {s.period[1]}",
            markup=False)
        common.stdout.print(f"ledger head: entry {s.head_seq}, hash {s.head_hash}", markup=False)
        common.stdout.print(
            f"figures: {values['weapons_per_soldier']} weapons per soldier, {values['rounds_per_weapon']} rounds per "
            f"small arm, {values['loss_incidents']} loss incidents ({values['loss_incidents_per_1000_per_year']} per 1,000 "
            f"troops per year), {values['weapons_lost']} weapons and {values['rounds_lost']:,} rounds lost", markup=False)
    if no_serve:
        return
    try:
        from .serve import serve
    except ImportError:
        common.stdout.print("the web application is not available in this installation; the database is ready:",
                            markup=False)
        common.stdout.print(f"  wam --db {db} balance MONUSCO --tree", markup=False)
        return
    accounts = _create_accounts(url)
    common.stdout.print(f"\nserving at http://{host}:{port}/  (Ctrl-C to stop)\ndemo accounts (passwords are new each build):",
                        markup=False)
    for name, password, role, scope in accounts:
        common.stdout.print(f"  {name:<14} {password:<18} {role:<16} {scope}", markup=False)
    serve(host=host, port=port, db=url)
