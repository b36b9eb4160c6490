"""The analyses (issue 14) on a demo database, end to end: every ``/analysis`` view over HTTP and the brief.

Times, as a researcher (a grant over the mission: aggregates only), the mission's WAM officer and an
administrator, each request through the ASGI application in process (the middleware, the session, the
scoping, the template; no socket, as ``bench/incidents.py`` does), one warm-up then ``--samples`` runs:

- ``/analysis`` without a filter, with the mission, with the mission and a quarter, and with a map filter
  (the map's own period and kinds, ``map=1``);
- ``/api/analysis`` without a filter and with the mission and the quarter;
- ``/analysis/brief.pdf`` for the mission and the whole period;
- ``/dashboard``, the WAM officer's page, for comparison (a persona it refuses is named, not timed);

and ``wam report brief`` for the mission and the whole period as a command (a new process each time,
wall time: start-up, reading, the PDF and its HTML). Targets (issue 14): every view under 500 ms, a brief
under 30 s; p50, p95 and max, and the ratio of the p95 to its target.

Usage::

    wam demo --no-serve --scale global --db /work/bench10m/wam-demo.db   # 10 million movements, ~15 min
    python bench/analysis.py --db /work/bench10m/wam-demo.db [--samples 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

VIEW_TARGET_MS, BRIEF_TARGET_MS = 500.0, 30_000.0
PERSONAS = ("researcher", "officer", "admin")
PASSWORD = "benchmark password"


def stats(values: list[float], target: float) -> dict[str, float]:
    values = sorted(values)
    p95 = values[max(0, math.ceil(0.95 * len(values)) - 1)]
    return {"p50_ms": round(statistics.median(values), 1), "p95_ms": round(p95, 1), "max_ms": round(values[-1], 1),
            "target_ms": target, "p95_over_target": round(p95 / target, 3), "samples": len(values)}


def timed(fn: Callable[[], object], samples: int, target: float) -> dict[str, float]:
    fn()  # one warm-up: the caches (the country outlines, the templates, the planner's statistics)
    values = []
    for _ in range(samples):
        start = time.perf_counter()
        fn()
        values.append((time.perf_counter() - start) * 1000)
    return stats(values, target)


def tokens(url: str, mission: str) -> dict[str, str]:
    """A token for each persona; the users are added once (``bench-<persona>``) to the demo's accounts."""
    from wam.domain.access import Grant, Role
    from wam.domain.errors import NotFound
    from wam.services.accounts import Accounts
    from wam.services.ledger import Ledger

    ledger = Ledger.open(url)
    accounts = Accounts(ledger.engine)
    grants = {"researcher": Grant(Role.RESEARCHER, mission), "officer": Grant(Role.MISSION_OFFICER, mission),
              "admin": Grant(Role.ADMINISTRATOR)}
    out = {}
    for persona in PERSONAS:
        name = f"bench-{persona}"
        try:
            user = accounts.user(name)
        except NotFound:
            accounts.add_user(name, PASSWORD)
            accounts.grant(name, grants[persona], by="bench")
            user = accounts.user(name)
        out[persona], _ = accounts.open_session(user, kind="token", lifetime=86_400)
    ledger.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="the demo's SQLite file, or a PostgreSQL URL")
    parser.add_argument("--mission", help="default: the demo's (the first mission holder)")
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--brief-samples", type=int, default=3, help="runs of `wam report brief`")
    parser.add_argument("--only", help="time only the views whose name contains this")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    url = args.db if "://" in args.db else f"sqlite:///{args.db}"

    from wam.services.ledger import Ledger
    from wam.storage import tables as t

    ledger = Ledger.open(url)
    with ledger.engine.connect() as conn:
        entries = conn.execute(select(func.count()).select_from(t.entries)).scalar_one()
        mission = args.mission or conn.execute(select(t.holders.c.code).where(t.holders.c.kind == "mission")
                                               .order_by(t.holders.c.id)).scalars().first()
        first, last = conn.execute(select(func.min(t.entries.c.occurred_at), func.max(t.entries.c.occurred_at))).one()
    from wam.domain.timefmt import from_micros

    since, until = from_micros(first).date(), from_micros(last).date()
    quarter = (since, min(until, since + timedelta(days=90)))
    mapped = (since + timedelta(days=91), min(until, since + timedelta(days=181)))
    out: dict[str, Any] = {"db": args.db, "entries": entries, "mission": mission,
                           "period": [since.isoformat(), until.isoformat()], "machine": os.uname().nodename,
                           "cpus": os.cpu_count(), "date": datetime.now(UTC).date().isoformat(), "views": {}}
    out["loadavg_before"] = os.getloadavg()
    print(f"{args.db}: {entries:,} entries, mission {mission}, {since} to {until}; "
          f"load average {out['loadavg_before']}", file=sys.stderr)

    def day(d: date) -> str:
        return d.isoformat()

    views: dict[str, tuple[str, dict[str, Any], float]] = {
        "/analysis": ("/analysis", {}, VIEW_TARGET_MS),
        "/analysis mission": ("/analysis", {"mission": mission}, VIEW_TARGET_MS),
        "/analysis mission+quarter": ("/analysis", {"mission": mission, "since": day(quarter[0]),
                                                    "until": day(quarter[1])}, VIEW_TARGET_MS),
        "/analysis map filter": ("/analysis", {"mission": mission, "map": "1", "show": ["incidents", "recoveries"],
                                               "map_since": day(mapped[0]), "map_until": day(mapped[1])},
                                 VIEW_TARGET_MS),
        "/api/analysis": ("/api/analysis", {}, VIEW_TARGET_MS),
        "/api/analysis mission+quarter": ("/api/analysis", {"mission": mission, "from": day(quarter[0]),
                                                            "to": day(quarter[1])}, VIEW_TARGET_MS),
        "/analysis/brief.pdf": ("/analysis/brief.pdf", {"mission": mission, "since": day(since),
                                                        "until": day(until)}, BRIEF_TARGET_MS),
        "/dashboard": ("/dashboard", {}, VIEW_TARGET_MS),
    }
    if args.only:
        views = {k: v for k, v in views.items() if args.only in k}

    from wam.web.app import create_app
    from wam.web.settings import WebSettings

    secrets = tokens(url, mission)
    app = create_app(WebSettings(database_url=url, secret_key="x" * 40, gzip=False), ledger=ledger)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.web.asgi: the ASGI app in process
    from tests.web.asgi import AppClient

    with AppClient(app, timeout=600) as client:
        for persona in PERSONAS:
            headers = {"Authorization": f"Bearer {secrets[persona]}"}
            for name, (path, params, target) in views.items():
                status = client.get(path, params=params, headers=headers).status_code
                if status != 200 and path == "/dashboard":
                    out["views"][f"{persona} {name}"] = {"status": status}
                    print(f"{persona:10s} {name:32s} answers {status}: not timed", flush=True)
                    continue

                def call(p: str = path, q: dict[str, Any] = params, h: dict[str, str] = headers) -> None:
                    response = client.get(p, params=q, headers=h)
                    assert response.status_code == 200, f"{p} {response.status_code} {response.text[:300]}"

                figures = timed(call, args.samples, target)
                out["views"][f"{persona} {name}"] = figures
                print(f"{persona:10s} {name:32s} p50 {figures['p50_ms']:9.1f} ms  p95 {figures['p95_ms']:9.1f} ms"
                      f"  max {figures['max_ms']:9.1f} ms  p95/target {figures['p95_over_target']:.2f}", flush=True)

    if not args.only or "report" in args.only:
        wam = shutil.which("wam", path=str(Path(sys.executable).parent)) or "wam"
        with tempfile.TemporaryDirectory() as folder:
            command = [wam, "--db", url, "report", "brief", "--mission", mission, "--from", day(since), "--to",
                       day(until), "--output", str(Path(folder) / "brief.pdf")]
            values = []
            for _ in range(args.brief_samples):
                start = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True)
                values.append((time.perf_counter() - start) * 1000)
            figures = stats(values, BRIEF_TARGET_MS)
            out["views"]["wam report brief"] = {**figures, "command": " ".join(command[:-1] + ["brief.pdf"])}
            print(f"{'command':10s} {'wam report brief':32s} p50 {figures['p50_ms']:9.1f} ms  p95 "
                  f"{figures['p95_ms']:9.1f} ms  max {figures['max_ms']:9.1f} ms  p95/target "
                  f"{figures['p95_over_target']:.2f}", flush=True)
    out["loadavg_after"] = os.getloadavg()
    print(f"load average after: {out['loadavg_after']}", file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
