"""``wam serve``: run the web application and JSON API with uvicorn.

Example::

    WAM_SECRET_KEY=... wam serve --host 0.0.0.0 --port 8000 --workers 2 --db postgresql://wam@db/wam
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

Workers = Annotated[int, typer.Option(min=1, max=64, help="server processes (one per core is a good start)")]


def serve(host: str = "127.0.0.1", port: int = 8000, db: str | None = None, workers: Workers = 1) -> None:
    """Serve the pages and the API (settings from WAM_* variables; see docs/web.md).

    The database must hold a ledger (`wam init`, or `wam demo --no-serve`); a missing or
    empty one is refused with the command to run.
    """
    from wam.cli.common import database_name, database_url
    from wam.services import setup

    url = database_url(db)
    # A missing or empty database would be created empty and every sign-in would fail on a
    # missing table: refuse it, saying what to run (exit 2), before the server starts.
    setup.require_ledger(url, shown=database_name(db))
    setup.upgrade(url)  # a database made by an older wam gets the newer tables first

    import uvicorn

    from wam.web.app import create_app
    from wam.web.settings import WebSettings

    if workers == 1:
        uvicorn.run(create_app(WebSettings(database_url=url)), host=host, port=port, proxy_headers=False,
                    log_level="info")
        return
    # Each worker process builds its own app from the environment; they share the database
    # (SQLite writers queue on a lock file beside it, see wam.services.group_writer).
    os.environ["WAM_DATABASE_URL"] = url
    uvicorn.run("wam.web.app:create_app", factory=True, workers=workers, host=host, port=port, proxy_headers=False,
                log_level="info")
