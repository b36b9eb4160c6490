"""Sign-in, sign-out and the language switch."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from wam.services.accounts import SignInRefused, Throttled

from ..context import PRE_COOKIE, SESSION_COOKIE, CurrentUser, services, translator
from ..i18n import COOKIE as LANG_COOKIE
from ..i18n import LANGUAGES
from .common import render, safe_next

router = APIRouter()


def _pre_token(request: Request) -> tuple[str, str | None]:
    """The sign-in form's CSRF token (double submit: signed cookie + form field); (token, cookie to set)."""
    signer = services(request).signer
    cookie = request.cookies.get(PRE_COOKIE)
    if cookie:
        try:
            return signer.loads(cookie, salt="pre", max_age=3600), None
        except Exception:  # noqa: BLE001  (any bad or expired cookie: issue a new token)
            pass
    token = secrets.token_urlsafe(24)
    return token, signer.dumps(token, salt="pre")


def _login_page(request: Request, *, status: int = 200, error: str | None = None, next_url: str = "/") -> Response:
    token, cookie = _pre_token(request)
    response = render(request, None, "login.html", status=status, pre=token, error=error, next=safe_next(next_url))
    if cookie:
        response.set_cookie(PRE_COOKIE, cookie, httponly=True, samesite="lax",
                            secure=services(request).settings.secure_cookies, max_age=3600)
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:  # noqa: A002
    return _login_page(request, next_url=next)


@router.post("/login")
def login(request: Request, name: Annotated[str, Form(max_length=64)], password: Annotated[str, Form(max_length=1024)],
          csrf: Annotated[str, Form(max_length=100)] = "",
          next: Annotated[str, Form(max_length=500)] = "/") -> Response:  # noqa: A002
    svc = services(request)
    t = translator(request)
    expected = None
    if request.cookies.get(PRE_COOKIE):
        try:
            expected = svc.signer.loads(request.cookies[PRE_COOKIE], salt="pre", max_age=3600)
        except Exception:  # noqa: BLE001
            expected = None
    if not expected or not hmac.compare_digest(expected, csrf):
        return _login_page(request, status=403, error=t("error.csrf"), next_url=next)
    try:
        user = svc.accounts.authenticate(name, password, address=request.client.host if request.client else "-")
    except Throttled:
        return _login_page(request, status=429, error=t("login.throttled"), next_url=next)
    except SignInRefused:
        return _login_page(request, status=401, error=t("login.refused"), next_url=next)
    secret, _ = svc.accounts.open_session(user, kind="cookie", lifetime=svc.settings.session_hours * 3600)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, svc.signer.dumps(secret, salt="session"), httponly=True, samesite="lax",
                        secure=svc.settings.secure_cookies, max_age=svc.settings.session_hours * 3600)
    response.delete_cookie(PRE_COOKIE)
    return response


@router.post("/logout")
def logout(ctx: CurrentUser, request: Request) -> Response:
    services(request).accounts.close_session(ctx.secret)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/lang/{lang}")
def switch_language(lang: str, request: Request, next: str = "/") -> Response:  # noqa: A002
    """Remember the chosen language in a cookie (a preference, not an action: GET is fine)."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86_400, samesite="lax",
                            secure=services(request).settings.secure_cookies)
    return response
