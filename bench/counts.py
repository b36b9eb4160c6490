"""Reconciling a count of 100,000 serialised items against the book, as the user runs it (issue 13).

Builds a ledger (SQLite by default, or ``--db URL``) where an armoury holds ``--weapons`` rifles
(received in one bulk posting) and a second armoury 100 more; starts a blind full count of the
armoury an hour ago and records every rifle it holds as scanned, in one batch, but for 30 (missing),
with the 50 of the other armoury (wrong place) and 20 serials no item has (surplus to register);
10 rifles are issued to a soldier while counting (after their lines: in place).

Then times, ``--samples`` times (each on a fresh copy of the counted SQLite file; the close writes),
the command the user runs, as a process::

    wam --db URL counts close CNT-000001 --actor qm --json

wall clock around the whole process (start-up, reading 100,000 lines from the records chain, the
book at each line's moment, the reconciliation, writing the close) and checks its answer (the cases).

Usage::

    python bench/counts.py --weapons 100000 [--samples 3] [--keep /tmp/counts.db] [--json]
    python bench/counts.py --weapons 100000 --db postgresql://postgres@127.0.0.1:5432/wam_counts  # empty database
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any


def build(url: str, weapons: int) -> str:
    from wam.domain.holders import make_holder
    from wam.domain.materiel import make_item
    from wam.domain.movements import make_movement
    from wam.services import counts
    from wam.services.ledger import Ledger

    ledger = Ledger.open(url)
    ledger.init("counts benchmark")
    ledger.add_holders([make_holder(code="UN", name="United Nations", kind="organisation"),
                        make_holder(code="MISSION", name="Mission", kind="mission", parent="UN"),
                        make_holder(code="BATT", name="Battalion", kind="contingent", parent="MISSION", country="BGD"),
                        make_holder(code="CAMP", name="Camp", kind="site", parent="BATT"),
                        make_holder(code="ARM", name="Armoury", kind="store", parent="CAMP"),
                        make_holder(code="ARM-B", name="Other armoury", kind="store", parent="CAMP"),
                        make_holder(code="PTE", name="Private", kind="person", parent="ARM")])
    rifles = [make_item(type="weapon", make="FN", model="FAL", serial=f"FAL-{n:06d}", category="rifle",
                        calibre="7.62x51mm") for n in range(weapons + 50)]
    ledger.register_items(rifles)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(hours=1)
    received = start - timedelta(days=30)
    ledger.post_many(make_movement(kind="receipt", item=r.key, quantity=1, source="supply:BEL",
                                   target="ARM" if n < weapons else "ARM-B", occurred_at=received, actor="bench")
                     for n, r in enumerate(rifles))
    number = counts.start(ledger, actor="qm", holder="ARM", started_at=start, witness="Lt Karim").number
    seen = start + timedelta(minutes=1)
    lines: list[dict[str, Any]] = [{"serial": r.serial, "at": seen} for r in rifles[30:]]
    lines += [{"serial": f"ZZ-{n:04d}", "how": "typed", "at": seen} for n in range(20)]
    counts.record(ledger, number, actor="qm", lines=lines)
    for r in rifles[100:110]:  # issued while counting, after their lines
        ledger.post(make_movement(kind="issue", item=r.key, quantity=1, source="ARM", target="PTE",
                                  occurred_at=start + timedelta(minutes=30), actor="bench"))
    ledger.engine.dispose()
    return number


def close_once(url: str, number: str) -> tuple[float, dict[str, Any]]:
    command = [sys.executable, "-m", "wam", "--db", url, "counts", "close", number, "--actor", "officer", "--json"]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    took = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"wam counts close failed ({done.returncode}): {done.stderr[-2000:]}")
    return took, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weapons", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the counted SQLite file here")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--db", help="an empty PostgreSQL database to build into instead (one close: it writes)")
    args = parser.parse_args()
    if args.db:
        began = time.perf_counter()
        number = build(args.db, args.weapons)
        built = time.perf_counter() - began
        took, answer = close_once(args.db, number)
        print(json.dumps({"weapons": args.weapons, "db": args.db.split("@")[-1], "build_s": round(built, 1),
                          "close_s": round(took, 3), "cases": len(answer.get("cases", [])), "load": os.getloadavg()}))
        return
    work = Path(tempfile.mkdtemp(prefix="wam-counts-"))
    base = work / "counted.db"
    began = time.perf_counter()
    number = build(f"sqlite:///{base}", args.weapons)
    built = time.perf_counter() - began
    if args.keep:
        shutil.copy(base, args.keep)
    times = []
    answer: dict[str, Any] = {}
    for sample in range(args.samples):
        copy = work / f"run{sample}.db"
        shutil.copy(base, copy)
        for suffix in ("-wal", "-shm"):
            if Path(f"{base}{suffix}").exists():
                shutil.copy(f"{base}{suffix}", f"{copy}{suffix}")
        took, answer = close_once(f"sqlite:///{copy}", number)
        times.append(took)
    kinds: dict[str, int] = {}
    for case in answer.get("cases", []):
        kinds[case["kind"]] = kinds.get(case["kind"], 0) + 1
    result = {"weapons": args.weapons, "counted_lines": args.weapons - 30 + 50 + 20, "build_s": round(built, 1),
              "close_s": [round(x, 3) for x in times], "close_median_s": round(statistics.median(times), 3),
              "cases": kinds, "unverified": answer.get("unverified"), "state": answer.get("state"),
              "load": os.getloadavg(), "cpus": os.cpu_count()}
    assert kinds == {"missing": 30, "wrong_place": 50, "surplus": 20}, kinds
    shutil.rmtree(work)
    if args.json:
        print(json.dumps(result))
        return
    for name, value in result.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
