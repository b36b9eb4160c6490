"""Pickers for recording without typing codes: ``/api/pick/holders`` and ``/api/pick/items``.

What the user may record movements for, found as they type (:mod:`wam.services.pickers`: one
scoped query with a ``LIMIT``). The record page fills its ``<datalist>`` from the same queries.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from wam.services import pickers

from ..context import CurrentUser
from .schemas import ErrorPublic

router = APIRouter(prefix="/pick", tags=["pickers"])
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorPublic}, 403: {"model": ErrorPublic},
                                           404: {"model": ErrorPublic}, 422: {"model": ErrorPublic}}
Q = Annotated[str, Query(max_length=64, pattern=r"^[^\x00\x1e\x1f]*$", description="part of a name, code or serial")]
Code = Annotated[str, Query(max_length=64, pattern=r"^[^\x00\x1e\x1f]*$")]
PickLimit = Annotated[int, Query(ge=1, le=pickers.MAX_LIMIT)]


class HolderChoicePublic(BaseModel):
    code: str
    name: str
    kind: str


class ItemChoicePublic(BaseModel):
    key: str
    label: str
    ident: str
    holder: str
    holder_name: str
    quantity: int
    serialised: bool


class HolderChoices(BaseModel):
    items: list[HolderChoicePublic]


class ItemChoices(BaseModel):
    items: list[ItemChoicePublic]


@router.get("/holders", response_model=HolderChoices, responses=ERRORS)
def pick_holders(ctx: CurrentUser, q: Q = "", limit: PickLimit = pickers.LIMIT) -> Any:
    """Holders where the user may record movements, by name or code containing ``q`` (prefix first)."""
    found = pickers.holders(ctx.scoped, q, limit=limit)
    return HolderChoices(items=[HolderChoicePublic(code=h.code, name=h.name, kind=h.kind) for h in found])


@router.get("/items", response_model=ItemChoices, responses=ERRORS)
def pick_items(ctx: CurrentUser, q: Q = "", holder: Code = "", limit: PickLimit = pickers.LIMIT) -> Any:
    """Items held now where the user may record (by ``holder`` when given), by serial, lot, make or model."""
    found = pickers.items(ctx.scoped, q, holder=holder, limit=limit)
    return ItemChoices(items=[ItemChoicePublic(key=i.key, label=i.label, ident=i.ident, holder=i.holder,
                                               holder_name=i.holder_name, quantity=i.quantity,
                                               serialised=i.serialised) for i in found])
