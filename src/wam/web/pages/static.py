"""The package's static assets (stylesheet, htmx), with ``Cache-Control``.

A day's ``max-age`` spares a slow link the round trip on every page; ``ETag`` and
``Last-Modified`` (from Starlette) make the check after that a 304 of a few bytes. The assets
change only with the package, so a day's stale stylesheet after an upgrade is the worst case.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

CACHE_CONTROL = "public, max-age=86400"


class CachedStatic(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = CACHE_CONTROL
        return response
