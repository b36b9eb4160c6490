"""The site security assessment pages: the assessments in sight (a site's history when filtered by it)
with the form to start one, and an assessment's page: its questions grouped by area, each with its
good-practice guidance and source beside it and the critical ones marked, answered yes, partly, no or not
applicable with a note; its score and good-practice level; its action plan (owner, due date, done) and
its close.

Everything goes through :class:`wam.services.assessments.ScopedAssessments`, as ``/api/assessments``
does: the same scope, the same checks, the same errors. The checklist and the level's method are
:mod:`wam.domain.assessments`'s.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wam.domain import assessments as rules
from wam.domain.access import Action
from wam.domain.errors import InvalidInput, NotFound, PermissionDenied, WamError
from wam.domain.timefmt import iso
from wam.services.assessments import MAX_DUE_YEARS, ScopedAssessments

from ..context import CurrentUser
from ..errors import STATUS
from ..i18n import Translator
from ..messages import localize
from .common import render

router = APIRouter()
ANSWERS = tuple(a.value for a in rules.Answer)
SAVED = ("answer", "action", "done", "close")  # the steps a redirect names, to say what was recorded
MAX_FORM = 200  # fields read from a form: the checklist's answers and notes, with room to spare


def _say(t: Translator, key: str, default: str) -> str:
    """The catalog's text for ``key``, or ``default`` (the domain's English) when it has none."""
    text = t(key)
    return default if text == key else text


def _labels(ctx: CurrentUser) -> dict[str, Any]:
    t = ctx.t
    return {"levels": {n: t(f"asm.level.{n}") for n in rules.LEVEL_NAMES},
            "states": {s: t(f"asm.state.{s}") for s in ("open", "closed")},
            "kinds": {k.value: t(f"asm.kind.{k.value}") for k in rules.Applies},
            "answer_names": {a: t(f"asm.answer.{a}") for a in ANSWERS},
            "steps": {s: t(f"asm.step.{s}") for s in rules.STEPS}}


def _may_start(ctx: CurrentUser) -> bool:
    return ctx.scoped.can(Action.RECORD) or ctx.scoped.can(Action.VERIFY)


def _list(ctx: CurrentUser, request: Request, site: str, *, status: int = 200, error: str | None = None,
          form: dict[str, str] | None = None) -> Response:
    rows = ScopedAssessments(ctx.scoped).listing(site or None)
    return render(request, ctx, "assessments.html", status=status, rows=rows, site=site, error=error,
                  form=form or {}, may_start=_may_start(ctx), **_labels(ctx))


@router.get("/assessments", response_class=HTMLResponse)
def assessment_list(ctx: CurrentUser, request: Request, site: str = "") -> Response:
    """The assessments in sight, newest first; with ``site``, that holder's history."""
    return _list(ctx, request, site.strip()[:64])


@router.post("/assessments", response_class=HTMLResponse)
async def start(ctx: CurrentUser, request: Request) -> Response:
    raw = await request.form()
    form = {k: str(v)[:100].strip() for k, v in list(raw.items())[:10] if isinstance(v, str) and k != "csrf"}
    try:
        aid = ScopedAssessments(ctx.scoped).start(form.get("site", ""), form.get("kind", ""))
    except WamError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        return _list(ctx, request, "", status=STATUS.get(exc.code, 400), error=localize(exc, ctx.t), form=form)
    return RedirectResponse(f"/assessments/{aid}", status_code=303)


def _sections(t: Translator, questions: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The questions grouped by area, in the checklist's order, in the reader's language (the catalog's
    ``asm.q.<id>`` and ``asm.g.<id>``; the domain's English for a question the catalog does not have)."""
    out: list[tuple[str, list[dict[str, Any]]]] = []
    for q in questions:
        said = {**q, "text": _say(t, f"asm.q.{q['id']}", q["text"]),
                "guidance": _say(t, f"asm.g.{q['id']}", q["guidance"])}
        area = _say(t, "asm.area." + q["area"].replace(" ", "_"), q["area"])
        if not out or out[-1][0] != area:
            out.append((area, []))
        out[-1][1].append(said)
    return out


def _page(ctx: CurrentUser, request: Request, aid: str, *, status: int = 200, error: str | None = None,
          saved: str = "") -> Response:
    register = ScopedAssessments(ctx.scoped)
    shown = register.show(aid)
    today = ctx.scoped.ledger.clock().date()
    may_take = shown["state"] == "open" and register.may_take(shown["site"])
    history = [{**h, "at": iso(h["recorded_at"])[:16].replace("T", " ")} for h in shown["history"]]
    saved_text = ctx.t(f"asm.saved.{saved}") if saved in SAVED else None
    return render(request, ctx, "assessment.html", status=status, a=shown, error=error, saved=saved,
                  saved_text=saved_text, history=history, sections=_sections(ctx.t, shown["questions"]),
                  may_take=may_take,
                  due_min=today.isoformat(), due_max=(today + timedelta(days=365 * MAX_DUE_YEARS)).isoformat(),
                  due_default=(today + timedelta(days=30)).isoformat(), thresholds=sorted(shown["thresholds"].items()),
                  **_labels(ctx))


@router.get("/assessments/{aid}", response_class=HTMLResponse)
def assessment_page(aid: str, ctx: CurrentUser, request: Request, saved: str = "") -> Response:
    return _page(ctx, request, aid[:60], saved=saved[:20])


def _changed_answers(shown: dict[str, Any], form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The answers and notes of the form that differ from the assessment's (an answer step records only those)."""
    answers, notes = {}, {}
    for q in shown["questions"]:
        qid = q["id"]
        given = form.get(f"a_{qid}", "")
        if given and given != q["answer"]:
            answers[qid] = given
        note = form.get(f"n_{qid}", "")
        if note and note != (q["note"] or ""):
            notes[qid] = note
            if qid not in answers and q["answer"] is None and not given:
                raise InvalidInput("answer the question before adding a note", field=qid)
            answers.setdefault(qid, given or q["answer"])
    return answers, notes


@router.post("/assessments/{aid}/act", response_class=HTMLResponse)
async def act(aid: str, ctx: CurrentUser, request: Request) -> Response:
    """answer (the form's changed answers and notes), action (add one), done (an action's number), close."""
    raw = await request.form()
    form = {k: str(v)[:2000].strip() for k, v in list(raw.items())[:MAX_FORM] if isinstance(v, str) and k != "csrf"}
    aid = aid[:60]
    register = ScopedAssessments(ctx.scoped)
    action = form.get("action", "")
    saved = action
    try:
        if action == "answer":
            answers, notes = _changed_answers(register.show(aid), form)
            if not answers:
                raise InvalidInput("change at least one answer or note", field="answers")
            register.answer(aid, answers, notes=notes)
        elif action == "action":
            register.add_action(aid, question=form.get("question", ""), owner=form.get("owner", ""),
                                due=form.get("due", ""), text=form.get("text") or None)
        elif action == "done":
            number = form.get("number", "")
            if not number.isdecimal():
                raise InvalidInput(f"there is no action {number!r}", field="action")
            register.action_done(aid, int(number))
        elif action == "close":
            register.close(aid)
        else:
            raise InvalidInput(f"{action!r} is not an action (answer, action, done, close)", field="action")
    except WamError as exc:
        if isinstance(exc, NotFound | PermissionDenied):
            raise
        return _page(ctx, request, aid, status=STATUS.get(exc.code, 400), error=localize(exc, ctx.t))
    return RedirectResponse(f"/assessments/{aid}?saved={saved}", status_code=303)
