"""The incident pages: the register's list with its filters, an incident's page (its timeline, movements,
sources and the workflow steps the user may take), a research record's page, and the report form (made
for a phone: one column, the serials typed or scanned one a line).

Loss incidents are scoped as in the API (:class:`wam.services.incidents.ScopedIncidents`: whoever reads
movements at a holder its lines leave); research records are read by every user with a grant, a
confidential source only by an administrator for everything (:class:`wam.services.research.ScopedResearch`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wam.domain import incidents as vocabulary
from wam.domain import research as research_rules
from wam.domain.access import Action
from wam.domain.documents import INCIDENT
from wam.domain.errors import InvalidInput, NotFound, WamError
from wam.domain.timefmt import read_bound
from wam.services import incidents, research
from wam.services.incidents import Filters, ScopedIncidents
from wam.services.research import ScopedResearch

from ..context import CurrentUser
from ..errors import STATUS
from ..messages import localize
from .common import form_moment, render, uploaded_files

router = APIRouter()
SHOWN = 500  # rows of the list page (the API and the export give them all)
NEXT_STEPS = {"posted": ("investigate",), "under_investigation": ("convene", "findings"),
              "board_of_inquiry": ("findings",), "findings": ("close",)}
STEPS_SHOWN = ("reported", "under_investigation", "board_of_inquiry", "findings", "closed")


def _labels(ctx: CurrentUser) -> dict[str, dict[str, str]]:
    """The vocabulary's codes with their labels in the reader's language."""
    t = ctx.t
    return {
        "circumstance": {c.value: t(f"inc.circumstance.{c.value}") for c in vocabulary.Circumstance},
        "mechanism": {m.value: t(f"inc.mechanism.{m.value}") for m in vocabulary.Mechanism},
        "ownership": {o.value: t(f"inc.ownership.{o.value}") for o in vocabulary.Ownership},
        "step": {s: t(f"inc.step.{s}") for s in (*STEPS_SHOWN, "cancelled")},
        "verification": {v: t(f"inc.verification.{v}") for v in research_rules.VERIFICATION},
        "outcome": {o.value: t(f"inc.outcome.{o.value}") for o in vocabulary.Outcome},
        "confidentiality": {c: t(f"inc.confidentiality.{c}") for c in vocabulary.CONFIDENTIALITY},
        "casualty": {c: t(f"inc.casualty.{c}") for c in vocabulary.CASUALTIES},
        "time_precision": {c: t(f"inc.time_precision.{c}") for c in vocabulary.TIME_PRECISIONS},
        "place_precision": {c: t(f"inc.place_precision.{c}") for c in vocabulary.PLACE_PRECISIONS},
        "state": {s: t(f"inc.step.{s}") for s in (*STEPS_SHOWN, "cancelled", "posted")},
        "action": {s: t(f"inc.action.{s}") for s in incidents.STEPS},
        "timeline": {s: t(f"inc.timeline_step.{s}") for s in ("report", "post", "cancel", *incidents.STEPS)},
        "category": {c: t(f"res.category.{c}") for c in research_rules.CATEGORIES},
    }


def _flag(text: str) -> bool | None:
    return {"1": True, "0": False}.get(text)


@router.get("/incidents", response_class=HTMLResponse)
def incident_list(ctx: CurrentUser, request: Request, mission: str = "", country: str = "", circumstance: str = "",
                  mechanism: str = "", since: str = "", until: str = "", notable: str = "", step: str = "",
                  record: str = "") -> Response:
    """The register: the loss incidents in the user's sight and the research records, filtered."""
    q = {"mission": mission[:40], "country": country[:3], "circumstance": circumstance[:40],
         "mechanism": mechanism[:40], "since": since[:10], "until": until[:10], "notable": notable[:1],
         "step": step[:40], "record": record[:10]}
    error = None
    rows: list[dict[str, Any]] = []
    try:
        filters = Filters(mission=q["mission"] or None, country=q["country"] or None,
                          circumstance=q["circumstance"] or None, mechanism=q["mechanism"] or None,
                          step=q["step"] or None, since=read_bound(q["since"], "since", end=False),
                          until=read_bound(q["until"], "until", end=True),
                          notable=_flag(q["notable"]))
        if record != "research" and ctx.scoped.can(Action.READ_MOVEMENTS):
            rows += ScopedIncidents(ctx.scoped).listing(filters)
        if record != "loss" and ctx.scoped.grants:
            rows += ScopedResearch(ctx.scoped).listing(filters)
    except InvalidInput as exc:
        error = localize(exc, ctx.t)
    rows.sort(key=lambda r: r["started_at"] or "", reverse=True)
    return render(request, ctx, "incidents.html", rows=rows[:SHOWN], total=len(rows), q=q, error=error,
                  labels=_labels(ctx), may_report=ctx.scoped.can(Action.RECORD),
                  may_research=research_rules.may_record(ctx.scoped.grants))


# reporting -----------------------------------------------------------------------------------------

def _form_context(ctx: CurrentUser, form: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"form": form, "labels": _labels(ctx), **extra}


@router.get("/incidents/report", response_class=HTMLResponse)
def report_form(ctx: CurrentUser, request: Request, site: str = "") -> Response:
    """Report a loss: where and when, what happened, what was lost (serials, or a lot and its quantity)."""
    if not ctx.scoped.can(Action.RECORD):
        from wam.domain.errors import PermissionDenied

        raise PermissionDenied("your role does not allow reporting an incident")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M")
    return render(request, ctx, "incident_report.html",
                  **_form_context(ctx, {"site": site[:64], "started_at": now, "confidentiality": "restricted"}))


def _lines(ctx: CurrentUser, form: dict[str, str]) -> list[dict[str, Any]]:
    """The form's serials (each from the holder that holds it) and its lot line."""
    lines: list[dict[str, Any]] = []
    for row, raw in enumerate(form.get("serials", "").splitlines(), start=1):
        serial = raw.strip()
        if not serial:
            continue
        found = ctx.scoped.find_items(serial[:64])
        exact = [i for i in found if i.key.split("|")[-1] == serial or i.key == serial]
        if len(exact) != 1:
            raise InvalidInput(f"{serial}: {ctx.t('record.serial_ambiguous' if exact else 'record.serial_unknown')}",
                               field="serials", row=row)
        item, holder = ctx.scoped.item(exact[0].key)
        if holder is None:
            raise InvalidInput(f"{serial}: {ctx.t('inc.not_held')}", field="serials", row=row)
        lines.append({"item": item.key, "quantity": 1, "from": holder})
    if form.get("item", "").strip():
        source = form.get("item_from", "").strip()
        if not source:
            raise InvalidInput(ctx.t("inc.lot_from_needed"), field="item_from")
        lines.append({"item": form["item"].strip(), "quantity": form.get("quantity") or "1", "from": source})
    if not lines:
        raise InvalidInput(ctx.t("record.nothing"), field="serials")
    return lines


def _fields(form: dict[str, str]) -> dict[str, Any]:
    contingent = form.get("contingent", "").strip()
    optional = {name: form.get(name, "").strip() or None
                for name in ("time_precision", "latitude", "longitude", "place_precision", "coe_provider", "value_usd")}
    return {
        **optional, "started_at": form_moment(form, "started_at"), "ended_at": form_moment(form, "ended_at"),
        "site": form.get("site", "").strip() or None,
        "place": form.get("place", "").strip() or None,
        "mission": form.get("mission", ""), "contingents": [contingent] if contingent else [],
        "circumstance": form.get("circumstance", ""), "mechanism": form.get("mechanism", ""),
        "ownership": form.get("ownership", ""), "perpetrator": form.get("perpetrator", "").strip() or None,
        "perpetrator_claim": form.get("perpetrator_claim") == "1",
        "casualties": {name: form.get(name) or 0 for name in vocabulary.CASUALTIES},
        "narrative": form.get("narrative", "").strip() or None,
        "sources": [s.strip() for s in form.get("sources", "").splitlines() if s.strip()],
        "confidentiality": form.get("confidentiality") or None,
    }


@router.post("/incidents/report", response_class=HTMLResponse)
async def report(ctx: CurrentUser, request: Request) -> Response:
    raw = await request.form(max_files=vocabulary.MAX_EVIDENCE + 1)
    form = {k: str(v)[:20_000] for k, v in raw.items() if isinstance(v, str) and k != "csrf"}
    try:
        files = await uploaded_files(raw, "evidence")
        document = ScopedIncidents(ctx.scoped).report(lines=_lines(ctx, form), evidence=files, **_fields(form))
    except WamError as exc:
        field = exc.field if isinstance(exc, InvalidInput) else None
        return render(request, ctx, "incident_report.html", status=STATUS.get(exc.code, 400),
                      **_form_context(ctx, form, error=localize(exc, ctx.t), error_code=exc.code, field=field))
    return RedirectResponse(f"/incidents/{document.number}?reported=1", status_code=303)


# one incident -------------------------------------------------------------------------------------

# the steps that need the approver's role, as the document type says (convene, close)
APPROVER_STEPS = frozenset(name for name, step in INCIDENT.steps.items() if step.approves or step.posts)


def _next_steps(ctx: CurrentUser, shown: dict[str, Any]) -> tuple[str, ...]:
    """The workflow steps offered: those of the incident's state that the user's roles allow."""
    if not ctx.scoped.can(Action.RECORD):
        return ()
    return tuple(s for s in NEXT_STEPS.get(shown["state"], ())
                 if s not in APPROVER_STEPS or ctx.scoped.can(Action.APPROVE))

@router.get("/incidents/{number}", response_class=HTMLResponse)
def incident_page(number: str, ctx: CurrentUser, request: Request, error: str = "") -> Response:
    """A loss incident (timeline, movements, sources, evidence, the steps the user may take) or a research
    record (quantities, sources as the user may see them, linked conflict events)."""
    number = number[:60]
    if research.exists(ctx.scoped.ledger, number):
        shown = ScopedResearch(ctx.scoped).show(number)
        return render(request, ctx, "research_record.html", r=shown, labels=_labels(ctx),
                      fmt=research_rules.format_quantity, recorded=request.query_params.get("recorded") == "1")
    if not ctx.scoped.can(Action.READ_MOVEMENTS):
        raise NotFound(INCIDENT.title, number)
    shown = ScopedIncidents(ctx.scoped).show(number)
    from wam.services.recoveries import ScopedRecoveries

    shown["resurfaced"] = ScopedRecoveries(ctx.scoped).linked(incident=number)
    return render(request, ctx, "incident.html", i=shown, labels=_labels(ctx), steps=_next_steps(ctx, shown),
                  error=error[:500],
                  reported=request.query_params.get("reported") == "1")


@router.post("/incidents/{number}/advance", response_class=HTMLResponse)
async def advance(number: str, ctx: CurrentUser, request: Request) -> Response:
    raw = await request.form()
    form = {k: str(v)[:2000] for k, v in raw.items() if isinstance(v, str) and k != "csrf"}
    number = number[:60]
    try:
        ScopedIncidents(ctx.scoped).advance(number, form.get("step", ""), **{
            k: form.get(k) or None for k in ("investigator", "board_reference", "findings", "outcome")})
    except WamError as exc:
        if isinstance(exc, NotFound):
            raise
        shown = ScopedIncidents(ctx.scoped).show(number)
        return render(request, ctx, "incident.html", status=STATUS.get(exc.code, 400), i=shown, labels=_labels(ctx),
                      steps=_next_steps(ctx, shown), error=localize(exc, ctx.t), reported=False)
    return RedirectResponse(f"/incidents/{number}", status_code=303)
