"""Home: what needs doing, by role.

- **Movements to confirm** (roles that confirm: quartermaster, armourer, mission WAM officer,
  administrator): transfers into the user's holders that someone else recorded and nobody
  has confirmed, oldest first, each with a "Confirm receipt" button. Issues and returns are
  signed for at the armoury counter and never listed.
- **Stock counts due** (roles that record or verify): stores of the user's scope never counted,
  or not within ``WAM_COUNT_INTERVAL_DAYS``; see :mod:`wam.services.counts_due` for where the
  date of a count comes from until the stock-count register exists.
- **Oversight** (roles that verify or approve and read movements: the mission WAM officer, the
  auditor, administrators): loss incidents past their reporting deadline, recovered materiel
  without a disposal past its limit, traces without an answer, custody gaps of recovered items.
- **Checks** (roles that verify): the result of the last verification run in this process. A
  full verification replays the whole ledger, so the home page never runs one; it links to
  the verification page, which does.

Then the user's roles and places and the latest movements in scope.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wam.domain.access import Action
from wam.domain.timefmt import iso
from wam.services.confirmations import COUNT_CAP
from wam.services.counts_due import counts_due

from ..context import CurrentUser, services
from .common import render, safe_next

router = APIRouter()
LISTED = 10  # rows per to-do list on the home page: enough to act on, light on a slow link
PAGE = 50  # rows per page of /confirmations


@router.get("/", response_class=HTMLResponse)
def home(ctx: CurrentUser, request: Request) -> Response:
    scoped = ctx.scoped
    data: dict[str, Any] = {"iso": iso, "roots": scoped.roots(), "cap": COUNT_CAP,
                               "can_record": scoped.can(Action.RECORD), "can_verify": scoped.can(Action.VERIFY),
                               "can_admin": scoped.can(Action.MANAGE_USERS), "to_confirm": None, "counts": None,
                               "checks": None, "recent": [], "oversight": None}
    if scoped.can(Action.CONFIRM):
        data["to_confirm"] = ctx.confirmations.pending(limit=LISTED).items
        data["to_confirm_count"] = ctx.confirmations.count()
    if scoped.can(Action.RECORD) or scoped.can(Action.VERIFY):
        interval = services(request).settings.count_interval_days
        total, due = counts_due(scoped, interval_days=interval, limit=LISTED)
        data.update(counts=due, counts_total=total, interval=interval)
    if (scoped.can(Action.VERIFY) or scoped.can(Action.APPROVE)) and scoped.can(Action.READ_MOVEMENTS):
        data["oversight"] = _oversight(scoped)
    if scoped.can(Action.VERIFY):
        data["checks"] = scoped.last_verification() or ()
    if scoped.can(Action.READ_MOVEMENTS):
        data["recent"] = scoped.entries(limit=10).items
    return render(request, ctx, "home.html", **data)


def _oversight(scoped: Any) -> dict[str, Any]:
    """What the WAM officer and the auditor must act on, from the registers, each list cut to LISTED."""
    from wam.services.ammo import ScopedAmmo
    from wam.services.incidents import Filters, ScopedIncidents
    from wam.services.recoveries import ScopedRecoveries

    overdue = ScopedIncidents(scoped).listing(Filters(overdue=True))
    recovered = ScopedRecoveries(scoped).oversight()
    stockpile = ScopedAmmo(scoped)
    breaching = [s for s in stockpile.check() if s.breaches]
    suspended = [lot for lot in stockpile.suspended_lots() if lot["holders"]]
    return {"incidents": overdue[:LISTED], "incidents_total": len(overdue),
            **{name: rows[:LISTED] for name, rows in recovered.items()},
            **{f"{name}_total": len(rows) for name, rows in recovered.items()},
            "stores_in_breach": breaching[:LISTED], "stores_in_breach_total": len(breaching),
            "lots_suspended": suspended[:LISTED], "lots_suspended_total": len(suspended)}


@router.get("/confirmations", response_class=HTMLResponse)
def to_confirm(ctx: CurrentUser, request: Request, cursor: str | None = None) -> Response:
    """Everything awaiting the user's confirmation, a page at a time (the home page shows the first few)."""
    page = ctx.confirmations.pending(cursor=cursor or None, limit=PAGE)
    return render(request, ctx, "confirmations.html", rows=page.items, next=page.next, cursor=cursor,
                  total=ctx.confirmations.count(), cap=COUNT_CAP, iso=iso)


@router.post("/movements/{uid}/confirm", response_class=HTMLResponse)
async def confirm(uid: str, ctx: CurrentUser, request: Request) -> Response:
    """The "Confirm receipt" button (a form with the CSRF token); back where it was pressed."""
    form = await request.form()
    note = form.get("note")
    ctx.confirmations.confirm(uid, note=note[:2000] if isinstance(note, str) else None)
    back = safe_next(form.get("next") if isinstance(form.get("next"), str) else None)  # type: ignore[arg-type]
    path, _, _ = back.partition("?")
    return RedirectResponse(f"{path}?confirmed=1", status_code=303)
