#!/usr/bin/env python3
"""Peer half of the ledger benchmark: the same custody transfers through other tools.

The world: ``rifles`` weapons arrive from external suppliers (``supply:BGD`` ...)
into 50 stores (``STORE-01`` .. ``STORE-50``); afterwards every transfer moves a
random rifle from the store that currently holds it to a different random store.
The same stream is then

* written as a ledger-cli / hledger journal (one journal serves both) and timed
  with ``ledger -f FILE balance`` and ``hledger -f FILE balance``;
* written as a beancount file and timed with ``beancount.loader.load_file`` plus
  a realization (per-account balances) in a child process;
* inserted with raw ``sqlite3`` ``executemany`` (WAL, synchronous=FULL, one
  transaction) as 11-column custody rows: the floor any Python+SQLite ledger can
  reach.

Standard library only; beancount is imported only in the child process.

Usage::

    python bench/peers.py --n 100000
    python bench/peers.py --n 1000000 --peer-max 200000 --json
    python bench/peers.py --check          # n=2000 balances vs. the generator

``bench/ledger.py`` imports :func:`generate_transfers` and the ``time_*``
functions to put wam's own figures in the same table.
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import importlib.util
import itertools
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

__all__ = [
    "EPOCH",
    "SUPPLIERS",
    "Transfer",
    "check_peers",
    "default_rifles",
    "final_holders",
    "format_table",
    "generate_transfers",
    "main",
    "run_peers",
    "store_codes",
    "time_beancount",
    "time_hledger",
    "time_ledger_cli",
    "time_sqlite_executemany",
    "write_beancount",
    "write_ledger_journal",
]

EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
#: External holders rifles are received from (troop/police-contributing countries).
SUPPLIERS = ("BGD", "NPL", "PAK", "IND", "RWA", "GHA", "SEN", "EGY")
SLOW_PEERS = ("hledger", "beancount")
ALL_PEERS = ("sqlite", "ledger", "hledger", "beancount")
ZERO_HASH = bytes(32)


class Transfer(NamedTuple):
    seq: int  #: 1-based, strictly increasing
    occurred_at: dt.datetime  #: UTC, strictly increasing (one minute apart)
    serial: str  #: e.g. ``AK-000123``
    source: str  #: ``supply:BGD`` for receipts, else a store code
    target: str  #: a store code, ``STORE-01`` ..


def store_codes(stores: int = 50) -> list[str]:
    width = max(2, len(str(stores)))
    return [f"STORE-{i:0{width}d}" for i in range(1, stores + 1)]


def default_rifles(n: int) -> int:
    return max(1000, n // 100)


def generate_transfers(
    n: int, stores: int = 50, rifles: int | None = None, seed: int = 1
) -> Iterator[Transfer]:
    """Yield ``n`` custody transfers; deterministic for a given (stores, rifles, seed).

    The first ``min(n, rifles)`` transfers are receipts ``supply:XXX -> store``
    of rifles ``AK-000001``..; every later one moves a random rifle from its
    current holder to a different random store, so custody is always valid.
    The random stream does not depend on ``n``: with an explicit ``rifles``,
    ``generate_transfers(m, rifles=r)`` is a prefix of ``generate_transfers(n, rifles=r)``
    for ``m < n``. Memory: one dict serial -> store (``rifles`` entries).
    """
    if stores < 2:
        raise ValueError("need at least 2 stores")
    if n < 0:
        raise ValueError("n must be >= 0")
    if rifles is None:
        rifles = default_rifles(n)
    if rifles < 1:
        raise ValueError("need at least 1 rifle")
    rng = random.Random(seed)
    codes = store_codes(stores)
    index = {c: i for i, c in enumerate(codes)}
    width = max(6, len(str(rifles)))
    serials = [f"AK-{i:0{width}d}" for i in range(1, rifles + 1)]
    suppliers = [f"supply:{s}" for s in SUPPLIERS]
    holder: dict[str, str] = {}
    minute = dt.timedelta(minutes=1)
    randrange = rng.randrange
    receipts = min(n, rifles)
    for seq in range(1, receipts + 1):
        serial = serials[seq - 1]
        source = suppliers[randrange(len(suppliers))]
        target = codes[randrange(stores)]
        holder[serial] = target
        yield Transfer(seq, EPOCH + (seq - 1) * minute, serial, source, target)
    for seq in range(receipts + 1, n + 1):
        serial = serials[randrange(rifles)]
        source = holder[serial]
        k = randrange(stores - 1)
        if k >= index[source]:
            k += 1
        target = codes[k]
        holder[serial] = target
        yield Transfer(seq, EPOCH + (seq - 1) * minute, serial, source, target)


def final_holders(transfers: Iterable[Transfer]) -> dict[str, str]:
    """serial -> holding store after replaying ``transfers``."""
    holder: dict[str, str] = {}
    for t in transfers:
        holder[t.serial] = t.target
    return holder


# --------------------------------------------------------------------------- writers

@functools.cache
def _ledger_account(holder: str) -> str:
    if holder.startswith("supply:"):
        return "Supply:" + holder.split(":", 1)[1]
    return "Stores:" + holder


@functools.cache
def _bean_account(holder: str) -> str:
    if holder.startswith("supply:"):
        return "Equity:Supply:" + holder.split(":", 1)[1]
    return "Assets:Stores:" + holder


def _kind(t: Transfer) -> str:
    return "receipt" if t.source.startswith("supply:") else "transfer"


def write_ledger_journal(
    transfers: Iterable[Transfer],
    path: str | os.PathLike[str],
    *,
    prefix_path: str | os.PathLike[str] | None = None,
    prefix_n: int = 0,
) -> int:
    """Stream a ledger-cli/hledger journal; return the number of transactions.

    Each transfer is one cleared transaction, code = seq, moving one unit of the
    quoted commodity ``"AK-000123"`` from ``Stores:STORE-xx`` (or ``Supply:BGD``)
    to ``Stores:STORE-yy``; both postings explicit. ``balance`` then shows, per
    store, exactly the rifles it holds (zero balances are hidden).
    If ``prefix_path`` is given, the first ``prefix_n`` transactions are also
    written there (used to measure slow peers on a prefix of the same stream).
    """
    count = 0
    pf = open(prefix_path, "w", encoding="utf-8", buffering=1 << 20) if prefix_path else None  # noqa: SIM115  (finally)
    try:
        with open(path, "w", encoding="utf-8", buffering=1 << 20) as f:
            head = "; wam benchmark journal: custody transfers, one rifle per transaction\n\n"
            f.write(head)
            if pf:
                pf.write(head)
            for t in transfers:
                c = f'"{t.serial}"'
                text = (
                    f"{t.occurred_at:%Y-%m-%d} * ({t.seq}) {_kind(t)} {t.serial}\n"
                    f"    {_ledger_account(t.target)}    1 {c}\n"
                    f"    {_ledger_account(t.source)}    -1 {c}\n"
                )
                f.write(text)
                count += 1
                if pf and count <= prefix_n:
                    pf.write(text)
    finally:
        if pf:
            pf.close()
    return count


def write_beancount(transfers: Iterable[Transfer], path: str | os.PathLike[str]) -> int:
    """Stream a beancount file; return the number of transactions.

    Accounts ``Assets:Stores:STORE-01``, ``Equity:Supply:BGD``; commodity = the
    serial itself (``AK-000123`` matches beancount's currency syntax). The
    ``open`` and ``commodity`` directives, dated 2023-12-31, are appended after
    the transactions (beancount sorts by date, so order in the file does not
    matter) so that the writer can stream without knowing the world up front.
    """
    count = 0
    accounts: set[str] = set()
    commodities: set[str] = set()
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as f:
        f.write('option "title" "wam benchmark: custody transfers"\n\n')
        for t in transfers:
            src = _bean_account(t.source)
            dst = _bean_account(t.target)
            accounts.add(src)
            accounts.add(dst)
            commodities.add(t.serial)
            f.write(
                f'{t.occurred_at:%Y-%m-%d} * "{_kind(t)}" "{t.serial} #{t.seq}"\n'
                f"  {dst}  1 {t.serial}\n"
                f"  {src}  -1 {t.serial}\n"
            )
            count += 1
        f.write("\n; declarations\n")
        for a in sorted(accounts):
            f.write(f"2023-12-31 open {a}\n")
        for c in sorted(commodities):
            f.write(f"2023-12-31 commodity {c}\n")
    return count


# --------------------------------------------------------------------------- timers

def _result(peer: str, n: int, seconds: float | None, version: str | None,
            ok: bool, note: str = "", **extra: Any) -> dict[str, Any]:
    per_second = (n / seconds) if (ok and seconds) else None
    r = {"peer": peer, "n": n, "seconds": seconds, "per_second": per_second,
         "version": version, "ok": ok, "note": note}
    r.update(extra)
    return r


def _count_transactions(path: str | os.PathLike[str]) -> int:
    """Transactions in one of our journals: lines starting with a 2xxx date and ``*``."""
    n = 0
    with open(path, "rb") as f:
        for line in f:
            if line[:1] == b"2" and line[10:13] == b" * ":
                n += 1
    return n


def _run_measured(argv: list[str], *, env: dict[str, str] | None = None
                  ) -> tuple[int, float, str, str, float, float]:
    """Run ``argv``; return (exit code, wall s, stdout, stderr, peak RSS MiB, CPU s).

    Output goes to temp files (no pipe deadlock on big reports); the child's
    peak RSS and CPU time (user + system) come from ``os.wait4``.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (proc.returncode, seconds, out.read().decode("utf-8", "replace"),
                err.read().decode("utf-8", "replace"), usage.ru_maxrss / 1024.0,
                usage.ru_utime + usage.ru_stime)


@functools.cache
def _tool_version(tool: str) -> str | None:
    exe = shutil.which(tool)
    if not exe:
        return None
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    first = out.strip().splitlines()[0] if out.strip() else "unknown"
    m = re.search(r"\d+\.\d+(?:\.\d+)?(?:-\d+)?", first)
    return m.group(0) if m else first


def _time_cli(peer: str, tool: str, path: str | os.PathLike[str], n: int | None,
              extra_args: list[str]) -> dict[str, Any]:
    exe = shutil.which(tool)
    if n is None:
        n = _count_transactions(path)
    if not exe:
        return _result(peer, n, None, None, False, "not installed")
    version = _tool_version(tool)
    argv = [exe, "-f", os.fspath(path), "balance", *extra_args]
    rc, seconds, out, err, rss, cpu = _run_measured(argv)
    extra = dict(max_rss_mib=round(rss, 1), cpu_seconds=round(cpu, 3))
    if rc != 0:
        return _result(peer, n, seconds, version, False, f"exit {rc}: {err.strip()[:300]}", **extra)
    if not out.strip():
        return _result(peer, n, seconds, version, False, "empty balance output", **extra)
    return _result(peer, n, seconds, version, True, "", output_lines=out.count("\n"), **extra)


def time_ledger_cli(path: str | os.PathLike[str], n: int | None = None) -> dict[str, Any]:
    """Wall time of ``ledger -f FILE balance`` (parse + balance + report)."""
    return _time_cli("ledger-cli", "ledger", path, n, [])


def time_hledger(path: str | os.PathLike[str], n: int | None = None) -> dict[str, Any]:
    """Wall time of ``hledger -f FILE balance`` (parse + balance + report)."""
    return _time_cli("hledger", "hledger", path, n, [])


# Child-process program for beancount: load (parse, booking, validation),
# then realize (per-account balances); prints JSON on stdout.
_BEANCOUNT_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import beancount
from beancount import loader
from beancount.core import realization
t1 = time.perf_counter()
entries, errors, options = loader.load_file(sys.argv[1])
t2 = time.perf_counter()
root = realization.realize(entries)
npos = 0
for ra in realization.iter_children(root):
    npos += len(ra.balance.get_positions())
t3 = time.perf_counter()
want = {}
for account in sys.argv[2:]:
    ra = realization.get(root, account)
    want[account] = {} if ra is None else {
        p.units.currency: str(p.units.number) for p in ra.balance.get_positions()}
print(json.dumps({
    "version": beancount.__version__, "errors": len(errors),
    "first_errors": [str(getattr(e, "message", e))[:200] for e in errors[:3]],
    "entries": len(entries), "positions": npos,
    "import_s": t1 - t0, "load_s": t2 - t1, "balance_s": t3 - t2, "balances": want}))
"""


def _beancount_installed() -> bool:
    return importlib.util.find_spec("beancount") is not None


def time_beancount(path: str | os.PathLike[str], n: int | None = None, *,
                   accounts: Iterable[str] = (), python: str | None = None) -> dict[str, Any]:
    """Wall time of ``beancount.loader.load_file`` + realization in a child process.

    ``seconds`` is the child's wall time (interpreter start and the beancount
    import included, like the ledger/hledger process start); ``load_s`` and
    ``balance_s`` are the in-process parts. The result is ok only if the loader
    reported no errors. ``balances`` holds {account: {currency: number}} for the
    requested ``accounts`` (used by ``--check``). beancount's pickle cache is
    disabled (``BEANCOUNT_DISABLE_LOAD_CACHE``), so every run parses and books.
    """
    if n is None:
        n = _count_transactions(path)
    python = python or sys.executable
    if python == sys.executable and not _beancount_installed():
        return _result("beancount", n, None, None, False, "not installed")
    # no pickle cache: neither a cache hit on re-runs nor the time to write one
    env = dict(os.environ, BEANCOUNT_DISABLE_LOAD_CACHE="1")
    rc, seconds, out, err, rss, cpu = _run_measured(
        [python, "-c", _BEANCOUNT_CHILD, os.fspath(path), *accounts], env=env)
    if rc != 0:
        if "No module named 'beancount'" in err:
            note = "not installed"
        else:
            note = f"exit {rc}: {err.strip()[-300:]}"
        return _result("beancount", n, seconds, None, False, note)
    try:
        info = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return _result("beancount", n, seconds, None, False,
                       f"unparsable child output: {out[:200]!r}")
    extra = dict(max_rss_mib=round(rss, 1), cpu_seconds=round(cpu, 3),
                 load_s=round(info["load_s"], 3),
                 balance_s=round(info["balance_s"], 3), import_s=round(info["import_s"], 3),
                 balances=info["balances"])
    if info["errors"]:
        return _result("beancount", n, seconds, info["version"], False,
                       f"{info['errors']} loader errors, e.g. {info['first_errors']}", **extra)
    return _result("beancount", n, seconds, info["version"], True, "", **extra)


def _uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def time_sqlite_executemany(transfers: Iterable[Transfer], path: str | os.PathLike[str],
                            *, chunk: int = 100_000, seed: int = 1) -> dict[str, Any]:
    """The floor: raw sqlite3 executemany of the transfers as 11-column custody rows.

    WAL, synchronous=FULL, one transaction (BEGIN .. COMMIT, the commit's fsync
    included), table with an INTEGER PRIMARY KEY and no other index. Rows
    (uid, micros, 32 zero bytes for prev_hash/hash) are built *outside* the
    timed region, ``chunk`` at a time, so memory stays flat and only SQLite's
    own cost is timed. ``per_second`` is rows/s. ``path`` is deleted first.
    """
    path = os.fspath(path)
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(path + suffix)
        except FileNotFoundError:
            pass
    rng = random.Random(seed)
    con = sqlite3.connect(path, isolation_level=None)
    try:
        mode = con.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        con.execute("PRAGMA synchronous=FULL")
        con.execute(
            "CREATE TABLE movement ("
            " seq INTEGER PRIMARY KEY, uid TEXT NOT NULL, kind TEXT NOT NULL,"
            " item TEXT NOT NULL, quantity INTEGER NOT NULL, source TEXT NOT NULL,"
            " target TEXT NOT NULL, occurred_at INTEGER NOT NULL,"
            " recorded_at INTEGER NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL)")
        sql = "INSERT INTO movement VALUES (?,?,?,?,?,?,?,?,?,?,?)"
        epoch_us = int(EPOCH.timestamp()) * 1_000_000
        minute_us = 60_000_000
        n = 0
        seconds = 0.0
        it = iter(transfers)
        cpu = 0.0
        t0, c0 = time.perf_counter(), time.process_time()
        con.execute("BEGIN")
        seconds += time.perf_counter() - t0
        cpu += time.process_time() - c0
        while True:
            rows = []
            for t in itertools.islice(it, chunk):
                occ = epoch_us + (t.seq - 1) * minute_us
                rows.append((t.seq, _uid(rng), _kind(t), t.serial, 1, t.source, t.target,
                             occ, occ + 1_000_000, ZERO_HASH, ZERO_HASH))
            if not rows:
                break
            t0, c0 = time.perf_counter(), time.process_time()
            con.executemany(sql, rows)
            seconds += time.perf_counter() - t0
            cpu += time.process_time() - c0
            n += len(rows)
        t0, c0 = time.perf_counter(), time.process_time()
        con.execute("COMMIT")
        seconds += time.perf_counter() - t0
        cpu += time.process_time() - c0
        count = con.execute("SELECT count(*) FROM movement").fetchone()[0]
    finally:
        con.close()
    ok = count == n and mode.lower() == "wal"
    note = "" if ok else f"rows {count} != {n} or journal_mode={mode}"
    return _result("sqlite3 executemany (floor)", n, seconds, sqlite3.sqlite_version, ok, note,
                   unit="rows", cpu_seconds=round(cpu, 3))


# --------------------------------------------------------------------------- runner

def run_peers(n: int, *, stores: int = 50, rifles: int | None = None, seed: int = 1,
              peer_max: int = 200_000, peers: Iterable[str] = ALL_PEERS,
              workdir: str | os.PathLike[str] | None = None, keep: bool = False,
              repeat: int = 1, log=None) -> list[dict[str, Any]]:
    """Generate the files once and time every requested peer.

    hledger and beancount are measured on the first ``peer_max`` transfers of
    the same stream (same world: same ``rifles``) when ``n > peer_max``; their
    ``seconds`` is then extrapolated linearly to ``n`` and the row says so.
    With ``repeat > 1`` each peer is timed that many times and the fastest ok
    run is kept (``runs`` holds all the wall times).
    """
    peers = list(peers)
    if rifles is None:
        rifles = default_rifles(n)
    own_tmp = workdir is None
    wd = Path(tempfile.mkdtemp(prefix="wam-peers-") if own_tmp else workdir)
    wd.mkdir(parents=True, exist_ok=True)
    say = log or (lambda msg: None)
    gen = functools.partial(generate_transfers, stores=stores, rifles=rifles, seed=seed)
    slow_n = min(n, peer_max)
    results: list[dict[str, Any]] = []
    try:
        full_j = wd / f"transfers-{n}.journal"
        slow_j = wd / f"transfers-{slow_n}.journal"
        need_ledger = "ledger" in peers
        need_hledger = "hledger" in peers
        if need_ledger or need_hledger:
            t0 = time.perf_counter()
            if need_ledger:
                write_ledger_journal(gen(n), full_j,
                                     prefix_path=slow_j if (need_hledger and slow_n < n) else None,
                                     prefix_n=slow_n)
            else:
                write_ledger_journal(gen(slow_n), slow_j)
            if slow_n == n:
                slow_j = full_j
            size = (full_j if need_ledger else slow_j).stat().st_size
            say(f"journal written in {time.perf_counter() - t0:.1f}s ({size:,} bytes)")
        bean = wd / f"transfers-{slow_n}.beancount"
        if "beancount" in peers:
            t0 = time.perf_counter()
            write_beancount(gen(slow_n), bean)
            say(f"beancount file written in {time.perf_counter() - t0:.1f}s")

        def once(peer: str) -> dict[str, Any]:
            if peer == "sqlite":
                return time_sqlite_executemany(gen(n), wd / "floor.sqlite3", seed=seed)
            if peer == "ledger":
                return time_ledger_cli(full_j, n)
            if peer == "hledger":
                return time_hledger(slow_j, slow_n)
            if peer == "beancount":
                r = time_beancount(bean, slow_n)
                r.pop("balances", None)
                return r
            raise ValueError(f"unknown peer {peer!r}")

        for peer in peers:
            say(f"timing {peer} ...")
            runs = [once(peer) for _ in range(max(1, repeat))]
            good = [x for x in runs if x["ok"]]
            r = min(good, key=lambda x: x["seconds"]) if good else runs[-1]
            if len(runs) > 1:
                r["runs"] = [x["seconds"] for x in runs]
            if peer in SLOW_PEERS and slow_n < n:
                r = _extrapolate(r, n)
            say(f"  {r['peer']}: {_fmt_seconds(r)} s, ok={r['ok']} {r['note']}")
            results.append(r)
    finally:
        if own_tmp and not keep:
            shutil.rmtree(wd, ignore_errors=True)
        elif keep or not own_tmp:
            say(f"files kept in {wd}")
    return results


def _extrapolate(r: dict[str, Any], n: int) -> dict[str, Any]:
    measured_n = r["n"]
    r = dict(r, measured_n=measured_n, measured_seconds=r["seconds"], extrapolated=True, n=n)
    if r["ok"] and r["seconds"]:
        r["seconds"] = r["measured_seconds"] * n / measured_n
        r["per_second"] = measured_n / r["measured_seconds"]
        msg = (f"measured at {measured_n:,} ({r['measured_seconds']:.2f} s), "
               f"extrapolated linearly to {n:,}")
    else:
        msg = f"measured at {measured_n:,}"
    r["note"] = f"{msg}; {r['note']}" if r["note"] else msg
    return r


def _fmt_seconds(r: dict[str, Any]) -> str:
    if r.get("seconds") is None:
        return "-"
    s = f"{r['seconds']:.2f}"
    return ("~" + s) if r.get("extrapolated") else s


def format_table(results: list[dict[str, Any]]) -> str:
    head = ("peer", "n", "seconds", "CPU s", "per second", "version", "ok", "peak RSS MiB", "note")
    rows = [head]
    for r in results:
        ps = "-" if r.get("per_second") is None else f"{r['per_second']:,.0f}"
        if r.get("unit") == "rows" and ps != "-":
            ps += " rows"
        cpu = "-" if r.get("cpu_seconds") is None else f"{r['cpu_seconds']:.2f}"
        rows.append((r["peer"], f"{r['n']:,}", _fmt_seconds(r), cpu, ps, r.get("version") or "-",
                     "yes" if r["ok"] else "NO",
                     "-" if r.get("max_rss_mib") is None else f"{r['max_rss_mib']:,.0f}",
                     r.get("note") or ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head) - 1)]
    lines = []
    for j, row in enumerate(rows):
        cells = [row[i].ljust(widths[i]) if i in (0, 5, 6) else row[i].rjust(widths[i])
                 for i in range(len(head) - 1)]
        lines.append("  ".join(cells + [row[-1]]).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths) + "  ----")
    lines.append("seconds = wall clock (child start-up included); CPU s = user+system "
                 "of the measured part, at the measured n")
    if any(r.get("extrapolated") for r in results):
        lines.append("~ = extrapolated linearly from the measured prefix (see note); "
                     "per second is the measured rate")
    return "\n".join(lines)


# --------------------------------------------------------------------------- self-check

_AMOUNT = re.compile(r'(-?\d+)\s+"?([A-Z]{2}-\d+)"?')


def _parse_cli_balance(out: str) -> dict[str, int]:
    bal: dict[str, int] = {}
    for q, c in _AMOUNT.findall(out):
        bal[c] = bal.get(c, 0) + int(q)
    return {c: q for c, q in bal.items() if q}


def check_peers(n: int = 2000, *, stores: int = 50, seed: int = 1, sample: int = 3,
                log=print) -> bool:
    """Compare each installed peer's final balance of ``sample`` stores with the generator."""
    rifles = default_rifles(n)
    gen = functools.partial(generate_transfers, n, stores=stores, rifles=rifles, seed=seed)
    holders = final_holders(gen())
    codes = store_codes(stores)
    chosen = [codes[0], codes[len(codes) // 2], codes[-1]][:sample]
    expected = {s: {serial: 1 for serial, h in holders.items() if h == s} for s in chosen}
    ok = True

    def verdict(peer: str, store: str, got: dict[str, int] | None) -> None:
        nonlocal ok
        want = expected[store]
        if got == want:
            log(f"  {peer:10} {store}: {len(got)} rifles  OK")
        else:
            ok = False
            missing = sorted(set(want) - set(got or {}))[:5]
            extra = sorted(set(got or {}) - set(want))[:5]
            log(f"  {peer:10} {store}: MISMATCH want {len(want)} got {len(got or {})}"
                f" missing {missing} extra {extra}")

    # invariants of the generator itself
    prev = None
    for t in gen():
        assert prev is None or (t.seq == prev.seq + 1 and t.occurred_at > prev.occurred_at)
        assert t.occurred_at.tzinfo is not None and t.source != t.target
        prev = t
    log(f"generator: n={n} rifles={rifles} stores={stores}; checking {', '.join(chosen)}")

    with tempfile.TemporaryDirectory(prefix="wam-peers-check-") as wd:
        journal = Path(wd) / "check.journal"
        bean = Path(wd) / "check.beancount"
        write_ledger_journal(gen(), journal)
        write_beancount(gen(), bean)

        for peer, tool, q in (("ledger", "ledger", "^Stores:{}$"),
                              ("hledger", "hledger", "acct:^Stores:{}$")):
            exe = shutil.which(tool)
            if not exe:
                log(f"  {peer:10} not installed: SKIPPED")
                continue
            r = (time_ledger_cli if tool == "ledger" else time_hledger)(journal, n)
            if not r["ok"]:
                ok = False
                log(f"  {peer:10} full balance FAILED: {r['note']}")
            for s in chosen:
                p = subprocess.run([exe, "-f", str(journal), "balance", "--flat", "--no-total",
                                    q.format(s)], capture_output=True, text=True)
                if p.returncode != 0:
                    ok = False
                    log(f"  {peer:10} {s}: exit {p.returncode} {p.stderr.strip()[:200]}")
                    continue
                verdict(peer, s, _parse_cli_balance(p.stdout))

        if _beancount_installed():
            r = time_beancount(bean, n, accounts=[f"Assets:Stores:{s}" for s in chosen])
            if not r["ok"]:
                ok = False
                log(f"  beancount  FAILED: {r['note']}")
            else:
                for s in chosen:
                    got = {c: int(float(q)) for c, q in r["balances"][f"Assets:Stores:{s}"].items()
                           if float(q)}
                    verdict("beancount", s, got)
        else:
            log("  beancount  not installed: SKIPPED")

        db = Path(wd) / "check.sqlite3"
        r = time_sqlite_executemany(gen(), db, seed=seed)
        if not r["ok"] or r["n"] != n:
            ok = False
            log(f"  sqlite     FAILED: {r['note']}")
        con = sqlite3.connect(db)
        try:
            last = dict(con.execute(
                "SELECT item, target FROM movement m WHERE seq ="
                " (SELECT max(seq) FROM movement WHERE item = m.item)").fetchall())
        finally:
            con.close()
        for s in chosen:
            verdict("sqlite", s, {serial: 1 for serial, h in last.items() if h == s})
    log("check: " + ("all peers agree with the generator" if ok else "MISMATCH"))
    return ok


# --------------------------------------------------------------------------- CLI

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="transfers (default 100000)")
    ap.add_argument("--stores", type=int, default=50)
    ap.add_argument("--rifles", type=int, default=None, help="default max(1000, n // 100)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--peer-max", type=int, default=200_000,
                    help="measure hledger and beancount at most at this N, extrapolate beyond")
    ap.add_argument("--peers", default=",".join(ALL_PEERS),
                    help=f"comma-separated subset of {','.join(ALL_PEERS)}")
    ap.add_argument("--workdir", default=None, help="write files here (kept) instead of a temp dir")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    ap.add_argument("--repeat", type=int, default=1,
                    help="time each peer R times, keep the fastest")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--check", action="store_true",
                    help="n=2000: compare each peer's balances with the generator; "
                         "exit 1 on mismatch")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    args = ap.parse_args(argv)

    if args.check:
        return 0 if check_peers(2000, stores=args.stores, seed=args.seed) else 1

    peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    bad = [p for p in peers if p not in ALL_PEERS]
    if bad:
        ap.error(f"unknown peers {bad}")
    log = None if args.quiet else (lambda m: print(m, file=sys.stderr, flush=True))
    load_before = os.getloadavg()[0]
    results = run_peers(args.n, stores=args.stores, rifles=args.rifles, seed=args.seed,
                        peer_max=args.peer_max, peers=peers, workdir=args.workdir,
                        keep=args.keep, repeat=args.repeat, log=log)
    if args.json:
        meta = {"n": args.n, "stores": args.stores,
                "rifles": args.rifles or default_rifles(args.n), "seed": args.seed,
                "peer_max": args.peer_max, "python": platform.python_version(),
                "cpus": os.cpu_count(), "repeat": args.repeat,
                "loadavg_1min_before": load_before, "loadavg_1min_after": os.getloadavg()[0],
                "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        print(json.dumps({"meta": meta, "results": results}, indent=2))
    else:
        print(f"n={args.n:,} transfers, {args.stores} stores, "
              f"{args.rifles or default_rifles(args.n):,} rifles, seed {args.seed}, "
              f"best of {args.repeat}; 1-min load average {load_before:.2f} before, "
              f"{os.getloadavg()[0]:.2f} after, {os.cpu_count()} CPUs")
        print(format_table(results))
    # a peer that is not installed is reported, not a failure
    return 0 if all(r["ok"] or r["note"] == "not installed" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
