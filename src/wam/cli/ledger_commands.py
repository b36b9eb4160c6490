"""Commands of the custody ledger: init, import, move, balance, history, verify, checkpoint."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path

import typer

from wam.domain.errors import InvalidInput
from wam.domain.movements import Entry, make_movement
from wam.domain.timefmt import iso, parse_moment

from . import common

# Heavy modules (the services, SQLAlchemy, cryptography, rich's tables) are imported inside the
# commands that use them: `wam --help` must answer in well under a second (docs/benchmarks.md).

import_app = typer.Typer(help="Import holders, stock and public data from files.", no_args_is_help=True)


def _moment(text: str | None, field: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_moment(text, field)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD) or date-time (ISO 8601)", field=field) from None


def init(
    name: str = typer.Option("wam ledger", help="A name for this ledger."),
    admin: str | None = typer.Option(None, "--admin", help="Also create this first administrator."),
) -> None:
    """Create the database and this ledger's identity (safe to run again).

    With --admin, the first administrator is created too; the password is read from
    WAM_PASSWORD or, when that is unset, generated and printed once.

    Example: wam --db wam.db init --name "MINUSMA Sector East" --admin alice
    """
    import os
    import secrets

    url = common.database_url()
    ledger = common.open_ledger(initialised=False)
    ledger_id = ledger.init(name)
    common.stdout.print(f"ledger {ledger_id} ready in {url}")
    if admin:
        from wam.services.accounts import Accounts

        password = os.environ.get("WAM_PASSWORD") or secrets.token_urlsafe(12)
        Accounts(ledger.engine).add_user(admin, password, admin=True, by="wam init")
        shown = "from WAM_PASSWORD" if os.environ.get("WAM_PASSWORD") else password
        common.stdout.print(f"administrator {admin.strip().lower()} created; password: {shown}", markup=False)


def import_holders(
    file: Path = typer.Argument(..., help="CSV or XLSX: code,name,kind,parent,country,latitude,longitude"),
) -> None:
    """Import the holder tree; every bad row is reported and nothing is written if any is bad.

    Example: wam import holders holders.csv
    """
    from wam.importers.ledger_files import ImportFailed, read_holders

    ledger = common.open_ledger()
    _ = ledger.uuid  # fail early if the database is not initialised
    holders, errors = read_holders(file)
    if errors:
        raise ImportFailed(errors)
    added = ledger.add_holders(holders)
    common.stdout.print(f"imported {added} holders from {file}")


def import_stock(
    file: Path = typer.Argument(...,
                                help="CSV or XLSX: holder,type,make,model,serial,category,calibre,lot,quantity,..."),
    at: str | None = typer.Option(None, "--at", help="When the stock was taken on charge (default: now)."),
    actor: str | None = typer.Option(None, help="Who records it (default: your user name)."),
) -> None:
    """Import opening stock as receipts from each contingent's country, all or nothing.

    Example: wam import stock stock.xlsx --at 2024-01-01
    """
    from wam.importers.ledger_files import import_stock as run_import

    ledger = common.open_ledger()
    _ = ledger.uuid
    when = _moment(at, "at") or datetime.now(UTC)
    who = actor or getpass.getuser()
    if common.progress_enabled():
        from rich.progress import Progress, SpinnerColumn, TextColumn

        with Progress(SpinnerColumn(), TextColumn("{task.description} {task.completed} rows"),
                      console=common.stderr) as bar:
            task = bar.add_task("importing", total=None)
            report = run_import(ledger, file, actor=who, occurred_at=when, on_row=lambda: bar.advance(task))
    else:
        report = run_import(ledger, file, actor=who, occurred_at=when)
    common.stdout.print(f"imported {report.written} stock lines from {file} ({report.rows} rows read)")


def import_movements(
    file: Path = typer.Argument(..., help="CSV or XLSX with a header row: the columns are listed above."),
    actor: str | None = typer.Option(None, help="Who records a row whose actor is blank (default: your user name)."),
) -> None:
    """Import a history of movements (issue and return logs, transfer vouchers), all or nothing.

    The header row (the first six columns are required, the others may be left out or blank):

    kind,item,quantity,from,to,occurred_at,actor,witness,document,note,reason

    `item` is a weapon's serial or an item key, as `wam move --item` takes it; `occurred_at` is
    ISO 8601 (UTC when no offset is given); a weapon's quantity may be blank (1), a lot's may not.
    A reversal row adds a `reverses` column: the id of the entry it undoes. Losses, recoveries,
    adjustments and disposals go through their registers. Every bad row is reported with its line
    and column, and nothing is written if any is bad.

    Example: wam import movements issues-2024.xlsx
    """
    from wam.importers.ledger_files import import_movements as run_import

    ledger = common.open_ledger()
    _ = ledger.uuid
    who = actor or getpass.getuser()
    if common.progress_enabled():
        from rich.progress import Progress, SpinnerColumn, TextColumn

        with Progress(SpinnerColumn(), TextColumn("{task.description} {task.completed} rows"),
                      console=common.stderr) as bar:
            task = bar.add_task("importing", total=None)
            report = run_import(ledger, file, default_actor=who, on_row=lambda: bar.advance(task))
    else:
        report = run_import(ledger, file, default_actor=who)
    common.stdout.print(f"imported {report.written} movements from {file} ({report.rows} rows read)")


import_app.command("holders")(import_holders)
import_app.command("stock")(import_stock)
import_app.command("movements")(import_movements)


def _resolve_item(ledger, text: str, *, looked_up: bool = False) -> str:  # noqa: ANN001
    """The key of the item ``text`` names (a key, or a weapon's serial). A serial that names none is
    bad input where a movement or a document's line gives it, and not found (exit 3, as an unknown
    key) where the item is ``looked_up``."""
    if text.startswith(("W|", "L|")):
        from wam.domain.materiel import normalise_item_key

        return normalise_item_key(text)
    from wam.domain.errors import NotFound
    from wam.domain.materiel import serial_not_found

    matches = ledger.find_items(text)
    if not matches and looked_up:
        missing = NotFound("item", text)
        missing.message = serial_not_found(text)
        raise missing
    if not matches:
        raise InvalidInput(serial_not_found(text), field="item")
    if len(matches) > 1:
        keys = ", ".join(m.key for m in matches)
        raise InvalidInput(f"serial {text!r} belongs to several models ({keys}); give the key", field="item")
    return matches[0].key


def move(
    kind: str = typer.Option(..., help="receipt, transfer, issue, return, expenditure or reversal (a loss, "
                                       "recovery, adjustment or disposal goes through its register)"),
    item: str = typer.Option(..., help="Item key (W|make|model|serial, L|make|model|lot) or a weapon's serial."),
    source: str = typer.Option(..., "--from", help="The holder it leaves."),
    target: str = typer.Option(..., "--to", help="The holder it reaches."),
    quantity: str = typer.Option("1", "--quantity", "-q", help="A whole number, in the digits 0-9."),
    at: str | None = typer.Option(None, "--at", help="When it happened (default: now)."),
    actor: str | None = typer.Option(None, help="Who records it (default: your user name)."),
    witness: str | None = typer.Option(None),
    document: str | None = typer.Option(None, help="Incident, recovery, count or receipt reference."),
    note: str | None = typer.Option(None),
    reason: str | None = typer.Option(None, help="For expenditure: training, operations, ..."),
    reverses: str | None = typer.Option(None, help="For a reversal: the id of the entry it undoes."),
    as_json: bool = typer.Option(False, "--json"),
    idempotency_key: str | None = typer.Option(
        None, "--idempotency-key", help="Any unique text: running the same command again with it records nothing new."),
) -> None:
    """Record one movement.

    Example: wam move --kind issue --item 56-00012 --from GAO-ARM --to PTE-RAHMAN
    """
    from wam.domain.documents import refuse_generic

    refuse_generic(kind)  # loss, recovery, adjustment, disposal: through their registers, named before the rest
    ledger = common.open_ledger()
    movement = make_movement(
        kind=kind, item=_resolve_item(ledger, item), quantity=quantity, source=source, target=target,
        occurred_at=_moment(at, "at") or datetime.now(UTC), actor=actor or getpass.getuser(), witness=witness,
        document=document, note=note, reason=reason, reverses=reverses,
    )
    from wam.services.registers import acting

    scoped = acting(ledger, movement.actor)  # with accounts, --actor must be a user allowed to record it, as on the web
    if scoped is not None:
        scoped.check_record(movement)
    if idempotency_key is None:
        shown = entry_dict(ledger.post(movement))
    else:  # a retry with the same key and arguments gets the first answer (wam.services.idempotency)
        from wam.services.idempotency import post_once

        arguments = [kind, movement.item, movement.quantity, source, target, at, actor, witness, document, note, reason,
                     reverses]
        shown, _ = post_once(ledger, movement, owner=f"cli:{movement.actor}", key=idempotency_key, request=arguments,
                             answer=entry_dict)
    if as_json:
        common.print_json(shown)
    else:
        common.stdout.print(f"recorded entry {shown['seq']} ({shown['id']}): {shown['kind']} {shown['quantity']} x "
                            f"{shown['item']} {shown['source']} -> {shown['target']}", markup=False)


def entry_dict(entry: Entry) -> dict[str, object]:
    return {
        "seq": entry.seq, "id": entry.uid, "kind": entry.kind, "item": entry.item, "quantity": entry.quantity,
        "source": entry.source, "target": entry.target, "occurred_at": iso(entry.occurred_at),
        "recorded_at": iso(entry.recorded_at), "actor": entry.actor, "witness": entry.witness,
        "document": entry.document, "note": entry.note, "reason": entry.reason, "reverses": entry.reverses,
        "hash": entry.hash.hex(),
    }


def balance(
    holder: str = typer.Argument(..., help="Holder code."),
    at: str | None = typer.Option(None, "--at", help="A past date or moment (a date means the end of that day, UTC)."),
    tree: bool = typer.Option(False, "--tree", help="Include every holder below it."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Show what a holder holds now, or held at a past moment.

    Example: wam balance BGD-BATT --tree --at 2024-03-31
    """
    from rich.table import Table

    lines = None
    if at is None and not tree:  # the common case, read without loading SQLAlchemy when it can be
        from wam.services.current_balance import read_sqlite

        lines = read_sqlite(common.database_name(), holder)
    if lines is None:
        lines = common.open_ledger().balance(holder, at=_moment(at, "at"), tree=tree)
    if as_json:
        common.print_json({"holder": holder, "at": at, "tree": tree, "lines": [
            {"holder": b.holder, "item": b.item, "type": b.type, "label": b.label,
             "quantity": b.quantity} for b in lines]})
        return
    table = Table(title=f"{holder}{' and below' if tree else ''}{' at ' + at if at else ''}")
    for column in ("holder", "item", "type", "quantity"):
        table.add_column(column, justify="right" if column == "quantity" else "left")
    for b in lines:
        table.add_row(b.holder, b.label, b.type, f"{b.quantity:,}")
    common.stdout.print(table)
    if not lines:
        common.stdout.print("nothing held")


def history(
    item: str = typer.Argument(..., help="Item key or a weapon's serial."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Show an item's custody from first to last.

    Example: wam history 56-00012
    """
    from rich.table import Table

    ledger = common.open_ledger()
    key = _resolve_item(ledger, item, looked_up=True)
    entries = ledger.history(key)
    if as_json:
        common.print_json({"item": key, "entries": [entry_dict(e) for e in entries]})
        return
    table = Table(title=key)
    for column in ("when", "kind", "quantity", "from", "to", "actor", "document", "entry"):
        table.add_column(column)
    for e in entries:
        table.add_row(iso(e.occurred_at)[:19], e.kind, str(e.quantity), e.source, e.target, e.actor, e.document or "",
                      str(e.seq))
    common.stdout.print(table)


def verify(
    checkpoints: list[Path] = typer.Option([], "--checkpoints", help="Checkpoint files kept by other parties."),
    witness: list[str] = typer.Option([], "--witness", help="A witness to check against (a folder, a .json file, "
                                      "or the URL of another wam instance); repeatable."),
    public_key: str | None = typer.Option(None, "--public-key", envvar="WAM_PUBLIC_KEY",
                                          help="The ledger's public key as you know it (hex): reported if replaced."),
    key: Path | None = typer.Option(None, "--key", help="The signing key whose record (KEY.json) to compare with "
                                    "(default: where `wam checkpoint` keeps it)."),
    as_json: bool = typer.Option(False, "--json"),
    marks: bool = typer.Option(False, "--marks",
                               help="Also recompute the monthly balance marks (about twice the time)."),
) -> None:
    """Check the chain, checkpoints, laws and balances; exit 1 listing every problem.

    Also compares the ledger with what is held outside it: the signing key's record of the last
    checkpoint it signed, the heads kept by witnesses, a pinned public key.

    Example: wam verify --checkpoints oversight-checkpoints.json --witness /media/usb/wam-witness
    """
    from wam.services import keys, signing
    from wam.services import witness as witnesses
    from wam.services.trust import Anchors

    ledger = common.open_ledger()
    external = [cp for path in checkpoints for cp in signing.read_file(path)]
    record = keys.read_record(keys.choose(ledger.uuid, common.sqlite_file(ledger), key).path)
    witnessed = [cp for dest in witness for cp in witnesses.fetch(dest, ledger.uuid)]
    anchors = Anchors(key_record=record, public_key=public_key, witnessed=witnessed)
    report = ledger.verify(external, marks=marks, anchors=anchors)
    if as_json:
        common.print_json(report.as_dict())
    else:
        for problem in report.problems:
            common.stdout.print(str(problem), markup=False)
        status = "ok" if report.ok else f"{len(report.problems)} problem(s)"
        common.stdout.print(f"verified {report.entries} entries, {report.checkpoints_checked} checkpoint(s): {status}")
    if not report.ok:
        raise typer.Exit(1)


def _seconds(text: str) -> int:
    """``30s``, ``5m``, ``2h`` or a number of seconds."""
    units = {"s": 1, "m": 60, "h": 3600}
    try:
        value = int(text[:-1]) * units[text[-1]] if text and text[-1] in units else int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise InvalidInput(f"--every {text!r}: give a duration such as 30s, 5m or 2h", field="every")
    return value


def checkpoint(
    export: Path | None = typer.Option(None, "--export",
                                       help="Append the new checkpoint to this file (for another party)."),
    import_file: Path | None = typer.Option(None, "--import",
                                            help="Store the checkpoints of a file instead of signing."),
    key: Path | None = typer.Option(None, "--key", help="The signing key (default: WAM_SIGNING_KEY, else "
                                    "~/.config/wam/keys/<ledger>.pem); passphrase from WAM_KEY_PASSPHRASE."),
    key_beside_data: bool = typer.Option(False, "--key-beside-data",
                                         help="Allow creating the key in the database's own folder (not advised)."),
    witness: list[str] = typer.Option([], "--witness", help="Send the signed head to this witness (a folder on "
                                      "other media, a .json file, or the URL of another wam instance); repeatable."),
    every: str | None = typer.Option(None, "--every", help="Keep running: sign (and send) again every DURATION "
                                     "(30s, 5m, 2h) until stopped."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Sign the ledger's head with its Ed25519 key and store (export, witness) the checkpoint.

    Also builds the missing monthly balance marks, which make balances at past dates fast.

    Example: wam checkpoint --witness /media/usb/wam-witness --witness https://hq.example/ --every 5m
    """
    from wam.services import signing

    ledger = common.open_ledger()
    if import_file is not None:
        added = ledger.import_checkpoints(signing.read_file(import_file))
        common.stdout.print(f"stored {added} checkpoint(s) from {import_file}")
        return
    pause = _seconds(every) if every is not None else None
    path = common.signing_key_path(ledger, key)
    failed = _sign_once(ledger, path, key_beside_data, export, witness, as_json)
    while pause is not None:
        import time

        time.sleep(pause)
        failed = _sign_once(ledger, path, key_beside_data, export, witness, as_json)
    if failed:
        raise typer.Exit(1)


def _sign_once(ledger, path: Path, beside_ok: bool, export: Path | None, witness: list[str],  # noqa: ANN001
               as_json: bool) -> int:
    """Sign, store, remember in the key's record, export and send; return how many witnesses failed."""
    from wam.domain.errors import WamError
    from wam.services import keys, signing
    from wam.services import witness as witnesses

    existed = path.exists()
    key = keys.load_or_create(path, sqlite_file=common.sqlite_file(ledger), beside_ok=beside_ok)
    if not existed:  # a new key is the ledger's identity from now on: say where it is, and what to do with it
        common.stderr.print(f"created the ledger's signing key {path}: back it up apart from the database "
                            "(whoever holds it can sign checkpoints as this ledger)", markup=False)
    cp = ledger.checkpoint(key=key, record=keys.read_record(path))
    keys.write_record(path, cp)  # after the commit: the record never runs ahead of the ledger
    ledger.mark_balances()  # the periodic moment for derived data: monthly balance marks
    if export is not None:
        signing.append_to_file(export, cp)
    sent, failed = [], 0
    for dest in witness:
        try:
            sent.append(witnesses.send(dest, cp))
        except WamError as exc:  # one witness down must not stop the others
            failed += 1
            common.stderr.print(f"wam: error: {exc}", markup=False)
    if as_json:
        from dataclasses import asdict

        common.print_json(asdict(cp))
    else:
        exported = f", exported to {export}" if export else ""
        witnessed = f", sent to {len(sent)} witness(es)" if witness else ""
        common.stdout.print(f"signed checkpoint at entry {cp.seq} (number {cp.number}), head {cp.head_hash[:16]}…"
                            f"{exported}{witnessed}")
    return failed


def demo_minimal(
    no_serve: bool = typer.Option(True, "--no-serve", help="Only build (this minimal demo never serves)."),
) -> None:
    """Build a small example ledger in wam-demo.db and print its balances."""
    from wam.services.ledger import Ledger

    path = Path("wam-demo.db")
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    ledger = Ledger.open(str(path))
    ledger.init("demo")
    from wam.services.example import build_example

    build_example(ledger)
    for b in ledger.balance("UN", tree=True):
        common.stdout.print(f"{b.holder:<14} {b.label:<40} {b.quantity:>8,}")
    report = ledger.verify()
    common.stdout.print(f"verify: {'ok' if report.ok else report.problems}")


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.add_typer(import_app, name="import")
    app.command()(move)
    app.command()(balance)
    app.command()(history)
    app.command()(verify)
    app.command()(checkpoint)
