"""`wam move --actor`: on a ledger with accounts the actor must be a user allowed to record the movement
where it happens (the web's rule); on a bare ledger (no accounts) any actor is taken at its word."""

from __future__ import annotations

import pytest

from tests.builders import command_line, own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)


@pytest.fixture
def wam(world, db_url, capsys):  # noqa: ANN001, ANN201
    return command_line(db_url, capsys)


def _issue(wam, actor: str, serial: str = "56-00001", source: str = "GAO-ARM", target: str = "PTE-RAHMAN"):  # noqa: ANN001, ANN202
    return wam("move", "--kind", "issue", "--item", serial, "--from", source, "--to", target, "--actor", actor)


def test_a_bare_ledger_takes_any_actor(wam) -> None:  # noqa: ANN001
    code, out, err = _issue(wam, "someone")
    assert code == 0, err
    assert "recorded entry" in out


def test_with_accounts_the_actor_must_be_a_user_allowed_there(wam, ledger) -> None:  # noqa: ANN001
    from wam.domain.access import make_grant
    from wam.services.accounts import Accounts

    accounts = Accounts(ledger.engine)
    for name, role, holder in (("alice", "armourer", "GAO"), ("vera", "viewer", "MINUSMA"),
                               ("nils", "armourer", "JUBA")):
        accounts.add_user(name, "a long enough password")
        accounts.grant(name, make_grant(role=role, holder=holder), by="test")
    before = ledger.head()
    code, _, err = _issue(wam, "mallory")
    assert code == 6 and "not a user of this ledger" in err
    code, _, err = _issue(wam, "vera")  # may see Gao, may not record there
    assert code == 6, err
    code, _, err = _issue(wam, "nils")  # records, but at Juba only: Gao is out of his sight, as on the web
    assert code == 3 and "not found" in err, err
    assert ledger.head() == before  # nothing written by the refusals
    code, out, err = _issue(wam, "alice")
    assert code == 0, err
    assert "recorded entry" in out
