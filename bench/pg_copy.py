#!/usr/bin/env python3
"""How four ways of inserting item rows compare on PostgreSQL with psycopg 3 (the diagnosis
behind wam.storage.bulk; a diagnosis, not a user's figure: those are bench/commands.py's).

Each inserts the same ``--rows`` rows of an item's 16 columns into a temporary table with a
unique key, in one transaction:

* multi-row ``INSERT .. ON CONFLICT DO NOTHING RETURNING`` of 1,000 rows per statement (what the
  catalog did): psycopg parses the long statement's placeholders in Python for every batch;
* ``executemany`` of a one-row ``INSERT`` (prepared, pipelined);
* ``COPY`` into a staging table, then one ``INSERT .. SELECT .. ON CONFLICT DO NOTHING
  RETURNING`` (what wam.storage.bulk.insert_new does);
* ``COPY`` straight into the table (entries and records, which take no conflict).

    python bench/pg_copy.py --url postgresql://postgres@127.0.0.1:5432/test --rows 50000
"""

from __future__ import annotations

import argparse
import time

COLUMNS = "key, type, shape, make, model, serial, lot, category, calibre, c, y, m, h, g, n, cond"


def main() -> None:
    import psycopg

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    ap.add_argument("--rows", type=int, default=50_000)
    args = ap.parse_args()
    rows = [(f"W|Norinco|Type 56|56-{n:07d}", "weapon", "serial", "Norinco", "Type 56", f"56-{n:07d}", None,
             "assault rifle", "7.62x39mm", None, None, None, None, None, None, None) for n in range(args.rows)]
    with psycopg.connect(args.url) as conn, conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE t (id serial PRIMARY KEY, key text UNIQUE, type text, shape text, make text, "
                    "model text, serial text, lot text, category text, calibre text, c text, y int, m text, h text, "
                    "g text, n text, cond text)")

        def timed(name: str, work) -> None:  # noqa: ANN001
            cur.execute("TRUNCATE t")
            start = time.perf_counter()
            work()
            print(f"{name:<34} {time.perf_counter() - start:7.2f} s  ({args.rows:,} rows)")

        def multirow() -> None:
            marks = "(" + ", ".join(["%s"] * 16) + ")"
            for start in range(0, len(rows), 1000):
                batch = rows[start:start + 1000]
                cur.execute(f"INSERT INTO t ({COLUMNS}) VALUES {', '.join([marks] * len(batch))} "
                            "ON CONFLICT (key) DO NOTHING RETURNING id, key", [v for row in batch for v in row])
                cur.fetchall()

        def executemany() -> None:
            cur.executemany(f"INSERT INTO t ({COLUMNS}) VALUES ({', '.join(['%s'] * 16)})", rows)

        def staged() -> None:
            cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS staging AS SELECT {COLUMNS} FROM t WITH NO DATA")
            cur.execute("TRUNCATE staging")
            with cur.copy(f"COPY staging ({COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cur.execute(f"INSERT INTO t ({COLUMNS}) SELECT {COLUMNS} FROM staging "
                        "ON CONFLICT (key) DO NOTHING RETURNING id, key")
            cur.fetchall()

        def direct() -> None:
            with cur.copy(f"COPY t ({COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

        timed("multi-row INSERT of 1,000 rows", multirow)
        timed("executemany of a one-row INSERT", executemany)
        timed("COPY to a staging table + INSERT", staged)
        timed("COPY into the table", direct)
        conn.rollback()


if __name__ == "__main__":
    main()
