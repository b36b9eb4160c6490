"""Ammunition stores against the IATG storage rules: ``/api/ammo`` (issue 13).

``/api/ammo/stores`` is ``wam ammo check`` for the stores in your sight: each store's aggregate hazard
division and NEQ, the mixing of its compatibility groups, its recorded distances against what its NEQ
requires, and its breaches in words; ``/api/ammo/stores/{code}/distances`` records a survey of a store's
distances (a recording role there) and ``/api/ammo/stores/{code}/overrides`` an officer's override (the
approving role there). ``/api/ammo/lots/suspended`` lists the lots suspended or recalled with their holders,
``/api/ammo/lots/{key}/holders`` a lot's holders and status history, and ``/api/ammo/lots/{key}/status``
suspends, recalls or releases a lot (the approving role at every holder of it). Scoped by
:class:`wam.services.ammo.ScopedAmmo`.

The calculators (``distance``, ``max-neq``, ``mixing``) are the pure rules of :mod:`wam.domain.iatg`,
read by anyone signed in: they say nothing about any store. Every value carries its source and whether
it is provisional (docs/stockpile.md).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from wam.domain import iatg
from wam.services import ammo
from wam.services.ammo import ScopedAmmo

from ..context import CurrentUser
from .schemas import ErrorPublic

router = APIRouter(prefix="/ammo", tags=["ammunition"])
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorPublic}, 403: {"model": ErrorPublic},
                                           404: {"model": ErrorPublic}, 422: {"model": ErrorPublic}}
CALC_ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorPublic}, 422: {"model": ErrorPublic}}

SiteKind = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z_ -]+$")]


class AggregatePublic(BaseModel):
    division: str
    neq_kg: str = Field(description="decimal, as text")
    provisional: bool
    source: str


class DistancePublic(BaseModel):
    kind: str
    label: str
    distance_m: float
    k: float | None
    required_m: float | None = Field(description="none: not encoded for this kind of site or this division")
    max_neq_kg: float | None
    breach: bool
    reason: str
    source: str
    provisional: bool


class StorePublic(BaseModel):
    # the storage rules grow (model_config: what the service adds passes through)
    model_config = ConfigDict(extra="allow")

    store: str
    name: str
    in_breach: bool
    breaches: list[str] = Field(description="each reason the store is in breach, in words")
    surveyed: bool = Field(description="whether its distances to exposed sites were ever surveyed")
    conditions: list[str] = Field(description="mixings allowed only on a condition, to check on site")
    lots: list[dict[str, Any]]
    unclassified: list[str] = Field(description="lots without a division, a group or an NEQ: never guessed")
    aggregate: AggregatePublic | None
    mixing: list[dict[str, Any]]
    distances: list[DistancePublic]


class StoreList(BaseModel):
    items: list[StorePublic]


class OverrideCreate(BaseModel):
    item: str = Field(min_length=1, max_length=300, description="the lot's item key (L|make|model|lot)")
    reason: str = Field(max_length=1000, description="why the lot may be there despite the rules (kept and shown)")
    withdrawn: bool = Field(False, description="true: end the override, the rules apply again")


class HolderOfLot(BaseModel):
    holder: str
    name: str
    kind: str
    quantity: int


class LotStatusPublic(BaseModel):
    item: str
    status: str = Field(description="suspended or recalled")
    code: str | None = Field(description="a US ammunition condition code, J to N, or none")
    since: str
    reason: str
    holders: list[HolderOfLot] = Field(description="every holder of it in your sight now, with its quantity")


class SuspendedList(BaseModel):
    items: list[LotStatusPublic]


class StatusChange(BaseModel):
    status: str
    since: str
    reason: str
    code: str | None
    by: str
    recorded_at: str


class LotHolders(BaseModel):
    item: str
    holders: list[HolderOfLot]
    history: list[StatusChange] = Field(description="its suspensions, recalls and releases, in the order recorded")


class StatusCreate(BaseModel):
    status: Literal["suspended", "recalled", "released"]
    reason: str = Field(max_length=1000, description="a technical notice, an incident, a test result")
    since: str | None = Field(None, max_length=40, description="a date (from its start, UTC) or a moment; default now")
    code: str | None = Field(None, max_length=1, description="a suspension's condition code, J to N")


class StatusDone(BaseModel):
    item: str
    status: str
    since: str
    reason: str
    code: str | None
    by: str
    holders: list[HolderOfLot]


class Survey(BaseModel):
    distances: dict[SiteKind, float] = Field(
        min_length=1, max_length=20, description="metres by kind of exposed site: " + ", ".join(iatg.EXPOSED_SITES))


class SiteFigure(BaseModel):
    kind: str
    label: str
    k: float | None = Field(description="m/kg^(1/3); none: not encoded (unsure in the reference)")
    source: str
    provisional: bool
    value: float | None = Field(description="distance_m or max_neq_kg, rounded to 0.1")


class DistanceAnswer(BaseModel):
    neq_kg: float
    formula: str
    sites: list[SiteFigure]


class MaxNeqAnswer(BaseModel):
    distance_m: float
    formula: str
    sites: list[SiteFigure]


class MixingAnswer(BaseModel):
    groups: list[str]
    verdict: str = Field(description="allowed, forbidden or conditional")
    notes: list[dict[str, Any]] = Field(description="a conditional mixing's conditions")
    provisional: bool
    source: str


def _stores(ctx: CurrentUser) -> ScopedAmmo:
    return ScopedAmmo(ctx.scoped)


@router.get("/stores", response_model=StoreList, responses=ERRORS)
def list_stores(ctx: CurrentUser) -> StoreList:
    """The stores in your sight holding ammunition or with a survey, each with its status now."""
    return StoreList.model_validate({"items": [s.as_dict() for s in _stores(ctx).check()]})


@router.post("/stores/{code:path}/distances", response_model=StorePublic, responses=ERRORS)
def record_distances(code: str, body: Survey, ctx: CurrentUser) -> StorePublic:
    """Record a survey of a store's distances (metres by kind of exposed site): the new survey is the
    store's, the old one stays on the records chain. Answers the store's status with it."""
    stores = _stores(ctx)
    stores.record_distances(code[:64], body.distances)
    [status] = stores.check(code[:64])
    return StorePublic.model_validate(status.as_dict())


@router.post("/stores/{code:path}/overrides", response_model=StorePublic, responses=ERRORS)
def record_override(code: str, body: OverrideCreate, ctx: CurrentUser) -> StorePublic:
    """Record an officer's override (the approving role at the store): the lot may enter the store despite
    the storage rules, for the reason given; ``withdrawn`` ends it. Both stay on the records chain.
    Answers the store's status with its overrides in force."""
    stores = _stores(ctx)
    stores.record_override(code[:64], body.item, body.reason, withdrawn=body.withdrawn)
    [status] = stores.check(code[:64])
    return StorePublic.model_validate(status.as_dict())


@router.get("/stores/{code:path}", response_model=StorePublic, responses=ERRORS)
def get_store(code: str, ctx: CurrentUser) -> StorePublic:
    """One store's status: its lots, aggregate, mixing, distances and breaches."""
    [status] = _stores(ctx).check(code[:64])
    return StorePublic.model_validate(status.as_dict())


@router.get("/lots/suspended", response_model=SuspendedList, responses=ERRORS)
def suspended_lots(ctx: CurrentUser) -> SuspendedList:
    """Every lot suspended or recalled now that someone in your sight holds, with each such holder."""
    return SuspendedList.model_validate({"items": _stores(ctx).suspended_lots()})


@router.get("/lots/{key:path}/holders", response_model=LotHolders, responses=ERRORS)
def lot_holders(key: str, ctx: CurrentUser) -> LotHolders:
    """Every holder of the lot in your sight now, with its quantity, and the lot's status history."""
    held = _stores(ctx).holders_of(key[:300])  # 404 for a lot whose custody never passed through your sight
    ledger = ctx.scoped.ledger
    return LotHolders.model_validate({"item": ledger.item(key[:300]).key, "holders": held,
                                      "history": ammo.lot_history(ledger, key[:300])})


@router.post("/lots/{key:path}/status", response_model=StatusDone, responses=ERRORS)
def set_lot_status(key: str, body: StatusCreate, ctx: CurrentUser) -> StatusDone:
    """Suspend, recall or release a lot from ``since`` on (the approving role at every holder of it): from
    then on the ledger refuses to issue, transfer (but for disposal) or expend it. Answers the change with
    the lot's holders, where it is to be collected from."""
    stores = _stores(ctx)  # ScopedAmmo.set_status: 403 first, then 404, then 403 naming no hidden holder
    done = stores.set_status(key[:300], body.status, body.reason, since=body.since, code=body.code or None)
    return StatusDone.model_validate({**done, "holders": stores.holders_of(done["item"])})


def _figures(compute: Any) -> list[SiteFigure]:
    return [SiteFigure(kind=s.kind, label=s.label, k=s.k, source=s.source, provisional=s.provisional,
                       value=None if s.k is None else round(compute(s.k), 1)) for s in iatg.EXPOSED_SITES.values()]


@router.get("/distance", response_model=DistanceAnswer, responses=CALC_ERRORS)
def distance(_ctx: CurrentUser, neq: Annotated[float, Query(gt=0, le=iatg.MAX_NEQ_KG, description="kg NEQ, HD 1.1")],
             ) -> DistanceAnswer:
    """The separation distance (metres) from a store of ``neq`` kg (HD 1.1) to each kind of exposed site:
    D = k x Q^(1/3)."""
    return DistanceAnswer(neq_kg=neq, formula=iatg.SOURCE_FORMULA, sites=_figures(lambda k: iatg.distance(neq, k)))


@router.get("/max-neq", response_model=MaxNeqAnswer, responses=CALC_ERRORS)
def max_neq(_ctx: CurrentUser, distance: Annotated[float, Query(gt=0, le=iatg.MAX_DISTANCE_M, description="metres")],
            ) -> MaxNeqAnswer:
    """The largest NEQ (kg, HD 1.1) a store may hold at ``distance`` metres from each kind of exposed site:
    Q = (D / k)^3."""
    return MaxNeqAnswer(distance_m=distance, formula=iatg.SOURCE_FORMULA,
                        sites=_figures(lambda k: iatg.max_neq(distance, k)))


@router.get("/mixing", response_model=MixingAnswer, responses=CALC_ERRORS)
def mixing(_ctx: CurrentUser, first: Annotated[str, Query(min_length=1, max_length=8)],
           second: Annotated[str, Query(min_length=1, max_length=8)]) -> MixingAnswer:
    """May lots of these two compatibility groups (``C``, or ``1.1D``) be stored together? The storage table,
    never the transport one."""
    return MixingAnswer.model_validate(iatg.mixing(first, second).as_dict())
