"""The recovered-materiel pages: the register's list with its oversight flags, the registration form
(made for a phone at a checkpoint: one column, item rows typed as read, photos from the camera), and a
record's page with its items, candidate matches to confirm or reject, custody chain, photos, mark,
trace and disposal, each action offered to the roles that may take it.

Everything goes through :class:`wam.services.recoveries.ScopedRecoveries`, as the API does: the same
scope (whoever reads movements at the registering store), the same rules, the same errors.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wam.domain import recoveries as rules
from wam.domain.access import Action
from wam.domain.documents import RECOVERY
from wam.domain.errors import InvalidInput, NotFound, PermissionDenied, WamError
from wam.domain.materiel import CONDITIONS
from wam.services.recoveries import ScopedRecoveries

from ..context import CurrentUser
from ..errors import STATUS
from ..messages import localize
from .common import form_moment, render, uploaded_files

router = APIRouter()
ITEM_ROWS = 5  # rows of the form; a cache with more is registered through the API or in several records
SHOWN = 500


def _labels(ctx: CurrentUser) -> dict[str, dict[str, str]]:
    t = ctx.t
    return {"how": {h.value: t(f"rec.how.{h.value}") for h in rules.How},
            "type": {k: t(f"rec.type.{k}") for k in rules.ITEM_TYPES},
            "condition": {c: t(f"rec.condition.{c}") for c in CONDITIONS},
            "trace": {s: t(f"rec.trace.{s}") for s in rules.TRACE_STATUSES},
            "basis": {b: t(f"rec.basis.{b}") for b in rules.TRACE_BASES},
            "trace_action": {s: t(f"rec.trace_action.{s}") for s in ("draft", "send", "acknowledge", "answer",
                                                                     "no_answer")},
            "step": {s: t(f"rec.step.{s}") for s in RECOVERY.steps}}


@router.get("/recoveries", response_class=HTMLResponse)
def recovery_list(ctx: CurrentUser, request: Request, how: str = "", overdue: str = "") -> Response:
    """The register as the user sees it, with the oversight flags (disposal overdue, trace unanswered)."""
    register = ScopedRecoveries(ctx.scoped)
    q = {"how": how[:20], "overdue": overdue[:1]}
    error = None
    rows: list[dict[str, Any]] = []
    try:
        if q["how"] and q["how"] not in {h.value for h in rules.How}:
            raise InvalidInput(f"{q['how']!r} is not one of {', '.join(h.value for h in rules.How)}", field="how")
        rows = register.listing(how=q["how"] or None, disposal_overdue=True if q["overdue"] == "1" else None)
    except InvalidInput as exc:
        error = localize(exc, ctx.t)
    rows = sorted(rows, key=lambda r: r["recovered_at"] or "", reverse=True)
    return render(request, ctx, "recoveries.html", rows=rows[:SHOWN], total=len(rows), q=q, error=error,
                  labels=_labels(ctx), may_register=ctx.scoped.can(Action.RECORD))


# registering ---------------------------------------------------------------------------------------

def _form_context(ctx: CurrentUser, form: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"form": form, "labels": _labels(ctx), "rows": range(1, ITEM_ROWS + 1), **extra}


@router.get("/recoveries/register", response_class=HTMLResponse)
def register_form(ctx: CurrentUser, request: Request, to: str = "") -> Response:
    """Register a recovery: how, when, where, from whom, by which unit; what (typed as read); photos."""
    if not ctx.scoped.can(Action.RECORD):
        raise PermissionDenied("your role does not allow registering a recovery")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M")
    return render(request, ctx, "recovery_register.html", **_form_context(ctx, {"to": to[:64], "recovered_at": now}))


def _items(form: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for n in range(1, ITEM_ROWS + 1):
        values = {k: form.get(f"i{n}_{k}", "").strip() for k in ("type", "make", "model", "calibre", "serial", "lot",
                                                                  "quantity", "condition", "country", "year",
                                                                  "other")}
        if not any(values[k] for k in ("make", "model", "serial", "lot", "calibre", "other")):
            continue
        item: dict[str, Any] = {"type": values["type"] or "weapon", "condition": values["condition"] or "unknown",
                                "safe_to_move": form.get(f"i{n}_unsafe") != "1"}
        for name in ("make", "model", "calibre", "serial", "lot"):
            if values[name]:
                item[name] = values[name]
        if values["quantity"]:
            item["quantity"] = values["quantity"]
        markings = {k: values[k] for k in ("country", "year", "other") if values[k]}
        if markings:
            item["markings"] = markings
        items.append(item)
    if not items:
        raise InvalidInput("describe at least one item (its make, model, serial as read...)", field="items")
    return items


@router.post("/recoveries/register", response_class=HTMLResponse)
async def register(ctx: CurrentUser, request: Request) -> Response:
    raw = await request.form()
    form = {k: str(v)[:20_000] for k, v in raw.items() if isinstance(v, str) and k != "csrf"}
    try:
        fields = {name: form.get(name, "").strip() or None
                  for name in ("place", "latitude", "longitude", "unit", "from_whom", "mission", "narrative",
                               "witness")}
        document = ScopedRecoveries(ctx.scoped).register(
            to=form.get("to", "").strip(), how=form.get("how", ""), items=_items(form),
            recovered_at=form_moment(form, "recovered_at"), evidence=await uploaded_files(raw, "photos", "photos"),
            **{k: v for k, v in fields.items() if v is not None})
    except WamError as exc:
        field = exc.field if isinstance(exc, InvalidInput) else None
        return render(request, ctx, "recovery_register.html", status=STATUS.get(exc.code, 400),
                      **_form_context(ctx, form, error=localize(exc, ctx.t), error_code=exc.code, field=field))
    return RedirectResponse(f"/recoveries/{document.number}?registered=1", status_code=303)


# one record ----------------------------------------------------------------------------------------

def _page(ctx: CurrentUser, request: Request, number: str, *, status: int = 200, error: str | None = None,
          registered: bool = False) -> Response:
    shown = ScopedRecoveries(ctx.scoped).show(number)
    may_record = ctx.scoped.can(Action.RECORD)
    return render(request, ctx, "recovery.html", status=status, r=shown, labels=_labels(ctx), error=error,
                  registered=registered, may_record=may_record, may_approve=ctx.scoped.can(Action.APPROVE))


@router.get("/recoveries/{number}", response_class=HTMLResponse)
def recovery_page(number: str, ctx: CurrentUser, request: Request) -> Response:
    return _page(ctx, request, number[:60], registered=request.query_params.get("registered") == "1")


@router.get("/recoveries/{number}/trace.pdf", response_class=Response)
def trace_pdf(number: str, ctx: CurrentUser) -> Response:
    """The record's tracing request as a PDF to sign and send (its JSON: /api/recoveries/{number}/trace)."""
    from ..paper import trace_request

    request = ScopedRecoveries(ctx.scoped).trace_export(number[:60])
    pdf = trace_request(ctx.t, user=ctx.user.display_name or ctx.user.name, request=request)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="trace-{request["request"]}.pdf"'})


ACTIONS = ("mark", "trace", "confirm", "reject", "dispose", "retain", "approve", "execute", "cancel")


@router.post("/recoveries/{number}/act", response_class=HTMLResponse)
async def act(number: str, ctx: CurrentUser, request: Request) -> Response:
    """One action of the record's page: mark, trace (a step of the request), confirm or reject a candidate,
    dispose of the items (or retain them), and the certificate's approve, execute, cancel."""
    raw = await request.form()
    form = {k: str(v)[:20_000].strip() for k, v in raw.items() if isinstance(v, str) and k != "csrf"}
    number = number[:60]
    register = ScopedRecoveries(ctx.scoped)
    action = form.get("action", "")

    def given(*names: str) -> dict[str, Any]:
        return {n: form[n] for n in names if form.get(n)}

    try:
        if action not in ACTIONS:
            raise InvalidInput(f"{action!r} is not an action ({', '.join(ACTIONS)})", field="action")
        line = int(form["line"]) if form.get("line", "").isdecimal() else None
        if action == "mark":
            register.step(number, "mark", row=line, mark=form.get("mark"))
        elif action == "trace":
            register.step(number, "trace", action=form.get("trace_step"),
                          **given("to", "basis", "reference", "answer", "detail"))
        elif action in ("confirm", "reject"):
            if line is None:
                raise InvalidInput("which line", field="line")
            (register.confirm if action == "confirm" else register.reject)(number, line, form.get("weapon", ""))
        elif action == "retain":
            register.step(number, "retain", reason=form.get("reason"))
        elif action == "dispose":
            register.dispose(number, method=form.get("method", ""),
                             **given("destruction", "witness", "host_state", "receipt", "authority", "note"))
        else:
            register.disposal_step(number, action)
    except WamError as exc:
        if isinstance(exc, NotFound):
            raise
        return _page(ctx, request, number, status=STATUS.get(exc.code, 400), error=localize(exc, ctx.t))
    return RedirectResponse(f"/recoveries/{number}", status_code=303)
