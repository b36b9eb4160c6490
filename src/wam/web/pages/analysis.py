"""The analysis pages: the brief of a mission and period as the signed-in user may see it (a researcher:
aggregates only), on the page, as a PDF to print and as the standalone HTML file, in the reader's language.

On the page, the map has a form of its own: its period (the brief's unless given) and the kinds of marks it
draws (sites, loss incidents, recoveries), as query parameters, so that it works without a script and offline
(the country outlines ship with the package); its legend shows the mark of each kind drawn.

The figures are :class:`wam.services.analysis.ScopedAnalysis`'s and the document is
:mod:`wam.reports.brief`'s, the same as ``wam report brief`` writes: one model, three prints.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from wam.domain.errors import InvalidInput
from wam.services import analysis
from wam.services.analysis import Question

from ..context import CurrentUser
from ..hardening import CSP
from ..messages import localize
from .common import render

router = APIRouter()
# The brief's bars are drawn by an inline width; its standalone page carries its own style block.
# Those pages allow inline styles, and nothing else that the site's policy does not (no script at all
# on the standalone page, nothing fetched from elsewhere).
PAGE_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
STANDALONE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


def _question(mission: str, since: str, until: str, research: str,
              fields: tuple[str, str] = ("since", "until")) -> tuple[Question, str, str]:
    def day(text: str, field: str, default: date) -> date:
        if not text.strip():
            return default
        try:
            return date.fromisoformat(text.strip()[:10])
        except ValueError:
            raise InvalidInput(f"{text[:10]!r} is not a date (YYYY-MM-DD)", field=field) from None

    # no period given: everything recorded (a mission's records may be years old, as the demo's are)
    first = day(since, fields[0], date(1945, 1, 1)) if since.strip() else None
    last = day(until, fields[1], datetime.now(UTC).date()) if until.strip() else None
    question = Question(mission=mission.strip().upper()[:40] or None,
                        since=None if first is None else datetime.combine(first, time.min, UTC),
                        until=None if last is None else datetime.combine(last, time.max, UTC), by="month",
                        research=research or "no", fields=fields)
    return question, "" if first is None else first.isoformat(), "" if last is None else last.isoformat()


def _outlines() -> list[Any]:
    from .. import geo

    return [(c.bbox, [ring for polygon in c.polygons for ring in polygon[:1]]) for c in geo.countries()]


def _document(ctx: CurrentUser, question: Question, since: str, until: str, *, mapped: Question | None = None,
              kinds: tuple[str, ...] | None = None) -> Any:
    """The brief's document; its map of the ``mapped`` question's period (the brief's by default), ``kinds`` only."""
    from wam.reports import brief

    # one view for the brief and its map (what it reads once, it keeps); refused to a user who may read nothing
    view = analysis.ScopedView(ctx.scoped)
    data = analysis.brief(view, question)
    if mapped is not None and (mapped.since, mapped.until) != (question.since, question.until):
        data["places"] = analysis.places(view, mapped)
    return brief.layout(ctx.t, data, mission=question.mission or ctx.t("brief.all_missions"),
                        since=since or ctx.t("ana.first_record"), until=until or datetime.now(UTC).date().isoformat(),
                        outlines=_outlines(), kinds=brief.KINDS if kinds is None else kinds)


def _research_labels(ctx: CurrentUser) -> dict[str, str]:
    return {code: ctx.t(f"ana.research_{code}") for code in ("no", "with", "only")}


@router.get("/analysis", response_class=HTMLResponse)
def analysis_page(ctx: CurrentUser, request: Request, mission: str = "", since: str = "", until: str = "",
                  research: str = "", map_since: str = "", map_until: str = "",
                  show: list[str] = Query(default=[], max_length=3), map: str = "") -> Response:  # noqa: A002
    """The brief on the page, with the form that asks it and links to its PDF and HTML, and its map with the
    form that filters it (``map=1``: the kinds are those ``show`` names, none if none; else every kind)."""
    from wam.reports import brief

    q = {"mission": mission[:40], "since": since[:10], "until": until[:10], "research": research[:5],
         "map_since": map_since[:10], "map_until": map_until[:10]}
    kinds = tuple(k for k in brief.KINDS if k in show) if map else brief.KINDS
    extra: dict[str, Any] = {"research_labels": _research_labels(ctx), "kinds": kinds, "all_kinds": brief.KINDS,
                             "map_svg": None, "map_error": None}
    try:
        question, first, last = _question(q["mission"], q["since"], q["until"], q["research"])
    except InvalidInput as exc:
        return render(request, ctx, "analysis.html", status=422, q=q, error=localize(exc, ctx.t), body=None, **extra)
    map_error = None
    try:  # a bad map filter is the map form's error: the brief is still shown, the map of its period
        mapped, map_first, map_last = _question(q["mission"], q["map_since"] or first, q["map_until"] or last,
                                                q["research"], fields=("map_since", "map_until"))
        mapped.check(ctx.scoped.ledger)
    except InvalidInput as exc:
        map_error = localize(exc, ctx.t)
        mapped, map_first, map_last = question, first, last
    try:
        document = _document(ctx, question, first, last, mapped=mapped, kinds=kinds)
    except InvalidInput as exc:
        return render(request, ctx, "analysis.html", status=422, q=q, error=localize(exc, ctx.t), body=None, **extra)
    if map_error is None:
        q.update(map_since=map_first, map_until=map_last)
    q.update(since=first, until=last)
    extra["map_error"] = map_error
    for section in list(document.sections):  # the map is drawn on the page with its own form
        if section.map is not None:
            extra["map_svg"] = brief.svg(section.map)
            document.sections.remove(section)
    page = brief.html(document, ctx.t.lang)
    body = page[page.find("<body>") + len("<body>"):page.rfind("</body>")] if "<body>" in page else page
    # inside the page, the brief's headings sit one level under the page's own h1
    body = body.replace("<h2>", "<h3>").replace("</h2>", "</h3>").replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    shown = render(request, ctx, "analysis.html", q=q, error=None, body=body, **extra)
    shown.headers["content-security-policy"] = PAGE_CSP
    return shown


@router.get("/analysis/brief.pdf", response_class=Response)
def brief_pdf(ctx: CurrentUser, mission: str = "", since: str = "", until: str = "", research: str = "") -> Response:
    from wam.reports import brief

    question, first, last = _question(mission[:40], since[:10], until[:10], research[:5])
    document = _document(ctx, question, first, last)
    name = f"brief-{question.mission or 'all'}-{first or 'start'}-{last or 'now'}.pdf"
    return Response(brief.pdf(document, ctx.t), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


@router.get("/analysis/brief.html", response_class=HTMLResponse)
def brief_html(ctx: CurrentUser, mission: str = "", since: str = "", until: str = "", research: str = "") -> Response:
    from wam.reports import brief

    question, first, last = _question(mission[:40], since[:10], until[:10], research[:5])
    return HTMLResponse(brief.html(_document(ctx, question, first, last), ctx.t.lang),
                        headers={"content-security-policy": STANDALONE_CSP})
