"""Listing and filtering 100,000 loss incidents: p50 and p95 of the register's list, in process and over HTTP.

Builds (or reuses with ``--db``) a SQLite ledger whose records chain holds ``--incidents`` loss incidents of
a mission (UN > MISSION > 10 sites, each with an armoury): each reported with one to three lines (rifles
of 2,000 registered, or rounds of a lot) and taken through its workflow to a random step (about 2.6 records
an incident), written straight into the records chain as the documents seam writes them. Their loss
movements are not posted: the list reads the register's records, never the movements, so they change
nothing here (``wam verify`` would, rightly, find the incidents' losses missing: do not verify it).

Then times, one request at a time after one warm-up, ``--samples`` times each:

- ``wam.services.incidents.listing`` with each filter of the list page (in process, CPU time too);
- ``GET /api/incidents`` with the same filters, first page of 100 rows, as the mission's WAM officer (a grant
  over MISSION: the holder-tree scope is applied to every row), through the ASGI app in process.

Usage::

    python bench/incidents.py --incidents 100000 --keep /tmp/incidents.db
    python bench/incidents.py --db /tmp/incidents.db
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

T0 = datetime(2015, 1, 1, tzinfo=UTC)
SITES = 10


def build(url: str, count: int, seed: int = 1) -> None:
    from wam.domain import incidents as vocabulary
    from wam.domain.documents import INCIDENT, apply, record_body
    from wam.domain.holders import make_holder
    from wam.domain.materiel import make_item
    from wam.services import records
    from wam.services.accounts import Accounts
    from wam.services.ledger import Ledger
    from wam.storage.engine import write_connection

    rng = random.Random(seed)
    ledger = Ledger.open(url)
    ledger.init("incidents benchmark")
    holders = [make_holder(code="UN", name="United Nations", kind="organisation"),
               make_holder(code="MISSION", name="Mission", kind="mission", parent="UN"),
               make_holder(code="BGD-BATT", name="Bangladesh battalion", kind="contingent", parent="MISSION",
                           country="BGD")]
    for s in range(SITES):
        holders.append(make_holder(code=f"SITE{s}", name=f"Site {s}", kind="site", parent="BGD-BATT"))
        holders.append(make_holder(code=f"SITE{s}-ARM", name=f"Armoury {s}", kind="store", parent=f"SITE{s}"))
    ledger.add_holders(holders)
    rifles = [make_item(type="weapon", make="FN", model="FAL", serial=f"FAL-{n:06d}", category="rifle",
                        calibre="7.62x51mm") for n in range(2000)]
    lot = make_item(type="ammunition", make="POF", model="7.62x51 BALL", lot="POF-2015-01", calibre="7.62x51mm")
    ledger.register_items([*rifles, lot])
    circumstances, mechanisms = list(vocabulary.Circumstance), list(vocabulary.Mechanism)
    ownerships = [vocabulary.Ownership.COE] * 8 + [vocabulary.Ownership.UNOE] * 2
    rows: list[tuple[str, str, dict[str, Any], str | None]] = []

    def flush() -> None:
        with write_connection(ledger.engine) as conn, conn.begin():
            records.append_many(conn, rows)
        rows.clear()

    for n in range(1, count + 1):
        site = rng.randrange(SITES)
        store = f"SITE{site}-ARM"
        lines = [[item.key, 1, store] for item in rng.sample(rifles, rng.choice((1, 1, 1, 2, 3)))]
        if rng.random() < 0.3:
            lines.append([lot.key, rng.choice((20, 120, 600, 3000)), store])
        when = T0 + timedelta(minutes=rng.randrange(10 * 365 * 24 * 60))
        given = {"number": f"INC-{n:06d}", "lines": lines, "rules": vocabulary.CURRENT_RULES.version,
                 "started_at": when, "site": f"SITE{site}", "mission": "MISSION",
                 "contingents": [["Bangladesh battalion", "BGD"]], "circumstance": rng.choice(circumstances),
                 "mechanism": rng.choice(mechanisms), "ownership": rng.choice(ownerships),
                 "casualties": {"killed": int(rng.random() < 0.05)}, "sources": [f"SINREP {n}"]}
        document = apply(INCIDENT, None, "report", "reporter", given)
        rows.append((INCIDENT.record_kind, document.number, record_body(INCIDENT, "report", given, document),
                     "reporter"))
        steps = [("post", {"occurred_at": when})]
        depth = rng.choice((0, 1, 1, 2, 3, 4))
        steps += [("investigate", {"investigator": "Maj. Sy"}), ("findings", {"findings": "door forced"}),
                  ("close", {"outcome": "written_off"})][:max(0, depth - 1)] if depth else []
        for name, step_given in steps:
            try:
                document = apply(INCIDENT, document, name, "officer", step_given)
            except Exception:  # noqa: BLE001  (a required board of inquiry: the incident stays where it is)
                break
            rows.append((INCIDENT.record_kind, document.number,
                         record_body(INCIDENT, name, {k: v for k, v in step_given.items() if k != "occurred_at"},
                                     document), "officer"))
        if len(rows) >= 20_000:
            flush()
    if rows:
        flush()
    accounts = Accounts(ledger.engine)
    from wam.domain.access import Grant, Role

    accounts.add_user("officer", "correct horse battery")
    accounts.grant("officer", Grant(Role.MISSION_OFFICER, "MISSION"), by="bench")
    ledger.engine.dispose()


FILTERS: list[tuple[str, dict[str, Any]]] = [
    ("none", {}),
    ("mechanism=ambush", {"mechanism": "ambush"}),
    ("circumstance=patrol", {"circumstance": "patrol"}),
    ("notable", {"notable": True}),
    ("step=closed", {"step": "closed"}),
    ("one year", {"since": "2020-01-01T00:00:00+00:00", "until": "2020-12-31T23:59:59+00:00"}),
    ("country=BGD, mission", {"country": "BGD", "mission": "MISSION"}),
    ("ambush, notable, a year", {"mechanism": "ambush", "notable": True,
                                 "since": "2020-01-01T00:00:00+00:00", "until": "2020-12-31T23:59:59+00:00"}),
]


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(call: Callable[[], int], samples: int) -> dict[str, float | int]:
    call()  # warm-up
    walls, cpus, size = [], [], 0
    for _ in range(samples):
        c0, t0 = cpu(), time.perf_counter()
        size = call()
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((cpu() - c0) * 1000)
    walls.sort()
    return {"rows": size, "p50_ms": round(statistics.median(walls), 1),
            "p95_ms": round(walls[min(len(walls) - 1, int(0.95 * len(walls)))], 1),
            "max_ms": round(walls[-1], 1), "cpu_p50_ms": round(statistics.median(cpus), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--db", help="time an existing database (built by --keep)")
    parser.add_argument("--keep", help="build into this SQLite file and keep it")
    args = parser.parse_args()
    path = Path(args.db or args.keep or Path(tempfile.mkdtemp()) / "incidents.db")
    url = f"sqlite:///{path}"
    out: dict[str, Any] = {"incidents": args.incidents, "loadavg_before": os.getloadavg()}
    if not args.db:
        if path.exists():
            path.unlink()
        c0, t0 = cpu(), time.perf_counter()
        build(url, args.incidents)
        out["build_s"], out["build_cpu_s"] = round(time.perf_counter() - t0, 1), round(cpu() - c0, 1)

    from wam.services import incidents
    from wam.services.ledger import Ledger

    ledger = Ledger.open(url)
    c0, t0 = cpu(), time.perf_counter()
    total = len(incidents.listing(ledger))
    out["records_incidents"] = total
    out["cold_first_list_ms"], out["cold_first_list_cpu_ms"] = (round((time.perf_counter() - t0) * 1000),
                                                                round((cpu() - c0) * 1000))
    service = {}
    for name, given in FILTERS:
        filters = incidents.Filters(**{k: (datetime.fromisoformat(v) if k in ("since", "until") else v)
                                       for k, v in given.items()})
        service[name] = timed(lambda f=filters: len(incidents.listing(ledger, f)), args.samples)
    out["service"] = service

    from wam.services.accounts import Accounts
    from wam.web.app import create_app
    from wam.web.settings import WebSettings

    accounts = Accounts(ledger.engine)
    token, _ = accounts.open_session(accounts.user("officer"), kind="token")
    app = create_app(WebSettings(database_url=url, secret_key="x" * 40, gzip=False), ledger=ledger)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.web.asgi: the ASGI app in process
    from tests.web.asgi import AppClient

    http = {}
    with AppClient(app) as client:
        headers = {"Authorization": f"Bearer {token}"}
        for name, given in FILTERS:
            params = {k: ("true" if v is True else v) for k, v in given.items()} | {"limit": 100}

            def call(p: dict[str, Any] = params) -> int:
                response = client.get("/api/incidents", params=p, headers=headers)
                assert response.status_code == 200, response.text
                return int(response.json()["total"])

            http[name] = timed(call, args.samples)
    out["http_first_page_of_100"] = http
    out["loadavg_after"] = os.getloadavg()
    out["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
