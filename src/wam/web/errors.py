"""The one place where errors become responses: JSON under ``/api``, an HTML page elsewhere.

Every error wam raises on purpose (:class:`~wam.domain.errors.WamError`) maps to a status by its
``code``; a validation error names the field; anything else is logged and answered with a
plain 500 that carries no stack trace.
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
    "confirmation_refused": 409,
}


def is_api(request: Request) -> bool:
    return request.url.path == "/api" or request.url.path.startswith("/api/")


def error_response(request: Request, status: int, code: str, message: str, field: str | None = None,
                   extra: dict[str, object] | None = None) -> Response:
    """The error as JSON (under /api) or as a page; ``message`` is already in the reader's language."""
    if is_api(request):
        body: dict[str, object] = {"code": code, "message": message}
        if field is not None:
            body["field"] = field
        body.update(extra or {})
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"error": body}, status_code=status, headers=headers)
    if code == "unauthenticated":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    t = translator(request)
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "error.html", {"t": t, "status": status, "code": code, "message": message, "field": field,
                                "user": None, "csrf": None}, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(WamError)
    async def wam_error(request: Request, exc: WamError) -> Response:
        field = exc.field if isinstance(exc, InvalidInput) else None
        extra = None
        if isinstance(exc, PostingRejected):  # which law, item and holder, for programs as well as people
            extra = {k: v for k, v in (("law", exc.law), ("item", exc.item), ("holder", exc.holder)) if v is not None}
        message = messages.localize(exc, translator(request))
        return error_response(request, STATUS.get(exc.code, 400), exc.code, message, field, extra)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header", "cookie")]
        field = ".".join(loc) or None
        message = f"field {field!r}: {first.get('msg', 'is not valid')}" if field else str(first.get("msg", "invalid"))
        message = messages.validation(translator(request), first, field, message)
        return error_response(request, 422, "invalid_input", message, field)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        message = str(exc.detail)
        t = translator(request)
        if t.lang != messages.DEFAULT:
            message = messages.detail(t, message)
        return error_response(request, exc.status_code, code, message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        t = translator(request)
        english = "an unexpected error occurred; it has been logged"
        return error_response(request, 500, "internal", english if t.lang == messages.DEFAULT else t("msg.internal"))
