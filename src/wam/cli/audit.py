"""``wam audit``: the audit log of denied accesses, sign-in failures and administrative changes."""

from __future__ import annotations

import typer

from . import common


def register(app: typer.Typer) -> None:
    app.command("audit", help="List the audit log (denied accesses, sign-in failures, admin changes).")(audit)


def audit(
    last: int = typer.Option(100, "--last", min=1, help="Show the last N rows."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List the audit log, oldest first (`wam verify` checks its chain)."""
    from wam.services import audit as service

    ledger = common.open_ledger(upgrade=True)
    rows = [r.as_dict() for r in service.last_entries(ledger.engine, last)]
    if as_json:
        common.print_json(rows)
        return
    from rich.table import Table

    table = Table("seq", "at (UTC)", "actor", "action", "target", "detail", "from")
    for r in rows:
        shown = (str(r[k] or "") for k in ("actor", "action", "target", "detail", "address"))
        table.add_row(str(r["seq"]), str(r["at"])[:19], *shown)
    common.stdout.print(table)
