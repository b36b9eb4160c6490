"""The ledger pages: tree, holder, item, record a movement, verification (home: ``home.py``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wam.domain.access import Action
from wam.domain.documents import refuse_generic
from wam.domain.errors import InvalidInput, NotFound, WamError
from wam.domain.movements import EXPENDITURE_REASONS, TEXT_LIMITS, MovementKind, given_quantity, make_movement
from wam.domain.timefmt import iso, parse_moment
from wam.services import lists
from wam.services.lists import ListPage, ListQuery

from ..api.holders import moment
from ..context import CurrentUser
from ..errors import status_of
from ..messages import localize
from .common import render

router = APIRouter()
MAX_SERIALS = 200
SHOWN = 50  # lines of each list on a holder page; the list pages (/lists/...) page through the rest
MOVEMENTS_SHOWN = 25
TREE_CHILDREN = 50


@router.get("/holders", response_class=HTMLResponse)
def tree(ctx: CurrentUser, request: Request) -> Response:
    roots = ctx.scoped.roots()
    rows = []
    for root in roots:
        summary = ctx.scoped.summary(root.code) if not root.external else {}
        children = lists.holders(ctx.scoped, root.code, ListQuery(per=TREE_CHILDREN)) if not root.external else None
        shown = [(c, ctx.scoped.summary(c["code"])) for c in children.rows] if children else []
        rows.append((root, summary, shown, children.total if children else 0))
    return render(request, ctx, "tree.html", rows=rows)


@router.get("/holders/{code:path}", response_class=HTMLResponse)
def holder_page(code: str, ctx: CurrentUser, request: Request, at: str | None = None) -> Response:
    holder = ctx.scoped.holder(code)
    when = moment(at)
    if when is None:
        holdings = lists.holdings(ctx.scoped, code, ListQuery(per=SHOWN))
    else:  # a past balance is summed whole by the ledger; the page shows its first lines and the total
        past = ctx.scoped.balances(code, at=when, limit=lists.MAX_PER_PAGE * 100).items
        holdings = ListPage([{"item": b.item, "ident": b.label, "quantity": b.quantity, "holder": b.holder}
                             for b in past[:SHOWN]], len(past), 1, SHOWN)
    children = lists.holders(ctx.scoped, code, ListQuery(per=SHOWN)) if not holder.external else None
    movements, confirmations = None, {}
    if ctx.scoped.can(Action.READ_MOVEMENTS) and Action.READ_MOVEMENTS in _actions(ctx, code):
        movements = lists.movements(ctx.scoped, ListQuery(per=MOVEMENTS_SHOWN), holder=code)
        confirmations = ctx.confirmations.of([r["entry"] for r in movements.rows])
    return render(request, ctx, "holder.html", holder=holder, at=at or "", holdings=holdings, children=children,
                  movements=movements, confirmations=confirmations, iso=iso, summary=ctx.scoped.summary(code, at=when))


def _actions(ctx: CurrentUser, code: str) -> set[Action]:
    from wam.domain.access import ROLE_ACTIONS

    return {a for role in ctx.scoped.roles(code) for a in ROLE_ACTIONS[role]}


@router.get("/items", response_class=HTMLResponse)
def item_search(ctx: CurrentUser, request: Request, serial: str = "") -> Response:
    items = ctx.scoped.find_items(serial[:64]) if serial.strip() else []
    if len(items) == 1:
        return RedirectResponse(f"/items/{items[0].key}", status_code=303)
    return render(request, ctx, "items.html", serial=serial, items=items)


@router.get("/items/{key:path}", response_class=HTMLResponse)
def item_page(key: str, ctx: CurrentUser, request: Request) -> Response:
    from wam.services.recoveries import ScopedRecoveries

    item, holder = ctx.scoped.item(key)
    history = ctx.scoped.history(key, limit=1000).items
    # where a lost weapon resurfaced, or which lost weapon this recovered one is: confirmed matches
    resurfaced = [m for m in ScopedRecoveries(ctx.scoped).linked() if item.key in (m["weapon"], m["item"])]
    return render(request, ctx, "item.html", item=item, holder=holder, history=history, iso=iso,
                  confirmations=ctx.confirmations.of(history), resurfaced=resurfaced)


# recording ---------------------------------------------------------------------------------
def recordable_kinds(ctx: CurrentUser) -> list[str]:
    """The movement kinds some grant of the user allows recording (the form offers only these):
    never loss, recovery, adjustment or disposal, which their registers post (wam.services.documents)."""
    from wam.domain.access import RECORD_KINDS
    from wam.domain.movements import DOCUMENT_KINDS

    allowed = {k for g in ctx.scoped.grants for k in RECORD_KINDS.get(g.role, frozenset())}
    return [k.value for k in MovementKind if k in allowed and k not in DOCUMENT_KINDS]


def _form_context(ctx: CurrentUser, form: dict[str, str] | None = None, **extra: object) -> dict[str, Any]:
    return {"kinds": recordable_kinds(ctx), "reasons": EXPENDITURE_REASONS, "form": form or {}, "limits": TEXT_LIMITS,
            **extra}


@router.get("/record", response_class=HTMLResponse)
def record_form(ctx: CurrentUser, request: Request, source: str = "", kind: str = "issue") -> Response:
    if not ctx.scoped.can(Action.RECORD):
        from wam.domain.errors import PermissionDenied

        raise PermissionDenied("your role does not allow recording movements")
    return render(request, ctx, "record.html", **_form_context(ctx, {"source": source, "kind": kind}))


def _resolve_serials(ctx: CurrentUser, text: str) -> list[tuple[str, str | None, str]]:
    """Each line of ``text`` -> (line, item key or None, status key for the message)."""
    out: list[tuple[str, str | None, str]] = []
    for line in [ln.strip() for ln in text.splitlines() if ln.strip()][:MAX_SERIALS]:
        if "|" in line:
            try:
                item, _ = ctx.scoped.item(line)
                out.append((line, item.key, "record.serial_ok"))
            except (NotFound, WamError):
                out.append((line, None, "record.serial_unknown"))
            continue
        items = ctx.scoped.find_items(line)
        if len(items) == 1:
            out.append((line, items[0].key, "record.serial_ok"))
        elif items:
            out.append((line, None, "record.serial_ambiguous"))
        else:
            out.append((line, None, "record.serial_unknown"))
    return out


@router.get("/record/check", response_class=HTMLResponse)
def check_serials(ctx: CurrentUser, request: Request, serials: str = "") -> Response:
    """The htmx call made as serials are typed or scanned: one line of verdict per serial."""
    return render(request, ctx, "_serials.html", checked=_resolve_serials(ctx, serials[:20_000]))


@router.post("/record", response_class=HTMLResponse)
async def record(ctx: CurrentUser, request: Request) -> Response:
    raw = await request.form()
    form = {k: str(v)[:20_000] for k, v in raw.items() if isinstance(v, str) and k != "csrf"}
    picked = form.pop("pick", "").strip()  # the item picker's value, when no script moved it to the serials
    if picked:
        form["serials"] = f"{form.get('serials', '').rstrip()}\n{picked}".strip()
    try:
        movements = _movements_from_form(ctx, form)
        count = ctx.scoped.record_many(movements)
    except WamError as exc:
        field = exc.field if isinstance(exc, InvalidInput) else None
        return render(request, ctx, "record.html", status=status_of(exc),
                      **_form_context(ctx, form, error=localize(exc, ctx.t), error_code=exc.code, field=field,
                                      checked=_resolve_serials(ctx, form.get("serials", ""))))
    place = movements[0].source if not movements[0].source.count(":") else movements[0].target
    return RedirectResponse(f"/holders/{place}?recorded={count}", status_code=303)


def _movements_from_form(ctx: CurrentUser, form: dict[str, str]) -> list:  # noqa: ANN001
    refuse_generic(form.get("kind", ""))  # a register's kind, in any case, named before its fields
    when = datetime.now(UTC)
    if form.get("occurred_at"):
        try:  # the ledger's rule, as every path reads a moment: a date alone is the end of that day
            when = parse_moment(form["occurred_at"], "occurred_at")
        except ValueError:
            raise InvalidInput("is not a date and time", field="occurred_at") from None
    keys: list[tuple[str, str]] = []
    for line, key, status in _resolve_serials(ctx, form.get("serials", "")):
        if key is None:
            raise InvalidInput(f"{line}: {ctx.t(status)}", field="serials")
        keys.append((key, "1"))
    if form.get("item", "").strip():
        item = form["item"].strip()
        keys.append((item, given_quantity(form.get("quantity", "").strip(), item)))
    if not keys:
        raise InvalidInput(ctx.t("record.nothing"), field="serials")
    common = {k: form.get(k) or None for k in ("witness", "document", "note", "reason", "reverses")}
    return [make_movement(kind=form.get("kind", ""), item=key, quantity=qty, source=form.get("source", ""),
                          target=form.get("target", ""), occurred_at=when, actor=ctx.user.name, **common)
            for key, qty in keys]


@router.get("/verification", response_class=HTMLResponse)
def verification_page(ctx: CurrentUser, request: Request) -> Response:
    """The last verification if the ledger has not changed since it ran, else a new one."""
    at, report = ctx.scoped.verified()
    return render(request, ctx, "verification.html", report=report, at=iso(at))


@router.post("/verification", response_class=HTMLResponse)
def verify_again(ctx: CurrentUser, request: Request) -> Response:
    """Verify the ledger now, whether or not it has changed (roles that verify)."""
    ctx.scoped.verify()
    return RedirectResponse("/verification", status_code=303)

