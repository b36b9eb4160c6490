"""Lists with totals, filters, sort and exports: ``/api/lists/holdings|items|holders|movements``.

The same queries as the list pages (:mod:`wam.services.lists`): one page of JSON with the total
of the filtered list, or the whole filtered list as CSV or XLSX with ``format``, streamed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel

from wam.domain.errors import InvalidInput
from wam.domain.timefmt import iso
from wam.services import export, lists
from wam.services.lists import ListPage, ListQuery

from ..context import CurrentUser
from ..pages.lists import HOLDER_COLUMNS, HOLDING_COLUMNS, ITEM_COLUMNS, MOVEMENT_COLUMNS, list_query
from .schemas import ErrorPublic

router = APIRouter(prefix="/lists", tags=["lists"])
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorPublic}, 403: {"model": ErrorPublic},
                                           404: {"model": ErrorPublic}, 422: {"model": ErrorPublic}}
Text = Annotated[str, Query(max_length=100)]
Code = Annotated[str, Query(max_length=64)]
Date = Annotated[str, Query(max_length=40, description="YYYY-MM-DD (UTC: from that day's start, or to its end) "
                                                       "or an ISO 8601 moment")]
Format = Annotated[str, Query(pattern="^(|json|csv|xlsx)$", description="json (default), csv or xlsx")]


class ListPublic(BaseModel):
    """One page of a list: its rows, the total of the filtered list, the page and its size.

    The total is counted up to 10,000: past that, ``more`` is true and ``total`` is 10,000 (the
    list holds more; page on while a page comes back full)."""

    items: list[dict[str, Any]]
    total: int
    page: int
    per: int
    more: bool = False


def _public(row: dict[str, Any], *, export_row: bool = False) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k != "entry"}
    if "occurred_at" in out and not export_row:  # an export writes the moment itself (ISO in CSV, a date in XLSX)
        out["occurred_at"] = iso(out["occurred_at"])
    if "uid" in out:
        out["id"] = out.pop("uid")
    return out


def _answer(fmt: str, lq: ListQuery, page, rows, columns, name: str) -> ListPublic | Response:  # noqa: ANN001
    if fmt in ("", "json"):
        result: ListPage = page(lq)
        return ListPublic(items=[_public(r) for r in result.rows], total=result.total, page=result.page, per=result.per,
                          more=result.more)
    if fmt not in export.FORMATS:
        raise InvalidInput("is not an export format (csv, xlsx)", field="format")
    heads = [(key, key) for key, _label, _sortable in columns]
    body = export.stream(fmt, (_public(r, export_row=True) for r in rows(lq)), heads, title=name)
    return StreamingResponse(body, media_type=export.FORMATS[fmt],
                             headers={"Content-Disposition": f'attachment; filename="wam-{name}.{fmt}"'})


@router.get("/holdings", response_model=ListPublic, responses=ERRORS)
def holdings(request: Request, ctx: CurrentUser, holder: Code, tree: bool = False, q: Text = "", kind: Text = "",
             category: Text = "", calibre: Text = "", sort: Text = "", desc: bool = False, page: int = 1,
             per: int = lists.PER_PAGE, format: Format = "") -> Any:  # noqa: A002
    """What a holder (``tree``: its subtree) holds now: search ``q`` (serial, lot, make, model; by part or
    prefix), ``kind`` (materiel type), ``category``, ``calibre``; ``sort`` by item, serial, make, model,
    quantity, category, calibre or holder."""
    lq = list_query(request)
    h = ctx.scoped.holder(holder)
    columns = ([("holder", "", True)] if tree else []) + HOLDING_COLUMNS + [("item", "", False)]
    return _answer(format, lq, lambda x: lists.holdings(ctx.scoped, h.code, x, tree=tree),
                   lambda x: lists.stream_holdings(ctx.scoped, h.code, x, tree=tree), columns, f"holdings-{h.code}")


@router.get("/items", response_model=ListPublic, responses=ERRORS)
def items(request: Request, ctx: CurrentUser, q: Text = "", kind: Text = "", under: Code = "", category: Text = "",
          calibre: Text = "", sort: Text = "", desc: bool = False, page: int = 1, per: int = lists.PER_PAGE,
          format: Format = "") -> Any:  # noqa: A002
    """Every item held in scope, once (``under``: in a holder's subtree), with its quantity there, its
    holder (``holders``: how many hold it) and, with no limit of scope, what is lost or expended; search
    ``q``, ``kind`` (materiel type), ``category``, ``calibre``; ``sort`` by item, ident, make, model, type,
    category, calibre or quantity."""
    lq = list_query(request)
    return _answer(format, lq, lambda x: lists.items(ctx.scoped, x), lambda x: lists.stream_items(ctx.scoped, x),
                   ITEM_COLUMNS + [("item", "", False), ("holders", "", False)], "items")


@router.get("/holders", response_model=ListPublic, responses=ERRORS)
def holders(request: Request, ctx: CurrentUser, parent: Code = "", q: Text = "", kind: Text = "", sort: Text = "",
            desc: bool = False, page: int = 1, per: int = lists.PER_PAGE, format: Format = "") -> Any:  # noqa: A002
    """The children of ``parent`` (the holders in scope without it); with ``q``, those below it matching."""
    lq = list_query(request)
    return _answer(format, lq, lambda x: lists.holders(ctx.scoped, parent, x),
                   lambda x: lists.stream_holders(ctx.scoped, parent, x), HOLDER_COLUMNS + [("parent", "", False)],
                   "holders")


@router.get("/movements", response_model=ListPublic, responses=ERRORS)
def movements(request: Request, ctx: CurrentUser, holder: Code = "", q: Text = "", kind: Text = "",
              since: Date = "", until: Date = "", under: Code = "", category: Text = "", calibre: Text = "",
              sort: Text = "", desc: bool = False, page: int = 1, per: int = lists.PER_PAGE,
              format: Format = "") -> Any:  # noqa: A002
    """Movements in scope (of ``holder``'s subtree), newest first: ``kind``, ``since``/``until``, ``under``
    (a holder's subtree), ``category``, ``calibre``, ``q`` (serial by part or prefix); ``sort`` by when,
    seq or quantity."""
    lq = list_query(request)
    ctx.scoped.require_movements(holder or None)
    return _answer(format, lq, lambda x: lists.movements(ctx.scoped, x, holder=holder),
                   lambda x: lists.stream_movements(ctx.scoped, x, holder=holder),
                   [("id", "", False), *MOVEMENT_COLUMNS, ("item", "", False)], "movements")
