"""The ammunition stores' pages: every store in the user's sight with its IATG status (aggregate hazard
division and NEQ, forbidden and conditional mixing, distances against what the NEQ requires), a store's
page with its lots and its distances, and the survey form for those who record at the store.

The rules and their evidence are :mod:`wam.domain.iatg`'s (docs/stockpile.md); the scope is
:class:`wam.services.ammo.ScopedAmmo`'s.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wam.domain import iatg
from wam.domain.access import Action
from wam.domain.errors import InvalidInput, NotFound, WamError
from wam.services.ammo import ScopedAmmo

from ..context import CurrentUser
from ..errors import STATUS
from ..messages import localize
from .common import render

router = APIRouter()


@router.get("/ammo", response_class=HTMLResponse)
def ammo_stores(ctx: CurrentUser, request: Request) -> Response:
    """Every store in sight that holds classified ammunition or has a survey, breaches first."""
    stores = sorted(ScopedAmmo(ctx.scoped).check(), key=lambda s: (not s.breaches, s.code))
    return render(request, ctx, "ammo.html", stores=stores)


def _store_page(ctx: CurrentUser, request: Request, code: str, *, status: int = 200, error: str | None = None,
                saved: bool = False) -> Response:
    [store] = ScopedAmmo(ctx.scoped).check(code)
    return render(request, ctx, "ammo_store.html", status=status, s=store, error=error, saved=saved,
                  sites=list(iatg.EXPOSED_SITES.values()), may_survey=ctx.scoped.allows(code, Action.RECORD),
                  formula=iatg.SOURCE_FORMULA, mixing_source=iatg.SOURCE_MIXING)


@router.get("/ammo/{code:path}", response_class=HTMLResponse)
def ammo_store(code: str, ctx: CurrentUser, request: Request) -> Response:
    return _store_page(ctx, request, code[:64], saved=request.query_params.get("saved") == "1")


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
