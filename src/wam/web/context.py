"""Who is asking: the signed-in user behind a request, their scoped ledger, their language.

A request is authenticated by a session cookie (pages, and API calls from a page) or by an
``Authorization: Bearer`` API token (``wam users token NAME`` or ``POST /api/auth/token``).
The cookie holds the session's secret signed with itsdangerous; the database holds its
SHA-256 and CSRF token. Every unsafe request made with the cookie must carry that CSRF token,
in the form field ``csrf`` or the header ``X-CSRF-Token``; bearer tokens are not sent by
browsers on their own, so they need none.
"""

from __future__ import annotations

import hmac
import threading
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from wam.domain.errors import InvalidInput, PermissionDenied
from wam.services.accounts import Accounts, Session, Unauthenticated, User
from wam.services.confirmations import Confirmations, LowWater
from wam.services.group_writer import GroupWriter
from wam.services.ledger import Ledger
from wam.services.scoped import Ancestry, ScopedLedger, VerificationLog

from .i18n import COOKIE as LANG_COOKIE
from .i18n import Translator, choose
from .settings import WebSettings

SESSION_COOKIE = "wam_session"
PRE_COOKIE = "wam_pre"  # the CSRF token of the sign-in form, before there is a session
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass
class Services:
    """Everything the app shares between requests; built by ``create_app``, never at import."""

    settings: WebSettings
    ledger: Ledger
    accounts: Accounts
    ancestry: Ancestry
    signer: URLSafeTimedSerializer
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    verifications: VerificationLog = field(default_factory=VerificationLog)  # the last run, for home pages
    low_water: LowWater = field(default_factory=LowWater)  # where movements awaiting confirmation begin
    group_writer: GroupWriter | None = None  # posts single movements in shared transactions


@dataclass
class Context:
    user: User
    session: Session
    scoped: ScopedLedger
    secret: str
    t: Translator
    low_water: LowWater

    @property
    def confirmations(self) -> Confirmations:
        """Confirmations of receipt, as this user may see and make them."""
        return Confirmations(self.scoped, self.user.id, self.low_water)


def services(request: Request) -> Services:
    return request.app.state.wam


def translator(request: Request) -> Translator:
    return Translator(choose(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language")))


def read_session(request: Request) -> tuple[Session, str] | None:
    """Return the session of the request and its secret, or None."""
    svc = services(request)
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        secret = auth[7:].strip()
        session = svc.accounts.session(secret, kind="token")
        return (session, secret) if session else None
    signed = request.cookies.get(SESSION_COOKIE)
    if not signed:
        return None
    try:
        secret = svc.signer.loads(signed, salt="session", max_age=svc.settings.session_hours * 3600)
    except BadSignature:
        return None
    session = svc.accounts.session(secret, kind="cookie")
    return (session, secret) if session else None


async def current(request: Request) -> Context:
    """The dependency of every signed-in route: authenticate, then check CSRF on unsafe cookie requests."""
    _refuse_nul(request)
    found = read_session(request)
    if found is None:
        raise Unauthenticated("sign in first")
    session, secret = found
    if session.kind == "cookie" and request.method not in SAFE_METHODS:
        sent: object = request.headers.get("x-csrf-token")
        if sent is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = (await request.form()).get("csrf")
        if not isinstance(sent, str) or not hmac.compare_digest(sent, session.csrf):
            raise PermissionDenied("the form has expired or did not come from this site: reload it and try again")
    svc = services(request)
    scoped = ScopedLedger(svc.ledger, svc.ancestry, session.user.roles, session.user.name, svc.write_lock,
                          svc.verifications, svc.group_writer)
    return Context(session.user, session, scoped, secret, translator(request), svc.low_water)


def _refuse_nul(request: Request) -> None:
    """Refuse NUL and the ledger's separators in the path or query (PostgreSQL cannot even compare them)."""
    bad = ("\x00", "\x1e", "\x1f")
    if any(ch in request.url.path for ch in bad):
        raise InvalidInput("contains a control character that is not allowed", field="path")
    for name, value in request.query_params.multi_items():
        if any(ch in value for ch in bad):
            raise InvalidInput("contains a control character that is not allowed", field=name)


CurrentUser = Annotated[Context, Depends(current)]
