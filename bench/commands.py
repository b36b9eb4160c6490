#!/usr/bin/env python3
"""End-to-end benchmark of the import commands, each timed as the process a user runs.

Data shaped like a mission's: a holder tree of contingents, camps, stores and the persons
under them; new, distinct weapons with realistic serials (several makes and models, serials
of their own style) spread over every store; a mixed file of weapons and ammunition lots; a
movements file of issues, returns and transfers of those weapons (custody followed, so every
movement is valid) and transfers of ammunition by key.

Timed, each as a subprocess (interpreter start-up included, like the user's wait):

* ``wam import stock`` of ``--weapons`` weapons, and of ``--mixed`` weapons and lots;
* ``wam import movements`` of ``--movements`` movements (into the ledger of the first import);
* the floor: a Python process reading the same file with the csv module and inserting its rows
  with sqlite3 ``executemany`` into one table (WAL, synchronous=FULL as wam's engine), one
  transaction;
* ledger-cli (``ledger -f FILE balance``) on the same movements, written as a journal as
  bench/peers.py writes one;
* with ``--pg URL``, the same stock files imported on PostgreSQL too, and the movements into the
  ledger of the weapons;
* ``wam --help`` and ``wam balance`` on a small ledger (bench/cli_startup.py, 20 runs each).

Each figure carries the 1-minute load average at its end (the machine may be shared).

Peak memory (RSS, from ``wait4``) is given at two file sizes (the full one and a quarter of it).

Usage::

    python bench/commands.py                       # 200k weapons, 1M mixed, 1M movements
    python bench/commands.py --weapons 20000 --mixed 20000 --movements 50000 --pg postgresql://...
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STOCK_HEADER = ["holder", "type", "make", "model", "serial", "category", "calibre", "lot", "quantity",
                "hazard_division", "compatibility_group", "neq_kg"]
MOVE_HEADER = ["kind", "item", "quantity", "from", "to", "occurred_at", "actor", "witness", "document", "note",
               "reason"]
COUNTRIES = ("BGD", "NPL", "PAK", "IND", "RWA", "GHA", "SEN", "EGY", "CHN", "ETH")
# make, model, category, calibre, serial style
WEAPONS = (
    ("Norinco", "Type 56", "assault rifle", "7.62x39mm", "56-{:07d}"),
    ("Kalashnikov", "AKM", "assault rifle", "7.62x39mm", "AKM{:07d}"),
    ("FN Herstal", "FAL", "battle rifle", "7.62x51mm", "FN{:06d}"),
    ("Heckler & Koch", "G3A3", "battle rifle", "7.62x51mm", "G3-{:06d}"),
    ("Glock", "17", "pistol", "9x19mm", "GLK{:06d}"),
    ("Browning", "Hi-Power", "pistol", "9x19mm", "BHP{:06d}"),
    ("FN Herstal", "Minimi", "light machine gun", "5.56x45mm", "MIN{:06d}"),
)
AMMUNITION = (("POF", "7.62x39mm ball", "7.62x39mm", "1.4", "S"), ("IMI", "9x19mm ball", "9x19mm", "1.4", "S"),
              ("Arges", "HG 84 hand grenade", "", "1.2", "F"))
WAM = [str(Path(sys.executable).with_name("wam"))]  # the console script, as a user runs it

AT = {"stock": ("--at", "2023-12-01"), "movements": ()}  # opening stock before the movements of 2024

FLOOR = r"""
import csv, sqlite3, sys
path, db = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db, isolation_level=None)
con.execute("PRAGMA journal_mode=WAL"); con.execute("PRAGMA synchronous=FULL")
with open(path, newline="", encoding="utf-8-sig") as f:
    rows = csv.reader(f)
    header = next(rows)
    cols = ", ".join(f"c{n} TEXT" for n in range(len(header)))
    con.execute(f"CREATE TABLE t (id INTEGER PRIMARY KEY, {cols})")
    sql = f"INSERT INTO t ({', '.join(f'c{n}' for n in range(len(header)))}) VALUES ({', '.join('?' * len(header))})"
    con.execute("BEGIN")
    con.executemany(sql, rows)
    con.execute("COMMIT")
"""


def mission(stores_n: int) -> tuple[list[list[str]], list[str], dict[str, list[str]]]:
    """Holder rows, the store codes, and each store's persons."""
    rows = [["UN", "United Nations", "organisation", "", "", "", ""], ["MSN", "Mission", "mission", "UN", "", "", ""]]
    stores, persons = [], {}
    for s in range(stores_n):
        country = COUNTRIES[s % len(COUNTRIES)]
        batt = f"{country}-BATT"
        if s < len(COUNTRIES):
            rows.append([batt, f"{country} battalion", "contingent", "MSN", country, "", ""])
        camp, store = f"CAMP-{s:03d}", f"ARM-{s:03d}"
        rows.append([camp, f"Camp {s}", "site", batt, "", "", ""])
        rows.append([store, f"Armoury {s}", "store", camp, "", "", ""])
        stores.append(store)
        persons[store] = []
        for p in range(8):
            code = f"P-{s:03d}-{p}"
            rows.append([code, f"Soldier {s}/{p}", "person", store, "", "", ""])
            persons[store].append(code)
    return rows, stores, persons


def weapon_rows(n: int, stores: list[str], rng: random.Random, start: int = 0):
    for k in range(start, start + n):
        make, model, category, calibre, style = WEAPONS[k % len(WEAPONS)]
        yield [stores[rng.randrange(len(stores))], "weapon", make, model, style.format(k), category, calibre, "", "",
               "", "", ""]


def lot_rows(n: int, stores: list[str], rng: random.Random):
    for k in range(n):
        make, model, calibre, hd, cg = AMMUNITION[k % len(AMMUNITION)]
        yield [stores[rng.randrange(len(stores))], "ammunition", make, model, "", "", calibre, f"LOT-{k:07d}",
               str(rng.randrange(100, 50_000)), hd, cg, ""]


def write_csv(path: Path, header: list[str], rows) -> int:  # noqa: ANN001
    n = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows:
            w.writerow(r)
            n += 1
    return n


def movement_rows(n: int, stock: Path, persons: dict[str, list[str]], rng: random.Random, journal: Path):
    """Issues, returns and transfers of the stock file's weapons; custody followed. Also writes the
    same movements as a ledger-cli journal."""
    where: dict[str, str] = {}
    with stock.open(newline="") as f:
        for row in csv.DictReader(f):
            where[row["serial"]] = row["holder"]
    serials = list(where)
    stores = list(persons)
    out = journal.open("w", encoding="utf-8", buffering=1 << 20)
    out.write("; wam bench/commands.py: the movements of the import\n\n")
    micros = 0
    try:
        for k in range(n):
            serial = serials[rng.randrange(len(serials))]
            holder = where[serial]
            micros += rng.randrange(1, 120) * 1_000_000
            at = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(1_704_067_200 + micros // 1_000_000)) + "Z"
            if holder.startswith("P-"):
                kind, target = "return", "ARM-" + holder[2:5]
            elif rng.random() < 0.8:
                kind, target = "issue", rng.choice(persons[holder])
            else:
                kind, target = "transfer", rng.choice([s for s in stores[:20] if s != holder] or stores)
            where[serial] = target
            yield [kind, serial, "", holder, target, at, f"armourer-{holder[-3:] if holder[0] == 'A' else target[-3:]}",
                   "", "", "", ""]
            out.write(f"{at[:10]} * ({k + 1}) {kind} {serial}\n    Holders:{target}    1 \"{serial}\"\n"
                      f"    Holders:{holder}    -1 \"{serial}\"\n")
    finally:
        out.close()


def timed(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, object]:
    """Run ``cmd``; its wall time and peak RSS (MB); raise if it fails. Output goes to files, not
    pipes, so that a command writing a lot never waits on a full pipe."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        text, problems = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{text[-2000:]}\n{problems[:3000]}")
    return {"seconds": round(wall, 3), "rss_mb": round(usage.ru_maxrss / 1024, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "load": round(os.getloadavg()[0], 2),
            "out": text.strip()[-200:]}


def wam(db: str, *args: str) -> dict[str, object]:
    env = dict(os.environ, NO_COLOR="1")  # stderr is a pipe: no progress bar
    return timed([*WAM, "--db", db, *args], env)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def ratio(rows: int, got: dict, fl: dict) -> dict[str, object]:  # noqa: ANN001
    """The figures of one import against the floor of the same file."""
    return {"wam_rows_per_s": round(rows / got["seconds"]), "floor_rows_per_s": round(rows / fl["seconds"]),
            "ratio_to_floor": round(fl["seconds"] / got["seconds"], 3),
            "cpu_ratio_to_floor": round(fl["cpu_s"] / max(got["cpu_s"], 0.001), 3)}  # fairer on a loaded machine


def fresh_ledger(db: str, holders: Path) -> None:
    if db.startswith("postgresql"):
        from sqlalchemy import create_engine, text

        engine = create_engine(db.replace("postgresql://", "postgresql+psycopg://", 1) if "+" not in db else db)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    wam(db, "init", "--name", "bench")
    wam(db, "import", "holders", str(holders))


def floor(path: Path, work: Path) -> dict[str, object]:
    db = work / "floor.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return timed([sys.executable, "-c", FLOOR, str(path), str(db)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weapons", type=int, default=200_000)
    ap.add_argument("--mixed", type=int, default=1_000_000)
    ap.add_argument("--movements", type=int, default=1_000_000)
    ap.add_argument("--stores", type=int, default=60)
    ap.add_argument("--pg", help="PostgreSQL URL for the weapons import (its public schema is emptied)")
    ap.add_argument("--work", type=Path, help="directory for the files (default: a temporary one)")
    ap.add_argument("--skip", default="", help="comma-separated: mixed,movements,small,ledger,startup")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    work = args.work or Path(tempfile.mkdtemp(prefix="wam-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(8)
    holder_rows, stores, persons = mission(args.stores)
    holders = work / "holders.csv"
    write_csv(holders, ["code", "name", "kind", "parent", "country", "latitude", "longitude"], holder_rows)
    results: dict[str, object] = {
        "machine": f"{os.cpu_count()} cores ({cpu_model()}), {platform.platform()}, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "work": str(work)}

    def record(name: str, entry: dict) -> None:  # noqa: ANN001
        results[name] = entry
        print(name, json.dumps(entry), flush=True)
        (work / "results.json").write_text(json.dumps(results, indent=1))

    def case(name: str, path: Path, rows: int, db_for, command: str, small: Path | None = None) -> None:  # noqa: ANN001
        db = db_for()
        fresh_ledger(db, holders) if command == "stock" else None
        got = wam(db, "import", command, str(path), *AT[command])
        fl = floor(path, work)
        entry = {"rows": rows, "wam": got, "floor": fl, **ratio(rows, got, fl)}
        if small is not None and "small" not in skip:
            db2 = db_for(small=True)
            fresh_ledger(db2, holders)
            if command == "movements":
                wam(db2, "import", "stock", str(work / "weapons.csv"), *AT["stock"])
            entry["small"] = {"rows": rows // 4, "wam": wam(db2, "import", command, str(small), *AT[command])}
        record(name, entry)

    def sqlite_db(tag: str):  # noqa: ANN202
        def make(small: bool = False) -> str:
            path = work / f"{tag}{'-small' if small else ''}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            return f"sqlite:///{path}"
        return make

    weapons, weapons_small = work / "weapons.csv", work / "weapons-small.csv"
    write_csv(weapons, STOCK_HEADER, weapon_rows(args.weapons, stores, rng))
    write_csv(weapons_small, STOCK_HEADER, weapon_rows(args.weapons // 4, stores, rng, start=10_000_000))
    case("stock_weapons_sqlite", weapons, args.weapons, sqlite_db("weapons"), "stock", weapons_small)
    if "movements" not in skip:
        moves, moves_small, journal = work / "movements.csv", work / "movements-small.csv", work / "movements.ledger"
        write_csv(moves, MOVE_HEADER, movement_rows(args.movements, weapons, persons, rng, journal))
        write_csv(moves_small, MOVE_HEADER, movement_rows(args.movements // 4, weapons, persons, random.Random(9),
                                                          work / "small.ledger"))
        db = f"sqlite:///{work / 'weapons.db'}"  # the ledger the weapons import made
        got = wam(db, "import", "movements", str(moves))
        fl = floor(moves, work)
        entry = {"rows": args.movements, "wam": got, "floor": fl, **ratio(args.movements, got, fl)}
        if shutil.which("ledger") and "ledger" not in skip:
            lc = timed(["ledger", "-f", str(journal), "balance"])
            entry["ledger_cli"] = {k: lc[k] for k in ("seconds", "cpu_s", "rss_mb", "load")}
            entry["ratio_to_ledger_cli"] = round(lc["seconds"] / got["seconds"], 3)
            entry["cpu_ratio_to_ledger_cli"] = round(lc["cpu_s"] / max(got["cpu_s"], 0.001), 3)
        if "small" not in skip:
            db2 = sqlite_db("moves")(small=True)
            fresh_ledger(db2, holders)
            wam(db2, "import", "stock", str(weapons), *AT["stock"])
            entry["small"] = {"rows": args.movements // 4, "wam": wam(db2, "import", "movements", str(moves_small))}
        record("movements_sqlite", entry)
    if "mixed" not in skip:
        mixed, mixed_small = work / "mixed.csv", work / "mixed-small.csv"
        lots = args.mixed // 5
        write_csv(mixed, STOCK_HEADER, _chain(weapon_rows(args.mixed - lots, stores, rng, start=20_000_000),
                                              lot_rows(lots, stores, rng)))
        quarter = (args.mixed - lots) // 4
        write_csv(mixed_small, STOCK_HEADER, _chain(weapon_rows(quarter, stores, rng, start=30_000_000),
                                                    lot_rows(lots // 4, stores, rng)))
        case("stock_mixed_sqlite", mixed, args.mixed, sqlite_db("mixed"), "stock", mixed_small)
    if args.pg:
        files = [("weapons", weapons, args.weapons)]
        if "mixed" not in skip:
            files.append(("mixed", work / "mixed.csv", args.mixed))
        for tag, path, rows in files:
            fresh_ledger(args.pg, holders)
            got = wam(args.pg, "import", "stock", str(path), *AT["stock"])
            fl = floor(path, work)
            record(f"stock_{tag}_postgresql", {"rows": rows, "wam": got, "floor": fl, **ratio(rows, got, fl)})
            if tag == "weapons" and "movements" not in skip:  # the movements, into the ledger of those weapons
                moves = work / "movements.csv"
                got = wam(args.pg, "import", "movements", str(moves))
                fl = floor(moves, work)
                record("movements_postgresql", {"rows": args.movements, "wam": got, "floor": fl,
                                                **ratio(args.movements, got, fl)})
    if "startup" not in skip:  # wam --help and wam balance on a small ledger (bench/cli_startup.py)
        script = str(Path(__file__).with_name("cli_startup.py"))
        out = subprocess.run([sys.executable, script, "--runs", "20", "--json"],
                             capture_output=True, text=True, check=True).stdout
        record("startup", json.loads(out))
    (work / "results.json").write_text(json.dumps(results, indent=1))
    print(f"results in {work / 'results.json'}")


def _chain(*iterables):  # noqa: ANN001, ANN202
    for it in iterables:
        yield from it


if __name__ == "__main__":
    main()
