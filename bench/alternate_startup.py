"""Time `wam --help` and `wam balance STORE` of two versions of wam, alternated run by run, so that
a machine whose speed varies (a shared host) weighs on both alike (docs/benchmarks.md, issue 8).

    git worktree add /tmp/old <commit>
    python bench/alternate_startup.py /tmp/old/src src SMALL.db [runs]

SMALL.db: a small ledger (bench/cli_startup.py builds one with wam.services.example). Each run is
``python -m wam ...`` with ``PYTHONPATH`` to the version's sources, from bytecode as an installed wam
runs (PYTHONDONTWRITEBYTECODE is dropped). Prints the median and minimum of each and their ratio.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time


def main() -> None:
    old, new, db = sys.argv[1:4]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    envs = {"old": {**base, "PYTHONPATH": old}, "new": {**base, "PYTHONPATH": new}}
    for name, args in {"wam --help": ["--help"], "wam balance GAO-ARM": ["--db", db, "balance", "GAO-ARM"]}.items():
        times: dict[str, list[float]] = {"old": [], "new": []}
        for env in envs.values():  # bytecode written, files cached
            subprocess.run([sys.executable, "-m", "wam", *args], env=env, capture_output=True, check=True)
        for _ in range(runs):
            for side, env in envs.items():
                began = time.perf_counter()
                subprocess.run([sys.executable, "-m", "wam", *args], env=env, capture_output=True, check=True)
                times[side].append(time.perf_counter() - began)
        old_s, new_s = statistics.median(times["old"]), statistics.median(times["new"])
        print(f"{name:<22} old median {old_s:.3f} s (min {min(times['old']):.3f}), new median {new_s:.3f} s "
              f"(min {min(times['new']):.3f}), new/old {new_s / old_s:.2f}, load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
