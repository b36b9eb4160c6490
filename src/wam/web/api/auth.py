"""API tokens and the signed-in user: ``POST/DELETE /api/auth/token``, ``GET /api/me``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from wam.domain.access import Action

from ..context import CurrentUser, services
from .schemas import ErrorPublic, GrantPublic, MePublic, TokenPublic, TokenRequest

router = APIRouter(tags=["auth"])
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorPublic}, 422: {"model": ErrorPublic},
                                           429: {"model": ErrorPublic}}


@router.post("/auth/token", response_model=TokenPublic, status_code=201, responses=ERRORS)
def create_token(body: TokenRequest, request: Request) -> TokenPublic:
    """Exchange a name and password for a bearer token (throttled like the sign-in page)."""
    svc = services(request)
    address = request.client.host if request.client else "-"
    user = svc.accounts.authenticate(body.name, body.password, address=address)
    lifetime = svc.settings.token_days * 86_400
    token, _ = svc.accounts.open_session(user, kind="token", label=body.label or "api", lifetime=lifetime)
    return TokenPublic(token=token, expires_in=lifetime)


@router.delete("/auth/token", status_code=204, responses=ERRORS)
def delete_token(ctx: CurrentUser, request: Request) -> Response:
    """Sign out: end the session or revoke the bearer token used for this request."""
    services(request).accounts.close_session(ctx.secret)
    return Response(status_code=204)


@router.get("/me", response_model=MePublic, responses=ERRORS)
def me(ctx: CurrentUser) -> MePublic:
    """The signed-in user, their grants and the actions their roles allow somewhere."""
    return MePublic(
        name=ctx.user.name, display_name=ctx.user.display_name,
        grants=[GrantPublic(id=g.id, role=g.grant.role.value, holder=g.grant.holder, country=g.grant.country)
                for g in ctx.user.grants],
        actions=[a.value for a in Action if ctx.scoped.can(a)],
        csrf=ctx.session.csrf if ctx.session.kind == "cookie" else None,
    )
