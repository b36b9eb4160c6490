#!/usr/bin/env python3
"""What SQLite alone costs to store a movements import in wam's schema: the floor under `wam import
movements` that no Python code can go below (issue 8, item 4).

Given a ledger before an import (``--before``) and the same ledger after `wam import movements`
(``--after``), a copy of the first receives, with wam's settings (WAL, synchronous=FULL, foreign
keys, 64 MiB of cache) and in one transaction, exactly what the import wrote: its entries (with
their hashes, already computed, as prepared rows: ``executemany`` of 5,000 at a time) and the
balances of every (holder, item) pair they touched (an upsert of the pairs still held, a delete of
the others), then the commit. Nothing is read, checked or hashed: the posting's reads of custody
and balances, the csv module and the laws all come on top. Printed: the seconds of each step and
the floor of the csv module and sqlite3 inserting the file's rows into one table (as
bench/commands.py times it), so the ratio that the import could reach at best.

    python bench/commands.py --weapons 200000 --movements 200000 --skip mixed,startup,small --work W
    # then, with W/before.db a copy of the ledger before the movements (bench/commands.py keeps none:
    # wam init, wam import holders W/holders.csv, wam import stock W/weapons.csv --at 2023-12-01):
    python bench/movement_floor.py --before W/before.db --after W/weapons.db --file W/movements.csv
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHUNK = 5000
FLOOR = Path(__file__).with_name("commands.py")


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "cache_size=-65536"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def csv_floor(file: Path, work: Path) -> float:
    """The csv-module floor of bench/commands.py on ``file``, as a process (its wall seconds)."""
    sys.path.insert(0, str(FLOOR.parent))
    from commands import FLOOR as CODE  # the same few lines bench/commands.py times

    db = work / "csv-floor.db"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", CODE, str(file), str(db)], check=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", type=Path, required=True, help="the ledger before the import")
    ap.add_argument("--after", type=Path, required=True, help="the same ledger after `wam import movements`")
    ap.add_argument("--file", type=Path, help="the movements file, for the csv-module floor")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="wam-movement-floor-"))
    try:
        with sqlite3.connect(args.before) as before:
            head = before.execute("SELECT seq FROM chain_head WHERE id = 1").fetchone()[0]
        after = sqlite3.connect(args.after)
        columns = [row[1] for row in after.execute("PRAGMA table_info(entries)")]
        entries = after.execute("SELECT * FROM entries WHERE seq > ? ORDER BY seq", (head,)).fetchall()
        touched = sorted({(e[columns.index(end)], e[columns.index("item_id")])
                          for e in entries for end in ("source_id", "target_id")})
        final = {}
        for start in range(0, len(touched), 500):
            items = sorted({item for _, item in touched[start:start + 500]})
            marks = ", ".join("?" * len(items))
            for holder, item, quantity in after.execute(
                    f"SELECT holder_id, item_id, quantity FROM balances WHERE item_id IN ({marks})", items):
                final[holder, item] = quantity
        held = [(h, i, final[h, i]) for h, i in touched if final.get((h, i))]
        emptied = [(h, i) for h, i in touched if not final.get((h, i))]
        after.close()
        db = work / "ledger.db"
        shutil.copy(args.before, db)
        conn = connect(db)
        laps: dict[str, float] = {}
        mark = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal mark
            now = time.perf_counter()
            laps[name] = now - mark
            mark = now

        conn.execute("BEGIN IMMEDIATE")
        insert = f"INSERT INTO entries ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        for start in range(0, len(entries), CHUNK):
            conn.executemany(insert, entries[start:start + CHUNK])
        lap("entries")
        conn.executemany("INSERT INTO balances (holder_id, item_id, quantity) VALUES (?, ?, ?) "
                         "ON CONFLICT (holder_id, item_id) DO UPDATE SET quantity = excluded.quantity", held)
        conn.executemany("DELETE FROM balances WHERE holder_id = ? AND item_id = ?", emptied)
        lap("balances")
        conn.execute("COMMIT")
        lap("commit")
        conn.close()
        total = sum(laps.values())
        print(f"{len(entries)} entries, {len(held)} balances kept, {len(emptied)} deleted: "
              + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in laps.items()) + f"; total {total:.2f} s")
        if args.file:
            floor = csv_floor(args.file, work)
            print(f"the csv-module floor of {args.file.name}: {floor:.2f} s (a process); "
                  f"wam's writes alone reach at best {floor / total:.3f} x that floor")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
