"""Loss incidents: ``/api/incidents`` (the register of the documents seam).

An incident is reported with what was lost and the holders that held it, and its losses are
posted in the same transaction, at the time it began; it is then investigated, goes before a
board of inquiry when one is required, gets its findings and is closed (written off, recovered,
or partly both; a write-off is approved by someone other than the reporter). Scoped by the holder
tree (:class:`wam.services.incidents.ScopedIncidents`), like ``/api/disposals``.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from wam.domain import incidents as vocabulary
from wam.domain.errors import InvalidInput
from wam.services.incidents import Filters, ScopedIncidents

from ..context import CurrentUser
from . import research
from .schemas import ErrorPublic, Moment, Quantity, Since, Text, Until

router = APIRouter(tags=["incidents"])
router.include_router(research.router)  # /api/research: the research records beside the incidents
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorPublic}, 403: {"model": ErrorPublic},
                                           404: {"model": ErrorPublic}, 422: {"model": ErrorPublic}}
STEP_ERRORS: dict[int | str, dict[str, Any]] = {**ERRORS, 409: {"model": ErrorPublic}, 503: {"model": ErrorPublic}}
Short = Annotated[str | None, Query(max_length=40)]


class LineCreate(BaseModel):
    item: Text = Field(min_length=1, max_length=300, description="item key, e.g. W|NORINCO|TYPE 56|56-00001")
    quantity: Quantity = 1
    source: Text = Field(min_length=1, max_length=64, alias="from", description="the holder that held it")


class Contingent(BaseModel):
    name: Text = Field(min_length=1, max_length=100)
    country: Text = Field(min_length=3, max_length=3, description="ISO 3166 alpha-3")


class Casualties(BaseModel):
    killed: int = Field(0, ge=0, le=100_000)
    wounded: int = Field(0, ge=0, le=100_000)
    captured: int = Field(0, ge=0, le=100_000)
    missing: int = Field(0, ge=0, le=100_000)


class EvidenceCreate(BaseModel):
    name: Text = Field(min_length=1, max_length=200)
    media_type: Text | None = Field(None, max_length=100)
    content: str = Field(min_length=1, max_length=14_000_000, description="the file, in base64 (at most 10 MB)")


class IncidentCreate(BaseModel):
    """An incident to report; its losses are posted at ``started_at`` from the lines' holders."""

    lines: list[LineCreate] = Field(min_length=1, max_length=10_000)
    started_at: Moment
    ended_at: Moment | None = None
    time_precision: Literal["minute", "hour", "day", "week", "month", "year"] | None = None
    site: Text | None = Field(None, max_length=64, description="a site of the tree: every line leaves it or below")
    place: Text | None = Field(None, max_length=200)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    place_precision: Literal["exact", "approximate", "place", "admin1", "country"] | None = None
    mission: Text = Field(min_length=1, max_length=40)
    contingents: list[Contingent] = Field(default_factory=list, max_length=50)
    circumstance: vocabulary.Circumstance
    mechanism: vocabulary.Mechanism
    ownership: vocabulary.Ownership
    coe_provider: Text | None = Field(None, max_length=3)
    value_usd: int | None = Field(None, ge=0, le=10**12)
    perpetrator: Text | None = Field(None, max_length=200)
    perpetrator_claim: bool = False
    casualties: Casualties = Field(default_factory=Casualties)
    narrative: Text | None = Field(None, max_length=20_000)
    sources: list[Text] = Field(default_factory=list, max_length=50)
    confidentiality: Literal["public", "restricted", "confidential"] | None = None
    evidence: list[EvidenceCreate] = Field(default_factory=list, max_length=20)
    note: Text | None = Field(None, max_length=2000)
    number: Text | None = Field(None, max_length=60, description="default: the next INC-nnnnnn")


class Advance(BaseModel):
    step: Literal["investigate", "convene", "findings", "close"]
    investigator: Text | None = Field(None, max_length=2000)
    board_reference: Text | None = Field(None, max_length=2000)
    findings: Text | None = Field(None, max_length=2000)
    outcome: Literal["written_off", "recovered", "partly"] | None = None


class IncidentPage(BaseModel):
    items: list[dict[str, Any]]
    total: int = Field(description="how many incidents the filters keep (``items`` is the page asked for)")


def _register(ctx: CurrentUser) -> ScopedIncidents:
    return ScopedIncidents(ctx.scoped)


@router.get("/incidents", response_model=IncidentPage, responses=ERRORS)
def list_incidents(ctx: CurrentUser, mission: Short = None, country: Short = None, circumstance: Short = None,
                   mechanism: Short = None, ownership: Short = None, step: Short = None,
                   since: Since = None, until: Until = None, notable: bool | None = None,
                   board_of_inquiry_required: bool | None = None, overdue: bool | None = None,
                   limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
                   offset: Annotated[int, Query(ge=0)] = 0) -> IncidentPage:
    """The incidents whose materiel left holders whose movements you may read, with the derived flags, by id;
    ``limit`` of them from ``offset`` (``total``: how many the filters keep)."""
    filters = Filters(mission=mission, country=country, circumstance=circumstance, mechanism=mechanism,
                      ownership=ownership, step=step, since=since, until=until, notable=notable,
                      board_of_inquiry_required=board_of_inquiry_required, overdue=overdue)
    rows = _register(ctx).listing(filters)
    return IncidentPage(items=rows[offset:offset + limit], total=len(rows))


@router.post("/incidents", status_code=201, responses=STEP_ERRORS)
def report_incident(body: IncidentCreate, ctx: CurrentUser) -> dict[str, Any]:
    """Report an incident in your name and post its losses: all or nothing."""
    fields = body.model_dump(exclude={"lines", "contingents", "evidence"}, exclude_none=True)
    fields["contingents"] = [[c.name, c.country] for c in body.contingents]
    files = []
    for row, file in enumerate(body.evidence, start=1):
        try:
            files.append((file.name, base64.b64decode(file.content, validate=True), file.media_type))
        except ValueError:
            raise InvalidInput("the file's content is not base64", field="evidence", row=row) from None
    fields["evidence"] = files
    lines = [{"item": x.item, "quantity": x.quantity, "from": x.source} for x in body.lines]
    register = _register(ctx)
    document = register.report(lines=lines, **fields)
    return register.show(document.number)


@router.get("/incidents/{number}", responses=ERRORS)
def get_incident(number: str, ctx: CurrentUser) -> dict[str, Any]:
    """One incident: its facts, flags, lines, steps (who, when) and loss entries."""
    return _register(ctx).show(number)


# Evidence is whatever a reporter uploaded: served from wam's own origin, an HTML or script file would
# run as whoever opens it (the administrator included). Only these types are shown in the browser;
# everything else is a download of opaque bytes, and nothing is ever sniffed, scripted or framed.
SHOWN_INLINE = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf", "text/plain"})


def evidence_response(media_type: str, data: bytes, digest: str) -> Response:
    """The evidence file ``data`` as a response that cannot run in wam's origin."""
    declared = (media_type or "").split(";")[0].strip().lower()
    inline = declared in SHOWN_INLINE
    served = declared if inline else "application/octet-stream"
    if served == "text/plain":
        served = "text/plain; charset=utf-8"
    name = f"evidence-{digest[:16]}"
    return Response(content=data, media_type=served, headers={
        "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store"})


@router.get("/incidents/{number}/evidence/{digest}", response_class=Response,
            responses={**ERRORS, 200: {"content": {"application/octet-stream": {}}}})
def get_evidence(number: str, digest: str, ctx: CurrentUser) -> Response:
    """A file the incident cites, by its SHA-256 (a download unless an image, a PDF or plain text)."""
    media_type, data = _register(ctx).evidence(number, digest)
    return evidence_response(media_type, data, digest)


@router.post("/incidents/{number}/advance", responses=STEP_ERRORS)
def advance_incident(number: str, body: Advance, ctx: CurrentUser) -> dict[str, Any]:
    """Take the next step: investigate, convene (a board of inquiry), findings, close (a WAM officer)."""
    register = _register(ctx)
    register.advance(number, body.step, **body.model_dump(exclude={"step"}, exclude_none=True))
    return register.show(number)
