"""The WAM officer's dashboard: the mission at a glance (``/dashboard``).

Holdings by category and by site, movements per day, what awaits confirmation, stock counts
due and the last verification, with small charts drawn on the server as inline SVG and a map
of the sites from their coordinates (no tile server, no network). Every figure is scoped to
the user (:mod:`wam.services.dashboard`); anyone who may read holdings sees it, the navigation
offers it to those who verify (the mission WAM officer, administrators, auditors).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from wam.domain.access import Action
from wam.domain.timefmt import iso, read_bound
from wam.services import dashboard
from wam.services.confirmations import COUNT_CAP
from wam.services.counts_due import counts_due

from .. import charts
from ..context import CurrentUser, services
from .common import render

router = APIRouter()
DAYS = 30
SITES_CHARTED = 12


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(ctx: CurrentUser, request: Request, until: str = "") -> Response:
    scoped = ctx.scoped
    bound = read_bound(until, "until", end=True)  # a day the ledger can keep (year 1 overflowed the window)
    end = None if bound is None else bound.date()
    categories = dashboard.by_category(scoped)  # PermissionDenied for a user with no role at all
    sites = dashboard.by_site(scoped)
    days = dashboard.per_day(scoped, days=DAYS, until=end)
    data: dict[str, Any] = {"iso": iso, "cap": COUNT_CAP, "days": DAYS, "categories": categories, "sites": sites,
                            "until": end.isoformat() if end else ""}
    weapons = [(c.category or ctx.t("dash.uncategorised"), c.quantity) for c in categories if c.type == "weapon"]
    data["category_bars"], data["category_height"] = charts.bars(weapons[:12])  # counts of rounds would dwarf them
    data["site_bars"], data["site_height"] = charts.bars([(s.name, s.weapons) for s in sites[:SITES_CHARTED]])
    data["map"] = charts.site_map(sites)
    if days is not None:
        data["day_columns"], data["day_scale"] = charts.columns(days)
        data["day_total"] = sum(n for _, n in days)
    data["pending"] = ctx.confirmations.count() if scoped.can(Action.CONFIRM) else None
    data["counts"] = None
    if scoped.can(Action.RECORD) or scoped.can(Action.VERIFY):
        interval = services(request).settings.count_interval_days
        data["counts"], _ = counts_due(scoped, interval_days=interval, limit=0)
        data["interval"] = interval
    data["checks"] = (scoped.last_verification() or ()) if scoped.can(Action.VERIFY) else None
    return render(request, ctx, "dashboard.html", **data)
