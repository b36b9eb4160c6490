"""Verification and user administration: ``/api/verification``, ``/api/users``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from wam.domain.access import make_grant
from wam.domain.errors import NotFound

from ..context import CurrentUser, services
from ..idempotent import IdempotencyKey, Replay
from .schemas import (
    Cursor,
    ErrorPublic,
    GrantCreate,
    GrantPublic,
    Limit,
    ProblemPublic,
    UserCreate,
    UserPage,
    UserPublic,
    VerificationPublic,
)

router = APIRouter(tags=["admin"])
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorPublic}, 403: {"model": ErrorPublic},
                                           404: {"model": ErrorPublic}, 422: {"model": ErrorPublic}}


@router.get("/verification", response_model=VerificationPublic, responses=ERRORS)
def verification(ctx: CurrentUser) -> VerificationPublic:
    """The last verification (chain, checkpoints, laws, balances, append-only guards) if nothing was
    written since it ran, else a new one; ``POST`` verifies now whatever the ledger."""
    return _public(ctx.scoped.verified()[1])


@router.post("/verification", response_model=VerificationPublic, responses=ERRORS)
def verify_now(ctx: CurrentUser) -> VerificationPublic:
    """Verify the ledger now: chain, checkpoints, laws, balances, append-only guards."""
    return _public(ctx.scoped.verify())


def _public(report: Any) -> VerificationPublic:  # noqa: ANN401  (a VerifyReport)
    return VerificationPublic(
        ok=report.ok, entries=report.entries, head_seq=report.head_seq, head_hash=report.head_hash,
        checkpoints_checked=report.checkpoints_checked,
        problems=[ProblemPublic(check=p.check, seq=p.seq, message=p.message, item=p.item, holder=p.holder)
                  for p in report.problems],
    )


def visible_user(ctx: CurrentUser, request: Request, name: str):  # noqa: ANN201
    """The user ``name``, as an administrator who may see them finds them (NotFound otherwise)."""
    accounts = services(request).accounts
    ctx.scoped.sees_user(())  # administrators only: everyone else is refused before any look-up
    user = accounts.user(name)
    if not ctx.scoped.sees_user(user.roles):
        raise NotFound("user", name)
    return user


@router.get("/users", response_model=UserPage, responses=ERRORS)
def list_users(ctx: CurrentUser, request: Request, cursor: Cursor = None, limit: Limit = 50) -> UserPage:
    """The users you administer, by name."""
    ctx.scoped.sees_user(())
    users = [u for u in services(request).accounts.users()
             if (cursor is None or u.name > cursor) and ctx.scoped.sees_user(u.roles)]
    more = len(users) > limit
    users = users[:limit]
    return UserPage(items=[UserPublic.of(u) for u in users], next=users[-1].name if more else None)


@router.post("/users", response_model=UserPublic, status_code=201, responses=ERRORS)
def create_user(body: UserCreate, ctx: CurrentUser, request: Request,
                idempotency_key: IdempotencyKey = None) -> UserPublic | Response:
    """Create a user (with no grant yet). Audited; an ``Idempotency-Key`` retry creates nothing new."""
    ctx.scoped.sees_user(())
    replay = Replay.of(request, ctx.user.name, body)
    if (stored := replay.stored()) is not None:
        return stored
    user = services(request).accounts.add_user(body.name, body.password, display_name=body.display_name,
                                               by=ctx.user.name)
    answer = UserPublic.of(user)
    replay.keep(201, answer)
    return answer


@router.get("/users/{name}", response_model=UserPublic, responses=ERRORS)
def get_user(name: str, ctx: CurrentUser, request: Request) -> UserPublic:
    return UserPublic.of(visible_user(ctx, request, name))


@router.post("/users/{name}/grants", response_model=GrantPublic, status_code=201, responses=ERRORS)
def add_grant(name: str, body: GrantCreate, ctx: CurrentUser, request: Request,
              idempotency_key: IdempotencyKey = None) -> GrantPublic | Response:
    """Give the user a role at a holder (its subtree), for a country, or (neither) everywhere. Audited."""
    user = visible_user(ctx, request, name)
    replay = Replay.of(request, ctx.user.name, body)
    if (stored := replay.stored()) is not None:
        return stored
    grant = make_grant(role=body.role.value, holder=body.holder, country=body.country)
    ctx.scoped.check_grantable(grant)
    record = services(request).accounts.grant(user.name, grant, by=ctx.user.name)
    answer = GrantPublic(id=record.id, role=grant.role.value, holder=grant.holder, country=grant.country)
    replay.keep(201, answer)
    return answer


@router.delete("/users/{name}/grants/{grant_id}", status_code=204, responses=ERRORS)
def revoke_grant(name: str, grant_id: int, ctx: CurrentUser, request: Request,
                 idempotency_key: IdempotencyKey = None) -> Response:
    """Revoke a grant. Audited; an ``Idempotency-Key`` retry answers 204 again."""
    replay = Replay.of(request, ctx.user.name)
    if (stored := replay.stored()) is not None:
        return stored
    revoke_visible_grant(ctx, request, name, grant_id)
    replay.keep(204, None)
    return Response(status_code=204)


def revoke_visible_grant(ctx: CurrentUser, request: Request, name: str, grant_id: int) -> str:
    """Revoke one grant of a user this administrator sees, if they could have given it; return
    the user's name (the API and the users page both revoke through here)."""
    user = visible_user(ctx, request, name)
    found = next((g for g in user.grants if g.id == grant_id), None)
    if found is None:
        raise NotFound("grant", str(grant_id))
    ctx.scoped.check_grantable(found.grant)
    services(request).accounts.revoke(user.name, grant_id, by=ctx.user.name)
    return user.name


# --- witnessing: heads signed by other ledgers (wam.services.witness) --------------------------------
class CheckpointIn(BaseModel):
    """A signed checkpoint of another ledger, as ``wam checkpoint --witness URL`` sends it."""

    model_config = ConfigDict(extra="forbid")
    ledger: str = Field(max_length=36)
    seq: int = Field(ge=0, le=2**62)
    head_hash: str = Field(pattern="^[0-9a-f]{64}$")
    signed_at: int = Field(ge=0, le=2**62)
    public_key: str = Field(pattern="^[0-9a-f]{64}$")
    signature: str = Field(pattern="^[0-9a-f]{128}$")
    records_seq: int | None = Field(default=None, ge=0, le=2**62)
    records_hash: str | None = Field(default=None, pattern="^[0-9a-f]{64}$")
    number: int | None = Field(default=None, ge=1, le=2**62)
    prev_checkpoint: str | None = Field(default=None, pattern="^[0-9a-f]{64}$")


class WitnessedPublic(BaseModel):
    stored: bool  # False: this head was held already
    ledger: str
    number: int | None
    seq: int


class WitnessedHeads(BaseModel):
    format: str
    checkpoints: list[CheckpointIn]


@router.post("/witness", response_model=WitnessedPublic, status_code=201,
             responses={**ERRORS, 409: {"model": ErrorPublic}})
def witness(ctx: CurrentUser, body: CheckpointIn) -> WitnessedPublic:
    """Keep a head signed by another ledger (administrators): refused if its signature is bad, or if
    it contradicts a head held for that ledger (another key, a fork, a head going back)."""
    from wam.services.signing import Checkpoint

    stored = ctx.scoped.witness(Checkpoint(**body.model_dump()))
    return WitnessedPublic(stored=stored, ledger=body.ledger, number=body.number, seq=body.seq)


@router.get("/witness/{ledger}", response_model=WitnessedHeads, responses=ERRORS)
def witnessed(ctx: CurrentUser, ledger: str) -> WitnessedHeads:
    """The heads held for ``ledger``, in the checkpoint file format (``wam verify --witness URL``)."""
    from dataclasses import asdict

    from wam.services.signing import FORMAT

    heads = ctx.scoped.witnessed(ledger)
    return WitnessedHeads(format=FORMAT, checkpoints=[CheckpointIn(**asdict(cp)) for cp in heads])
