"""Printable paper (PDF): a hand receipt for a movement, a holder's holdings list, QR labels.

- ``/paper/receipt.pdf?movement=UID``: for whoever may read the movement (issue, return, ...).
- ``/paper/holdings.pdf?holder=CODE``: what the holder holds now, to count and sign.
- ``/paper/labels.pdf?holder=CODE``: a sheet of QR labels for the weapons it holds.

In the page's language, or ``lang=en|fr``. What is printed is read through the user's
:class:`~wam.services.scoped.ScopedLedger` and :mod:`wam.services.lists`, as on the pages.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from wam.domain.errors import NotFound
from wam.domain.holders import HolderKind
from wam.domain.timefmt import iso
from wam.services import lists
from wam.services.lists import ListQuery

from .. import paper
from ..context import Context, CurrentUser
from ..i18n import LANGUAGES, Translator

router = APIRouter()


def _t(ctx: Context, lang: str) -> Translator:
    return Translator(lang) if lang in LANGUAGES else ctx.t


def _pdf(body: bytes, name: str) -> Response:
    return Response(body, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}.pdf"', "Cache-Control": "no-store"})


def _party(ctx: Context, code: str) -> paper.ReceiptParty:
    try:
        h = ctx.scoped.holder(code)
    except NotFound:  # an external holder (supply, lost, ...), or one outside the user's sight: its code
        return paper.ReceiptParty(code, code, False)
    return paper.ReceiptParty(h.name, h.code, h.kind is HolderKind.PERSON)


def _safe(code: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-._" else "-" for ch in code)[:64]


@router.get("/paper/receipt.pdf")
async def receipt(ctx: CurrentUser, movement: str = "", lang: str = "") -> Response:
    def build() -> bytes:
        entry = ctx.scoped.entry(movement[:120])
        item, _ = ctx.scoped.item(entry.item)
        return paper.receipt(_t(ctx, lang), user=ctx.user.display_name or ctx.user.name, entry=entry, item=item,
                             source=_party(ctx, entry.source), target=_party(ctx, entry.target),
                             when=iso(entry.occurred_at)[:16].replace("T", " "))

    body = await run_in_threadpool(build)
    return _pdf(body, f"wam-receipt-{_safe(movement.replace(':', '-'))}")


@router.get("/paper/holdings.pdf")
async def holdings(ctx: CurrentUser, request: Request, holder: str = "", lang: str = "") -> Response:
    def build() -> bytes:
        h = ctx.scoped.holder(holder[:64])
        rows = lists.stream_holdings(ctx.scoped, h.code, ListQuery(sort="item"))
        return paper.holdings(_t(ctx, lang), user=ctx.user.display_name or ctx.user.name, holder=h, rows=rows,
                              as_of=datetime.now(UTC).strftime("%Y-%m-%d %H:%M"))

    body = await run_in_threadpool(build)
    return _pdf(body, f"wam-holdings-{_safe(holder)}")


@router.get("/paper/labels.pdf")
async def labels(ctx: CurrentUser, holder: str = "", lang: str = "") -> Response:
    def build() -> bytes:
        h = ctx.scoped.holder(holder[:64])
        rows = lists.stream_holdings(ctx.scoped, h.code, ListQuery(kind="weapon", sort="serial"))
        return paper.labels(_t(ctx, lang), user=ctx.user.display_name or ctx.user.name, holder=h, rows=rows)

    body = await run_in_threadpool(build)
    return _pdf(body, f"wam-labels-{_safe(holder)}")
