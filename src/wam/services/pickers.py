"""Pickers: the holders and items a user may record movements for, found as they type.

The record form's holder and item fields autocomplete from these (``/api/pick/...`` and the
form's ``<datalist>``). Both are one SQL query with ``LIMIT``, scoped to what the user's
recording grants cover (:func:`wam.services.scoped.scope_ids` over the grants that allow
recording: the one place where scope is decided), prefix matches first:

- **holders** by name or code, with the external holders (``lost``, ``expended``, ...) that
  every recorder may name;
- **items** held now in that scope (or by one holder), by serial, lot, make or model, shown as
  people say them: make, model and serial, or make, model, lot and calibre.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select

from wam.domain.access import Action, grants_for
from wam.domain.errors import PermissionDenied
from wam.domain.holders import EXTERNAL_PLAIN, HolderKind
from wam.storage import tables as t

from .scoped import ScopedLedger, scope_ids

LIMIT = 20
MAX_LIMIT = 50


@dataclass(frozen=True, slots=True)
class HolderChoice:
    code: str
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class ItemChoice:
    key: str
    label: str  # as people say it: "Norinco Type 56 56-00001", "Lot 12/2019 7.62x39mm"
    ident: str  # the serial, or the lot
    holder: str
    holder_name: str
    quantity: int
    serialised: bool  # a weapon by serial (else a lot, counted)


def _clean(q: str) -> str:
    return q.strip().lower().replace("\\", "").replace("%", "").replace("_", "")[:64]


def _limit(limit: int) -> int:
    return max(1, min(limit, MAX_LIMIT))


def _require_recording(scoped: ScopedLedger) -> list[Any]:
    grants = grants_for(scoped.grants, Action.RECORD)
    if not grants:
        raise PermissionDenied("your role does not allow recording movements")
    return grants


def holders(scoped: ScopedLedger, q: str, *, limit: int = LIMIT) -> list[HolderChoice]:
    """Holders the user may record movements at whose name or code contains ``q`` (prefix first)."""
    scope = scope_ids(_require_recording(scoped))
    h = t.holders
    text = _clean(q)
    query = select(h.c.code, h.c.name, h.c.kind)
    if scope is not None:
        query = query.where(or_(h.c.id.in_(scope), h.c.external.is_(True)))
    rank: ColumnElement[int] | None = None
    if text:
        code, name = func.lower(h.c.code), func.lower(h.c.name)
        query = query.where(or_(code.like(f"%{text}%"), name.like(f"%{text}%")))
        rank = case((or_(code.like(f"{text}%"), name.like(f"{text}%")), 0), else_=1)
    order = ([rank] if rank is not None else []) + [h.c.external, h.c.name, h.c.code]
    with scoped.ledger.engine.connect() as conn:
        rows = conn.execute(query.order_by(*order).limit(_limit(limit))).all()
    found = [HolderChoice(r.code, r.name, r.kind) for r in rows]
    have = {c.code for c in found}  # the plain external holders exist once first used: offer them anyway
    found += [HolderChoice(code, code, HolderKind.EXTERNAL.value) for code in EXTERNAL_PLAIN
              if code not in have and text and text in code]
    return found[: _limit(limit)]


def item_label(make: str, model: str, serial: str | None, lot: str | None, calibre: str | None) -> str:
    """An item as people say it: make, model and serial; or make, model, lot and calibre."""
    if serial:
        return f"{make} {model} {serial}"
    return " ".join(p for p in (make, model, lot or "", calibre or "") if p)


def items(scoped: ScopedLedger, q: str, *, holder: str = "", limit: int = LIMIT) -> list[ItemChoice]:
    """Items held now where the user may record (by ``holder`` only, when given) matching ``q``."""
    scope = scope_ids(_require_recording(scoped))
    if holder:
        scoped.holder(holder)  # NotFound for a holder out of sight
    b, i, h = t.balances, t.items, t.holders
    text = _clean(q)
    query = (select(i.c.key, i.c.make, i.c.model, i.c.serial, i.c.lot, i.c.calibre, h.c.code, h.c.name,
                    b.c.quantity)
             .select_from(b).join(i, i.c.id == b.c.item_id).join(h, h.c.id == b.c.holder_id)
             .where(b.c.quantity > 0, h.c.external.is_(False)))
    if scope is not None:
        query = query.where(b.c.holder_id.in_(scope))
    if holder:
        query = query.where(h.c.code == holder)
    rank: ColumnElement[int] | None = None
    if text:
        fields = [func.lower(c) for c in (i.c.serial, i.c.lot, i.c.make, i.c.model)]
        query = query.where(or_(*(f.like(f"%{text}%") for f in fields)))
        rank = case((or_(fields[0].like(f"{text}%"), fields[1].like(f"{text}%")), 0), else_=1)
    order = ([rank] if rank is not None else []) + [i.c.make, i.c.model, i.c.serial, i.c.lot, h.c.code]
    with scoped.ledger.engine.connect() as conn:
        rows = conn.execute(query.order_by(*order).limit(_limit(limit))).all()
    return [ItemChoice(r.key, item_label(r.make, r.model, r.serial, r.lot, r.calibre), r.serial or r.lot or "",
                       r.code, r.name, int(r.quantity), bool(r.serial)) for r in rows]


__all__ = ["HolderChoice", "ItemChoice", "holders", "item_label", "items"]
