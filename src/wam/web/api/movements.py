"""Movements and items: ``/api/movements``, ``/api/items``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from wam.domain.documents import refuse_generic
from wam.domain.errors import WamError
from wam.domain.movements import Entry, make_movement

from ..context import CurrentUser
from ..idempotent import IdempotencyKey, Replay
from .schemas import (
    Cursor,
    EntryCreate,
    EntryPage,
    EntryPublic,
    ErrorPublic,
    ItemPage,
    ItemPublic,
    Limit,
)

router = APIRouter(tags=["movements"])
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorPublic}, 403: {"model": ErrorPublic},
                                           404: {"model": ErrorPublic}, 422: {"model": ErrorPublic}}
Kind = Annotated[str | None, Query(max_length=20)]


def public(ctx: CurrentUser, entries: list[Entry]) -> list[EntryPublic]:
    """Entries the user may read, each with its confirmation of receipt when there is one."""
    confirmed = ctx.confirmations.of(entries)
    return [EntryPublic.of(e, confirmed.get(e.seq)) for e in entries]


@router.get("/movements", response_model=EntryPage, responses=ERRORS)
def list_movements(ctx: CurrentUser, kind: Kind = None, cursor: Cursor = None, limit: Limit = 50) -> EntryPage:
    """Every movement in your scope, newest first."""
    page = ctx.scoped.entries(kind=kind, cursor=cursor, limit=limit)
    return EntryPage(items=public(ctx, page.items), next=page.next)


@router.post("/movements", response_model=EntryPublic, status_code=201,
             responses={**ERRORS, 409: {"model": ErrorPublic}, 503: {"model": ErrorPublic}})
async def record_movement(body: EntryCreate, ctx: CurrentUser, request: Request,
                          idempotency_key: IdempotencyKey = None) -> EntryPublic | Response:
    """Record a movement in your name. Both real ends must be in a scope whose role may record this kind.

    With an ``Idempotency-Key`` header, a retry of the same request (same user, key and body)
    is answered with the first answer and records nothing new; the key with another body is
    refused (422)."""
    # On the event loop: its checks are a few indexed reads, and the posting is awaited from
    # the group writer, so no worker thread is held (threads contending for the GIL cost more
    # than the work itself under load).
    replay = Replay.of(request, ctx.user.name, body)
    if (stored := await replay.stored_async()) is not None:
        return stored
    refuse_generic(body.kind)  # a register's kind (loss: wam incidents report), in any case, before its fields
    movement = make_movement(
        kind=body.kind, item=body.item, quantity=body.quantity, source=body.source, target=body.target,
        occurred_at=(body.occurred_at or datetime.now(UTC)), actor=ctx.user.name, witness=body.witness,
        document=body.document, note=body.note, reason=body.reason, reverses=body.reverses,
    )
    try:
        entry = await ctx.scoped.record_async(movement, then=replay.then(201, EntryPublic.of))
    except WamError:
        # A concurrent request with the same key may have been recorded first: then this one was
        # refused (by the key, or by the laws its movement now breaks) and the first answer is ours.
        if (stored := await replay.stored_async()) is not None:
            return stored
        raise
    return EntryPublic.of(entry)


@router.get("/movements/{uid}", response_model=EntryPublic, responses=ERRORS)
def get_movement(uid: str, ctx: CurrentUser) -> EntryPublic:
    """One movement by its id, ``<ledger uuid>:<seq>``."""
    return public(ctx, [ctx.scoped.entry(uid)])[0]


@router.get("/items", response_model=ItemPage, responses=ERRORS)
def find_items(ctx: CurrentUser, serial: Annotated[str, Query(min_length=1, max_length=64)],
               cursor: Cursor = None, limit: Limit = 50) -> ItemPage:
    """The items with this serial that you may see (serials repeat across models)."""
    items = sorted(ctx.scoped.find_items(serial), key=lambda i: i.key)
    items = [i for i in items if cursor is None or i.key > cursor]
    more = len(items) > limit
    items = items[:limit]
    return ItemPage(items=[ItemPublic.of(i) for i in items], next=items[-1].key if more else None)


@router.get("/items/{key:path}/history", response_model=EntryPage, responses=ERRORS)
def item_history(key: str, ctx: CurrentUser, cursor: Cursor = None,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> EntryPage:
    """The item's custody from first to last, as far as it passed through your scope."""
    page = ctx.scoped.history(key, cursor=cursor, limit=limit)
    return EntryPage(items=public(ctx, page.items), next=page.next)


@router.get("/items/{key:path}", response_model=ItemPublic, responses=ERRORS)
def get_item(key: str, ctx: CurrentUser) -> ItemPublic:
    """One item and, for a serialised item in your scope, who holds it now."""
    item, holder = ctx.scoped.item(key)
    return ItemPublic.of(item, holder)
