"""Who may do what, and where: roles, actions and the scope of a grant.

A **grant** gives a user a role at a place. The place is a holder, and the grant covers that
holder's whole subtree; or a contributing country, and the grant covers every contingent of
that country (in every mission) with their subtrees, which is what a country's headquarters
sees; or nothing, and the grant covers everything (the organisation's own administrators).

A user may hold several grants. What the user may do at a holder is the union of what the
roles of the grants covering that holder allow (:func:`roles_at`). Whatever no grant covers
does not exist for the user: the services answer for it exactly as for a code that does not
exist, so that a list, a search or a guessed id reveals nothing.

Two rules go beyond "which subtree":

- a *researcher* works with aggregates: persons (who are named) are outside a researcher's
  scope even below the granted holder, and movements (which name actors) are not readable;
- external holders (``supply:BGD``, ``lost``...) gather materiel of every mission, so only
  grants that cover everything see them; they may still be named as the other side of a
  movement recorded inside one's scope.

The roles that record movements also confirm receipts (:attr:`Action.CONFIRM`): a transfer
(:data:`RECEIVED_KINDS`), a consignment from one store or site to another, is confirmed at its
target by someone who records there, other than whoever recorded it. Issues and returns are
not: they happen face to face at the armoury counter and are signed for there.

This module is pure: the services give it a holder's ancestry and the user's grants.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .errors import InvalidInput
from .holders import HolderKind
from .movements import MovementKind


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    MISSION_OFFICER = "mission-officer"
    QUARTERMASTER = "quartermaster"
    ARMOURER = "armourer"
    AUDITOR = "auditor"
    RESEARCHER = "researcher"
    VIEWER = "viewer"


class Action(StrEnum):
    """What a request does; each API operation and page needs exactly one of these."""

    READ = "read"  # holders, the tree, balances and aggregates
    READ_MOVEMENTS = "read-movements"  # movements, items and their custody history (names people)
    RECORD = "record"  # post movements (which kinds: RECORD_KINDS)
    CONFIRM = "confirm"  # confirm the receipt of a movement into one's holders (RECEIVED_KINDS)
    VERIFY = "verify"  # run and read the ledger's verification
    APPROVE = "approve"  # approve documents (counts, disposals): the mission WAM officer
    MANAGE_USERS = "manage-users"  # users and grants
    WITNESS = "witness"  # keep and read heads signed by other ledgers (/api/witness): administrators


_ALL_KINDS = frozenset(MovementKind)

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.ADMINISTRATOR: frozenset(Action),
    Role.MISSION_OFFICER: frozenset({Action.READ, Action.READ_MOVEMENTS, Action.RECORD, Action.CONFIRM, Action.VERIFY,
                                     Action.APPROVE}),
    Role.QUARTERMASTER: frozenset({Action.READ, Action.READ_MOVEMENTS, Action.RECORD, Action.CONFIRM}),
    Role.ARMOURER: frozenset({Action.READ, Action.READ_MOVEMENTS, Action.RECORD, Action.CONFIRM}),
    Role.AUDITOR: frozenset({Action.READ, Action.READ_MOVEMENTS, Action.VERIFY}),
    Role.RESEARCHER: frozenset({Action.READ}),
    Role.VIEWER: frozenset({Action.READ, Action.READ_MOVEMENTS}),
}

# Movements that need an approved document (disposal, count adjustment) or undo history
# (reversal) are the mission WAM officer's; a quartermaster records the daily flow; an
# armourer issues weapons to persons and takes them back.
RECORD_KINDS: dict[Role, frozenset[MovementKind]] = {
    Role.ADMINISTRATOR: _ALL_KINDS,
    Role.MISSION_OFFICER: _ALL_KINDS,
    Role.QUARTERMASTER: _ALL_KINDS - {MovementKind.DISPOSAL, MovementKind.ADJUSTMENT, MovementKind.REVERSAL},
    Role.ARMOURER: frozenset({MovementKind.ISSUE, MovementKind.RETURN}),
}

# Consignments sent from one store or site to another, recorded by the sending side: the
# receiving side confirms that the materiel arrived (whoever records movements at the target
# may confirm). Issues and returns are signed for face to face at the armoury counter (a person
# holder does not sign in), so they await no confirmation in the system; receipts from supply,
# expenditure, losses and the other kinds have no receiving side.
RECEIVED_KINDS = frozenset({MovementKind.TRANSFER})

_ISO3 = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True, slots=True)
class Grant:
    """A role at a holder (``holder`` code), for a country (``country``), or everywhere (neither)."""

    role: Role
    holder: str | None = None
    country: str | None = None

    @property
    def everywhere(self) -> bool:
        return self.holder is None and self.country is None

    def describe(self) -> str:
        where = self.holder or (f"country:{self.country}" if self.country else "*")
        return f"{self.role.value}@{where}"


@dataclass(frozen=True, slots=True)
class Place:
    """One holder of an ancestry, as the access rules need it."""

    code: str
    kind: HolderKind
    country: str | None = None


def make_grant(*, role: object, holder: object = None, country: object = None) -> Grant:
    """Validate raw values into a :class:`Grant`.

    Raises:
        InvalidInput: naming ``role``, ``holder`` or ``country``.
    """
    try:
        role_value = Role(str(role).strip().lower())
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(f"{role!r} is not a role ({allowed})", field="role") from None
    holder_text = str(holder).strip() if holder not in (None, "") else None
    country_text = str(country).strip().upper() if country not in (None, "") else None
    if holder_text is not None and (len(holder_text) > 64 or any(ch in holder_text for ch in "\x00\x1e\x1f")):
        raise InvalidInput("is not a holder code", field="holder")
    if holder_text and country_text:
        raise InvalidInput("give a holder or a country, not both", field="country")
    if country_text is not None and not _ISO3.match(country_text):
        raise InvalidInput(f"{country_text!r} is not an ISO 3166 alpha-3 code", field="country")
    return Grant(role_value, holder_text, country_text)


def may(role: Role, action: Action) -> bool:
    return action in ROLE_ACTIONS[role]


def may_record(role: Role, kind: MovementKind) -> bool:
    return kind in RECORD_KINDS.get(role, frozenset())


def covers(grant: Grant, ancestry: Sequence[Place]) -> bool:
    """Tell whether ``grant`` covers the holder whose ancestry (itself first, root last) is given.

    An empty ancestry stands for an external holder, which only grants for everything cover.
    """
    # persons first: they are outside a researcher's scope at every grant level, everywhere included
    if grant.role is Role.RESEARCHER and ancestry and ancestry[0].kind is HolderKind.PERSON:
        return False
    if grant.everywhere:
        return True
    if not ancestry:
        return False
    if grant.holder is not None:
        return any(place.code == grant.holder for place in ancestry)
    return any(place.kind is HolderKind.CONTINGENT and place.country == grant.country for place in ancestry)


def roles_at(grants: Iterable[Grant], ancestry: Sequence[Place]) -> frozenset[Role]:
    """Return the roles the user has at the holder with this ancestry (empty: it does not exist for them)."""
    return frozenset(g.role for g in grants if covers(g, ancestry))


def allowed_at(grants: Iterable[Grant], ancestry: Sequence[Place], action: Action) -> bool:
    return any(may(role, action) for role in roles_at(grants, ancestry))


def may_record_at(grants: Iterable[Grant], ancestry: Sequence[Place], kind: MovementKind) -> bool:
    return any(may_record(role, kind) for role in roles_at(grants, ancestry))


def grants_for(grants: Iterable[Grant], action: Action) -> list[Grant]:
    """Return the grants whose role allows ``action``: their union is the scope of that action."""
    return [g for g in grants if may(g.role, action)]


def check_grantable(granter: Iterable[Grant], grant: Grant, ancestry: Sequence[Place]) -> bool:
    """Tell whether a user with ``granter`` grants may give ``grant`` (at the holder of ``ancestry``).

    An administrator may grant any role inside the subtree they administer; grants for a
    country or for everything need an administrator for everything, since they reach across
    missions.
    """
    admin = [g for g in granter if g.role is Role.ADMINISTRATOR]
    if grant.holder is None:
        return any(g.everywhere for g in admin)
    return any(covers(g, ancestry) for g in admin)
