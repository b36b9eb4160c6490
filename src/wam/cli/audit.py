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
    from sqlalchemy import func, select

    from wam.services import audit as service
    from wam.storage.security_tables import audit_log

    ledger = common.open_ledger(upgrade=True)
    with ledger.engine.connect() as conn:
        top = conn.execute(select(func.max(audit_log.c.seq))).scalar() or 0
        rows = [r.as_dict() for r in service.entries(conn, after=max(0, top - last))]
    if as_json:
        common.print_json(rows)
        return
    from rich.table import Table

    table = Table("seq", "at (UTC)", "actor", "action", "target", "detail", "from")
    for r in rows:
        shown = (str(r[k] or "") for k in ("actor", "action", "target", "detail", "address"))
        table.add_row(str(r["seq"]), str(r["at"])[:19], *shown)
    common.stdout.print(table)
