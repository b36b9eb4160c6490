"""``wam users``: manage who signs in to the web application and what they may do.

Example::

    wam users add alice --admin            # the first administrator (asks for a password)
    wam users add bob --display-name "Bob Diallo"
    wam users grant bob quartermaster --holder BGD-BATT
    wam users grant hq-bgd viewer --country BGD
    wam users list --json
    wam users revoke bob 3
    wam users token bob                    # an API token for scripts (printed once)
"""

from __future__ import annotations

import json
import os
from typing import Annotated

import typer

users_app = typer.Typer(help="Users, their roles (grants) and API tokens.", no_args_is_help=True)

DbOption = Annotated[
    str | None, typer.Option("--db", help="database URL or SQLite path (default: $WAM_DATABASE_URL or wam.db)")]


def _accounts(db: str | None):  # noqa: ANN202
    from wam.cli.common import open_ledger
    from wam.services.accounts import Accounts

    ledger = open_ledger(db, upgrade=True)  # the auth tables may be newer than the database
    return Accounts(ledger.engine)


def _fail(exc: Exception) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(1)


@users_app.command("add")
def add(
    name: str,
    db: DbOption = None,
    admin: Annotated[bool, typer.Option("--admin", help="grant administrator everywhere")] = False,
    display_name: Annotated[str | None, typer.Option(help="full name shown in pages")] = None,
    password: Annotated[str | None, typer.Option(help="read from $WAM_PASSWORD or asked when not given")] = None,
) -> None:
    """Add a user. Example: wam users add alice --admin"""
    from wam.domain.errors import WamError

    password = password or os.environ.get("WAM_PASSWORD") or typer.prompt("password", hide_input=True,
                                                                          confirmation_prompt=True)
    try:
        user = _accounts(db).add_user(name, password, display_name=display_name, admin=admin, by="cli")
    except WamError as exc:
        _fail(exc)
    typer.echo(f"added {user.name}" + (" (administrator everywhere)" if admin else ""))


@users_app.command("grant")
def grant(
    name: str,
    role: str,
    db: DbOption = None,
    holder: Annotated[str | None, typer.Option(help="holder code: the grant covers its subtree")] = None,
    country: Annotated[str | None, typer.Option(help="ISO3: every contingent of this country")] = None,
) -> None:
    """Give a role at a holder, for a country, or (neither) everywhere.

    Example: wam users grant bob armourer --holder GAO-ARM
    """
    from wam.domain.access import make_grant
    from wam.domain.errors import WamError

    try:
        record = _accounts(db).grant(name, make_grant(role=role, holder=holder, country=country), by="cli")
    except WamError as exc:
        _fail(exc)
    typer.echo(f"grant {record.id}: {record.grant.describe()} to {name}")


@users_app.command("revoke")
def revoke(name: str, grant_id: int, db: DbOption = None) -> None:
    """Revoke one grant by its id (see `wam users list`). Example: wam users revoke bob 3"""
    from wam.domain.errors import WamError

    try:
        gone = _accounts(db).revoke(name, grant_id)
    except WamError as exc:
        _fail(exc)
    typer.echo(f"revoked {gone.describe()} from {name}")


@users_app.command("list")
def list_users(db: DbOption = None, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List users and their grants. Example: wam users list --json"""
    users = _accounts(db).users()
    if as_json:
        typer.echo(json.dumps([
            {"name": u.name, "display_name": u.display_name, "active": u.active,
             "grants": [{"id": g.id, "role": g.grant.role.value, "holder": g.grant.holder, "country": g.grant.country}
                        for g in u.grants]} for u in users], indent=1))
        return
    for u in users:
        grants = ", ".join(f"[{g.id}] {g.grant.describe()}" for g in u.grants) or "no grant"
        typer.echo(f"{u.name}{'' if u.active else ' (inactive)'}: {grants}")


@users_app.command("token")
def token(
    name: str,
    db: DbOption = None,
    days: Annotated[int, typer.Option(help="lifetime in days")] = 90,
    label: Annotated[str, typer.Option(help="what the token is for")] = "cli",
) -> None:
    """Create an API token for NAME and print it once (send it as `Authorization: Bearer <token>`)."""
    from wam.domain.errors import WamError

    accounts = _accounts(db)
    try:
        user = accounts.user(name)
    except WamError as exc:
        _fail(exc)
    secret, _ = accounts.open_session(user, kind="token", label=label, lifetime=days * 86_400)
    typer.echo(secret)
