"""Confirmations of receipt: ``GET /api/confirmations/pending``, ``POST /api/movements/{uid}/confirm``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from ..context import CurrentUser
from ..idempotent import IdempotencyKey, Replay
from .movements import public
from .schemas import ConfirmationCreate, ConfirmationPublic, Cursor, EntryPage, ErrorPublic, Limit

router = APIRouter(tags=["confirmations"])
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorPublic}, 403: {"model": ErrorPublic},
                                           404: {"model": ErrorPublic}, 422: {"model": ErrorPublic}}


@router.get("/confirmations/pending", response_model=EntryPage, responses=ERRORS)
def pending(ctx: CurrentUser, cursor: Cursor = None, limit: Limit = 50) -> EntryPage:
    """Transfers into your holders that someone else recorded and nobody has confirmed yet
    (reversed ones left out), oldest first."""
    page = ctx.confirmations.pending(cursor=cursor, limit=limit)
    return EntryPage(items=public(ctx, page.items), next=page.next)


@router.post("/movements/{uid}/confirm", response_model=ConfirmationPublic, status_code=201,
             responses={**ERRORS, 409: {"model": ErrorPublic}})
def confirm(uid: str, ctx: CurrentUser, request: Request, body: ConfirmationCreate | None = None,
            idempotency_key: IdempotencyKey = None) -> ConfirmationPublic | Response:
    """Confirm, in your name, that the movement arrived. Once only; never by whoever recorded it.
    An ``Idempotency-Key`` retry is answered with the first answer."""
    replay = Replay.of(request, ctx.user.name, body)
    if (stored := replay.stored()) is not None:
        return stored
    done = ctx.confirmations.confirm(uid, note=body.note if body else None)
    answer = ConfirmationPublic.of(uid, done)
    replay.keep(201, answer)
    return answer
