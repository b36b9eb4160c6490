#!/usr/bin/env python3
"""What SQLite alone costs to store an opening stock in wam's schema: the floor under `wam import
stock` that no Python code can go below (issue 8, item 4).

A fresh ledger (``wam init``, a store per 3,333 weapons) receives, as `wam import stock` of
``--rows`` weapons writes them, its items, each item's record in the records chain, a receipt
per weapon from the supplier, the balances of both ends and the deferred indexes, in one
transaction, on SQLite with wam's settings (WAL, synchronous=FULL, foreign keys, 64 MiB of
cache). Rows reach SQLite as ``INSERT .. SELECT FROM json_each`` of 5,000 at a time, the
cheapest way known here (no binding of parameters per row); hashes are computed beforehand
and not timed. Printed: the seconds of each table, of building the indexes and of the commit,
and the database's size beside the csv-module floor's (bench/commands.py).

    python bench/import_floor.py --rows 200000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

CHUNK = 5000
# the indexes a bulk load into an empty ledger builds at its end (services.posting._DEFERRABLE)
DEFERRED = {
    "ix_entries_item_time": "entries (item_id, occurred_at, seq)",
    "ix_entries_time": "entries (occurred_at, seq)",
    "ix_entries_quantity": "entries (quantity, seq)",
    "ix_entries_reverses": "entries (reverses) WHERE reverses IS NOT NULL",
    "ix_entries_source_time": "entries (source_id, occurred_at, item_id, quantity)",
    "ix_entries_target_time": "entries (target_id, occurred_at, item_id, quantity)",
}


def ledger(path: Path, stores: int) -> None:
    from wam.domain.holders import make_holder
    from wam.services.ledger import Ledger

    led = Ledger.open(f"sqlite:///{path}")
    led.init("floor")
    holders = [make_holder(code="UN", name="UN", kind="organisation"),
               make_holder(code="BGD-BATT", name="BGD", kind="contingent", parent="UN", country="BGD")]
    holders += [make_holder(code=f"ARM-{s:03d}", name=f"Armoury {s}", kind="store", parent="BGD-BATT")
                for s in range(stores)]
    led.add_holders(holders)
    led.engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=200_000)
    args = ap.parse_args()
    n = args.rows
    work = Path(tempfile.mkdtemp(prefix="wam-floor-"))
    db = work / "floor.db"
    ledger(db, max(1, n // 3333))
    con = sqlite3.connect(db, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "cache_size=-65536"):
        con.execute(f"PRAGMA {pragma}")
    serials = [f"56-{k:07d}" for k in range(n)]
    keys = [f"W|NORINCO|TYPE 56|{s}" for s in serials]
    bodies = [json.dumps({"calibre": "7.62x39mm", "category": "assault rifle", "make": "Norinco", "model": "Type 56",
                          "serial": s, "shape": "serial", "type": "weapon"}, separators=(",", ":"), sort_keys=True)
              for s in serials]
    hashes = b"".join(hashlib.sha256(k.encode()).digest() * 2 for k in keys)
    times: dict[str, float] = {}
    start = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal start
        now = time.perf_counter()
        times[name] = round(now - start, 3)
        start = now

    con.execute("BEGIN IMMEDIATE")
    for name in DEFERRED:
        con.execute(f"DROP INDEX IF EXISTS {name}")
    stores = [r[0] for r in con.execute("SELECT id FROM holders WHERE kind = 'store'")]
    supplier = con.execute("INSERT INTO holders (code, name, kind, external) "
                           "VALUES ('supply:BGD', 'BGD', 'external', 1) RETURNING id").fetchone()[0]
    lap("setup")
    for a in range(0, n, CHUNK):
        con.execute("INSERT INTO items (\"key\", type, shape, make, model, serial, category, calibre) "
                    "SELECT json_extract(value, '$[0]'), 'weapon', 'serial', 'Norinco', 'Type 56', "
                    "json_extract(value, '$[1]'), 'assault rifle', '7.62x39mm' FROM json_each(?)",
                    (json.dumps([[k, s] for k, s in zip(keys[a:a + CHUNK], serials[a:a + CHUNK], strict=True)]),))
    lap("items")
    for a in range(0, n, CHUNK):
        con.execute("INSERT INTO records (seq, kind, ref, body, actor, recorded_at, prev_hash, hash) "
                    "SELECT 1000 + ?3 + j.key, 'item', json_extract(value, '$[0]'), json_extract(value, '$[1]'), "
                    "'clerk', 1, substr(?2, j.key * 64 + 1, 32), substr(?2, j.key * 64 + 33, 32) FROM json_each(?1) j",
                    (json.dumps([[k, b] for k, b in zip(keys[a:a + CHUNK], bodies[a:a + CHUNK], strict=True)]),
                     hashes[a * 64:(a + CHUNK) * 64], a))
    lap("records")
    ids = [r[0] for r in con.execute("SELECT id FROM items ORDER BY id")]
    for a in range(0, n, CHUNK):
        rows = [[k + 1, ids[k], stores[k % len(stores)]] for k in range(a, min(n, a + CHUNK))]
        con.execute("INSERT INTO entries (seq, origin_id, origin_seq, kind, item_id, quantity, source_id, target_id, "
                    "occurred_at, recorded_at, actor, note, prev_hash, hash) SELECT json_extract(value, '$[0]'), 1, "
                    "json_extract(value, '$[0]'), 'receipt', json_extract(value, '$[1]'), 1, ?3, "
                    "json_extract(value, '$[2]'), 1701388800000000, 1701388800000001, 'clerk', 'opening stock', "
                    "substr(?2, j.key * 64 + 1, 32), substr(?2, j.key * 64 + 33, 32) FROM json_each(?1) j",
                    (json.dumps(rows), hashes[a * 64:(a + CHUNK) * 64], supplier))
    lap("entries")
    con.execute("INSERT INTO balances (holder_id, item_id, quantity) SELECT target_id, item_id, quantity FROM entries")
    con.execute("INSERT INTO balances (holder_id, item_id, quantity) SELECT source_id, item_id, -quantity FROM entries")
    lap("balances")
    for name, on in DEFERRED.items():
        con.execute(f"CREATE INDEX {name} ON {on}")
    lap("indexes")
    con.execute("COMMIT")
    lap("commit")
    con.close()
    size = sum(p.stat().st_size for p in work.glob("floor.db*")) / 1e6
    total = sum(v for k, v in times.items() if k != "setup")
    print(json.dumps({"rows": n, "seconds": times, "total_s": round(total, 3), "us_per_row": round(1e6 * total / n, 1),
                      "database_mb": round(size, 1)}))
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
