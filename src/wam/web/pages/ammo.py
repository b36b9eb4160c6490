"""The ammunition stores' pages: every store in the user's sight with its IATG status (aggregate hazard
division and NEQ, forbidden and conditional mixing, distances against what the NEQ requires) and the lots
suspended or recalled with every holder of them; a store's page with its lots, its distances, its
breaches and the officers' overrides in force, the survey form for those who record at the store and the
override form for those who approve there; a lot's page with its holders and its status history, and the
form to suspend, recall or release it for those who approve.

The rules and their evidence are :mod:`wam.domain.iatg`'s (docs/stockpile.md); the scope is
:class:`wam.services.ammo.ScopedAmmo`'s.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wam.domain import iatg
from wam.domain import storage as rules
from wam.domain.access import Action
from wam.domain.errors import InvalidInput, NotFound, PermissionDenied, WamError
from wam.domain.timefmt import iso, to_micros
from wam.services import ammo
from wam.services.ammo import ScopedAmmo

from ..context import CurrentUser
from ..errors import STATUS
from ..messages import localize
from .common import render

router = APIRouter()


@router.get("/ammo", response_class=HTMLResponse)
def ammo_stores(ctx: CurrentUser, request: Request) -> Response:
    """Every store in sight that holds classified ammunition or has a survey, breaches first."""
    scoped = ScopedAmmo(ctx.scoped)
    stores = sorted(scoped.check(), key=lambda s: (not s.breaches, s.code))
    return render(request, ctx, "ammo.html", stores=stores, suspended=scoped.suspended_lots(),
                  codes=rules.SUSPENSION_CODES)


# a lot ----------------------------------------------------------------------------------------------------

MAX_KEY = 300  # an item key, as the API takes it
DONE = {"override", "withdrawn", "suspended", "recalled", "released"}  # ?done=: what was just recorded


def _current(history: list[dict[str, Any]], now: str) -> dict[str, Any] | None:
    """The lot's status now: the change with the latest ``since`` at or before now (of two with the same
    ``since``, the one recorded later), as :func:`wam.domain.storage.status_at` has it; None if never changed.
    The texts are :func:`wam.domain.timefmt.iso`'s fixed form, so they compare as the moments do."""
    started = [(c["since"], n, c) for n, c in enumerate(history) if c["since"] <= now]
    return max(started, key=lambda found: found[:2])[2] if started else None


def _lot_page(ctx: CurrentUser, request: Request, key: str, *, status: int = 200, error: str | None = None,
              form: dict[str, str] | None = None) -> Response:
    scoped = ScopedAmmo(ctx.scoped)
    holders = scoped.holders_of(key)  # 403 without reading movements, 404 for a lot out of sight
    ledger = ctx.scoped.ledger
    lot = ledger.item(key)
    history = ammo.lot_history(ledger, lot.key)
    current = _current(history, iso(to_micros(ledger.clock())))
    may_decide = ctx.scoped.can(Action.APPROVE) and all(ctx.scoped.allows(h["holder"], Action.APPROVE)
                                                        for h in holders)
    return render(request, ctx, "ammo_lot.html", status=status, lot=lot, holders=holders, history=history,
                  current=current if current and current["status"] in (rules.SUSPENDED, rules.RECALLED) else None,
                  error=error, form=form or {}, may_decide=may_decide, codes=rules.SUSPENSION_CODES,
                  codes_source=rules.SOURCE_CODES, done=_done(request))


def _done(request: Request) -> str | None:
    found = request.query_params.get("done")
    return found if found in DONE else None


@router.get("/ammo/lots/{key:path}", response_class=HTMLResponse)
def ammo_lot(key: str, ctx: CurrentUser, request: Request) -> Response:
    """A lot: its status now, every holder of it in sight, its suspensions, recalls and releases."""
    return _lot_page(ctx, request, key[:MAX_KEY])


@router.post("/ammo/lots/{key:path}/status", response_class=HTMLResponse)
async def lot_status(key: str, ctx: CurrentUser, request: Request) -> Response:
    """Suspend, recall or release the lot (the approving role at every holder of it)."""
    raw = await request.form()
    key = key[:MAX_KEY]
    form = {name: str(raw.get(name, "")).strip()[:1000] for name in ("status", "reason", "since", "code")}
    if not ctx.scoped.can(Action.APPROVE):  # 403 before anything about the lot (ScopedAmmo's order)
        raise PermissionDenied("your role does not allow this")
    try:
        done = ScopedAmmo(ctx.scoped).set_status(key, form["status"], form["reason"], since=form["since"] or None,
                                                 code=form["code"] or None)
    except WamError as exc:
        if isinstance(exc, NotFound):
            raise
        return _lot_page(ctx, request, key, status=STATUS.get(exc.code, 400), error=localize(exc, ctx.t), form=form)
    return RedirectResponse(f"/ammo/lots/{quote(done['item'])}?done={done['status']}", status_code=303)


# a store --------------------------------------------------------------------------------------------------

def _store_page(ctx: CurrentUser, request: Request, code: str, *, status: int = 200, error: str | None = None,
                saved: bool = False, form: dict[str, str] | None = None) -> Response:
    scoped = ScopedAmmo(ctx.scoped)
    [store] = scoped.check(code)
    held = {lot["item"] for lot in store.lots}
    suspended = {lot["item"]: lot for lot in scoped.suspended_lots() if lot["item"] in held}
    return render(request, ctx, "ammo_store.html", status=status, s=store, error=error, saved=saved,
                  sites=list(iatg.EXPOSED_SITES.values()), may_survey=ctx.scoped.allows(code, Action.APPROVE),
                  may_override=ctx.scoped.allows(code, Action.APPROVE), suspended=suspended, form=form or {},
                  done=_done(request), formula=iatg.SOURCE_FORMULA, mixing_source=iatg.SOURCE_MIXING)


@router.get("/ammo/{code:path}", response_class=HTMLResponse)
def ammo_store(code: str, ctx: CurrentUser, request: Request) -> Response:
    return _store_page(ctx, request, code[:64], saved=request.query_params.get("saved") == "1")


@router.post("/ammo/{code:path}/overrides", response_class=HTMLResponse)
async def override(code: str, ctx: CurrentUser, request: Request) -> Response:
    """Record an override (the lot may enter the store despite the storage rules) or withdraw one."""
    raw = await request.form()
    code = code[:64]
    form = {"item": str(raw.get("item", "")).strip()[:MAX_KEY], "reason": str(raw.get("reason", "")).strip()[:1000]}
    withdrawn = raw.get("withdrawn") == "1"
    try:
        if not form["item"]:
            raise InvalidInput("give the lot's item key", field="item")
        ScopedAmmo(ctx.scoped).record_override(code, form["item"], form["reason"], withdrawn=withdrawn)
    except WamError as exc:
        if isinstance(exc, NotFound) and exc.what == "holder":
            raise  # the store out of sight: not found, as a code that does not exist
        return _store_page(ctx, request, code, status=STATUS.get(exc.code, 400), error=localize(exc, ctx.t),
                           form={**form, "withdrawn": "1" if withdrawn else ""})
    done = "withdrawn" if withdrawn else "override"
    return RedirectResponse(f"/ammo/{code}?done={done}#overrides", status_code=303)


@router.post("/ammo/{code:path}/distances", response_class=HTMLResponse)
async def survey(code: str, ctx: CurrentUser, request: Request) -> Response:
    """Record a survey of the store's distances (metres by kind of exposed site; empty ones left out)."""
    raw = await request.form()
    code = code[:64]
    given = {kind: str(raw.get(kind, "")).strip()[:20] for kind in iatg.EXPOSED_SITES if str(raw.get(kind, "")).strip()}
    try:
        if not given:
            raise InvalidInput("give at least one distance", field="distances")
        ScopedAmmo(ctx.scoped).record_distances(code, given)
    except WamError as exc:
        if isinstance(exc, NotFound):
            raise
        return _store_page(ctx, request, code, status=STATUS.get(exc.code, 400), error=localize(exc, ctx.t))
    return RedirectResponse(f"/ammo/{code}?saved=1", status_code=303)
