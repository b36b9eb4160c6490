"""Load benchmark of the web API: a balance read and recording a movement, 50 concurrent clients.

Builds a ledger of ``--movements`` generated rifle transfers between the stores of one mission
(with ``Ledger.post_many``), serves it with uvicorn in a separate process on 127.0.0.1, and runs
two phases of 50 clients on keep-alive connections (``Connection``, a minimal HTTP/1.1 client),
each bounded by a request count and a time limit:

1. ``GET /api/holders/{store}/balances`` for random stores;
2. ``POST /api/movements``: each client moves its own rifles between stores.

The requests are made as a mission WAM officer (a scoped user, so the scoping code is on the
path). Afterwards every acknowledged movement must be in the ledger and verification clean.

Example::

    python bench/load.py --movements 1000000                       # SQLite in a temporary dir
    python bench/load.py --db postgresql://postgres@127.0.0.1:5432/test --movements 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

STORES = 50
RIFLES_PER_STORE = 100


def build(url: str, movements: int) -> tuple[dict[str, str], str]:
    """Create the ledger; return where each rifle is and an API token of the mission officer."""
    from wam.domain.access import Grant, Role
    from wam.domain.holders import make_holder
    from wam.domain.materiel import make_item
    from wam.domain.movements import make_movement
    from wam.services.accounts import Accounts
    from wam.services.ledger import Ledger

    ledger = Ledger.open(url)
    ledger.init("load benchmark")
    holders = [make_holder(code="UN", name="United Nations", kind="organisation"),
               make_holder(code="MISSION", name="Mission", kind="mission", parent="UN")]
    stores = []
    for c in range(STORES // 5):
        holders.append(make_holder(code=f"CT{c:02d}", name=f"Contingent {c}", kind="contingent", parent="MISSION",
                                   country="BGD"))
        for s in range(5):
            code = f"CT{c:02d}-ARM{s}"
            holders.append(make_holder(code=code, name=code, kind="store", parent=f"CT{c:02d}"))
            stores.append(code)
    ledger.add_holders(holders)
    t0 = datetime(2020, 1, 1, tzinfo=UTC)
    where: dict[str, str] = {}
    items = []
    for n, store in enumerate(s for s in stores for _ in range(RIFLES_PER_STORE)):
        item = make_item(type="weapon", make="FN", model="FAL", serial=f"B{n:07d}")
        items.append(item)
        where[item.key] = store
    ledger.register_items(items)
    ledger.post_many(make_movement(kind="receipt", item=k, quantity=1, source="supply:BGD", target=s, occurred_at=t0,
                                   actor="setup") for k, s in where.items())
    rng = random.Random(1)
    keys = list(where)

    def transfers():  # noqa: ANN202
        for i in range(max(0, movements - len(keys))):
            key = rng.choice(keys)
            target = rng.choice(stores)
            if target == where[key]:
                target = stores[(stores.index(target) + 1) % len(stores)]
            yield make_movement(kind="transfer", item=key, quantity=1, source=where[key], target=target,
                                occurred_at=t0 + timedelta(seconds=i + 1), actor="setup")
            where[key] = target

    started = time.perf_counter()
    ledger.post_many(transfers())
    print(f"built {movements:,} movements in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    accounts = Accounts(ledger.engine)
    user = accounts.add_user("officer", "benchmark password")
    accounts.grant("officer", Grant(Role.MISSION_OFFICER, "MISSION"), by="bench")
    token, _ = accounts.open_session(user, kind="token", lifetime=86_400)
    if ledger.engine.dialect.name == "postgresql":
        # the steady state of a server: autovacuum has analysed the tables a bulk load filled
        # (else the planner guesses, and autovacuum competes with the benchmark for the cores)
        with ledger.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    ledger.engine.dispose()
    return where, token


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1) if ordered else 0.0

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99)}


class Connection:
    """One keep-alive HTTP/1.1 connection, spoken directly over asyncio streams.

    A load generator must cost far less than the server it loads, and on a two-core machine it
    shares the cores: httpx spends about a millisecond of CPU per request, this a few tens of
    microseconds, as ``wrk`` would (which cannot vary each POST's body without Lua).
    """

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.head = f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\nAccept: application/json\r\n"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: dict | None) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        payload = json.dumps(body).encode() if body is not None else b""
        extra = f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n" if body is not None else ""
        if body is not None and os.environ.get("WAM_BENCH_IDEMPOTENCY_KEYS"):  # each write with a key of its own
            extra += f"Idempotency-Key: {os.urandom(12).hex()}\r\n"
        self.writer.write(f"{method} {path} HTTP/1.1\r\n{self.head}{extra}\r\n".encode() + payload)
        assert self.reader is not None
        status = int((await self.reader.readline()).split(b" ", 2)[1])
        length, chunked, close = 0, False, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and value == "close":
                close = True
        if chunked:
            parts = []
            while (size := int((await self.reader.readline()).split(b";")[0], 16)):
                parts.append(await self.reader.readexactly(size + 2))
            await self.reader.readline()
            data = b"".join(part[:-2] for part in parts)
        else:
            data = await self.reader.readexactly(length)
        if close:
            await self.close()
        return status, data

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


async def phase(name: str, base: str, token: str, clients: int, count: int, seconds: float, make_request) -> dict:  # noqa: ANN001
    """``clients`` workers, each on its own connection, send requests back to back (no think
    time) until ``count`` requests are made or ``seconds`` pass."""
    latencies: list[float] = []
    errors: list[str] = []
    acknowledged: list[str] = []
    budget = {"left": count}
    deadline = time.perf_counter() + seconds
    host, port = base.removeprefix("http://").split(":")

    async def worker(n: int) -> None:
        connection = Connection(host, int(port), token)
        try:
            while budget["left"] > 0 and time.perf_counter() < deadline:
                budget["left"] -= 1
                method, path, body = make_request(n)
                start = time.perf_counter()
                try:
                    status, data = await connection.request(method, path, body)
                except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
                    latencies.append(time.perf_counter() - start)
                    errors.append(f"{type(exc).__name__} {exc}")
                    await connection.close()
                    continue
                latencies.append(time.perf_counter() - start)
                if status >= 300:
                    errors.append(f"{status} {data[:120]!r}")
                elif method == "POST":
                    acknowledged.append(json.loads(data)["id"])
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(clients)))
    elapsed = time.perf_counter() - started
    return {"phase": name, "requests": len(latencies), "errors": len(errors), "first_errors": errors[:3],
            "rps": round(len(latencies) / elapsed, 1), **percentiles(latencies), "acknowledged": acknowledged}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file in a temporary directory)")
    parser.add_argument("--movements", type=int, default=100_000, help="ledger size (the target is 1,000,000)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000, help="requests per phase (at most)")
    parser.add_argument("--seconds", type=float, default=60, help="time limit per phase")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="uvicorn worker processes")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="wam-load-")
    url = args.db or f"sqlite:///{Path(tmp) / 'load.db'}"
    admin = schema = None
    if args.db and args.db.startswith("postgres"):
        from sqlalchemy import create_engine, text

        from wam.storage.engine import normalise_url

        schema = f"load_{os.getpid()}"
        admin = create_engine(normalise_url(args.db), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{normalise_url(args.db)}{'&' if '?' in args.db else '?'}options=-csearch_path%3D{schema}"
    where, token = build(url, args.movements)
    port = free_port()
    env = {**os.environ, "WAM_DATABASE_URL": url, "WAM_SECRET_KEY": "b" * 48, "WAM_GZIP": "false"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "wam.web.app:create_app", "--factory", "--host",
                               "127.0.0.1", "--port", str(port), "--log-level", "warning", "--workers",
                               str(args.workers)],
                              env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/api/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        stores = sorted(set(where.values()) | {f"CT{c:02d}-ARM{s}" for c in range(STORES // 5) for s in range(5)})
        rng = random.Random(2)
        read = asyncio.run(phase("balance read", base, token, args.clients, args.requests, args.seconds,
                                 lambda _n: ("GET", f"/api/holders/{rng.choice(stores)}/balances", None)))
        # each client owns the rifles whose index is congruent to its number: no two clients move one rifle
        keys = sorted(where)
        owned = {n: keys[n::args.clients] for n in range(args.clients)}

        def transfer(n: int) -> tuple[str, str, dict]:
            key = rng.choice(owned[n])
            target = rng.choice([s for s in stores if s != where[key]])
            body = {"kind": "transfer", "item": key, "source": where[key], "target": target}
            where[key] = target
            return "POST", "/api/movements", body

        write = asyncio.run(phase("record movement", base, token, args.clients, args.requests, args.seconds, transfer))
    finally:
        server.terminate()
        server.wait(30)
    from sqlalchemy import select

    from wam.services.ledger import Ledger
    from wam.storage import tables as t

    ledger = Ledger.open(url)
    acked = {int(uid.rsplit(":", 1)[1]) for uid in write["acknowledged"]}
    with ledger.engine.connect() as conn:
        present = set(conn.execute(select(t.entries.c.origin_seq).where(
            t.entries.c.origin_seq >= min(acked, default=0))).scalars())
    missing = acked - present
    started = time.perf_counter()
    report = ledger.verify()
    backend = ledger.engine.dialect.name
    result = {"backend": backend, "movements": args.movements, "clients": args.clients, "workers": args.workers,
              "phases": [{k: v for k, v in p.items() if k != "acknowledged"} for p in (read, write)],
              "acknowledged": len(acked), "missing": len(missing), "verify_ok": report.ok,
              "verify_entries": report.entries, "verify_seconds": round(time.perf_counter() - started, 1)}
    print(json.dumps(result, indent=1))
    ledger.engine.dispose()
    if admin is not None:
        from sqlalchemy import text

        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    if missing or not report.ok or read["errors"] or write["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
