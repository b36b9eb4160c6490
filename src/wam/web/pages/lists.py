"""List pages: holdings, items, holders, movements, users and receipts to confirm, each paged with its
total, sortable, filterable and searchable, and exported to CSV or XLSX exactly as filtered.

The queries are :mod:`wam.services.lists` (scoped there, answered by the database); this module
reads the request's parameters into a :class:`ListQuery`, and renders ``list.html`` or streams
the export (``?format=csv`` or ``xlsx``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from wam.domain.access import Action, Role
from wam.domain.errors import InvalidInput, PermissionDenied
from wam.domain.holders import HolderKind
from wam.domain.materiel import ItemType
from wam.domain.movements import MovementKind
from wam.domain.timefmt import iso, read_bound
from wam.services import export, lists
from wam.services.lists import ListPage, ListQuery

from ..context import CurrentUser, services
from .common import render

router = APIRouter()
PARAMS = ("q", "kind", "since", "until", "under", "category", "calibre", "sort", "desc", "per", "holder", "parent",
          "tree")


def _int(value: str | None, field: str, default: int) -> int:
    if value in (None, ""):
        return default
    if not value.isdecimal() or len(value) > 9:
        raise InvalidInput("is not a whole number", field=field)
    return int(value)


def list_query(request: Request) -> ListQuery:
    """The list's filters, sort and page from the query string (bad values name their field)."""
    p = request.query_params
    return ListQuery(page=_int(p.get("page"), "page", 1), per=_int(p.get("per"), "per", lists.PER_PAGE),
                     sort=p.get("sort") or None, desc=(p.get("desc") or "").lower() in ("1", "true", "yes", "on"),
                     q=p.get("q", ""), kind=p.get("kind", ""),
                     since=read_bound(p.get("since") or "", "since", end=False),
                     until=read_bound(p.get("until") or "", "until", end=True),
                     under=p.get("under", ""), category=p.get("category", ""), calibre=p.get("calibre", ""))


def link(request: Request, **changes: object) -> str:
    """This list's address with some parameters changed (the others, filters included, kept)."""
    params = {k: v for k, v in request.query_params.items() if k in PARAMS or k == "page"}
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    return f"{request.url.path}?{urlencode(params)}" if params else request.url.path


def _respond(request: Request, ctx: CurrentUser, *, title: str, page: Callable[[ListQuery], ListPage],
             rows: Callable[[ListQuery], Iterator[dict]], columns: list[tuple[str, str, bool]],
             filters: list[str], name: str, **extra: Any) -> Response:
    lq = list_query(request)
    fmt = request.query_params.get("format", "")
    if fmt:
        if fmt not in export.FORMATS:
            raise InvalidInput("is not an export format (csv, xlsx)", field="format")
        heads = [(key, ctx.t(label)) for key, label, _ in columns]
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
        body = export.stream(fmt, _flat(rows(lq)), heads, title=name)
        return StreamingResponse(body, media_type=export.FORMATS[fmt], headers={
            "Content-Disposition": f'attachment; filename="wam-{name}-{stamp}.{fmt}"'})
    result = page(lq)
    return render(request, ctx, "list.html", title=title, page=result, columns=columns, filters=filters, lq=lq,
                  link=lambda **c: link(request, **c), iso=iso, name=name,
                  kinds=extra.pop("kinds", []), **extra)


def _flat(rows: Iterator[dict]) -> Iterator[dict]:
    for row in rows:
        yield {k: v for k, v in row.items() if k != "entry"}


HOLDING_COLUMNS = [("make", "item.make", True), ("model", "item.model", True), ("ident", "item.serial", True),
                   ("category", "item.category", True), ("calibre", "item.calibre", True),
                   ("quantity", "entry.quantity", True)]
MOVEMENT_COLUMNS = [("occurred_at", "entry.when", True), ("kind", "entry.kind", False),
                    ("item_label", "entry.item", False),
                    ("quantity", "entry.quantity", True), ("source", "entry.from", False),
                    ("target", "entry.to", False),
                    ("actor", "entry.actor", False), ("document", "record.document", False),
                    ("witness", "record.witness", False), ("reason", "record.reason", False),
                    ("note", "record.note", False)]
ITEM_COLUMNS = [("make", "item.make", True), ("model", "item.model", True), ("ident", "item.serial", True),
                ("type", "item.type", True), ("category", "item.category", True), ("calibre", "item.calibre", True),
                ("holder", "list.holder", False), ("quantity", "entry.quantity", True)]
HOLDER_COLUMNS = [("name", "list.name", True), ("code", "list.code", True), ("kind", "list.kind", True),
                  ("country", "list.country", True)]
USER_COLUMNS = [("display_name", "list.name", True), ("name", "list.account", True), ("grants", "users.grants", False)]


@router.get("/lists/holdings", response_class=HTMLResponse)
def holdings_list(ctx: CurrentUser, request: Request, holder: str = "", tree: str = "") -> Response:
    h = ctx.scoped.holder(holder[:64])
    deep = tree == "1"
    columns = ([("holder", "list.holder", True)] if deep else []) + HOLDING_COLUMNS
    return _respond(request, ctx, title=ctx.t("list.holdings_of", name=h.name), name=f"holdings-{h.code}",
                    page=lambda lq: lists.holdings(ctx.scoped, h.code, lq, tree=deep),
                    rows=lambda lq: lists.stream_holdings(ctx.scoped, h.code, lq, tree=deep),
                    columns=columns, filters=["q", "kind", "category", "calibre"], holder=h,
                    kinds=[(k.value, f"type.{k.value}") for k in ItemType])


@router.get("/lists/items", response_class=HTMLResponse)
def items_list(ctx: CurrentUser, request: Request) -> Response:
    """Every item in the user's scope once (a lot in several stores: its total there)."""
    return _respond(request, ctx, title=ctx.t("items.list"), name="items",
                    page=lambda lq: lists.items(ctx.scoped, lq), rows=lambda lq: lists.stream_items(ctx.scoped, lq),
                    columns=ITEM_COLUMNS, filters=["q", "kind", "under", "category", "calibre"], holder=None,
                    kinds=[(k.value, f"type.{k.value}") for k in ItemType])


@router.get("/lists/holders", response_class=HTMLResponse)
def holders_list(ctx: CurrentUser, request: Request, parent: str = "") -> Response:
    h = ctx.scoped.holder(parent[:64]) if parent else None
    title = ctx.t("list.holders_of", name=h.name) if h else ctx.t("list.holders")
    return _respond(request, ctx, title=title, name=f"holders-{h.code}" if h else "holders",
                    page=lambda lq: lists.holders(ctx.scoped, parent[:64], lq),
                    rows=lambda lq: lists.stream_holders(ctx.scoped, parent[:64], lq),
                    columns=HOLDER_COLUMNS, filters=["q", "kind"], holder=h,
                    kinds=[(k.value, f"kindh.{k.value}") for k in HolderKind if k is not HolderKind.EXTERNAL])


@router.get("/lists/movements", response_class=HTMLResponse)
def movements_list(ctx: CurrentUser, request: Request, holder: str = "") -> Response:
    h = ctx.scoped.holder(holder[:64]) if holder else None
    ctx.scoped.require_movements(h.code if h else None)
    title = ctx.t("list.movements_of", name=h.name) if h else ctx.t("list.movements")
    return _respond(request, ctx, title=title, name=f"movements-{h.code}" if h else "movements",
                    page=lambda lq: lists.movements(ctx.scoped, lq, holder=h.code if h else ""),
                    rows=lambda lq: lists.stream_movements(ctx.scoped, lq, holder=h.code if h else ""),
                    columns=MOVEMENT_COLUMNS, filters=["q", "kind", "since", "until", "under", "category", "calibre"],
                    holder=h, kinds=[(k.value, f"kind.{k.value}") for k in MovementKind])


@router.get("/lists/users", response_class=HTMLResponse)
def users_list(ctx: CurrentUser, request: Request) -> Response:
    if not ctx.scoped.can(Action.MANAGE_USERS):
        raise PermissionDenied("your role does not allow this")
    everyone = services(request).accounts.users()
    return _respond(request, ctx, title=ctx.t("users.title"), name="users",
                    page=lambda lq: lists.users(ctx.scoped, everyone, lq),
                    rows=lambda lq: iter(lists.users(ctx.scoped, everyone, lq, everything=True).rows),
                    columns=USER_COLUMNS, filters=["q", "kind"], holder=None,
                    kinds=[(r.value, f"role.{r.value}") for r in Role])

