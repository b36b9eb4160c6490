"""Benchmark the custody ledger against its floor and its peers, in one run on one machine.

Measures, for N one-rifle transfers between 50 stores (the stream of ``bench/peers.py``):

- monthly balance marks (``Ledger.mark_balances``), which point-in-time reads use;
- bulk import through ``Ledger.post_many`` (validation, laws, hash chain, balances, one
  transaction), with the process's resident memory sampled along the way (it must stay flat);
  the time spent generating the input movements is kept apart (as the floor's is);
- single postings per second through ``Ledger.post`` (one transaction and fsync each);
- balance of a store at a past date (milliseconds, p50/p95/max over random stores and dates);
- ``verify`` throughput (entries per second);
- the same transfers through raw ``sqlite3`` executemany (the floor), ledger-cli, hledger and
  beancount (see ``bench/peers.py``).

Usage::

    python bench/ledger.py --n 1000000            # SQLite in a temporary folder
    python bench/ledger.py --n 100000 --db postgresql://postgres@127.0.0.1:5432/test --no-peers
    python bench/ledger.py --n 1000000 --json > bench/out/ledger.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peers  # noqa: E402

from wam.domain.holders import make_holder  # noqa: E402
from wam.domain.materiel import make_item  # noqa: E402
from wam.domain.movements import Movement, MovementKind, make_movement  # noqa: E402
from wam.services.ledger import Ledger  # noqa: E402


def rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def build_world(ledger: Ledger, stores: int, rifles: int) -> None:
    codes = peers.store_codes(stores)
    holders = [
        make_holder(code="UN", name="United Nations", kind="organisation"),
        make_holder(code="MISSION", name="Mission", kind="mission", parent="UN"),
        make_holder(code="BATT", name="Battalion", kind="contingent", parent="MISSION", country="BGD"),
        make_holder(code="CAMP", name="Camp", kind="site", parent="BATT"),
    ] + [make_holder(code=c, name=c, kind="store", parent="CAMP") for c in codes]
    ledger.add_holders(holders)
    width = max(6, len(str(rifles)))
    ledger.register_items(make_item(type="weapon", make="Kalashnikov", model="AK", serial=f"AK-{i:0{width}d}")
                          for i in range(1, rifles + 1))


def key_of(serial: str) -> str:
    return f"W|KALASHNIKOV|AK|{serial}"


def movements(stream, validate: bool = False):  # noqa: ANN001, ANN201
    """The transfers as movements: built directly (the ledger checks kind rules and laws
    itself), or with ``validate`` through ``make_movement``'s field cleaning as well, as an
    import of a user's file does."""
    receipt, transfer = MovementKind.RECEIPT, MovementKind.TRANSFER
    for t in stream:
        if validate:
            yield make_movement(kind="receipt" if t.source.startswith("supply:") else "transfer", item=key_of(t.serial),
                                quantity=1, source=t.source, target=t.target, occurred_at=t.occurred_at, actor="bench")
        else:
            yield Movement(receipt if t.source.startswith("supply:") else transfer, key_of(t.serial), 1, t.source,
                           t.target, t.occurred_at, "bench")


class InputClock:
    """Yields a stream's movements, generated ``chunk`` at a time, and keeps the time spent
    generating them (``seconds``) apart from the import's.

    The floor builds its rows outside its timed region in the same way (``peers``), and
    ledger-cli's time is its whole run, reading its file included; wam's import reads
    ready-made movements, so making them (random choices, datetimes) is not its time.
    """

    def __init__(self, stream, chunk: int = 100_000) -> None:  # noqa: ANN001
        self.stream, self.chunk, self.seconds = iter(stream), chunk, 0.0

    def __iter__(self):  # noqa: ANN204
        while True:
            t0 = time.perf_counter()
            batch = list(itertools.islice(self.stream, self.chunk))
            self.seconds += time.perf_counter() - t0
            if not batch:
                return
            yield from batch


def run(n: int, db: str | None, stores: int, seed: int, with_peers: bool, peer_max: int, singles: int) -> dict:
    rifles = peers.default_rifles(n)
    workdir = Path(tempfile.mkdtemp(prefix="wam-bench-"))
    url = db or f"sqlite:///{workdir / 'ledger.db'}"
    results: dict = {
        "n": n, "stores": stores, "rifles": rifles, "database": url.split("://")[0],
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
    }
    ledger = Ledger.open(url)
    ledger.init("bench")
    build_world(ledger, stores, rifles)

    # 1. bulk import --------------------------------------------------------------------
    samples: list[tuple[int, float]] = []
    counter = {"n": 0}
    step = max(1, n // 10)

    def on_each() -> None:
        counter["n"] += 1
        if counter["n"] % step == 0:
            samples.append((counter["n"], rss_mib()))

    start_rss = rss_mib()
    source = InputClock(movements(peers.generate_transfers(n, stores=stores, rifles=rifles, seed=seed)))
    t0 = time.perf_counter()
    posted = ledger.post_many(source, on_each=on_each)
    wall = time.perf_counter() - t0
    seconds = wall - source.seconds
    assert posted == n, (posted, n)
    results["import"] = {"seconds": seconds, "per_second": n / seconds, "input_seconds": source.seconds,
                         "wall_seconds": wall, "rss_start_mib": start_rss, "rss_samples_mib": samples}

    # 1b. monthly balance marks (what `wam checkpoint` builds; reads at past dates use them)
    t0 = time.perf_counter()
    sets = ledger.mark_balances()
    results["marks"] = {"sets": sets, "seconds": time.perf_counter() - t0}

    # 2. single postings ----------------------------------------------------------------
    holders = peers.final_holders(peers.generate_transfers(n, stores=stores, rifles=rifles, seed=seed))
    rng = random.Random(seed)
    codes = peers.store_codes(stores)
    serials = sorted(holders)
    when = peers.EPOCH + timedelta(minutes=n + 1)
    latencies = []
    t0 = time.perf_counter()
    for i in range(singles):
        serial = serials[rng.randrange(len(serials))]
        source = holders[serial]
        target = codes[(codes.index(source) + 1 + rng.randrange(stores - 1)) % stores]
        s = time.perf_counter()
        ledger.post(Movement(MovementKind.TRANSFER, key_of(serial), 1, source, target, when + timedelta(seconds=i),
                             "bench"))
        latencies.append((time.perf_counter() - s) * 1000)
        holders[serial] = target
    seconds = time.perf_counter() - t0
    results["single_post"] = {"count": singles, "per_second": singles / seconds, **_percentiles(latencies)}

    # 3. balance at a past date ---------------------------------------------------------
    latencies = []
    for _ in range(200):
        store = codes[rng.randrange(stores)]
        at = peers.EPOCH + timedelta(minutes=rng.randrange(n))
        s = time.perf_counter()
        ledger.balance(store, at=at)
        latencies.append((time.perf_counter() - s) * 1000)
    results["balance_at_past_date_ms"] = _percentiles(latencies)

    # 4. verify -------------------------------------------------------------------------
    t0 = time.perf_counter()
    report = ledger.verify()
    seconds = time.perf_counter() - t0
    assert report.ok, report.problems[:5]
    results["verify"] = {"entries": report.entries, "seconds": seconds, "per_second": report.entries / seconds}
    ledger.engine.dispose()

    # 5. the floor and the peers ----------------------------------------------------------
    chosen = list(peers.ALL_PEERS) if with_peers else ["sqlite"]
    results["peers"] = peers.run_peers(n, stores=stores, rifles=rifles, seed=seed, peer_max=peer_max, peers=chosen,
                                       log=lambda msg: print(msg, file=sys.stderr))
    floor = next(r for r in results["peers"] if r["peer"].startswith("sqlite"))
    results["ratios"] = {"import_vs_floor": results["import"]["per_second"] / floor["per_second"]}
    for r in results["peers"]:
        if r["peer"] != floor["peer"] and r["ok"] and r["seconds"]:
            results["ratios"][f"import_speedup_vs_{r['peer']}"] = r["seconds"] / results["import"]["seconds"]
    shutil.rmtree(workdir, ignore_errors=True)
    return results


def _percentiles(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    q = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
    return {"p50_ms": q[49], "p95_ms": q[94], "max_ms": values[-1]}


def render(r: dict) -> str:
    lines = [
        f"wam ledger benchmark: {r['n']:,} transfers of {r['rifles']:,} rifles between {r['stores']} stores, "
        f"{r['database']}, {r['machine']['cores']} cores, Python {r['machine']['python']}, {r['date']}",
        f"  bulk import      {r['import']['seconds']:8.2f} s  {r['import']['per_second']:>10,.0f} entries/s"
        f"  (plus {r['import']['input_seconds']:.2f} s generating the input; "
        f"RSS {r['import']['rss_start_mib']:.0f} MiB at start; samples: "
        + ", ".join(f"{n // 1000}k={m:.0f}" for n, m in r["import"]["rss_samples_mib"]) + " MiB)",
        f"  balance marks    {r['marks']['seconds']:8.2f} s  ({r['marks']['sets']:,} holder-months)",
        f"  single post      {r['single_post']['per_second']:8.0f} /s       p50 {r['single_post']['p50_ms']:.2f} ms, "
        f"p95 {r['single_post']['p95_ms']:.2f} ms",
        f"  balance at date  p50 {r['balance_at_past_date_ms']['p50_ms']:.2f} ms, "
        f"p95 {r['balance_at_past_date_ms']['p95_ms']:.2f} ms, "
        f"max {r['balance_at_past_date_ms']['max_ms']:.2f} ms",
        f"  verify           {r['verify']['seconds']:8.2f} s  {r['verify']['per_second']:>10,.0f} entries/s",
    ]
    for p in r["peers"]:
        extra = f" (measured at {p['measured_n']:,}, extrapolated linearly)" if p.get("extrapolated") else ""
        secs = f"{p['seconds']:8.2f} s" if p.get("seconds") else "       -  "
        lines.append(f"  {p['peer']:<28} {secs} ok={p['ok']} {p.get('note') or ''}{extra}")
    lines.append("  ratios: " + ", ".join(f"{k} {v:.2f}x" for k, v in r["ratios"].items()))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--stores", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--singles", type=int, default=500, help="single postings to time")
    parser.add_argument("--no-peers", action="store_true", help="only the sqlite floor, no ledger/hledger/beancount")
    parser.add_argument("--peer-max", type=int, default=200_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = run(args.n, args.db, args.stores, args.seed, not args.no_peers, args.peer_max, args.singles)
    print(json.dumps(results, indent=2) if args.json else render(results))


if __name__ == "__main__":
    main()
