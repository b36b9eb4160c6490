"""``wam serve``: run the web application and JSON API with uvicorn.

Example::

    WAM_SECRET_KEY=... wam serve --host 0.0.0.0 --port 8000 --db postgresql://wam@db/wam
"""

from __future__ import annotations

import os


def serve(host: str = "127.0.0.1", port: int = 8000, db: str | None = None) -> None:
    """Serve the pages and the API (settings from WAM_* variables; see docs/web.md)."""
    import uvicorn

    from wam.web.app import create_app
    from wam.web.settings import WebSettings

    try:
        from wam.cli.common import database_url
    except ImportError:  # pragma: no cover  (the shared helper of the command line)
        url = db or os.environ.get("WAM_DATABASE_URL") or "sqlite:///wam.db"
    else:
        url = database_url(db)
    settings = WebSettings(database_url=url)
    uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=True, log_level="info")
