"""Users and grants, for administrators."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wam.domain.access import Role, make_grant
from wam.domain.errors import InvalidInput, NotFound, WamError

from ..api.admin import revoke_visible_grant, visible_user
from ..context import CurrentUser, services
from ..errors import STATUS
from ..messages import localize
from .common import render

router = APIRouter(prefix="/admin")
# the grant form lists roles from the least privileged, which it selects: a slip grants too little
GRANT_ORDER = (Role.VIEWER, Role.RESEARCHER, Role.AUDITOR, Role.ARMOURER, Role.QUARTERMASTER, Role.MISSION_OFFICER,
               Role.ADMINISTRATOR)


@router.get("/users", response_class=HTMLResponse)
def users_page(ctx: CurrentUser, request: Request, error: str | None = None, status: int = 200) -> Response:
    ctx.scoped.sees_user(())
    users = [u for u in services(request).accounts.users() if ctx.scoped.sees_user(u.roles)]
    return render(request, ctx, "users.html", status=status, users=users, error=error)


@router.post("/users", response_class=HTMLResponse)
async def add_user(ctx: CurrentUser, request: Request) -> Response:
    ctx.scoped.sees_user(())
    form = await request.form()
    try:
        services(request).accounts.add_user(str(form.get("name", "")), str(form.get("password", "")),
                                            display_name=str(form.get("display_name", "")) or None, by=ctx.user.name)
    except InvalidInput as exc:
        return users_page(ctx, request, error=localize(exc, ctx.t), status=422)
    return RedirectResponse(f"/admin/users/{str(form.get('name', '')).strip().lower()}", status_code=303)


@router.get("/users/{name}", response_class=HTMLResponse)
def user_page(name: str, ctx: CurrentUser, request: Request, error: str | None = None, status: int = 200) -> Response:
    user = visible_user(ctx, request, name)
    return render(request, ctx, "user.html", status=status, account=user, roles=[r.value for r in GRANT_ORDER],
                  error=error)


@router.post("/users/{name}/grants", response_class=HTMLResponse)
async def add_grant(name: str, ctx: CurrentUser, request: Request) -> Response:
    user = visible_user(ctx, request, name)
    form = await request.form()
    try:
        grant = make_grant(role=form.get("role"), holder=form.get("holder") or None,
                           country=form.get("country") or None)
        ctx.scoped.check_grantable(grant)
        services(request).accounts.grant(user.name, grant, by=ctx.user.name)
    except WamError as exc:
        return user_page(name, ctx, request, error=localize(exc, ctx.t), status=STATUS.get(exc.code, 400))
    return RedirectResponse(f"/admin/users/{user.name}", status_code=303)


@router.get("/users/{name}/grants/{grant_id}/revoke", response_class=HTMLResponse)
def revoke_form(name: str, grant_id: int, ctx: CurrentUser, request: Request) -> Response:
    """Revoking asks first: this page names the grant and holds the one button that revokes it."""
    user = visible_user(ctx, request, name)
    grant = next((g for g in user.grants if g.id == grant_id), None)
    if grant is None:
        raise NotFound("grant", str(grant_id))
    return render(request, ctx, "revoke.html", account=user, grant=grant)


@router.post("/users/{name}/grants/{grant_id}/revoke", response_class=HTMLResponse)
def revoke(name: str, grant_id: int, ctx: CurrentUser, request: Request) -> Response:
    return RedirectResponse(f"/admin/users/{revoke_visible_grant(ctx, request, name, grant_id)}", status_code=303)
