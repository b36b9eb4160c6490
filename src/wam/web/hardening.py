"""Security headers, Secure cookies and the client's address, for every response.

- ``Content-Security-Policy``: scripts, styles, images and fonts from this site only, no
  inline script or style (the templates have none; htmx is told not to inject its indicator
  style), no plugins, no framing, forms posting back to this site only.
- ``X-Frame-Options: DENY`` (and ``frame-ancestors 'none'``), ``X-Content-Type-Options:
  nosniff``, ``Referrer-Policy: same-origin``.
- ``Set-Cookie`` gains ``Secure`` when the request came over HTTPS (as the trusted proxy says),
  when a trusted proxy is configured, or when ``WAM_SECURE_COOKIES`` is set.
- The audit log's address of the request (:data:`wam.services.audit.ADDRESS`) is the client's,
  after :class:`uvicorn.middleware.proxy_headers.ProxyHeadersMiddleware` has believed
  ``X-Forwarded-For`` from the proxies named in ``WAM_TRUSTED_PROXIES``, and from no one else.

A plain ASGI middleware, not Starlette's ``BaseHTTPMiddleware``: it only edits the response's
start message, so it costs microseconds per request and never buffers a body.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wam.services import audit

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
_NAMES = {name for name, _ in HEADERS}


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, secure_cookies: bool) -> None:
        self.app = app
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        audit.ADDRESS.set(client[0] if client else "-")
        secure = self.secure_cookies or scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                given = message.get("headers", [])
                # a route that sets its own, stricter policy keeps it (evidence files: a sandbox)
                kept = {k.lower(): v for k, v in given if k.lower() == b"content-security-policy"}
                raw = [(k, v) for k, v in given if k.lower() not in _NAMES] + list(kept.items())
                defaults = [(k, v) for k, v in HEADERS if k not in kept]
                if secure:
                    raw = [(k, _secure(v)) if k.lower() == b"set-cookie" else (k, v) for k, v in raw]
                message["headers"] = raw + defaults
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _secure(cookie: bytes) -> bytes:
    return cookie if b"; secure" in cookie.lower() else cookie + b"; Secure"
