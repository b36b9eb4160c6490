"""The stock count pages, made for a tablet at the armoury: start a count of a store or a site, scan or
type serials and lots (the page shows the progress, never the book figure of a blind count), close it,
and review its discrepancies: each case with its threshold rule, approved or rejected by someone other
than the counter with the approver's role.

Everything goes through :class:`wam.services.counts.ScopedCounts`, as ``/api/counts`` does: the same
scope, the same blind rule, the same errors (docs/counts.md).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wam.domain.access import Action
from wam.domain.errors import InvalidInput, NotFound, PermissionDenied, WamError
from wam.services.counts import ScopedCounts

from ..context import CurrentUser
from ..errors import STATUS
from ..messages import localize
from .common import render

router = APIRouter()
STATES = ("counting", "reconciled", "approved", "posted", "cancelled")


def _labels(ctx: CurrentUser) -> dict[str, Any]:
    t = ctx.t
    return {"states": {s: t(f"cnt.state.{s}") for s in STATES},
            "modes": {m: t(f"cnt.mode.{m}") for m in ("full", "sample")},
            "actions": {a: t(f"cnt.action.{a}") for a in ("adjust", "incident", "register")},
            "decisions": {d: t(f"cnt.decision.{d}") for d in ("auto", "approved", "rejected")},
            "kinds": {k: t(f"cnt.kind.{k}") for k in ("missing", "surplus", "wrong_place", "wrong_lot")}}


MAX_LINES = 2000  # lines sent at once from the page; a bigger count is sent in several goes


@router.get("/counts", response_class=HTMLResponse)
def count_list(ctx: CurrentUser, request: Request, holder: str = "") -> Response:
    """The counts in sight, newest first, and the form to start one."""
    rows = ScopedCounts(ctx.scoped).listing(holder=holder[:64] or None)
    return render(request, ctx, "counts.html", rows=list(reversed(rows)), holder=holder[:64],
                  may_start=ctx.scoped.can(Action.RECORD), **_labels(ctx))


@router.post("/counts", response_class=HTMLResponse)
async def start(ctx: CurrentUser, request: Request) -> Response:
    raw = await request.form()
    form = {k: str(v)[:500].strip() for k, v in raw.items() if isinstance(v, str) and k != "csrf"}
    try:
        document = ScopedCounts(ctx.scoped).start(
            holder=form.get("holder", ""), scope=form.get("scope") or "store", mode=form.get("mode") or "full",
            blind=form.get("blind") == "1", witness=form.get("witness") or None, note=form.get("note") or None,
            sample=[p.strip() for p in form.get("sample", "").split(",") if p.strip()])
    except WamError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        rows = ScopedCounts(ctx.scoped).listing()
        return render(request, ctx, "counts.html", status=STATUS.get(exc.code, 400), rows=list(reversed(rows)),
                      holder="", may_start=True, error=localize(exc, ctx.t), form=form, **_labels(ctx))
    return RedirectResponse(f"/counts/{document.number}", status_code=303)


def _page(ctx: CurrentUser, request: Request, number: str, *, status: int = 200, error: str | None = None,
          added: int | None = None) -> Response:
    shown = ScopedCounts(ctx.scoped).show(number)
    me = ctx.scoped.actor
    took_part = (shown.get("counter"), shown.get("by", {}).get("start"))
    may_approve = ctx.scoped.can(Action.APPROVE) and me not in took_part
    return render(request, ctx, "count.html", status=status, c=shown, error=error, added=added, **_labels(ctx),
                  may_record=ctx.scoped.can(Action.RECORD), may_approve=may_approve)


@router.get("/counts/{number}", response_class=HTMLResponse)
def count_page(number: str, ctx: CurrentUser, request: Request, added: str = "") -> Response:
    return _page(ctx, request, number[:60], added=int(added) if added.isdecimal() else None)


def _lines(form: dict[str, str]) -> list[dict[str, Any]]:
    """The serials (one a line, scanned or typed) and the lot line of the form."""
    how = "scan" if form.get("how") == "scan" else "typed"
    lines: list[dict[str, Any]] = [{"serial": s.strip(), "how": how}
                                   for s in form.get("serials", "").splitlines() if s.strip()]
    if form.get("item"):
        lines.append({"item": form["item"], "quantity": form.get("quantity") or "0", "how": "typed"})
    if not lines:
        raise InvalidInput("scan or type at least one serial, or a lot and its quantity", field="serials")
    if len(lines) > MAX_LINES:
        raise InvalidInput(f"at most {MAX_LINES} lines at once", field="serials")
    return lines


@router.post("/counts/{number}/act", response_class=HTMLResponse)
async def act(number: str, ctx: CurrentUser, request: Request) -> Response:
    """record (serials, a lot), close, approve (every waiting case, or the ones decided), cancel."""
    raw = await request.form()
    form = {k: str(v)[:100_000].strip() for k, v in raw.items() if isinstance(v, str) and k != "csrf"}
    number = number[:60]
    counts = ScopedCounts(ctx.scoped)
    action = form.get("action", "")
    added = None
    try:
        if action == "record":
            lines = _lines(form)
            counts.record(number, lines=lines)
            added = len(lines)
        elif action == "close":
            counts.close(number)
        elif action == "approve":
            chosen = {key.removeprefix("case_"): value for key, value in form.items()
                      if key.startswith("case_") and value in ("approved", "rejected")}
            decisions = {case: {"decision": value, "explanation": form.get(f"explain_{case}") or None}
                         for case, value in chosen.items()}
            counts.approve(number, decisions=decisions or None)
        elif action == "cancel":
            counts.cancel(number, reason=form.get("reason") or None)
        else:
            raise InvalidInput(f"{action!r} is not an action (record, close, approve, cancel)", field="action")
    except WamError as exc:
        if isinstance(exc, NotFound):
            raise
        return _page(ctx, request, number, status=STATUS.get(exc.code, 400), error=localize(exc, ctx.t))
    return RedirectResponse(f"/counts/{number}" + (f"?added={added}" if added else ""), status_code=303)
