"""Accounts: passwords, grants, sessions and tokens, sign-in throttling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from wam.domain.access import Grant, Role
from wam.domain.errors import InvalidInput, NotFound
from wam.services.accounts import Accounts, SignInRefused, Throttled

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
    return Accounts(world.ledger.engine, hasher=PasswordHasher(time_cost=1, memory_cost=8192), clock=clock,
                    max_failures=3, window=600)


def test_it_stores_only_an_argon2_hash(accounts) -> None:  # noqa: ANN001
    from sqlalchemy import select

    from wam.storage.auth_tables import users

    accounts.add_user("Alice", PASSWORD)
    with accounts.engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert accounts.authenticate("alice", PASSWORD).name == "alice"


def test_it_refuses_bad_names_and_short_passwords(accounts) -> None:  # noqa: ANN001
    with pytest.raises(InvalidInput) as exc:
        accounts.add_user("a b", PASSWORD)
    assert exc.value.field == "name"
    with pytest.raises(InvalidInput) as exc:
        accounts.add_user("bob", "short")
    assert exc.value.field == "password"
    accounts.add_user("bob", PASSWORD)
    with pytest.raises(InvalidInput):
        accounts.add_user("BOB", PASSWORD)


def test_it_throttles_failed_sign_ins_and_forgets_after_the_window(accounts, clock) -> None:  # noqa: ANN001
    accounts.add_user("carol", PASSWORD)
    for _ in range(3):
        with pytest.raises(SignInRefused):
            accounts.authenticate("carol", "wrong password", address="10.0.0.1")
    with pytest.raises(Throttled):
        accounts.authenticate("carol", PASSWORD, address="10.0.0.1")
    clock.now += timedelta(seconds=601)
    assert accounts.authenticate("carol", PASSWORD).name == "carol"


def test_it_answers_an_unknown_name_like_a_wrong_password(accounts) -> None:  # noqa: ANN001
    with pytest.raises(SignInRefused) as unknown:
        accounts.authenticate("nobody", PASSWORD)
    accounts.add_user("dave", PASSWORD)
    with pytest.raises(SignInRefused) as wrong:
        accounts.authenticate("dave", "not the password")
    assert str(unknown.value) == str(wrong.value)


def test_it_grants_and_revokes_roles(accounts) -> None:  # noqa: ANN001
    accounts.add_user("erin", PASSWORD)
    record = accounts.grant("erin", Grant(Role.QUARTERMASTER, "BGD-BATT"), by="test")
    accounts.grant("erin", Grant(Role.VIEWER, country="NPL"), by="test")
    assert accounts.user("erin").roles == (Grant(Role.QUARTERMASTER, "BGD-BATT"), Grant(Role.VIEWER, None, "NPL"))
    with pytest.raises(NotFound):
        accounts.grant("erin", Grant(Role.VIEWER, "NO-SUCH"), by="test")
    accounts.revoke("erin", record.id)
    assert accounts.user("erin").roles == (Grant(Role.VIEWER, None, "NPL"),)


def test_it_ends_sessions_on_sign_out_expiry_and_deactivation(accounts, clock) -> None:  # noqa: ANN001
    user = accounts.add_user("frank", PASSWORD, admin=True)
    assert accounts.user("frank").roles == (Grant(Role.ADMINISTRATOR),)
    secret, csrf = accounts.open_session(user, lifetime=60)
    assert accounts.session(secret).csrf == csrf
    assert accounts.session(secret, kind="token") is None
    accounts.close_session(secret)
    assert accounts.session(secret) is None
    secret, _ = accounts.open_session(user, lifetime=60)
    clock.now += timedelta(seconds=61)
    assert accounts.session(secret) is None
    secret, _ = accounts.open_session(user, kind="token", lifetime=600)
    accounts.set_active("frank", False)
    assert accounts.session(secret) is None
    with pytest.raises(SignInRefused):
        accounts.authenticate("frank", PASSWORD)


def test_cached_sessions_are_forgotten_when_accounts_change(ledger):
    """A worker trusts a session it looked up for a few seconds, but a sign-out, a revoked
    grant or a deactivation made through the same accounts applies at once."""
    from tests.factories import build_world

    build_world(ledger)
    accounts = Accounts(ledger.engine, session_cache_seconds=60)
    user = accounts.add_user("cached", "a long enough password")
    record = accounts.grant("cached", Grant(Role.VIEWER, "GAO"), by="test")
    secret, _ = accounts.open_session(user)
    assert [g.grant for g in accounts.session(secret).user.grants] == [Grant(Role.VIEWER, "GAO")]
    accounts.revoke("cached", record.id)
    assert accounts.session(secret).user.grants == ()
    accounts.set_active("cached", False)
    assert accounts.session(secret) is None
    accounts.set_active("cached", True)
    other, _ = accounts.open_session(accounts.user("cached"))
    assert accounts.session(other) is not None
    accounts.close_session(other)
    assert accounts.session(other) is None


def test_a_cached_session_still_expires(ledger):
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    accounts = Accounts(ledger.engine, session_cache_seconds=60, clock=lambda: now[0])
    user = accounts.add_user("expiring", "a long enough password")
    secret, _ = accounts.open_session(user, lifetime=10)
    assert accounts.session(secret) is not None
    now[0] += timedelta(seconds=11)
    assert accounts.session(secret) is None
