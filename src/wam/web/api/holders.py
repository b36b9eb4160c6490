"""Holders, balances and aggregates: ``/api/holders``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from wam.domain.errors import InvalidInput
from wam.domain.timefmt import parse_moment

from ..context import CurrentUser
from .movements import public
from .schemas import (
    BalancePage,
    BalancePublic,
    Cursor,
    EntryPage,
    ErrorPublic,
    HolderPage,
    HolderPublic,
    Limit,
    SummaryPublic,
)

router = APIRouter(prefix="/holders", tags=["holders"])
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorPublic}, 403: {"model": ErrorPublic},
                                           404: {"model": ErrorPublic}, 422: {"model": ErrorPublic}}
At = Annotated[str | None, Query(max_length=40, description="ISO date or date-time; a date means its end (UTC)")]


def moment(at: str | None):  # noqa: ANN201
    if not at:
        return None
    try:
        return parse_moment(at)
    except ValueError:
        raise InvalidInput("is not an ISO 8601 date or date-time", field="at") from None


@router.get("", response_model=HolderPage, responses=ERRORS)
def list_holders(ctx: CurrentUser, parent: Annotated[str | None, Query(max_length=64)] = None,
                 q: Annotated[str | None, Query(max_length=100)] = None, cursor: Cursor = None,
                 limit: Limit = 50) -> HolderPage:
    """The top of your tree, the children of ``parent``, or the holders whose code or name contains ``q``."""
    page = ctx.scoped.holders(parent=parent, q=q, cursor=cursor, limit=limit)
    return HolderPage(items=[HolderPublic.of(h) for h in page.items], next=page.next)


@router.get("/{code:path}/balances", response_model=BalancePage, responses=ERRORS)
async def balances(code: str, ctx: CurrentUser, at: At = None, tree: bool = False, cursor: Cursor = None,
                   limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> BalancePage:
    """What the holder (with ``tree``: its whole subtree) holds now, or held at ``at``."""
    if at is None and not tree:
        # The most frequent read, and a short one (one indexed query, a store's lines): answered
        # on the event loop, where handing it to a worker thread would cost more than the query.
        page = ctx.scoped.balances(code, cursor=cursor, limit=limit)
    else:
        page = await run_in_threadpool(ctx.scoped.balances, code, at=moment(at), tree=tree, cursor=cursor, limit=limit)
    return BalancePage(items=[BalancePublic(holder=b.holder, item=b.item, quantity=b.quantity, type=b.type,
                                            label=b.label) for b in page.items], next=page.next)


@router.get("/{code:path}/summary", response_model=SummaryPublic, responses=ERRORS)
def summary(code: str, ctx: CurrentUser, at: At = None) -> SummaryPublic:
    """Totals by materiel type in the holder's subtree: no names, the researcher's view."""
    return SummaryPublic(holder=code, at=at, totals=ctx.scoped.summary(code, at=moment(at)))


@router.get("/{code:path}/movements", response_model=EntryPage, responses=ERRORS)
def holder_movements(code: str, ctx: CurrentUser, kind: Annotated[str | None, Query(max_length=20)] = None,
                     cursor: Cursor = None, limit: Limit = 50) -> EntryPage:
    """Movements in the holder's subtree, newest first."""
    page = ctx.scoped.entries(holder=code, kind=kind, cursor=cursor, limit=limit)
    return EntryPage(items=public(ctx, page.items), next=page.next)


@router.get("/{code:path}", response_model=HolderPublic, responses=ERRORS)
def get_holder(code: str, ctx: CurrentUser) -> HolderPublic:
    """One holder."""
    return HolderPublic.of(ctx.scoped.holder(code))
