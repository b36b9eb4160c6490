"""What every page needs: rendering with the user, the language and the CSRF token."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from ..context import Context


def render(request: Request, ctx: Context | None, template: str, status: int = 200, **data: object) -> HTMLResponse:
    from ..context import translator

    t = ctx.t if ctx else translator(request)
    context = {"t": t, "user": ctx.user if ctx else None, "csrf": ctx.session.csrf if ctx else None,
               "scoped": ctx.scoped if ctx else None, **data}
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)


def safe_next(target: str | None) -> str:
    """Only redirect to a path on this site (never to another host after sign-in)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
