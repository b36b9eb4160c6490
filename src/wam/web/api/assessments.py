"""Site security assessments: ``/api/assessments`` (issue 13).

An assessment of a site or a store is started against the current checklist, its questions are
answered (yes, partly, no, not applicable, with a note), its action plan grows (an owner and a due
date for each action) and its actions are marked done; it is closed once every question is answered.
Each answer carries the score (percent of the applicable weight) and the good-practice level, wam's
own thresholds and not an RRPL (:mod:`wam.domain.assessments`).

Scoped by the holder tree (:class:`wam.services.assessments.ScopedAssessments`): reading needs a grant
that sees the holder (404 otherwise, as for an id that does not exist); taking a step needs a role that
records or verifies there (403 when the role assesses nowhere).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, StringConstraints

from wam.domain.timefmt import iso
from wam.services.assessments import ScopedAssessments

from ..context import CurrentUser
from .schemas import ErrorPublic, Text

router = APIRouter(tags=["assessments"])
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorPublic}, 403: {"model": ErrorPublic},
                                           404: {"model": ErrorPublic}, 422: {"model": ErrorPublic}}
STEP_ERRORS: dict[int | str, dict[str, Any]] = {**ERRORS, 503: {"model": ErrorPublic}}

QuestionId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")]
Note = Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00\x1e\x1f]*$")]


class AssessmentCreate(BaseModel):
    site: Text = Field(min_length=1, max_length=64, description="the site or the store assessed")
    kind: Literal["armoury", "ammunition", "both"] = Field(description="which checklist's questions apply")


class Answers(BaseModel):
    answers: dict[QuestionId, Literal["yes", "partly", "no", "not_applicable"]] = Field(
        min_length=1, max_length=100, description="by question id")
    notes: dict[QuestionId, Note] = Field(default_factory=dict, max_length=100, description="by question id")


class ActionCreate(BaseModel):
    question: QuestionId = Field(description="the question the action answers")
    owner: Text = Field(min_length=1, max_length=100, description="who owns the action")
    due: date = Field(description="from today and within five years")
    text: Text | None = Field(None, max_length=500, description="what is to be done (default: the guidance)")


class ScorePublic(BaseModel):
    percent: float = Field(description="of the applicable weight; an unanswered question counts as no")
    level: int = Field(description="the good-practice level: 0 below basic, 1 basic, 2 intermediate, 3 advanced")
    level_name: str
    failed_critical: list[str] = Field(description="critical questions not answered yes")
    unanswered: int


class AssessmentSummary(BaseModel):
    id: str
    site: str
    kind: str
    version: str = Field(description="the checklist's version it was answered against")
    state: Literal["open", "closed"]
    started_by: str
    closed_by: str | None
    score: ScorePublic
    actions_open: int


class QuestionPublic(BaseModel):
    id: str
    area: str
    text: str
    guidance: str
    source: str
    critical_for: int | None = Field(description="the lowest level it is critical for; none: not critical")
    weight: int
    answer: str | None
    note: str | None


class ActionPublic(BaseModel):
    number: int
    question: str
    text: str
    owner: str
    due: str
    done: bool
    done_by: str | None


class StepPublic(BaseModel):
    step: str
    by: str | None
    recorded_at: str


class AssessmentPublic(AssessmentSummary):
    questions: list[QuestionPublic]
    actions: list[ActionPublic]
    thresholds: dict[int, float] = Field(description="wam's own: the score a level needs, in percent")
    history: list[StepPublic]


class AssessmentList(BaseModel):
    items: list[AssessmentSummary]


def public(shown: dict[str, Any]) -> AssessmentPublic:
    history = [{**h, "recorded_at": iso(h["recorded_at"]) if isinstance(h["recorded_at"], int)
                else str(h["recorded_at"])} for h in shown["history"]]
    return AssessmentPublic.model_validate({**shown, "history": history})


def _register(ctx: CurrentUser) -> ScopedAssessments:
    return ScopedAssessments(ctx.scoped)


@router.get("/assessments", response_model=AssessmentList, responses=ERRORS)
def list_assessments(ctx: CurrentUser, site: Annotated[str | None, Query(max_length=64)] = None) -> AssessmentList:
    """The assessments of holders in your sight, newest first; with ``site``, that holder's history."""
    return AssessmentList.model_validate({"items": _register(ctx).listing(site)})


@router.post("/assessments", status_code=201, response_model=AssessmentPublic, responses=STEP_ERRORS)
def start_assessment(body: AssessmentCreate, ctx: CurrentUser) -> AssessmentPublic:
    """Start an assessment of a site or a store where you record or verify (one open at a time)."""
    register = _register(ctx)
    return public(register.show(register.start(body.site, body.kind)))


@router.get("/assessments/{aid}", response_model=AssessmentPublic, responses=ERRORS)
def get_assessment(aid: str, ctx: CurrentUser) -> AssessmentPublic:
    """An assessment: its score and level, each question with its answer, guidance and source, its action
    plan and its steps."""
    return public(_register(ctx).show(aid[:60]))


@router.post("/assessments/{aid}/answers", response_model=AssessmentPublic, responses=STEP_ERRORS)
def answer_questions(aid: str, body: Answers, ctx: CurrentUser) -> AssessmentPublic:
    """Answer questions (an answer given again replaces the last); notes beside them."""
    register = _register(ctx)
    register.answer(aid[:60], body.answers, notes=body.notes)
    return public(register.show(aid[:60]))


@router.post("/assessments/{aid}/actions", response_model=AssessmentPublic, responses=STEP_ERRORS)
def add_action(aid: str, body: ActionCreate, ctx: CurrentUser) -> AssessmentPublic:
    """Add an action to the plan: the question it answers, its owner and its due date."""
    register = _register(ctx)
    register.add_action(aid[:60], question=body.question, owner=body.owner, due=body.due.isoformat(),
                        text=body.text)
    return public(register.show(aid[:60]))


@router.post("/assessments/{aid}/actions/{number}/done", response_model=AssessmentPublic, responses=STEP_ERRORS)
def action_done(aid: str, number: int, ctx: CurrentUser) -> AssessmentPublic:
    """Mark an action of the plan done (its number, from 1)."""
    register = _register(ctx)
    register.action_done(aid[:60], number)
    return public(register.show(aid[:60]))


@router.post("/assessments/{aid}/close", response_model=AssessmentPublic, responses=STEP_ERRORS)
def close_assessment(aid: str, ctx: CurrentUser) -> AssessmentPublic:
    """Close the assessment once every question is answered; its score and level are then final."""
    register = _register(ctx)
    register.close(aid[:60])
    return public(register.show(aid[:60]))
