"""API schemas, named by role (``...Public`` out, ``...Create`` in); separate from tables and domain types."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Query
from pydantic import BaseModel, BeforeValidator, Field, StringConstraints, ValidationInfo

from wam.domain.access import Role
from wam.domain.errors import InvalidInput
from wam.domain.holders import Holder
from wam.domain.materiel import Item
from wam.domain.movements import Entry
from wam.domain.timefmt import iso, read_bound, read_moment
from wam.services.accounts import User
from wam.services.confirmations import Confirmation

# No NUL (or the ledger's separators) in any text: PostgreSQL refuses NUL in text columns.
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00\x1e\x1f]*$")]


def _moment(value: object, info: ValidationInfo) -> object:
    """A moment in a request body, read by the rule every path reads dates by
    (:func:`wam.domain.timefmt.parse_moment`: ISO 8601 text, UTC without an offset, a date alone
    the end of that day). Pydantic's own reading took ``"20240201"`` and ``1700000000`` for Unix
    timestamps (1970-08-23 and 2023-11-14) and refused a time without an offset. A refusal is the
    ledger's InvalidInput naming the field, answered (and translated) as every path's is."""
    if isinstance(value, datetime) or value is None:
        return value
    field = info.field_name or "at"
    if not isinstance(value, str):
        raise InvalidInput("give a date or a date and time as ISO 8601 text (2024-01-31, 2024-01-31T08:00+05:00): "
                           "a number is not read as a moment", field=field)
    return read_moment(value, field)


Moment = Annotated[datetime, BeforeValidator(_moment)]


def _window_end(field: str, end: bool) -> BeforeValidator:
    """A query string's ``since`` (``end`` false) or ``until`` read by the ledger's rule
    (:func:`wam.domain.timefmt.read_bound`), not pydantic's: ``?since=1700000000`` was 2023-11-14, and
    ``?until=2024-02-01`` its midnight, leaving that day out."""
    return BeforeValidator(lambda value: read_bound(value, field, end) if isinstance(value, str) else value)


#: ``?since=`` and ``?until=`` of a register's list (a date alone: from its start, to its end)
Since = Annotated[datetime | None, _window_end("since", end=False), Query()]
Until = Annotated[datetime | None, _window_end("until", end=True), Query()]
#: a whole number in JSON: not true, not "1_000", not 1.0 (the command line and the forms read the digits 0-9)
Quantity = Annotated[int, Field(strict=True, ge=1, le=10**12)]
Cursor = Annotated[str | None, Query(max_length=400, description="the `next` value of the previous page")]
Limit = Annotated[int, Query(ge=1, le=200, description="page size")]


class ErrorBody(BaseModel):
    code: str = Field(description="stable and machine-readable; `message` follows the request's language")
    message: str
    field: str | None = None
    law: int | None = Field(None, description="posting_rejected: the ledger law the movement would break")
    item: str | None = Field(None, description="posting_rejected: the item")
    holder: str | None = Field(None, description="posting_rejected: the holder")


class ErrorPublic(BaseModel):
    error: ErrorBody


class HolderPublic(BaseModel):
    code: str
    name: str
    kind: str
    parent: str | None
    country: str | None

    @classmethod
    def of(cls, h: Holder) -> HolderPublic:
        return cls(code=h.code, name=h.name, kind=h.kind.value, parent=h.parent, country=h.country)


class HolderPage(BaseModel):
    items: list[HolderPublic]
    next: str | None


class BalancePublic(BaseModel):
    holder: str
    item: str
    quantity: int
    type: str
    label: str


class BalancePage(BaseModel):
    items: list[BalancePublic]
    next: str | None


class SummaryPublic(BaseModel):
    holder: str
    at: str | None
    totals: dict[str, int]


class EntryPublic(BaseModel):
    id: str
    seq: int
    kind: str
    item: str
    quantity: int
    source: str
    target: str
    occurred_at: str
    recorded_at: str
    actor: str
    witness: str | None
    document: str | None
    note: str | None
    reason: str | None
    reverses: str | None
    hash: str
    confirmed_by: str | None = Field(None, description="who confirmed the receipt (transfers only)")
    confirmed_at: str | None = None

    @classmethod
    def of(cls, e: Entry, confirmation: Confirmation | None = None) -> EntryPublic:
        return cls(id=e.uid, seq=e.seq, kind=e.kind, item=e.item, quantity=e.quantity, source=e.source,
                   target=e.target, occurred_at=iso(e.occurred_at), recorded_at=iso(e.recorded_at), actor=e.actor,
                   witness=e.witness, document=e.document, note=e.note, reason=e.reason, reverses=e.reverses,
                   hash=e.hash.hex(), confirmed_by=confirmation.by if confirmation else None,
                   confirmed_at=iso(confirmation.at) if confirmation else None)


class EntryPage(BaseModel):
    items: list[EntryPublic]
    next: str | None


class ConfirmationCreate(BaseModel):
    note: Text | None = Field(None, max_length=2000, description="e.g. what was checked on arrival")


class ConfirmationPublic(BaseModel):
    movement: str
    confirmed_by: str
    confirmed_at: str
    note: str | None

    @classmethod
    def of(cls, uid: str, c: Confirmation) -> ConfirmationPublic:
        return cls(movement=uid, confirmed_by=c.by, confirmed_at=iso(c.at), note=c.note)


class EntryCreate(BaseModel):
    """A movement to record; the actor is the signed-in user, the time defaults to now."""

    kind: Text = Field(min_length=1, max_length=40, description="receipt, transfer, issue, return, expenditure or "
                                                               "reversal (the registers post the others)")
    item: Text = Field(min_length=1, max_length=300, description="item key, e.g. W|NORINCO|TYPE 56|56-00001")
    quantity: Quantity = 1
    source: Text = Field(min_length=1, max_length=64)
    target: Text = Field(min_length=1, max_length=64)
    occurred_at: Moment | None = None
    witness: Text | None = Field(None, max_length=100)
    document: Text | None = Field(None, max_length=200)
    note: Text | None = Field(None, max_length=2000)
    reason: Text | None = Field(None, max_length=40)
    reverses: Text | None = Field(None, max_length=100)


class ItemPublic(BaseModel):
    key: str
    type: str
    shape: str
    make: str
    model: str
    serial: str | None
    lot: str | None
    category: str | None
    calibre: str | None
    holder: Text | None = Field(None, description="who holds a serialised item now, if in your scope")

    @classmethod
    def of(cls, item: Item, holder: str | None = None) -> ItemPublic:
        return cls(key=item.key, type=item.type.value, shape=item.shape.value, make=item.make, model=item.model,
                   serial=item.serial, lot=item.lot, category=item.category, calibre=item.calibre, holder=holder)


class ItemPage(BaseModel):
    items: list[ItemPublic]
    next: str | None


class ProblemPublic(BaseModel):
    check: str
    seq: int | None
    message: str
    item: str | None
    holder: str | None


class VerificationPublic(BaseModel):
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    checkpoints_checked: int
    problems: list[ProblemPublic]


class GrantPublic(BaseModel):
    id: int
    role: str
    holder: str | None
    country: str | None


class GrantCreate(BaseModel):
    role: Role
    holder: Text | None = Field(None, max_length=64)
    country: Text | None = Field(None, min_length=3, max_length=3)


class UserPublic(BaseModel):
    name: str
    display_name: str
    active: bool
    grants: list[GrantPublic]

    @classmethod
    def of(cls, u: User) -> UserPublic:
        return cls(name=u.name, display_name=u.display_name, active=u.active,
                   grants=[GrantPublic(id=g.id, role=g.grant.role.value, holder=g.grant.holder, country=g.grant.country)
                           for g in u.grants])


class UserPage(BaseModel):
    items: list[UserPublic]
    next: str | None


class UserCreate(BaseModel):
    name: Text = Field(min_length=2, max_length=64)
    password: Text = Field(min_length=10, max_length=1024)
    display_name: Text | None = Field(None, max_length=200)


class TokenRequest(BaseModel):
    name: Text = Field(min_length=1, max_length=64)
    password: Text = Field(min_length=1, max_length=1024)
    label: Text | None = Field(None, max_length=100)


class TokenPublic(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class MePublic(BaseModel):
    name: str
    display_name: str
    grants: list[GrantPublic]
    actions: list[str]
    csrf: Text | None = Field(None, description="send as X-CSRF-Token on writes made with the session cookie")
