"""Stock counts: ``/api/counts`` (the count register of the documents seam, issue 13).

A count is started for a store or a site (blind by default), its lines are recorded by its counter
(serials scanned or typed, lots by quantity), it is closed (reconciled against the book at each
line's moment) and its cases above the threshold rules are approved or rejected by a second person
with the approver's role; the approved adjustments are posted through the count, and a missing
weapon no one explained opens a loss incident. Scoped by the holder tree
(:class:`wam.services.counts.ScopedCounts`).

**Blind.** No answer of this router carries a book figure (or a case) before the count is closed:
a count being counted shows its progress (how many lines were recorded), not what the book holds.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from wam.services.counts import ScopedCounts

from ..context import CurrentUser
from .schemas import ErrorPublic, Moment, Quantity, Text

router = APIRouter(tags=["counts"])
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorPublic}, 403: {"model": ErrorPublic},
                                           404: {"model": ErrorPublic}, 422: {"model": ErrorPublic}}
STEP_ERRORS: dict[int | str, dict[str, Any]] = {**ERRORS, 409: {"model": ErrorPublic}, 503: {"model": ErrorPublic}}


class CountCreate(BaseModel):
    holder: Text = Field(min_length=1, max_length=64, description="the store (or the site) counted")
    scope: Literal["store", "site"] = "store"
    mode: Literal["full", "sample"] = "full"
    sample: list[Text] = Field(default_factory=list, max_length=100, description="a sample's item key prefixes")
    blind: bool = True
    counter: Text | None = Field(None, max_length=100, description="who counts (default: you)")
    witness: Text | None = Field(None, max_length=100)
    note: Text | None = Field(None, max_length=2000)
    number: Text | None = Field(None, max_length=60, description="default: the next CNT-nnnnnn")


class CountedLine(BaseModel):
    serial: Text | None = Field(None, max_length=64, description="a serial as scanned or typed")
    item: Text | None = Field(None, max_length=300, description="or an item key (a lot)")
    quantity: Quantity = 1
    how: Literal["scan", "typed"] = "scan"
    holder: Text | None = Field(None, max_length=64, description="where it was counted (default: the count's)")
    at: Moment | None = Field(None, description="when it was counted (default: now)")


class Lines(BaseModel):
    lines: list[CountedLine] = Field(min_length=1, max_length=200_000)


class Decision(BaseModel):
    decision: Literal["approved", "rejected"]
    explanation: Text | None = Field(None, max_length=2000)


class Approval(BaseModel):
    decisions: dict[str, Decision] | None = Field(None, description="by case id; none: every waiting case approved")


class Cancel(BaseModel):
    reason: Text | None = Field(None, max_length=2000)


class CountList(BaseModel):
    items: list[dict[str, Any]]


def _register(ctx: CurrentUser) -> ScopedCounts:
    return ScopedCounts(ctx.scoped)


@router.get("/counts", response_model=CountList, responses=ERRORS)
def list_counts(ctx: CurrentUser, holder: Annotated[str | None, Query(max_length=64)] = None,
                state: Annotated[str | None, Query(max_length=20)] = None) -> CountList:
    """The counts of holders whose movements you may read, by number (no book figure)."""
    return CountList(items=_register(ctx).listing(holder=holder, state=state))


@router.post("/counts", status_code=201, responses=STEP_ERRORS)
def start_count(body: CountCreate, ctx: CurrentUser) -> dict[str, Any]:
    """Start a count of a holder where you record movements."""
    register = _register(ctx)
    document = register.start(**body.model_dump(exclude_none=True))
    return register.show(document.number)


@router.get("/counts/{number}", responses=ERRORS)
def get_count(number: str, ctx: CurrentUser) -> dict[str, Any]:
    """A count: its progress while counting; its cases (book and counted figures) once closed."""
    return _register(ctx).show(number)


@router.post("/counts/{number}/lines", responses=STEP_ERRORS)
def record_lines(number: str, body: Lines, ctx: CurrentUser) -> dict[str, Any]:
    """Record counted lines (the count's counter only); the answer is the progress, never the book."""
    register = _register(ctx)
    register.record(number, lines=[line.model_dump(exclude_none=True) for line in body.lines])
    return register.show(number)


@router.post("/counts/{number}/close", responses=STEP_ERRORS)
def close_count(number: str, ctx: CurrentUser) -> dict[str, Any]:
    """Close and reconcile the count; posted at once when no case waits for approval."""
    register = _register(ctx)
    register.close(number)
    return register.show(number)


@router.post("/counts/{number}/approve", responses=STEP_ERRORS)
def approve_count(number: str, body: Approval, ctx: CurrentUser) -> dict[str, Any]:
    """Approve or reject the waiting cases (the approver's role; never the counter nor the starter)."""
    register = _register(ctx)
    decisions = None if body.decisions is None else {
        key: value.model_dump(exclude_none=True) for key, value in body.decisions.items()}
    register.approve(number, decisions=decisions)
    return register.show(number)


@router.post("/counts/{number}/cancel", responses=STEP_ERRORS)
def cancel_count(number: str, body: Cancel, ctx: CurrentUser) -> dict[str, Any]:
    """Cancel a count not yet posted."""
    register = _register(ctx)
    register.cancel(number, reason=body.reason)
    return register.show(number)
