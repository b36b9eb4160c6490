"""Every list page at 1,000,000 movements, over HTTP, and a streamed export of 100,000 rows.

Builds (or reuses with ``--db``) a ledger of ``--movements`` rifle movements in a holder tree
(UN > two missions > sectors > contingents > stores: 50 stores in MISSION, 5 in OTHER), 10,000
movements a day from 2020-01-01 (so a day's filter selects 10,000 rows and ten days 100,000), serves it
with uvicorn (one worker, a separate process) and requests each list page with a filter and a sort as
the mission's WAM officer (a grant over MISSION: the scope is on every query), one request at a time on
a keep-alive connection (the server refreshes the planner's statistics as it starts): p50, p95 and max
over ``--samples`` after one warm-up. Then the movements
list exported as CSV for one day (10,000 rows) and for ten days (100,000 rows), each read to its end,
with the server's resident memory before and its peak (VmHWM) after each.

Usage::

    python bench/lists.py --movements 1000000 --keep /tmp/lists.db   # build, time, keep the database
    python bench/lists.py --db /tmp/lists.db                           # time again on it
    python bench/lists.py --into postgresql://postgres@127.0.0.1:5432/lists   # build in PostgreSQL and time
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

T0 = datetime(2020, 1, 1, tzinfo=UTC)
PER_DAY = 10_000
MODELS = [("FN", "FAL", "rifle", "7.62x51mm"), ("Kalashnikov", "AKM", "rifle", "7.62x39mm"),
          ("Glock", "17", "pistol", "9x19mm"), ("FN", "Minimi", "machine gun", "5.56x45mm")]


def build(url: str, movements: int) -> None:
    from wam.domain.access import Grant, Role
    from wam.domain.holders import make_holder
    from wam.domain.materiel import make_item
    from wam.domain.movements import make_movement
    from wam.services.accounts import Accounts
    from wam.services.ledger import Ledger

    ledger = Ledger.open(url)
    ledger.init("lists benchmark")
    holders = [make_holder(code="UN", name="United Nations", kind="organisation")]
    stores: list[str] = []
    for mission, sectors in (("MISSION", 5), ("OTHER", 1)):
        holders.append(make_holder(code=mission, name=mission.title(), kind="mission", parent="UN"))
        for s in range(sectors):
            sector = f"{mission[:2]}-S{s}"
            holders.append(make_holder(code=sector, name=f"Sector {sector}", kind="sector", parent=mission))
            for c in range(2 if mission == "MISSION" else 1):
                ct = f"{sector}-CT{c}"
                holders.append(make_holder(code=ct, name=f"Contingent {ct}", kind="contingent", parent=sector,
                                           country="BGD"))
                for a in range(5):
                    code = f"{ct}-ARM{a}"
                    holders.append(make_holder(code=code, name=f"Armoury {code}", kind="store", parent=ct))
                    stores.append(code)
    ledger.add_holders(holders)
    where: dict[str, str] = {}
    items = []
    for n, store in enumerate(s for s in stores for _ in range(100)):
        make, model, category, calibre = MODELS[n % len(MODELS)]
        item = make_item(type="weapon", make=make, model=model, serial=f"B{n:07d}", category=category,
                         calibre=calibre)
        items.append(item)
        where[item.key] = store
    ledger.register_items(items)
    ledger.post_many(make_movement(kind="receipt", item=k, quantity=1, source="supply:BGD", target=s, occurred_at=T0,
                                   actor="setup") for k, s in where.items())
    rng = random.Random(1)
    keys = list(where)
    step = timedelta(seconds=86_400 / PER_DAY)

    def transfers():  # noqa: ANN202
        for i in range(max(0, movements - len(keys))):
            key = rng.choice(keys)
            target = rng.choice(stores)
            if target == where[key]:
                target = stores[(stores.index(target) + 1) % len(stores)]
            yield make_movement(kind="transfer", item=key, quantity=1, source=where[key], target=target,
                                occurred_at=T0 + step * (i + len(keys)), actor=f"armourer{i % 40:02d}")
            where[key] = target

    started = time.perf_counter()
    ledger.post_many(transfers())
    print(f"built {movements:,} movements in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    accounts = Accounts(ledger.engine)
    for n in range(60):
        accounts.add_user(f"user{n:02d}", "benchmark password")
        accounts.grant(f"user{n:02d}", Grant(Role.ARMOURER, stores[n % len(stores)]), by="bench")
    accounts.add_user("officer", "benchmark password")
    accounts.grant("officer", Grant(Role.MISSION_OFFICER, "MISSION"), by="bench")
    accounts.add_user("admin", "benchmark password")
    accounts.grant("admin", Grant(Role.ADMINISTRATOR), by="bench")
    ledger.refresh_statistics()  # as the server does when it starts
    if ledger.engine.dialect.name == "postgresql":
        # what autovacuum does to an insert-only table: the visibility map that lets the lists and the
        # dashboard count from the indexes alone (index-only scans) without checking the heap
        with ledger.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    ledger.engine.dispose()


def token(url: str, name: str) -> str:
    from wam.services.accounts import Accounts
    from wam.services.ledger import Ledger

    ledger = Ledger.open(url)
    accounts = Accounts(ledger.engine)
    secret, _ = accounts.open_session(accounts.user(name), kind="token", lifetime=86_400)
    ledger.engine.dispose()
    return secret


def memory(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) // 1024
    return fields


def pages() -> list[tuple[str, str]]:
    day = (T0 + timedelta(days=30)).date().isoformat()
    return [
        ("holdings of a store, category, by serial desc",
         "/lists/holdings?holder=MI-S0-CT0-ARM0&category=rifle&sort=serial&desc=1"),
        ("holdings of the mission (tree), calibre, by model",
         "/lists/holdings?holder=MISSION&tree=1&calibre=7.62x39mm&sort=model"),
        ("holdings of the mission (tree), serial prefix", "/lists/holdings?holder=MISSION&tree=1&q=B00012&sort=serial"),
        ("items in scope, category, by serial desc", "/lists/items?category=rifle&sort=ident&desc=1"),
        ("items under a sector, serial search", "/lists/items?under=MI-S1&q=B0001"),
        ("holders under the mission, kind store, by code desc",
         "/lists/holders?parent=MISSION&kind=store&sort=code&desc=1"),
        ("holders, search 'ARM1', by name", "/lists/holders?q=ARM1&sort=name"),
        ("movements, kind + one day, by date", f"/lists/movements?kind=transfer&since={day}&until={day}&sort=when"),
        ("movements, under a sector, by quantity desc", "/lists/movements?under=MI-S1&sort=quantity&desc=1"),
        ("movements, serial search, by date desc", "/lists/movements?q=B0001234&sort=when&desc=1"),
        ("movements of a store, category, by date desc",
         "/lists/movements?holder=MI-S2-CT1-ARM3&category=pistol&sort=when&desc=1"),
        ("movements, all in scope, page 50", "/lists/movements?page=50"),
        ("users, search 'user1', by name (admin)", "/lists/users?q=user1&sort=name"),
        ("dashboard, 30 days (officer)", f"/dashboard?until={day}"),
    ]


def timed(client: httpx.Client, path: str, samples: int) -> dict[str, float | int]:
    first = client.get(path)
    if first.status_code != 200:
        return {"status": first.status_code}
    values = []
    for _ in range(samples):
        start = time.perf_counter()
        r = client.get(path)
        values.append((time.perf_counter() - start) * 1000)
        assert r.status_code == 200, (path, r.status_code)
    values.sort()
    return {"status": 200, "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(values[max(0, math.ceil(0.95 * len(values)) - 1)], 1), "max_ms": round(values[-1], 1),
            "bytes": len(first.content)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="an existing database built by this script (SQLite path or URL)")
    parser.add_argument("--keep", help="with --movements: build the SQLite database at this path and keep it")
    parser.add_argument("--into", help="build into this (empty) database URL, e.g. PostgreSQL, and time it")
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    if args.db:
        url = args.db if "://" in args.db else f"sqlite:///{args.db}"
    elif args.into:
        url = args.into
        build(url, args.movements)
    else:
        path = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="wam-lists-")) / "lists.db"
        url = f"sqlite:///{path}"
        build(url, args.movements)
    tokens = {who: token(url, who) for who in ("officer", "admin")}
    port = 8000 + os.getpid() % 1000
    env = {**os.environ, "WAM_DATABASE_URL": url, "WAM_SECRET_KEY": "b" * 48, "WAM_GZIP": "false"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "wam.web.app:create_app", "--factory", "--host",
                               "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    out: dict[str, object] = {"load_before": os.getloadavg(), "nproc": os.cpu_count()}
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/api/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        results = []
        for name, path in pages():
            who = "admin" if "(admin)" in name else "officer"
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tokens[who]}"}, timeout=120) as c:
                r = timed(c, path, args.samples)
            results.append({"page": name, "path": path, **r})
            print(f"{name:55s} {r}", file=sys.stderr)
        out["pages"] = results
        exports = []
        day = date(2020, 1, 2)
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tokens['officer']}"}, timeout=600) as c:
            for days in (1, 10):
                path = (f"/lists/movements?since={day.isoformat()}&until={(day + timedelta(days=days - 1)).isoformat()}"
                        "&sort=when&format=csv")
                before = memory(server.pid)
                start = time.perf_counter()
                rows = size = 0
                first_byte = None
                with c.stream("GET", path) as r:
                    assert r.status_code == 200, r.status_code
                    for chunk in r.iter_bytes():
                        if first_byte is None:
                            first_byte = time.perf_counter() - start
                        size += len(chunk)
                        rows += chunk.count(b"\n")
                after = memory(server.pid)
                e = {"days": days, "rows": rows - 1, "bytes": size, "seconds": round(time.perf_counter() - start, 2),
                     "first_byte_ms": round((first_byte or 0) * 1000, 1), "rss_before_mb": before["VmRSS"],
                     "rss_after_mb": after["VmRSS"], "peak_mb": after["VmHWM"]}
                exports.append(e)
                print(f"export {e}", file=sys.stderr)
        out["exports"] = exports
    finally:
        server.terminate()
        server.wait(30)
    out["load_after"] = os.getloadavg()
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
