"""The record form's pickers: ``<option>`` lists for its ``<datalist>`` elements, fetched by htmx
as the user types (the same scoped queries as ``/api/pick/...``, :mod:`wam.services.pickers`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from wam.domain.errors import NotFound
from wam.domain.holders import is_external
from wam.services import pickers

from ..context import CurrentUser
from .common import render

router = APIRouter()


@router.get("/record/pick/holders", response_class=HTMLResponse)
def pick_holders(ctx: CurrentUser, request: Request, q: str = "", source: str = "", target: str = "") -> Response:
    """Holders by name or code (the field's own value arrives under its name: source or target)."""
    text = (q or source or target)[:64]
    return render(request, ctx, "_pick_holders.html", choices=pickers.holders(ctx.scoped, text))


@router.get("/record/pick/items", response_class=HTMLResponse)
def pick_items(ctx: CurrentUser, request: Request, pick: str = "", source: str = "") -> Response:
    """Items by serial, lot, make or model; held by the form's source when that is a holder in sight."""
    holder = source.strip()[:64]
    if holder and not is_external(holder):
        try:
            ctx.scoped.holder(holder)
        except NotFound:
            holder = ""
    else:
        holder = ""
    return render(request, ctx, "_pick_items.html", choices=pickers.items(ctx.scoped, pick[:64], holder=holder))
