"""Time ``wam --help`` and ``wam balance STORE`` on a small ledger, each as the process a user runs.

Each command is started N times with subprocess (the installed ``wam`` script, as a user types
it) and its wall time from start to exit is measured, with the CPU time it used; the median,
the 95th percentile and the minimum are reported, with the load average at the end, against
the targets of issue 8 (``wam --help`` under 0.3 s, ``wam balance`` on a small ledger under
0.5 s, on an idle machine). On a shared machine the CPU time is the better guide.

The small ledger is ``wam.services.example`` (the minimal demo: a mission, two contingents, a
few stores, rifles and ammunition lots), built once in a temporary folder.

    python bench/cli_startup.py            # 20 runs of each
    python bench/cli_startup.py --runs 50 --json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"wam --help": 0.3, "wam balance GAO-ARM": 0.5, "wam balance UN --tree": 0.5}


def _wam() -> list[str]:
    found = shutil.which("wam") or str(Path(sys.executable).with_name("wam"))
    return [found] if Path(found).exists() else [sys.executable, "-m", "wam"]


def build_small_ledger(folder: Path) -> Path:
    from wam.services.example import build_example
    from wam.services.ledger import Ledger

    path = folder / "small.db"
    ledger = Ledger.open(str(path))
    ledger.init("small")
    build_example(ledger)
    ledger.engine.dispose()
    return path


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_command(argv: list[str], runs: int, cwd: Path,
                 keep_no_bytecode: bool = False) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of each run. On a shared machine the CPU time is
    what the command itself costs; the wall time adds the wait for a free core."""
    env = {**os.environ, "WAM_DATABASE_URL": ""}
    if not keep_no_bytecode:
        # An installed wam runs from compiled bytecode (pip compiles it; an editable install
        # compiles wam's modules on its first run). A machine that sets PYTHONDONTWRITEBYTECODE
        # would instead compile wam's 45 modules from source on every run (0.05-0.09 s here).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=True)  # warm the file cache once
    walls, cpus = [], []
    for _ in range(runs):
        cpu, began = _children_cpu(), time.perf_counter()
        subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=True)
        walls.append(time.perf_counter() - began)
        cpus.append(_children_cpu() - cpu)
    return walls, cpus


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE if set (every run compiles wam from source)")
    args = parser.parse_args()
    wam = _wam()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = build_small_ledger(folder)
        commands = {
            "wam --help": [*wam, "--help"],
            "wam balance GAO-ARM": [*wam, "--db", str(db), "balance", "GAO-ARM"],
            "wam balance UN --tree": [*wam, "--db", str(db), "balance", "UN", "--tree"],
        }
        results = []
        for name, argv in commands.items():
            times, cpus = time_command(argv, args.runs, folder, args.no_bytecode)
            median = statistics.median(times)
            results.append({"command": name, "runs": args.runs, "median_s": round(median, 3),
                            "p95_s": round(p95(times), 3), "min_s": round(min(times), 3),
                            "cpu_median_s": round(statistics.median(cpus), 3), "target_s": TARGETS[name],
                            "median_to_target": round(median / TARGETS[name], 2),
                            "load_average": round(os.getloadavg()[0], 2)})
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'command':<24} {'runs':>4} {'median':>8} {'p95':>8} {'min':>8} {'cpu':>8} {'target':>8} {'ratio':>6}"
          f" {'load':>5}")
    for r in results:
        print(f"{r['command']:<24} {r['runs']:>4} {r['median_s']:>7.3f}s {r['p95_s']:>7.3f}s {r['min_s']:>7.3f}s "
              f"{r['cpu_median_s']:>7.3f}s {r['target_s']:>7.1f}s {r['median_to_target']:>6.2f} "
              f"{r['load_average']:>5.2f}")


if __name__ == "__main__":
    main()
