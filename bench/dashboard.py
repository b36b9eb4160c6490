"""The WAM officer's dashboard and the record form's pickers on a demo database.

Times, for the mission's WAM officer (a grant over the mission) and an administrator (everything):
each figure of ``/dashboard`` (holdings by category, by site, movements per day for 30 days) and the
whole set, and the pickers (``/api/pick/holders``, ``/api/pick/items``) for a few typed prefixes;
p50, p95 and max over ``--samples`` runs. The services are called directly (no HTTP), as the
page calls them.

Usage::

    wam demo --no-serve --db wam-demo.db          # the mission scale: 457,306 movements
    python bench/dashboard.py --db wam-demo.db
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable
from datetime import date

from wam.domain.access import Grant, Role
from wam.services import dashboard, pickers
from wam.services.ledger import Ledger
from wam.services.scoped import Ancestry, ScopedLedger


def _time(fn: Callable[[], object], samples: int) -> str:
    fn()  # warm the caches once
    values = []
    for _ in range(samples):
        start = time.perf_counter()
        fn()
        values.append((time.perf_counter() - start) * 1000)
    values.sort()
    p95 = values[max(0, math.ceil(0.95 * len(values)) - 1)]
    return f"p50 {statistics.median(values):6.1f} ms  p95 {p95:6.1f} ms  max {values[-1]:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--mission", default="MONUSCO")
    parser.add_argument("--until", default="2018-12-31", help="the last day of the movements per day")
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    ledger = Ledger.open(args.db if "://" in args.db else f"sqlite:///{args.db}")
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
