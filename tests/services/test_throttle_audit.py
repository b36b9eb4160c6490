"""Sign-in throttling by growing delays (never a lockout of the real user) and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from wam.domain.access import Grant, Role
from wam.services import audit
from wam.services.accounts import Accounts, SignInRefused, Throttled
from wam.storage.engine import write_connection

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(world, clock):  # noqa: ANN001, ANN201
    accounts = Accounts(world.ledger.engine, hasher=PasswordHasher(time_cost=1, memory_cost=8192), clock=clock,
                        max_failures=3, max_address_failures=10, window=900, delay=2, address_cap=60)
    accounts.add_user("carol", PASSWORD)
    return accounts


def _fail(accounts, address: str, name: str = "carol") -> None:  # noqa: ANN001
    with pytest.raises(SignInRefused):
        accounts.authenticate(name, "wrong password", address=address)


def _actions(engine) -> list[str]:  # noqa: ANN001
    with engine.connect() as conn:
        return [e.action for e in audit.entries(conn)]


def test_the_real_user_on_another_address_gets_in_while_an_attacker_is_slowed(accounts, clock) -> None:  # noqa: ANN001
    for _ in range(3):
        _fail(accounts, "203.0.113.9")
    with pytest.raises(Throttled) as early:
        accounts.authenticate("carol", PASSWORD, address="203.0.113.9")  # even the right password waits there
    assert early.value.retry_after == 2
    assert accounts.authenticate("carol", PASSWORD, address="10.0.0.7").name == "carol"  # the real user
    for _ in range(20):  # the attacker keeps going, as fast as the delays allow
        clock.now += timedelta(seconds=1000)
        for _ in range(3):
            _fail(accounts, "203.0.113.9")
    assert accounts.authenticate("carol", PASSWORD, address="10.0.0.7").name == "carol"


def test_delays_grow_with_each_failure_and_are_not_a_lockout(accounts, clock) -> None:  # noqa: ANN001
    waits = []
    for _ in range(6):
        for _ in range(50):  # wait as long as told, then fail again
            try:
                accounts.authenticate("carol", "wrong password", address="203.0.113.9")
            except Throttled as throttled:
                clock.now += timedelta(seconds=throttled.retry_after)
                waits.append(throttled.retry_after)
            except SignInRefused:
                break
    assert waits == [2, 4, 8], waits  # three free failures, then 2 s, 4 s, 8 s
    clock.now += timedelta(seconds=16)
    assert accounts.authenticate("carol", PASSWORD, address="203.0.113.9").name == "carol"


def test_failures_from_one_address_slow_its_users_for_a_minute_at_most(accounts, clock) -> None:  # noqa: ANN001
    accounts.add_user("dave", PASSWORD)
    for n in range(30):  # a password sprayer behind a shared NAT
        clock.now += timedelta(seconds=61)
        _fail(accounts, "198.51.100.1", name=f"user{n}")
    with pytest.raises(Throttled) as slowed:
        accounts.authenticate("dave", PASSWORD, address="198.51.100.1")
    assert slowed.value.retry_after <= 60
    clock.now += timedelta(seconds=60)
    assert accounts.authenticate("dave", PASSWORD, address="198.51.100.1").name == "dave"


def test_a_guesser_spread_over_many_addresses_is_slowed_on_each_failing_one(accounts, clock) -> None:  # noqa: ANN001
    for n in range(6):
        _fail(accounts, f"192.0.2.{n}")
    with pytest.raises(Throttled):
        accounts.authenticate("carol", "guess", address="192.0.2.0")
    assert accounts.authenticate("carol", PASSWORD, address="10.0.0.7").name == "carol"


def test_every_failure_throttle_and_administrative_change_is_audited(accounts, clock, world) -> None:  # noqa: ANN001
    engine = world.ledger.engine
    for _ in range(3):
        _fail(accounts, "203.0.113.9")
    with pytest.raises(Throttled):
        accounts.authenticate("carol", PASSWORD, address="203.0.113.9")
    record = accounts.grant("carol", Grant(Role.VIEWER, "GAO-ARM"), by="admin", address="10.0.0.1")
    accounts.revoke("carol", record.id, by="admin")
    accounts.set_password("carol", "another long one", by="admin")
    accounts.set_active("carol", False, by="admin")
    actions = _actions(engine)
    assert actions == ["user_created", *["sign_in_failed"] * 3, "sign_in_throttled", "grant_added", "grant_revoked",
                       "password_changed", "user_deactivated"]
    with engine.connect() as conn:
        rows = audit.entries(conn)
        assert audit.verify_audit(conn) == []
    granted = rows[5]
    assert (granted.actor, granted.target, granted.address) == ("admin", "carol", "10.0.0.1")
    assert '"holder": "GAO-ARM"' in granted.detail and rows[1].address == "203.0.113.9"


def test_the_audit_log_is_append_only_and_a_broken_chain_is_reported(accounts, world) -> None:  # noqa: ANN001
    engine = world.ledger.engine
    _fail(accounts, "203.0.113.9")
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), write_connection(engine) as conn, conn.begin():
            conn.execute(text(statement))
    dialect = engine.dialect.name
    guards = ["audit_log_no_update", "audit_log_no_delete"] if dialect == "sqlite" else ["audit_log_append_only"]
    with write_connection(engine) as conn, conn.begin():  # an attacker with the database's owner rights
        for guard in guards:
            conn.execute(text(f"DROP TRIGGER {guard}" + ("" if dialect == "sqlite" else " ON audit_log")))
        conn.execute(text("UPDATE audit_log SET address = '10.9.9.9' WHERE seq = 2"))
    with engine.connect() as conn:
        problems = [p.message for p in audit.verify_audit(conn)]
    assert any("audit row 2: content does not match" in p for p in problems), problems
    assert any("guards are missing" in p for p in problems), problems


def test_control_characters_are_escaped_in_the_log(world) -> None:  # noqa: ANN001
    engine = world.ledger.engine
    audit.record(engine, action="denied_404", actor="eve", target="GET /x\r\nforged: line", address="1.2.3.4")
    with engine.connect() as conn:
        (row,) = audit.entries(conn)
    assert "\n" not in row.target and "\\x0d\\x0a" in row.target


def test_wam_verify_reports_a_broken_audit_chain(accounts, world) -> None:  # noqa: ANN001
    engine = world.ledger.engine
    _fail(accounts, "203.0.113.9")
    assert world.ledger.verify().ok
    dialect = engine.dialect.name
    with write_connection(engine) as conn, conn.begin():
        if dialect == "sqlite":
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
        else:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        conn.execute(text("UPDATE audit_log SET actor = 'someone else' WHERE seq = 1"))
    report = world.ledger.verify()
    assert not report.ok and any(p.check == "audit" and "audit row 1" in p.message for p in report.problems)
