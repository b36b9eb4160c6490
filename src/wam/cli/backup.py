"""``wam backup FILE`` and ``wam restore FILE`` (see :mod:`wam.services.backup`).

Example::

    wam backup /media/usb/minusma-2026-12-02.wam --key-out /media/other-usb/minusma-signing-key.pem
    wam --db restored.db restore /media/usb/minusma-2026-12-02.wam
"""

from __future__ import annotations

from pathlib import Path

import typer

from . import common


def register(app: typer.Typer) -> None:
    app.command("backup", help="Back the ledger up to a file while it runs (the signing key apart).")(backup)
    app.command("restore", help="Restore a backup into a new database.")(restore)


def backup(
    file: Path = typer.Argument(..., help="The backup file to write (replaced only once the copy is complete)."),
    key_out: Path | None = typer.Option(
        None, "--key-out", help="Also copy the signing key to this separate file (keep it on other media)."),
    key: Path | None = typer.Option(None, "--key", help="The signing key, if not where `wam checkpoint` finds it."),
) -> None:
    """Back up the ledger: SQLite's online backup API (WAL included) or pg_dump.

    The signing key is not in the backup file; with --key-out it is copied to a file of its own.
    """
    from wam.services import backup as service

    ledger = common.open_ledger()
    entries = service.backup(ledger.engine, file)
    common.stdout.print(f"backed up {entries} entries to {file}", markup=False)
    key = common.signing_key_path(ledger, key)
    if key_out is not None:
        service.copy_key(key, key_out)
        common.stdout.print(f"copied the signing key to {key_out} (keep it apart from the backup)", markup=False)
    else:
        common.stderr.print(f"note: the signing key ({key}) is not in the backup; keep a copy of it on other media",
                            markup=False)


def restore(
    file: Path = typer.Argument(..., help="A file written by `wam backup`."),
    replace: bool = typer.Option(False, "--replace", help="Overwrite an SQLite ledger that exists already."),
) -> None:
    """Restore a backup into the database given by --db (an empty one), then run `wam verify`."""
    from wam.services import backup as service

    ledger = common.open_ledger(initialised=False)
    entries = service.restore(ledger.engine, file, replace=replace)
    restored = common.open_ledger()
    common.stdout.print(f"restored {entries} entries from {file}; run `wam verify`, and put the signing key at "
                        f"{common.signing_key_path(restored)} (or set WAM_SIGNING_KEY, or give --key)", markup=False)
