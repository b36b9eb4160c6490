"""What every page needs: rendering with the user, the language and the CSRF token."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from wam.domain.errors import InvalidInput
from wam.domain.incidents import MAX_EVIDENCE, MAX_EVIDENCE_BYTES
from wam.domain.timefmt import read_datetime

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


def page_user(request: Request) -> dict[str, object]:
    """The signed-in user of a request, for pages rendered outside a route (error pages): the
    header keeps its navigation and sign-out. Nothing (no user) when there is no valid session."""
    from wam.services.scoped import ScopedLedger

    from ..context import read_session, services

    try:
        found = read_session(request)
    except Exception:  # noqa: BLE001  (an error page must render whatever went wrong)
        found = None
    if found is None:
        return {"user": None, "csrf": None, "scoped": None}
    session, _ = found
    svc = services(request)
    scoped = ScopedLedger(svc.ledger, svc.ancestry, session.user.roles, session.user.name)
    return {"user": session.user, "csrf": session.csrf, "scoped": scoped}


def form_moment(form: dict[str, str], name: str) -> datetime | None:
    """A datetime-local field as a UTC moment (the forms say UTC); empty as None."""
    text = form.get(name, "").strip()
    if not text:
        return None
    try:
        return read_datetime(text)  # the ledger's rule: T or a space between date and time, else refused
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date and time", field=name) from None


async def uploaded_files(raw: Any, field: str, noun: str = "files") -> list[tuple[str, bytes, str | None]]:
    """The files of a multipart form's ``field`` as (name, content, media type), at most MAX_EVIDENCE
    (an empty file input sends one nameless, empty part: skipped). Each is read up to one byte past
    the size limit, so that the domain refuses a larger one by name."""
    files: list[tuple[str, bytes, str | None]] = []
    for upload in raw.getlist(field):
        if isinstance(upload, str) or not upload.filename:
            continue
        if len(files) == MAX_EVIDENCE:
            raise InvalidInput(f"at most {MAX_EVIDENCE} {noun}", field=field)
        files.append((upload.filename[-200:], await upload.read(MAX_EVIDENCE_BYTES + 1), upload.content_type))
    return files
