"""The access rules, without a database."""

from __future__ import annotations

import pytest

from wam.domain.access import (
    Action,
    Grant,
    Place,
    Role,
    allowed_at,
    check_grantable,
    covers,
    make_grant,
    may_record_at,
    roles_at,
)
from wam.domain.errors import InvalidInput
from wam.domain.holders import HolderKind as K
from wam.domain.movements import MovementKind

GAO_ARM = [Place("GAO-ARM", K.STORE), Place("GAO", K.SITE), Place("BGD-BATT", K.CONTINGENT, "BGD"),
           Place("MINUSMA", K.MISSION), Place("UN", K.ORGANISATION)]
RAHMAN = [Place("PTE-RAHMAN", K.PERSON), *GAO_ARM]
JUBA = [Place("JUBA-ARM", K.STORE), Place("NPL-BATT", K.CONTINGENT, "NPL"), Place("UNMISS", K.MISSION)]


def test_it_covers_the_subtree_of_the_granted_holder() -> None:
    grant = Grant(Role.VIEWER, "BGD-BATT")
    assert covers(grant, GAO_ARM) and covers(grant, RAHMAN)
    assert not covers(grant, JUBA)


def test_it_covers_a_countrys_contingents() -> None:
    grant = Grant(Role.VIEWER, country="BGD")
    assert covers(grant, GAO_ARM) and not covers(grant, JUBA)


def test_it_keeps_persons_and_externals_from_researchers_and_scoped_grants() -> None:
    assert not covers(Grant(Role.RESEARCHER, "BGD-BATT"), RAHMAN)
    assert covers(Grant(Role.RESEARCHER, "BGD-BATT"), GAO_ARM)
    assert not covers(Grant(Role.VIEWER, "BGD-BATT"), [])
    assert covers(Grant(Role.ADMINISTRATOR), [])


def test_it_unites_roles_of_several_grants() -> None:
    grants = [Grant(Role.ARMOURER, "GAO-ARM"), Grant(Role.AUDITOR, "MINUSMA")]
    assert roles_at(grants, GAO_ARM) == {Role.ARMOURER, Role.AUDITOR}
    assert allowed_at(grants, GAO_ARM, Action.VERIFY)
    assert may_record_at(grants, GAO_ARM, MovementKind.ISSUE)
    assert not may_record_at(grants, GAO_ARM, MovementKind.TRANSFER)
    assert not allowed_at(grants, JUBA, Action.READ)


@pytest.mark.parametrize("role", list(Role))
def test_it_never_lets_auditors_researchers_or_viewers_write(role: Role) -> None:
    writes = may_record_at([Grant(role, "BGD-BATT")], GAO_ARM, MovementKind.TRANSFER)
    assert writes == (role in (Role.ADMINISTRATOR, Role.MISSION_OFFICER, Role.QUARTERMASTER))


def test_it_lets_administrators_grant_only_inside_their_subtree() -> None:
    admin = [Grant(Role.ADMINISTRATOR, "MINUSMA")]
    assert check_grantable(admin, Grant(Role.VIEWER, "GAO-ARM"), GAO_ARM)
    assert not check_grantable(admin, Grant(Role.VIEWER, "JUBA-ARM"), JUBA)
    assert not check_grantable(admin, Grant(Role.VIEWER, country="BGD"), [])
    assert check_grantable([Grant(Role.ADMINISTRATOR)], Grant(Role.VIEWER, country="BGD"), [])
    assert not check_grantable([Grant(Role.VIEWER)], Grant(Role.VIEWER, "GAO-ARM"), GAO_ARM)


def test_it_validates_raw_grants() -> None:
    assert make_grant(role="Auditor", country="bgd") == Grant(Role.AUDITOR, None, "BGD")
    with pytest.raises(InvalidInput) as exc:
        make_grant(role="general")
    assert exc.value.field == "role"
    with pytest.raises(InvalidInput) as exc:
        make_grant(role="viewer", holder="X", country="BGD")
    assert exc.value.field == "country"
    with pytest.raises(InvalidInput):
        make_grant(role="viewer", country="BG")
