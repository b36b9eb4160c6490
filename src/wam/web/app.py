"""The application factory: ``create_app(settings)`` builds one app on one database.

Nothing is created at import time, so tests (and ``wam serve``) choose the database and
settings. The app serves the JSON API under ``/api`` (OpenAPI at ``/api/openapi.json``), the
pages at the root, and its static assets from the package: no CDN, sites have no internet.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import cast

from argon2 import PasswordHasher
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.templating import Jinja2Templates
from itsdangerous import URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import wam
from wam.domain.errors import NotFound, PermissionDenied, WamError
from wam.services import audit
from wam.services.accounts import Accounts, Throttled
from wam.services.group_writer import GroupWriter
from wam.services.ledger import Ledger
from wam.services.scoped import Ancestry

from . import errors
from .api import admin, auth, confirmations, disposals, holders, incidents, lists, movements, pickers, recoveries
from .api import ammo as ammo_api
from .api import analysis as analysis_api
from .api import assessments as assessment_api
from .api import counts as count_api
from .context import Services, read_session
from .hardening import SecurityHeaders
from .pages import admin as admin_pages
from .pages import ammo as ammo_pages
from .pages import analysis as analysis_pages
from .pages import assessments as assessment_pages
from .pages import counts as count_pages
from .pages import dashboard as dashboard_pages
from .pages import home as home_pages
from .pages import incidents as incident_pages
from .pages import ledger as ledger_pages
from .pages import lists as list_pages
from .pages import paper as paper_pages
from .pages import pickers as picker_pages
from .pages import recoveries as recovery_pages
from .pages import research as research_pages
from .pages import signin
from .pages.static import CachedStatic
from .settings import WebSettings, resolve_secret, trusted_proxies

HERE = Path(__file__).parent


def _refresh_statistics(ledger: Ledger) -> None:
    with contextlib.suppress(Exception):  # only a hint to the planner: a locked or uninitialised database waits
        ledger.refresh_statistics()


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    writer = app.state.wam.group_writer
    if writer is not None:  # post what is queued before the process ends
        await run_in_threadpool(writer.close)


def create_app(settings: WebSettings | None = None, *, ledger: Ledger | None = None) -> FastAPI:
    """Build the web application.

    Args:
        settings: the settings (read from the environment when None).
        ledger: an open ledger to serve (tests share theirs); opened from
            ``settings.database_url`` when None.
    """
    settings = settings or WebSettings()
    if ledger is None:  # a server of its own: the planner's statistics, refreshed while it starts serving
        ledger = Ledger.open(settings.database_url)
        threading.Thread(target=_refresh_statistics, args=(ledger,), name="wam-analyze", daemon=True).start()
    hasher = PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib)
    accounts = Accounts(ledger.engine, hasher=hasher, max_failures=settings.login_max_failures,
                        max_address_failures=settings.login_max_address_failures,
                        window=settings.login_window_seconds, delay=settings.login_delay_seconds,
                        address_cap=settings.login_address_cap_seconds,
                        session_cache_seconds=settings.session_cache_seconds)
    app = FastAPI(
        title="wam", version=wam.__version__,
        description="Weapons and ammunition custody ledger. Authenticate with `Authorization: Bearer <token>` "
                    "(from `POST /api/auth/token` or `wam users token NAME`).",
        openapi_url="/api/openapi.json", docs_url="/api/docs", redoc_url=None, lifespan=_lifespan,
    )
    app.state.wam = Services(settings, ledger, accounts, Ancestry(),
                             URLSafeTimedSerializer(resolve_secret(settings), salt="wam"))
    app.state.wam.group_writer = GroupWriter(ledger, app.state.wam.write_lock)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["say_item"] = say_item
    app.state.templates = templates
    if settings.gzip:
        app.add_middleware(GZipMiddleware, minimum_size=800)
    proxies = trusted_proxies(settings)
    app.add_middleware(SecurityHeaders, secure_cookies=settings.secure_cookies or bool(proxies))
    if proxies:  # added last, so it runs first: the headers and the audit see the client behind the proxy
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
    api = APIRouter(prefix="/api")
    for router in (auth.router, holders.router, movements.router, confirmations.router, admin.router, lists.router,
                   pickers.router, disposals.router, incidents.router, recoveries.router, count_api.router,
                   analysis_api.router, assessment_api.router, ammo_api.router):
        api.include_router(router)
    app.include_router(api)
    for router in (signin.router, home_pages.router, dashboard_pages.router, picker_pages.router, paper_pages.router,
                   ledger_pages.router, list_pages.router, admin_pages.router, incident_pages.router,
                   research_pages.router, recovery_pages.router, ammo_pages.router,
                   count_pages.router, analysis_pages.router, assessment_pages.router):
        app.include_router(router, include_in_schema=False)
    app.mount("/static", CachedStatic(directory=str(HERE / "static")), name="static")
    errors.install(app)
    _audit_denials(app)
    return app


def say_item(key: str) -> str:
    """An item's key as people say it: make, model and serial (or lot), without the separators."""
    parts = key.split("|")
    return " ".join(parts[1:]) if len(parts) == 4 else key


def _audit_denials(app: FastAPI) -> None:
    """Write every denied access (403, and 404 from scope) to the audit log, then answer as usual;
    answer a throttled sign-in with ``Retry-After``."""
    # errors.install's handler, which is a coroutine function
    answer = cast(Callable[[Request, Exception], Awaitable[Response]], app.exception_handlers[WamError])

    async def denied(request: Request, exc: Exception) -> Response:
        found = await run_in_threadpool(read_session, request)
        status = 403 if isinstance(exc, PermissionDenied) else 404
        await run_in_threadpool(
            audit.record, request.app.state.wam.ledger.engine, action=f"denied_{status}",
            actor=found[0].user.name if found else "-", target=f"{request.method} {request.url.path}",
            detail=str(exc))
        return await answer(request, exc)

    async def throttled(request: Request, exc: Exception) -> Response:
        response = await answer(request, exc)
        response.headers["Retry-After"] = str(getattr(exc, "retry_after", 1))
        return response

    app.add_exception_handler(PermissionDenied, denied)
    app.add_exception_handler(NotFound, denied)
    app.add_exception_handler(Throttled, throttled)
