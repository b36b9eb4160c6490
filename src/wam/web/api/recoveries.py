"""Recovered materiel: ``/api/recoveries`` (the register of the documents seam, issue 12).

A recovery is registered with how, when and where it was recovered and a description of each
item; its items enter custody at the registering store in the same transaction (a ``recovery``
movement a line). It is then marked with the mission's mark, traced (a tracing request under the
International Tracing Instrument), matched against the weapons wam records (a person confirms or
rejects a candidate), and disposed of: destroyed or handed over through a disposal certificate
(drafted here; approved and executed by someone else with the approver's role), or retained as
evidence. Scoped by the holder tree (:class:`wam.services.recoveries.ScopedRecoveries`): a record
is in sight of whoever reads movements at its store.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from wam.domain.errors import InvalidInput
from wam.domain.recoveries import How
from wam.services.recoveries import ScopedRecoveries

from ..context import CurrentUser
from .incidents import ERRORS, STEP_ERRORS, EvidenceCreate, evidence_response
from .schemas import Moment, Text

router = APIRouter(tags=["recoveries"])
Short = Annotated[str | None, Query(max_length=40)]


class Markings(BaseModel):
    country: Text | None = Field(None, max_length=3, description="country of manufacture (ISO 3166 alpha-3)")
    year: int | None = Field(None, ge=1850, le=2100, description="year of manufacture")
    factory: Text | None = Field(None, max_length=500, description="factory codes")
    headstamp: Text | None = Field(None, max_length=500)
    import_marks: Text | None = Field(None, max_length=500)
    other: Text | None = Field(None, max_length=500)


class ItemCreate(BaseModel):
    type: Literal["weapon", "ammunition", "equipment"] = "weapon"
    make: Text | None = Field(None, max_length=100)
    model: Text | None = Field(None, max_length=100)
    calibre: Text | None = Field(None, max_length=40)
    serial: Text | None = Field(None, max_length=64, description="as read: ? for a character that cannot be read")
    lot: Text | None = Field(None, max_length=64)
    quantity: int = Field(1, ge=1, le=10**9, description="rounds, for ammunition; 1 otherwise")
    markings: Markings = Field(default_factory=Markings)
    condition: Literal["serviceable", "unserviceable", "suspended", "repairable", "unknown"] = "unknown"
    safe_to_move: bool = True


class RecoveryCreate(BaseModel):
    """A recovery to register; its items enter custody at ``to`` at ``recovered_at``."""

    to: Text = Field(min_length=1, max_length=64, description="the store the items go into")
    how: How
    recovered_at: Moment
    place: Text | None = Field(None, max_length=200)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    unit: Text = Field(min_length=1, max_length=200)
    from_whom: Text | None = Field(None, max_length=500, description="from whom, as reported")
    mission: Text | None = Field(None, max_length=40)
    legal_basis: Text | None = Field(None, max_length=500)
    narrative: Text | None = Field(None, max_length=20_000)
    items: list[ItemCreate] = Field(min_length=1, max_length=500)
    photos: list[EvidenceCreate] = Field(default_factory=list, max_length=20)
    witness: Text | None = Field(None, max_length=200)
    note: Text | None = Field(None, max_length=2000)
    number: Text | None = Field(None, max_length=60, description="default: the next REC-nnnnnn")


class Mark(BaseModel):
    line: int = Field(ge=1, le=500)
    mark: Text = Field(min_length=1, max_length=64)
    at: Moment | None = None


class Trace(BaseModel):
    action: Literal["draft", "send", "acknowledge", "answer", "no_answer"]
    to: Text | None = Field(None, max_length=3, description="for draft: the state addressed (ISO 3166 alpha-3)")
    basis: Literal["manufacture", "import"] | None = None
    reference: Text | None = Field(None, max_length=100)
    answer: Text | None = Field(None, max_length=20_000)
    detail: Text | None = Field(None, max_length=2000)
    at: Moment | None = None


class Dispose(BaseModel):
    method: Literal["destruction", "handover", "retention"]
    destruction: Text | None = Field(None, max_length=40, description="for destruction: the means (cutting, ...)")
    witness: Text | None = Field(None, max_length=200)
    host_state: Text | None = Field(None, max_length=3)
    receipt: Text | None = Field(None, max_length=100)
    authority: Text | None = Field(None, max_length=200)
    certificate: Text | None = Field(None, max_length=60, description="default: the next DSP-nnnnnn")
    reason: Text | None = Field(None, max_length=2000, description="for retention: why it is kept as evidence")
    note: Text | None = Field(None, max_length=2000)
    at: Moment | None = None


class Decision(BaseModel):
    line: int = Field(ge=1, le=500)
    weapon: Text = Field(min_length=1, max_length=300, description="the candidate's item key")
    decision: Literal["confirmed", "rejected"]


class RecoveryPage(BaseModel):
    items: list[dict[str, Any]]
    total: int


def _register(ctx: CurrentUser) -> ScopedRecoveries:
    return ScopedRecoveries(ctx.scoped)


@router.get("/recoveries", response_model=RecoveryPage, responses=ERRORS)
def list_recoveries(ctx: CurrentUser, how: Short = None, state: Short = None, store: Short = None,
                    trace: Short = None, disposal_overdue: bool | None = None, trace_unanswered: bool | None = None,
                    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
                    offset: Annotated[int, Query(ge=0)] = 0) -> RecoveryPage:
    """The recovery records of stores whose movements you may read, with the derived flags, by id."""
    rows = _register(ctx).listing(how=how, state=state, store=store, trace=trace, disposal_overdue=disposal_overdue,
                                  trace_unanswered=trace_unanswered)
    return RecoveryPage(items=rows[offset:offset + limit], total=len(rows))


@router.post("/recoveries", status_code=201, responses=STEP_ERRORS)
def register_recovery(body: RecoveryCreate, ctx: CurrentUser) -> dict[str, Any]:
    """Register a recovery in your name and take its items into custody: all or nothing."""
    fields = body.model_dump(exclude={"items", "photos", "to", "how"}, exclude_none=True)
    files = []
    for row, file in enumerate(body.photos, start=1):
        try:
            files.append((file.name, base64.b64decode(file.content, validate=True), file.media_type))
        except ValueError:
            raise InvalidInput("the file's content is not base64", field="photos", row=row) from None
    items = [item.model_dump(exclude_none=True) for item in body.items]
    register = _register(ctx)
    document = register.register(to=body.to, items=items, how=body.how.value, evidence=files, **fields)
    return register.show(document.number)


@router.get("/recoveries/match", responses=ERRORS)
def match_recovered(ctx: CurrentUser, serial: Annotated[str | None, Query(max_length=64)] = None,
                    make: Short = None, model: Short = None, calibre: Short = None,
                    mark: Annotated[str | None, Query(max_length=64)] = None,
                    limit: Annotated[int, Query(ge=1, le=20)] = 3) -> dict[str, Any]:
    """"Is this weapon one of ours, or one we lost?" without registering anything: the weapons you may see
    that a serial as read may be (lost, with the incident; held, with the holder; disposed of), each with
    a score and the reason; and, with ``mark``, the recovered items that mission mark may name."""
    if serial is None and mark is None:
        raise InvalidInput("give serial (and make, model, calibre) or mark", field="serial")
    register = _register(ctx)
    out: dict[str, Any] = {}
    if serial is not None:
        out["candidates"] = [c.as_dict() for c in register.match(serial, make=make, model=model, calibre=calibre,
                                                                 limit=limit)]
    if mark is not None:
        out["marks"] = register.find_mark(mark)
    return out


@router.get("/recoveries/oversight", responses=ERRORS)
def recovery_oversight(ctx: CurrentUser) -> dict[str, Any]:
    """What the WAM officer and the auditor must see: records overdue for disposal
    (``WAM_RECOVERY_DISPOSAL_DAYS``), traces unanswered (``WAM_TRACE_ANSWER_DAYS``), custody gaps."""
    return _register(ctx).oversight()


@router.get("/recoveries/{number}", responses=ERRORS)
def get_recovery(number: str, ctx: CurrentUser) -> dict[str, Any]:
    """One record: facts, items (marks, confirmed matches, candidates), trace, disposal, steps, custody chain."""
    return _register(ctx).show(number)


@router.get("/recoveries/{number}/trace", responses=ERRORS)
def get_trace(number: str, ctx: CurrentUser) -> dict[str, Any]:
    """The record's tracing request with the content the International Tracing Instrument asks for (JSON)."""
    return _register(ctx).trace_export(number)


@router.get("/recoveries/{number}/evidence/{digest}", response_class=Response,
            responses={**ERRORS, 200: {"content": {"application/octet-stream": {}}}})
def get_photo(number: str, digest: str, ctx: CurrentUser) -> Response:
    """A photo the record cites, by its SHA-256 (a download unless an image, a PDF or plain text)."""
    media_type, data = _register(ctx).evidence(number, digest)
    return evidence_response(media_type, data, digest)


@router.post("/recoveries/{number}/mark", responses=STEP_ERRORS)
def mark_recovery(number: str, body: Mark, ctx: CurrentUser) -> dict[str, Any]:
    """Record the mission's mark on one line's item (unique; searched like a serial)."""
    register = _register(ctx)
    register.step(number, "mark", row=body.line, mark=body.mark, at=body.at)
    return register.show(number)


@router.post("/recoveries/{number}/trace", responses=STEP_ERRORS)
def trace_recovery(number: str, body: Trace, ctx: CurrentUser) -> dict[str, Any]:
    """Take a step of the tracing request: draft (to, basis), send, acknowledge, answer, no_answer."""
    register = _register(ctx)
    register.step(number, "trace", **body.model_dump(exclude_none=True))
    return register.show(number)


@router.post("/recoveries/{number}/match", responses=STEP_ERRORS)
def decide_match(number: str, body: Decision, ctx: CurrentUser) -> dict[str, Any]:
    """Confirm or reject a candidate of a line: a confirmed match links the weapon and its loss incident."""
    register = _register(ctx)
    decide = register.confirm if body.decision == "confirmed" else register.reject
    decide(number, body.line, body.weapon)
    return register.show(number)


@router.post("/recoveries/{number}/dispose", responses=STEP_ERRORS)
def dispose_recovery(number: str, body: Dispose, ctx: CurrentUser) -> dict[str, Any]:
    """Draft the disposal certificate (destruction, handover) of the items where they are now, or retain them as
    evidence (with the reason)."""
    register = _register(ctx)
    if body.method == "retention":
        register.step(number, "retain", reason=body.reason, at=body.at)
    else:
        register.dispose(number, **body.model_dump(exclude={"reason"}, exclude_none=True))
    return register.show(number)


@router.post("/recoveries/{number}/disposal/{step}", responses=STEP_ERRORS)
def disposal_step(number: str, step: Literal["approve", "execute", "cancel"], ctx: CurrentUser) -> dict[str, Any]:
    """Approve (someone other than the drafter, the approver's role), execute (posts the disposal movements)
    or cancel the record's disposal certificate."""
    register = _register(ctx)
    register.disposal_step(number, step)
    return register.show(number)
