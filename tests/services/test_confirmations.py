"""Confirmations of receipt: what awaits whom, confirming once, scope, and the database's guard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.factories import T0
from wam.domain.access import Grant, Role
from wam.domain.errors import NotFound, PermissionDenied
from wam.domain.movements import make_movement
from wam.services.accounts import Accounts
from wam.services.confirmations import ConfirmationRefused, Confirmations
from wam.services.scoped import Ancestry, ScopedLedger

PASSWORD = "correct horse battery"


@pytest.fixture
def people(world):  # noqa: ANN001, ANN201
    """name -> Confirmations of a user with those grants (all share one ancestry cache)."""
    accounts = Accounts(world.ledger.engine, hasher=PasswordHasher(time_cost=1, memory_cost=8192))
    ancestry = Ancestry()
    grants = {
        "qm": (Grant(Role.QUARTERMASTER, "BGD-BATT"),),
        "officer": (Grant(Role.MISSION_OFFICER, "MINUSMA"),),
        "armourer": (Grant(Role.ARMOURER, "GAO-ARM"),),
        "auditor": (Grant(Role.AUDITOR, "MINUSMA"),),
        "bob": (Grant(Role.QUARTERMASTER, "BGD-BATT"),),
    }
    out = {}
    for name, given in grants.items():
        user = accounts.add_user(name, PASSWORD)
        out[name] = Confirmations(ScopedLedger(world.ledger, ancestry, given, name), user.id)
    return out


def post(world, kind: str, item, source: str, target: str, *, actor: str = "bob", days: float = 1,  # noqa: ANN001
         quantity: int = 1, **extra: object):  # noqa: ANN201
    return world.ledger.post(make_movement(kind=kind, item=item.key, quantity=quantity, source=source, target=target,
                                           occurred_at=T0 + timedelta(days=days), actor=actor, **extra))


def uids(page) -> list[str]:  # noqa: ANN001
    return [e.uid for e in page.items]


def test_it_lists_what_arrives_in_the_users_scope_oldest_first(world, people) -> None:  # noqa: ANN001
    rifle1, rifle2, rifle3 = world.rifles
    into_ansongo = post(world, "transfer", rifle1, "GAO-ARM", "ANSONGO-ARM")
    rounds = post(world, "transfer", world.rounds, "GAO-ASP", "GAO-ARM", quantity=100)
    into_asp = post(world, "transfer", rifle2, "GAO-ARM", "GAO-ASP")
    post(world, "issue", rifle3, "GAO-ARM", "PTE-RAHMAN")  # signed for at the counter: never listed
    post(world, "expenditure", world.rounds, "GAO-ARM", "expended", quantity=10, reason="training")
    assert uids(people["qm"].pending()) == [rounds.uid, into_asp.uid]  # the receipts of the world are not transfers
    assert uids(people["officer"].pending()) == [into_ansongo.uid, rounds.uid, into_asp.uid]
    assert uids(people["armourer"].pending()) == [rounds.uid]  # GAO-ASP is outside the armoury
    assert people["qm"].count() == 2


def test_it_leaves_out_what_the_user_recorded(world, people) -> None:  # noqa: ANN001
    own = post(world, "transfer", world.rifles[0], "GAO-ARM", "GAO-ASP", actor="qm")
    assert uids(people["qm"].pending()) == []
    assert uids(people["bob"].pending()) == [own.uid]
    with pytest.raises(PermissionDenied, match="you recorded this movement"):
        people["qm"].confirm(own.uid)


def test_it_neither_lists_nor_confirms_issues_and_returns(world, people) -> None:  # noqa: ANN001
    issue = post(world, "issue", world.rifles[0], "GAO-ARM", "PTE-RAHMAN")
    back = post(world, "return", world.rifles[0], "PTE-RAHMAN", "GAO-ARM", days=2)
    for name in ("qm", "officer", "armourer"):
        assert uids(people[name].pending()) == [] and people[name].count() == 0
        for movement in (issue, back):
            with pytest.raises(ConfirmationRefused, match="only transfers") as refused:
                people[name].confirm(movement.uid)
            assert refused.value.reason == "kind" and refused.value.code == "confirmation_refused"
    assert people["officer"].of([issue, back]) == {}


def test_it_leaves_out_reversals_and_what_they_undid(world, people) -> None:  # noqa: ANN001
    sent = post(world, "transfer", world.rounds, "GAO-ASP", "GAO-ARM", quantity=100)
    undo = post(world, "reversal", world.rounds, "GAO-ARM", "GAO-ASP", quantity=100, days=2, reverses=sent.uid)
    assert uids(people["qm"].pending()) == []
    with pytest.raises(ConfirmationRefused) as refused:
        people["qm"].confirm(sent.uid)
    assert refused.value.reason == "reversed"
    with pytest.raises(ConfirmationRefused) as refused:
        people["qm"].confirm(undo.uid)
    assert refused.value.reason == "kind"


def test_it_confirms_once_and_refuses_a_second_time(world, people) -> None:  # noqa: ANN001
    sent = post(world, "transfer", world.rounds, "GAO-ASP", "GAO-ARM", quantity=100)
    done = people["armourer"].confirm(sent.uid, note="  counted 100 on arrival ")
    assert (done.by, done.note, done.entry_seq) == ("armourer", "counted 100 on arrival", sent.seq)
    assert uids(people["qm"].pending()) == [] and people["qm"].count() == 0
    with pytest.raises(ConfirmationRefused, match="already confirmed by armourer") as again:
        people["qm"].confirm(sent.uid)
    assert again.value.reason == "already" and again.value.by == "armourer"
    assert people["officer"].of([sent])[sent.seq].by == "armourer"


def test_it_answers_out_of_scope_exactly_as_not_found(world, people) -> None:  # noqa: ANN001
    juba_rifle = world.rifles[2]
    into_juba = post(world, "transfer", juba_rifle, "GAO-ARM", "JUBA-ARM", actor="officer")
    with pytest.raises(PermissionDenied, match="JUBA-ARM is not such a place"):
        people["armourer"].confirm(into_juba.uid)  # the movement is in sight (it left GAO-ARM), its target is not
    inside = post(world, "transfer", juba_rifle, "JUBA-ARM", "ANSONGO-ARM", actor="officer", days=2)
    for uid in (inside.uid, f"{inside.origin}:999999"):
        with pytest.raises(NotFound) as missing:
            people["qm"].confirm(uid)
        assert missing.value.message == f"movement {uid!r} not found"


def test_it_refuses_roles_that_confirm_nowhere(world, people) -> None:  # noqa: ANN001
    sent = post(world, "transfer", world.rounds, "GAO-ASP", "GAO-ARM", quantity=100)
    auditor = people["auditor"]
    for call in (auditor.pending, auditor.count, lambda: auditor.confirm(sent.uid)):
        with pytest.raises(PermissionDenied):
            call()


def test_it_pages_what_awaits(world, people) -> None:  # noqa: ANN001
    sent = [post(world, "transfer", world.rounds, "GAO-ASP", "GAO-ARM", quantity=10, days=1 + n) for n in range(5)]
    seen, cursor = [], None
    while True:
        page = people["qm"].pending(cursor=cursor, limit=2)
        seen += uids(page)
        if page.next is None:
            break
        cursor = page.next
    assert seen == [e.uid for e in sent]
    assert people["qm"].count(cap=3) == 3


def test_the_database_refuses_to_change_or_remove_a_confirmation(world, people) -> None:  # noqa: ANN001
    sent = post(world, "transfer", world.rounds, "GAO-ASP", "GAO-ARM", quantity=100)
    people["qm"].confirm(sent.uid)
    engine = world.ledger.engine
    statements = ["UPDATE confirmations SET note = 'forged'", "DELETE FROM confirmations"]
    if engine.dialect.name == "postgresql":
        statements.append("TRUNCATE confirmations")
    for sql in statements:
        with pytest.raises(DBAPIError, match="confirmations are append-only"), engine.begin() as conn:
            conn.execute(text(sql))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*), max(note) FROM confirmations")).one() == (1, None)


def test_the_migration_makes_the_declared_table(world) -> None:  # noqa: ANN001
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from wam.storage.tables import metadata

    def ours(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001, ARG001
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return (name if type_ == "table" else getattr(table, "name", None)) == "confirmations"

    with world.ledger.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": ours})
        assert compare_metadata(context, metadata) == []


def test_it_starts_each_list_where_nothing_older_awaits_anyone(world, people) -> None:  # noqa: ANN001
    from wam.services.confirmations import LowWater

    low = LowWater()
    qm = Confirmations(people["qm"].scoped, people["qm"].user_id, low)
    officer = Confirmations(people["officer"].scoped, people["officer"].user_id, low)
    first = post(world, "transfer", world.rounds, "GAO-ASP", "GAO-ARM", quantity=10)
    second = post(world, "transfer", world.rounds, "GAO-ASP", "GAO-ARM", quantity=10, days=2)
    assert uids(qm.pending()) == [first.uid, second.uid]
    with world.ledger.engine.connect() as conn:
        assert low.seq(conn) == first.seq
    officer.confirm(first.uid)
    assert uids(qm.pending()) == [second.uid]
    with world.ledger.engine.connect() as conn:
        assert low.seq(conn) == second.seq
    qm.confirm(second.uid)
    assert uids(officer.pending()) == []
    with world.ledger.engine.connect() as conn:
        assert low.seq(conn) == second.seq + 1  # past the head: nothing awaits anyone
    post(world, "issue", world.rifles[0], "GAO-ARM", "PTE-RAHMAN", days=3)  # never awaits: the mark passes it
    with world.ledger.engine.connect() as conn:
        assert low.seq(conn) == second.seq + 2
    third = post(world, "transfer", world.rifles[1], "GAO-ARM", "GAO-ASP", days=4)
    assert uids(qm.pending()) == [third.uid] and qm.count() == 1
