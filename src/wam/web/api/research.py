"""Research records: ``/api/research`` (incidents recorded from open sources, without inventory detail).

Every signed-in user with a grant reads them; researchers, mission officers and administrators
record and import them. A confidential source (or record) is seen only by an administrator for
everything (:func:`wam.domain.research.sees_confidential`): a researcher never sees one, and an
export never holds one. Included in the incidents' router (:mod:`wam.web.api.incidents`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from wam.domain import incidents as vocabulary
from wam.domain import research as rules
from wam.domain.errors import NotFound
from wam.services.incidents import Filters
from wam.services.research import ScopedResearch

from ..context import CurrentUser
from .schemas import ErrorPublic, Since, Text, Until

router = APIRouter(tags=["research"])
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorPublic}, 403: {"model": ErrorPublic},
                                           404: {"model": ErrorPublic}, 422: {"model": ErrorPublic}}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {**ERRORS, 409: {"model": ErrorPublic}, 503: {"model": ErrorPublic}}
Short = Annotated[str | None, Query(max_length=40)]
Category = Literal[rules.CATEGORIES]  # type: ignore[valid-type]


class Quantity(BaseModel):
    category: Category
    min: int = Field(ge=0, le=rules.MAX_QUANTITY)
    max: int | None = Field(None, ge=0, le=rules.MAX_QUANTITY,
                            description="left out: the minimum (an exact count); null: no maximum known")

    def bounds(self) -> list[Any]:
        return [self.category, self.min, self.max if "max" in self.model_fields_set else self.min]


class Source(BaseModel):
    citation: Text = Field(min_length=1, max_length=500)
    kind: Literal[rules.SOURCE_KINDS] = "other"  # type: ignore[valid-type]
    date: Text | None = Field(None, max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD")
    reliability: Literal[rules.RELIABILITY] = "unknown"  # type: ignore[valid-type]
    claim: bool = Field(False, description="the perpetrator's claim")
    confidential: bool = Field(False, description="kept, and shown only to administrators for everything")


class Contingent(BaseModel):
    name: Text = Field(min_length=1, max_length=100)
    country: Text = Field(min_length=3, max_length=3)


class Casualties(BaseModel):
    killed: int = Field(0, ge=0, le=100_000)
    wounded: int = Field(0, ge=0, le=100_000)
    captured: int = Field(0, ge=0, le=100_000)
    missing: int = Field(0, ge=0, le=100_000)


class ResearchCreate(BaseModel):
    """An incident from open sources: no inventory detail, no movement posted."""

    id: Text | None = Field(None, max_length=60, description="default: the next RES-nnnnnn")
    started_at: Text = Field(min_length=4, max_length=40, description="2015, 2015-10, 2015-10-26 or ISO 8601")
    ended_at: Text | None = Field(None, max_length=40)
    time_precision: Literal[vocabulary.TIME_PRECISIONS] | None = None  # type: ignore[valid-type]
    mission: Text = Field(min_length=1, max_length=40)
    organisation: Literal[rules.ORGANISATIONS] | None = None  # type: ignore[valid-type]
    country: Text | None = Field(None, max_length=3)
    admin1: Text | None = Field(None, max_length=100)
    place: Text | None = Field(None, max_length=200)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    place_precision: Literal[vocabulary.PLACE_PRECISIONS] | None = None  # type: ignore[valid-type]
    contingents: list[Contingent] = Field(default_factory=list, max_length=50)
    circumstance: vocabulary.Circumstance | None = None
    mechanism: vocabulary.Mechanism | None = None
    ownership: vocabulary.Ownership | None = None
    perpetrator: Text | None = Field(None, max_length=200)
    perpetrator_claim: bool = False
    casualties: Casualties = Field(default_factory=Casualties)
    quantities: list[Quantity] = Field(default_factory=list, max_length=len(rules.CATEGORIES))
    sources: list[Source] = Field(min_length=1, max_length=50)
    verification_status: Literal[rules.VERIFICATION] | None = None  # type: ignore[valid-type]
    recovery_status: Literal[rules.RECOVERY] | None = None  # type: ignore[valid-type]
    confidentiality: Literal["public", "restricted", "confidential"] | None = None
    narrative: Text | None = Field(None, max_length=20_000)


class ResearchImport(BaseModel):
    format: Literal["csv", "json", "acled"]
    content: str = Field(min_length=1, max_length=20_000_000, description="the file's text")


class ResearchPage(BaseModel):
    items: list[dict[str, Any]]


def _register(ctx: CurrentUser) -> ScopedResearch:
    return ScopedResearch(ctx.scoped)


def _filters(mission: str | None, country: str | None, circumstance: str | None, mechanism: str | None,
             ownership: str | None, since: datetime | None, until: datetime | None, notable: bool | None) -> Filters:
    return Filters(mission=mission, country=country, circumstance=circumstance, mechanism=mechanism,
                   ownership=ownership, since=since, until=until, notable=notable)


@router.get("/research", response_model=ResearchPage, responses=ERRORS)
def list_research(ctx: CurrentUser, mission: Short = None, country: Short = None, circumstance: Short = None,
                  mechanism: Short = None, ownership: Short = None, since: Since = None,
                  until: Until = None, notable: bool | None = None) -> ResearchPage:
    """The research records, with the weapons and rounds lost (minimum, maximum) and ``notable``."""
    filters = _filters(mission, country, circumstance, mechanism, ownership, since, until, notable)
    return ResearchPage(items=_register(ctx).listing(filters))


@router.get("/research/export", response_class=Response, responses={**ERRORS, 200: {"content": {
    "text/csv": {}, "application/json": {}}}})
def export_research(ctx: CurrentUser, format: Literal["csv", "json"] = "csv",  # noqa: A002
                    mission: Short = None, country: Short = None, circumstance: Short = None,
                    mechanism: Short = None, ownership: Short = None, since: Since = None,
                    until: Until = None, notable: bool | None = None) -> Response:
    """The research records in the exchange layout (docs/incidents.md): never a confidential source or record."""
    filters = _filters(mission, country, circumstance, mechanism, ownership, since, until, notable)
    text = _register(ctx).export(filters, format)
    media = "text/csv; charset=utf-8" if format == "csv" else "application/json"
    return Response(content=text, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="research.{format}"'})


@router.post("/research", status_code=201, responses=WRITE_ERRORS)
def record_research(body: ResearchCreate, ctx: CurrentUser) -> dict[str, Any]:
    """Record a research record in your name (researchers, mission officers, administrators)."""
    fields = body.model_dump(exclude={"contingents", "quantities", "id"}, exclude_none=True)
    fields["contingents"] = [[c.name, c.country] for c in body.contingents]
    fields["quantities"] = [q.bounds() for q in body.quantities]
    register = _register(ctx)
    rid = register.record(id=body.id, **fields)
    try:
        return register.show(rid)
    except NotFound:  # a confidential record is kept, and shown to an administrator for everything only
        return {"id": rid, "recorded": True, "confidential": True}


@router.post("/research/import", status_code=201, responses=WRITE_ERRORS)
def import_research(body: ResearchImport, ctx: CurrentUser) -> dict[str, Any]:
    """Import a file: the exchange layout (CSV, JSON) as research records, or ACLED conflict events linked to
    the incidents they caused; all or nothing, each bad row named by line and field."""
    return _register(ctx).import_text(body.content, body.format)


@router.get("/research/{rid}", responses=ERRORS)
def get_research(rid: str, ctx: CurrentUser) -> dict[str, Any]:
    """One research record: its quantities, its sources as you may see them, the conflict events linked to it."""
    return _register(ctx).show(rid)
