"""Reads on a demo database: how wam behaves on the world `wam demo` builds (use the global
scale, 10 million movements, for the figures in docs/benchmarks.md).

Measures, on an existing database:

- ``verify`` throughput (entries per second);
- balance of a random store at a random past date (p50/p95/max);
- the custody history of a random weapon;
- the whole mission's balance now (``--tree`` from the mission).

Usage::

    wam demo --scale global --no-serve            # builds wam-demo.db (about a quarter of an hour)
    python bench/demo_reads.py --db wam-demo.db
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import timedelta

from sqlalchemy import func, select

from wam.domain.timefmt import from_micros
from wam.services.ledger import Ledger
from wam.storage import tables as t


def _ms(values: list[float]) -> str:
    values = sorted(values)
    q = statistics.quantiles(values, n=100)
    return f"p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, max {values[-1]:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    ledger = Ledger.open(args.db)
    rng = random.Random(args.seed)
    with ledger.engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(t.entries)).scalar_one()
        first, last = conn.execute(select(func.min(t.entries.c.occurred_at), func.max(t.entries.c.occurred_at))).one()
        stores = list(conn.execute(select(t.holders.c.code).where(t.holders.c.kind == "store")).scalars())
        weapons = list(conn.execute(select(t.items.c.key).where(t.items.c.type == "weapon")).scalars())
        mission = conn.execute(select(t.holders.c.code).where(t.holders.c.kind == "mission")).scalars().first()
    print(f"{args.db}: {count:,} entries, {len(stores)} stores, {len(weapons):,} weapons, "
          f"{from_micros(first):%Y-%m-%d} to {from_micros(last):%Y-%m-%d}")

    latencies = []
    for _ in range(args.samples):
        store = rng.choice(stores)
        at = from_micros(first) + timedelta(microseconds=rng.randrange(last - first))
        start = time.perf_counter()
        ledger.balance(store, at=at)
        latencies.append((time.perf_counter() - start) * 1000)
    print(f"  balance of a store at a past date: {_ms(latencies)}")

    latencies = []
    for _ in range(args.samples):
        start = time.perf_counter()
        ledger.history(rng.choice(weapons))
        latencies.append((time.perf_counter() - start) * 1000)
    print(f"  custody history of a weapon:       {_ms(latencies)}")

    start = time.perf_counter()
    lines = ledger.balance(mission, tree=True)
    print(f"  mission balance now, whole tree:    {(time.perf_counter() - start) * 1000:.0f} ms ({len(lines):,} lines)")

    start = time.perf_counter()
    report = ledger.verify()
    seconds = time.perf_counter() - start
    print(f"  verify: {report.entries:,} entries in {seconds:.1f} s, {report.entries / seconds:,.0f} entries/s, "
          f"{'ok' if report.ok else f'{len(report.problems)} problems'}")


if __name__ == "__main__":
    main()
