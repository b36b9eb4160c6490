"""Matching recovered serials against the ledger's weapons (issue 12): lost, held or disposed,
with the incident and the holder, scoped by the user's grants; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.factories import rifle
from wam.domain.access import Grant, Role
from wam.domain.errors import PermissionDenied
from wam.domain.serial_match import Read
from wam.services import matching
from wam.services.scoped import Ancestry, ScopedLedger


@pytest.fixture
def stocked(world):  # noqa: ANN001, ANN201
    """Rifles 56-00001..3 at GAO-ARM (BGD), one more at ANSONGO-ARM (SEN) and JUBA-ARM (UNMISS);
    56-00001 lost from GAO-ARM, 56-00002 destroyed, 56-00003 issued to Private Rahman."""
    ledger = world.ledger
    ansongo, juba, never = rifle("56-00007"), rifle("56-00008", model="Type 56-1"), rifle("56-00009")
    ledger.register_items([ansongo, juba, never])
    world.move("receipt", ansongo, "supply:SEN", "ANSONGO-ARM")
    world.move("receipt", juba, "supply:NPL", "JUBA-ARM")
    world.move("loss", world.rifles[0], "GAO-ARM", "lost", days=1, document="INC-000001")
    world.move("disposal", world.rifles[1], "GAO-ARM", "destroyed", days=2, witness="capt-x", document="DSP-1")
    world.move("issue", world.rifles[2], "GAO-ARM", "PTE-RAHMAN", days=3)
    return world


def _as(world, *grants: Grant) -> ScopedLedger:  # noqa: ANN001
    return ScopedLedger(world.ledger, Ancestry(), list(grants), "someone")


def test_a_lost_weapon_is_found_with_its_incident(stocked) -> None:  # noqa: ANN001
    admin = _as(stocked, Grant(Role.ADMINISTRATOR))
    [hit] = matching.match_one(admin, "56-ОOOO1", make="Norinco", model="Type 56")  # Cyrillic О, O for 0
    assert (hit.key, hit.status, hit.holder, hit.last_holder) == ("W|NORINCO|TYPE 56|56-00001", "lost", "lost",
                                                                  "GAO-ARM")
    assert hit.incident is not None and hit.incident.startswith("INC-")
    assert "Cyrillic О to O" in hit.reason and "same make and model" in hit.reason
    assert 0.5 < hit.score < 1
    assert hit.as_dict()["weapon"] == hit.key


def test_held_disposed_and_never_received(stocked) -> None:  # noqa: ANN001
    admin = _as(stocked, Grant(Role.ADMINISTRATOR))
    held, disposed, juba, nothing = matching.match(admin, [Read("56 00003"), Read("56-00002"), Read("5600008"),
                                                            Read("56-00009")])
    assert [(c.status, c.holder, c.last_holder, c.score) for c in held] == [("held", "PTE-RAHMAN", "PTE-RAHMAN", 1.0)]
    assert [(c.status, c.holder, c.last_holder) for c in disposed] == [("disposed", "destroyed", "GAO-ARM")]
    assert [(c.key, c.model) for c in juba] == [("W|NORINCO|TYPE 56-1|56-00008", "Type 56-1")]
    assert nothing == []  # registered, never received: nowhere to be


def test_candidates_are_scoped_by_the_last_holder(stocked) -> None:  # noqa: ANN001
    reads = [Read("56-00001"), Read("56-00007"), Read("56-00008")]
    sen = _as(stocked, Grant(Role.ARMOURER, holder="ANSONGO-ARM"))
    assert [[c.key for c in found] for found in matching.match(sen, reads)] == [
        [], ["W|NORINCO|TYPE 56|56-00007"], []]
    bgd = _as(stocked, Grant(Role.VIEWER, country="BGD"))
    assert [[c.status for c in found] for found in matching.match(bgd, reads)] == [["lost"], [], []]
    with pytest.raises(PermissionDenied):
        matching.match(_as(stocked, Grant(Role.RESEARCHER)), reads)


def test_the_index_follows_the_ledger(stocked) -> None:  # noqa: ANN001
    admin = _as(stocked, Grant(Role.ADMINISTRATOR))
    first = matching.recorded(stocked.ledger)
    assert matching.recorded(stocked.ledger) is first and len(first) == 5
    stocked.move("return", stocked.rifles[2], "PTE-RAHMAN", "GAO-ARM", days=4)
    [hit] = matching.match_one(admin, "56-00003")
    assert hit.holder == "GAO-ARM" and matching.recorded(stocked.ledger) is not first
