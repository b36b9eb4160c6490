"""The one place where errors become responses: JSON under ``/api``, an HTML page elsewhere.

Every error wam raises on purpose (:class:`~wam.domain.errors.WamError`) maps to a status by its
``code`` (or, for a subclass with a code of its own that is not listed, its nearest listed base's
code); a validation error names the field; anything else is logged and answered with a plain 500
that carries no stack trace. docs/errors.md lists every status; tests/test_errors_doc.py holds
the two together.

A retryable error (``exc.retryable``) is a 503 or a 429, with ``Retry-After`` when its wait is
known: the header that HTTP clients' retry policies honour, because the same request, sent again
later, may succeed. A 409 is a conflict with the ledger's state that the same request, sent
again, will meet again.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from wam.domain.errors import InvalidInput, PostingRejected, WamError

from . import messages
from .context import translator

log = logging.getLogger("wam.web")

STATUS = {
    "invalid_input": 422,
    "not_found": 404,
    "forbidden": 403,
    "posting_rejected": 409,
    "concurrent_append": 503,
    "sign_in_refused": 401,
    "unauthenticated": 401,
    "throttled": 429,
    "not_initialised": 503,
    "database_unavailable": 503,
    "confirmation_refused": 409,
    "document_refused": 409,
    "witness_conflict": 409,
}

RETRY_AFTER = {"concurrent_append": 1}
"""Seconds a retryable error tells the client to wait, by code, unless it carries ``retry_after``."""


def status_of(exc: WamError) -> int:
    """The HTTP status of ``exc``: its code's, else its nearest base's with a listed code, else 400."""
    for klass in type(exc).__mro__:
        code = vars(klass).get("code")
        if code in STATUS:
            return STATUS[code]
    return 400


def retry_after(exc: WamError) -> int | None:
    """Seconds for the ``Retry-After`` header of a retryable error; None for any other."""
    if not exc.retryable:
        return None
    seconds = getattr(exc, "retry_after", None)
    if isinstance(seconds, int | float):
        return max(1, int(seconds))
    return RETRY_AFTER.get(exc.code)


def is_api(request: Request) -> bool:
    return request.url.path == "/api" or request.url.path.startswith("/api/")


def error_response(request: Request, status: int, code: str, message: str, field: str | None = None,
                   extra: dict[str, object] | None = None, wait: int | None = None) -> Response:
    """The error as JSON (under /api) or as a page; ``message`` is already in the reader's language.

    ``wait``, when given, is sent as ``Retry-After`` (seconds) on both.
    """
    headers: dict[str, str] = {}
    if wait is not None:
        headers["Retry-After"] = str(wait)
    if is_api(request):
        body: dict[str, object] = {"code": code, "message": message}
        if field is not None:
            body["field"] = field
        body.update(extra or {})
        if status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return JSONResponse({"error": body}, status_code=status, headers=headers or None)
    if code == "unauthenticated":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    from .pages.common import page_user  # the header keeps the navigation and sign-out

    t = translator(request)
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "error.html", {"t": t, "status": status, "code": code, "message": message, "field": field,
                                **page_user(request)}, status_code=status, headers=headers or None)


def install(app: FastAPI) -> None:
    @app.exception_handler(WamError)
    async def wam_error(request: Request, exc: WamError) -> Response:
        field = exc.field if isinstance(exc, InvalidInput) else None
        extra: dict[str, object] | None = None
        if isinstance(exc, PostingRejected):  # which law, item and holder, for programs as well as people
            extra = {k: v for k, v in (("law", exc.law), ("item", exc.item), ("holder", exc.holder)) if v is not None}
        message = messages.localize(exc, translator(request))
        return error_response(request, status_of(exc), exc.code, message, field, extra, retry_after(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        if first.get("type") == "json_invalid":  # its loc is a character position, not a field
            reason = (first.get("ctx") or {}).get("error", "")
            message = f"the body is not valid JSON{': ' + reason if reason else ''}"
            return error_response(request, 422, "invalid_input", messages.validation(translator(request), first, None,
                                                                                     message), "body")
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header", "cookie")]
        field = ".".join(loc) or None
        message = f"field {field!r}: {first.get('msg', 'is not valid')}" if field else str(first.get("msg", "invalid"))
        message = messages.validation(translator(request), first, field, message)
        return error_response(request, 422, "invalid_input", message, field)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            # FastAPI's word for a body it could not decode (not UTF-8, a number of 5,000 digits):
            # bad input, as every other, 422 naming the body
            message = "the body cannot be read as JSON (UTF-8 text, numbers of at most 4,300 digits)"
            return error_response(request, 422, "invalid_input", message, "body")
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        message = str(exc.detail)
        t = translator(request)
        if t.lang != messages.DEFAULT:
            message = messages.detail(t, message)
        return error_response(request, exc.status_code, code, message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # an exception handler runs outside the except block: pass the exception for its traceback
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        t = translator(request)
        english = "an unexpected error occurred; it has been logged"
        return error_response(request, 500, "internal", english if t.lang == messages.DEFAULT else t("msg.internal"))
