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
    """Serve the pages and the API (settings from WAM_* variables; see docs/web.md)."""
    import uvicorn

    from wam.cli.common import database_url
    from wam.services.ledger import Ledger
    from wam.storage import schema
    from wam.web.app import create_app
    from wam.web.settings import WebSettings

    url = database_url(db)
    ledger = Ledger.open(url)
    try:
        if schema.is_initialised(ledger.engine):
            schema.upgrade(ledger.engine)  # a database made by an older wam gets the newer tables first
    finally:
        ledger.engine.dispose()
    if workers == 1:
        uvicorn.run(create_app(WebSettings(database_url=url)), host=host, port=port, proxy_headers=True,
                    log_level="info")
        return
    # Each worker process builds its own app from the environment; they share the database
    # (SQLite writers queue on a lock file beside it, see wam.services.group_writer).
    os.environ["WAM_DATABASE_URL"] = url
    uvicorn.run("wam.web.app:create_app", factory=True, workers=workers, host=host, port=port, proxy_headers=True,
                log_level="info")
