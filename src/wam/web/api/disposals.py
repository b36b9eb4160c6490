"""Disposal certificates: ``/api/disposals`` (the register of the documents seam).

A certificate is drafted with its lines, approved by someone other than its drafter (a mission
WAM officer or an administrator at every holder it takes from), then executed: its disposals
are posted, all or none. Scoped by the holder tree (:mod:`wam.services.registers`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from wam.domain.documents import Document
from wam.domain.timefmt import iso
from wam.services.registers import ScopedDocuments

from ..context import CurrentUser
from .schemas import Cursor, ErrorPublic, Limit, Moment, Quantity, Text

router = APIRouter(tags=["disposals"])
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorPublic}, 403: {"model": ErrorPublic},
                                           404: {"model": ErrorPublic}, 422: {"model": ErrorPublic}}
STEP_ERRORS: dict[int | str, dict[str, Any]] = {**ERRORS, 409: {"model": ErrorPublic}, 503: {"model": ErrorPublic}}
State = Annotated[str | None, Query(max_length=20)]


class LineCreate(BaseModel):
    item: Text = Field(min_length=1, max_length=300, description="item key, e.g. W|NORINCO|TYPE 56|56-00001")
    quantity: Quantity = 1
    source: Text = Field(min_length=1, max_length=64, alias="from", description="the holder it leaves")


class DisposalCreate(BaseModel):
    """A certificate to draft: destruction (``destruction``, ``witness``) or handover (``host_state``, ``receipt``)."""

    lines: list[LineCreate] = Field(min_length=1, max_length=10_000)
    method: Literal["destruction", "handover"]
    destruction: Text | None = Field(None, max_length=40, description="cutting, crushing, burning, ...")
    witness: Text | None = Field(None, max_length=100)
    host_state: Text | None = Field(None, max_length=3, description="ISO 3166 alpha-3")
    receipt: Text | None = Field(None, max_length=100)
    authority: Text | None = Field(None, max_length=200)
    note: Text | None = Field(None, max_length=2000)
    number: Text | None = Field(None, max_length=60, description="default: the next DSP-nnnnnn")


class Execution(BaseModel):
    occurred_at: Moment | None = Field(None, description="when it was destroyed or handed over (default: now)")


class Cancellation(BaseModel):
    reason: Text | None = Field(None, max_length=2000)


class LinePublic(BaseModel):
    item: str
    quantity: int
    source: str = Field(serialization_alias="from")
    target: str = Field(serialization_alias="to")


class StepPublic(BaseModel):
    step: str
    state: str
    by: str | None
    recorded_at: str


class DisposalPublic(BaseModel):
    number: str
    state: str
    lines: list[LinePublic]
    fields: dict[str, Any]
    by: dict[str, str]
    drafted_by: str
    steps: list[StepPublic] | None = None

    @classmethod
    def of(cls, document: Document, steps: list[dict[str, Any]] | None = None) -> DisposalPublic:
        fields = dict(document.fields)
        if isinstance(fields.get("occurred_at"), int):
            fields["occurred_at"] = iso(fields["occurred_at"])
        return cls(number=document.number, state=document.state, fields=fields, by=dict(document.by),
                   drafted_by=document.drafted_by,
                   lines=[LinePublic(item=x.item, quantity=x.quantity, source=x.source, target=x.target)
                          for x in document.lines],
                   steps=None if steps is None else [StepPublic(**{k: s[k] for k in StepPublic.model_fields})
                                                     for s in steps])


class DisposalPage(BaseModel):
    items: list[DisposalPublic]
    next: str | None


def _register(ctx: CurrentUser) -> ScopedDocuments:
    return ScopedDocuments(ctx.scoped, "disposal")


@router.get("/disposals", response_model=DisposalPage, response_model_by_alias=True, responses=ERRORS)
def list_disposals(ctx: CurrentUser, state: State = None, cursor: Cursor = None, limit: Limit = 50) -> DisposalPage:
    """The certificates that take from holders whose movements you may read, by number."""
    page = _register(ctx).listing(state=state, cursor=cursor, limit=limit)
    return DisposalPage(items=[DisposalPublic.of(d) for d in page.items], next=page.next)


@router.post("/disposals", response_model=DisposalPublic, response_model_by_alias=True, status_code=201,
             responses=STEP_ERRORS)
def draft_disposal(body: DisposalCreate, ctx: CurrentUser) -> DisposalPublic:
    """Draft a certificate in your name; nothing moves until it is approved and executed."""
    fields = body.model_dump(exclude={"lines", "number"}, exclude_none=True)
    lines = [{"item": x.item, "quantity": x.quantity, "from": x.source} for x in body.lines]
    return DisposalPublic.of(_register(ctx).draft(lines=lines, number=body.number, **fields))


@router.get("/disposals/{number}", response_model=DisposalPublic, response_model_by_alias=True, responses=ERRORS)
def get_disposal(number: str, ctx: CurrentUser) -> DisposalPublic:
    """One certificate with its steps (who took each, when)."""
    register = _register(ctx)
    return DisposalPublic.of(register.get(number), register.history(number))


@router.post("/disposals/{number}/approve", response_model=DisposalPublic, response_model_by_alias=True,
             responses=STEP_ERRORS)
def approve_disposal(number: str, ctx: CurrentUser) -> DisposalPublic:
    """Approve a drafted certificate: a WAM officer or administrator other than its drafter."""
    return DisposalPublic.of(_register(ctx).take(number, "approve"))


@router.post("/disposals/{number}/execute", response_model=DisposalPublic, response_model_by_alias=True,
             responses=STEP_ERRORS)
def execute_disposal(number: str, ctx: CurrentUser, body: Execution | None = None) -> DisposalPublic:
    """Execute an approved certificate: its disposals are posted, all or none."""
    when = body.occurred_at if body else None
    return DisposalPublic.of(_register(ctx).take(number, "execute", occurred_at=when))


@router.post("/disposals/{number}/cancel", response_model=DisposalPublic, response_model_by_alias=True,
             responses=STEP_ERRORS)
def cancel_disposal(number: str, ctx: CurrentUser, body: Cancellation | None = None) -> DisposalPublic:
    """Cancel a certificate that is not executed."""
    return DisposalPublic.of(_register(ctx).take(number, "cancel", reason=body.reason if body else None))
