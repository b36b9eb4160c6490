"""`wam init --admin NAME` creates the first administrator, who can then sign in."""

from __future__ import annotations

from wam.cli.main import run
from wam.services.accounts import Accounts
from wam.services.ledger import Ledger


def test_it_creates_the_first_administrator_with_a_printed_password(db_url, capsys, monkeypatch):
    monkeypatch.delenv("WAM_PASSWORD", raising=False)
    assert run(["--db", db_url, "init", "--admin", "Alice"]) == 0
    out = capsys.readouterr().out
    assert "administrator alice created; password: " in out
    password = out.rsplit("password: ", 1)[1].split()[0]
    accounts = Accounts(Ledger.open(db_url).engine)
    assert accounts.user("alice").name == "alice"
    assert run(["--db", db_url, "users", "list"]) == 0
    listing = capsys.readouterr().out
    assert "alice" in listing and "administrator" in listing
    assert len(password) >= 12


def test_it_refuses_a_second_user_of_the_same_name(db_url, capsys, monkeypatch):
    monkeypatch.setenv("WAM_PASSWORD", "a long enough passphrase")
    assert run(["--db", db_url, "init", "--admin", "alice"]) == 0
    assert "from WAM_PASSWORD" in capsys.readouterr().out
    assert run(["--db", db_url, "init", "--admin", "alice"]) == 2
    assert "already exists" in capsys.readouterr().err
