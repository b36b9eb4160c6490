"""A synchronous httpx client that calls an ASGI app in-process.

Starlette's TestClient now warns (StarletteDeprecationWarning: use httpx2) and the suite
turns warnings into errors, so the tests drive the app through httpx's own ASGITransport on
an event loop kept in a background thread (an anyio blocking portal), as TestClient does.
"""

from __future__ import annotations

from contextlib import ExitStack

import anyio.from_thread
import httpx


class _PortalTransport(httpx.BaseTransport):
    def __init__(self, app, portal) -> None:  # noqa: ANN001
        self.inner = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        self.portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()

        async def call() -> httpx.Response:
            copy = httpx.Request(request.method, request.url, headers=request.headers, content=body)
            response = await self.inner.handle_async_request(copy)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return self.portal.call(call)


class AppClient(httpx.Client):
    """``AppClient(app)`` behaves like ``httpx.Client`` against ``http://testserver``."""

    def __init__(self, app, **kwargs) -> None:  # noqa: ANN001, ANN003
        self._stack = ExitStack()
        portal = self._stack.enter_context(anyio.from_thread.start_blocking_portal())
        super().__init__(transport=_PortalTransport(app, portal), base_url="http://testserver", **kwargs)

    def close(self) -> None:
        super().close()
        self._stack.close()

    def __exit__(self, *exc: object) -> None:
        # httpx's __exit__ closes only the transport; stop the portal's thread too, or a failing
        # test (whose traceback keeps the client alive) leaves pytest waiting for it at exit
        super().__exit__(*exc)
        self._stack.close()
