"""The research record form: an incident recorded from open sources (UN and AU reports, media,
interviews) without inventory detail, on a phone or a desktop.

Quantities are a category with a minimum and a maximum (an exact count leaves the maximum as the
minimum, an open one leaves it empty with "no maximum known"); each source has its kind, date,
reliability, whether it is a perpetrator's claim and whether it is confidential (kept, and shown only
to an administrator for everything: :func:`wam.domain.research.sees_confidential`). The form has a
fixed number of rows for each (:data:`QUANTITY_ROWS`, :data:`SOURCE_ROWS`): a record with more is
recorded through the API or imported (docs/incidents.md). The rules are the domain's, as for every
other path (:func:`wam.domain.research.clean_fields`); an error names the field and the row.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wam.domain import incidents as vocabulary
from wam.domain import research as rules
from wam.domain.errors import InvalidInput, PermissionDenied, WamError
from wam.services.research import ScopedResearch

from ..context import CurrentUser
from ..errors import STATUS
from ..messages import localize
from .common import render
from .incidents import _labels

router = APIRouter()
QUANTITY_ROWS = 4
SOURCE_ROWS = 3


def _quantities(form: dict[str, str]) -> list[list[Any]]:
    """The filled quantity rows as ``[category, min, max]`` (max None when "no maximum known")."""
    out: list[list[Any]] = []
    for n in range(1, QUANTITY_ROWS + 1):
        category, low, high = (form.get(f"q{n}_{part}", "").strip() for part in ("category", "min", "max"))
        if not category and not low and not high:
            continue
        if not category:
            raise InvalidInput("choose the category", field="quantities", row=n)
        if not low:
            raise InvalidInput("give the minimum (0 when only a maximum is known)", field="quantities", row=n)
        out.append([category, low, None if form.get(f"q{n}_open") == "1" else (high or low)])
    return out


def _sources(form: dict[str, str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n in range(1, SOURCE_ROWS + 1):
        citation = form.get(f"s{n}_citation", "").strip()
        if not citation:
            continue
        out.append({"citation": citation, "kind": form.get(f"s{n}_kind") or "other",
                    "date": form.get(f"s{n}_date", "").strip() or None,
                    "reliability": form.get(f"s{n}_reliability") or "unknown",
                    "claim": form.get(f"s{n}_claim") == "1", "confidential": form.get(f"s{n}_confidential") == "1"})
    return out


def _fields(form: dict[str, str]) -> dict[str, Any]:
    contingent = form.get("contingent", "").strip()
    plain = {name: form.get(name, "").strip() or None
             for name in ("id", "started_at", "ended_at", "time_precision", "mission", "organisation", "country",
                          "admin1", "place", "latitude", "longitude", "place_precision", "circumstance", "mechanism",
                          "ownership", "perpetrator", "verification_status", "recovery_status", "confidentiality",
                          "narrative")}
    return {**plain, "contingents": [contingent] if contingent else [],
            "perpetrator_claim": form.get("perpetrator_claim") == "1",
            "casualties": {name: form.get(name) or 0 for name in vocabulary.CASUALTIES},
            "quantities": _quantities(form), "sources": _sources(form)}


def _context(ctx: CurrentUser, form: dict[str, str], **extra: Any) -> dict[str, Any]:
    t = ctx.t
    labels = {**_labels(ctx),
              "category": {c: t(f"res.category.{c}") for c in rules.CATEGORIES},
              "kind": {k: t(f"res.kind.{k}") for k in rules.SOURCE_KINDS},
              "reliability": {r: t(f"res.reliability.{r}") for r in rules.RELIABILITY},
              "recovery": {r: t(f"res.recovery.{r}") for r in rules.RECOVERY}}
    return {"form": form, "labels": labels, "organisations": rules.ORGANISATIONS,
            "quantity_rows": range(1, QUANTITY_ROWS + 1), "source_rows": range(1, SOURCE_ROWS + 1), **extra}


def _recorder(ctx: CurrentUser) -> None:
    if not rules.may_record(ctx.scoped.grants):
        raise PermissionDenied("recording research records is for researchers, mission officers and administrators")


@router.get("/research/new", response_class=HTMLResponse)
def research_form(ctx: CurrentUser, request: Request) -> Response:
    """Record an incident from open sources."""
    _recorder(ctx)
    return render(request, ctx, "research_form.html", **_context(ctx, {"verification_status": "unverified",
                                                                       "confidentiality": "public"}))


@router.post("/research/new", response_class=HTMLResponse)
async def record(ctx: CurrentUser, request: Request) -> Response:
    _recorder(ctx)
    raw = await request.form()
    form = {k: str(v)[:20_000] for k, v in raw.items() if isinstance(v, str) and k != "csrf"}
    try:
        fields = _fields(form)
        rid = ScopedResearch(ctx.scoped).record(**fields)
    except WamError as exc:
        field = exc.field if isinstance(exc, InvalidInput) else None
        return render(request, ctx, "research_form.html", status=STATUS.get(exc.code, 400),
                      **_context(ctx, form, error=localize(exc, ctx.t), error_code=exc.code, field=field))
    if fields["confidentiality"] == "confidential" and not rules.sees_confidential(ctx.scoped.grants):
        return render(request, ctx, "research_form.html",  # kept, but not shown to whoever recorded it
                      **_context(ctx, {"verification_status": "unverified", "confidentiality": "public"},
                                 recorded=rid))
    return RedirectResponse(f"/incidents/{rid}?recorded=1", status_code=303)
