"""A server of its own refreshes the query planner's statistics as it starts (``ANALYZE``): without them
SQLite guessed its way to a 10-second serial search over 1,000,000 movements (docs/benchmarks.md)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path


def test_the_server_gives_the_planner_its_statistics(tmp_path: Path) -> None:
    from wam.services.ledger import Ledger
    from wam.web.app import create_app
    from wam.web.settings import WebSettings

    url = f"sqlite:///{tmp_path / 'site.db'}"
    Ledger.open(url).init("statistics")
    db = sqlite3.connect(tmp_path / "site.db")
    assert not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchall()
    create_app(WebSettings(database_url=url, secret_key="x" * 40))
    for _ in range(600):  # the refresh runs beside the start-up, not before it (up to 30 s under load)
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchall():
            break
        time.sleep(0.05)
    assert db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchall()
