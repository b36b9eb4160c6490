"""The WAM officer's dashboard and the record form's pickers on a demo database.

Times, for the mission's WAM officer (a grant over the mission) and an administrator (everything):
each figure of ``/dashboard`` (holdings by category, by site, movements per day for 30 days) and the
whole set, and the pickers (``/api/pick/holders``, ``/api/pick/items``) for a few typed prefixes;
p50, p95 and max over ``--samples`` runs. The services are called directly (no HTTP), as the
page calls them.

With ``--http``, the pages instead, end to end through the ASGI application in process (middleware,
bearer token, scoping, template; no socket, as ``bench/analysis.py`` does): ``/dashboard``, the home
page ``/`` (its to-do lists and oversight) and ``/ammo``, for each persona (the mission's WAM officer,
an administrator, an auditor and a researcher over the mission, a viewer of one contingent); a page a
persona may not see is named with its status, not timed. Target (issue 14): every view under 500 ms.

Usage::

    wam demo --no-serve --db wam-demo.db          # the mission scale: 457,306 movements
    python bench/dashboard.py --db wam-demo.db
    python bench/dashboard.py --db /work/bench10m/wam-demo.db --http --samples 20   # the global world
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from wam.domain.access import Grant, Role
from wam.services import dashboard, pickers
from wam.services.ledger import Ledger
from wam.services.scoped import Ancestry, ScopedLedger


def _time(fn: Callable[[], object], samples: int) -> str:
    values = _values(fn, samples)
    p95 = values[max(0, math.ceil(0.95 * len(values)) - 1)]
    return f"p50 {statistics.median(values):6.1f} ms  p95 {p95:6.1f} ms  max {values[-1]:6.1f} ms"


TARGET_MS = 500.0
PAGES = ("/dashboard", "/", "/ammo")


def _grants(mission: str, contingent: str) -> dict[str, Grant]:
    return {"officer": Grant(Role.MISSION_OFFICER, mission), "admin": Grant(Role.ADMINISTRATOR),
            "auditor": Grant(Role.AUDITOR, mission), "researcher": Grant(Role.RESEARCHER, mission),
            "viewer": Grant(Role.VIEWER, contingent)}


def _tokens(ledger: Ledger, grants: dict[str, Grant]) -> dict[str, str]:
    """A token per persona; the users (``bench-dash-<persona>``) are added once to the demo's accounts."""
    from wam.domain.errors import NotFound
    from wam.services.accounts import Accounts

    accounts = Accounts(ledger.engine)
    out = {}
    for persona, grant in grants.items():
        name = f"bench-dash-{persona}"
        try:
            user = accounts.user(name)
        except NotFound:
            accounts.add_user(name, "benchmark password")
            accounts.grant(name, grant, by="bench")
            user = accounts.user(name)
        out[persona], _ = accounts.open_session(user, kind="token", lifetime=86_400)
    return out


def _http(ledger: Ledger, url: str, args: argparse.Namespace) -> None:
    from wam.web.app import create_app
    from wam.web.settings import WebSettings

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.web.asgi: the ASGI app in process
    from tests.web.asgi import AppClient

    grants = _grants(args.mission, args.contingent)
    if args.personas:
        grants = {k: v for k, v in grants.items() if k in args.personas.split(",")}
    secrets = _tokens(ledger, grants)
    pages = args.pages.split(",") if args.pages else PAGES
    app = create_app(WebSettings(database_url=url, secret_key="x" * 40, gzip=False), ledger=ledger)
    print(f"load average {os.getloadavg()}", file=sys.stderr)
    with AppClient(app, timeout=600) as client:
        for persona in grants:
            headers = {"Authorization": f"Bearer {secrets[persona]}"}
            for page in pages:
                params = {"until": args.until} if page == "/dashboard" else {}
                status = client.get(page, params=params, headers=headers).status_code
                if status != 200:
                    print(f"{persona:10s} {page:12s} answers {status}: not timed", flush=True)
                    continue

                def call(p: str = page, q: dict[str, str] = params, h: dict[str, str] = headers) -> None:
                    response = client.get(p, params=q, headers=h)
                    assert response.status_code == 200, f"{p} {response.status_code}"

                values = _values(call, args.samples)
                p95 = values[max(0, math.ceil(0.95 * len(values)) - 1)]
                print(f"{persona:10s} {page:12s} p50 {statistics.median(values):7.1f} ms  p95 {p95:7.1f} ms  "
                      f"max {values[-1]:7.1f} ms  p95/target {p95 / TARGET_MS:.2f}", flush=True)
    print(f"load average {os.getloadavg()}", file=sys.stderr)


def _values(fn: Callable[[], object], samples: int) -> list[float]:
    fn()  # warm the caches once
    values = []
    for _ in range(samples):
        start = time.perf_counter()
        fn()
        values.append((time.perf_counter() - start) * 1000)
    return sorted(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--mission", default="MONUSCO")
    parser.add_argument("--until", default="2018-12-31", help="the last day of the movements per day")
    parser.add_argument("--contingent", default="MONUSCO-IND", help="the viewer's holder (--http)")
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--http", action="store_true", help="time the pages over HTTP instead of the services")
    parser.add_argument("--personas", help="with --http: only these, comma-separated")
    parser.add_argument("--pages", help="with --http: only these paths, comma-separated")
    args = parser.parse_args()
    url = args.db if "://" in args.db else f"sqlite:///{args.db}"
    ledger = Ledger.open(url)
    if args.http:
        _http(ledger, url, args)
        return
    until = date.fromisoformat(args.until)
    for who, grant in (("officer", Grant(Role.MISSION_OFFICER, args.mission)), ("admin", Grant(Role.ADMINISTRATOR))):
        scoped = ScopedLedger(ledger, Ancestry(), [grant], who)
        figures: dict[str, Callable[[], object]] = {
            "by category": lambda s=scoped: dashboard.by_category(s),
            "by site": lambda s=scoped: dashboard.by_site(s),
            "per day (30)": lambda s=scoped: dashboard.per_day(s, until=until),
        }
        figures["all three"] = lambda f=dict(figures): [g() for g in f.values()]
        for prefix in ("a", "56", "soldier 01"):
            figures[f"pick items {prefix!r}"] = lambda s=scoped, q=prefix: pickers.items(s, q)
            figures[f"pick holders {prefix!r}"] = lambda s=scoped, q=prefix: pickers.holders(s, q)
        for name, fn in figures.items():
            print(f"{who:8s} {name:24s} {_time(fn, args.samples)}")


if __name__ == "__main__":
    main()
