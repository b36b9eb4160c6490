"""The analyses: ``/api/analysis`` (issue 14), what the ``/analysis`` page and the brief show, as data.

One answer holds the losses (over time and by mission, country, circumstance, mechanism, ownership and
category, with the rates), the recovered materiel, the health of accountability, the early warnings and the
map's points, for a mission (all in sight without one) and a period (``from`` and ``to``, each day included).
It is :class:`wam.services.analysis.ScopedAnalysis`'s, the page's: scoped to what the signed-in user may see,
a researcher's aggregates only (no incident id, place, item key or person). A user who may read nothing is
refused (403), as on the page; a mission nobody knows is not found (404); a period outside the ledger's dates or
longer than 100 years is refused (422, naming ``from`` or ``to``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from wam.services.analysis import Question, ScopedAnalysis

from ..context import CurrentUser
from .schemas import ErrorPublic

router = APIRouter(tags=["analysis"])
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorPublic}, 403: {"model": ErrorPublic},
                                           404: {"model": ErrorPublic}, 422: {"model": ErrorPublic}}


class AnalysisPublic(BaseModel):
    question: dict[str, Any] = Field(description="what was asked: mission, from, to, by, research")
    aggregates_only: bool = Field(description="true for a researcher: figures without any record's id or place")
    losses: dict[str, Any]
    recovered: dict[str, Any]
    health: dict[str, Any]
    warnings: list[dict[str, Any]]
    places: dict[str, list[list[float]]] = Field(
        description="the map's points, [longitude, latitude] (losses: and the weapons lost)")
    made_at: str


def question(mission: str | None, since: date | None, until: date | None, by: str = "month",
             research: str = "no") -> Question:
    """The question as the page asks it: a day from its first to its last moment (UTC)."""
    return Question(mission=(mission or "").strip().upper() or None,
                    since=None if since is None else datetime.combine(since, time.min, UTC),
                    until=None if until is None else datetime.combine(until, time.max, UTC), by=by, research=research,
                    fields=("from", "to"))


@router.get("/analysis", response_model=AnalysisPublic, responses=ERRORS)
def get_analysis(ctx: CurrentUser, mission: Annotated[str | None, Query(max_length=40)] = None,
                 since: Annotated[date | None, Query(alias="from", description="first day (YYYY-MM-DD)")] = None,
                 until: Annotated[date | None, Query(alias="to", description="last day, included")] = None,
                 by: Literal["month", "year"] = "month",
                 research: Literal["no", "with", "only"] = "no") -> AnalysisPublic:
    """Losses, recovered materiel, accountability health, early warnings and the map's points, in your sight."""
    data = ScopedAnalysis(ctx.scoped).brief(question(mission, since, until, by, research))
    return AnalysisPublic(question=data["losses"]["question"], aggregates_only=data["losses"]["aggregates_only"],
                          **{k: data[k] for k in ("losses", "recovered", "health", "warnings", "places", "made_at")})
