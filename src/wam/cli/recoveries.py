"""``wam recoveries match``: "is this weapon one of ours, or one we lost?", asked at a checkpoint
without registering anything (issue 12, matching).

Example::

    wam recoveries match --serial "56-ОО012" --make Norinco --model "Type 56" --json
    wam recoveries match --file cache.csv --json      # columns serial,make,model,calibre
    wam recoveries match --mark MINUSMA-R-OOO123      # the recovered items the mission marked so

The register's own commands (register, list, show, mark, trace, confirm, reject, dispose,
oversight, export) are in :mod:`wam.cli.recovery_register`.

Each candidate is a weapon of the ledger: whether it is lost (with the incident that lost it and
the holder it left), disposed of, or held (with its holder), its score in [0, 1] and the reason
in words. Serials are compared as read in the field (look-alike letters of other scripts,
spaces and dashes, O for 0, a swapped, missing or extra character, a defaced start): see
:mod:`wam.domain.serial_match`. The command line reads the whole ledger (its user holds the
database); the scoped answer is the service's (:func:`wam.services.matching.match`).
"""

from __future__ import annotations

import csv
from pathlib import Path

import typer

from wam.domain.errors import InvalidInput

from . import common

recoveries_app = typer.Typer(help="Recovered materiel: register, list, show, mark, trace, confirm, reject, dispose, "
                                  "oversight, export; match serials read in the field against the ledger's weapons.",
                             no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(recoveries_app, name="recoveries", help="Recovered materiel: register, trace, dispose of it; "
                                                          "match what was read against the weapons lost, "
                                                          "disposed of and held.")


def _reads(serial: str | None, make: str | None, model: str | None, calibre: str | None,
           file: Path | None) -> list[dict[str, str | None]]:
    if (serial is None) == (file is None):
        raise InvalidInput("give --serial or --file (a CSV with columns serial,make,model,calibre)", field="serial")
    if serial is not None:
        return [{"serial": serial, "make": make, "model": model, "calibre": calibre}]
    assert file is not None
    try:
        with file.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise InvalidInput(f"cannot read {file}: {exc.strerror}", field="file") from None
    if rows and "serial" not in rows[0]:
        raise InvalidInput("the file needs a column serial (and may have make, model, calibre)", field="file")
    return [{name: (row.get(name) or "").strip() or None for name in ("serial", "make", "model", "calibre")}
            for row in rows]


@recoveries_app.command("match")
def match(
    serial: str | None = typer.Option(None, "--serial", help="The serial as read (look-alikes, spaces, ? or * for "
                                                             "an unreadable character are fine)."),
    make: str | None = typer.Option(None, "--make"),
    model: str | None = typer.Option(None, "--model"),
    calibre: str | None = typer.Option(None, "--calibre"),
    file: Path | None = typer.Option(None, "--file", help="A CSV of reads: columns serial,make,model,calibre."),
    mark: str | None = typer.Option(None, "--mark", help="A mission mark as read: the recovered items marked so."),
    limit: int = typer.Option(3, "--limit", help="Candidates a read, best first (at most 20)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Match serials read in the field against every weapon the ledger records (lost, disposed of, held).

    Example: wam recoveries match --serial 56-OOO12 --model "Type 56" --json
    """
    from wam.domain.serial_match import Read
    from wam.services import matching

    if mark is not None and serial is None and file is None:
        _marks(mark, as_json)
        return
    reads = _reads(serial, make, model, calibre, file)
    for number, row in enumerate(reads, start=1):
        if not row["serial"]:
            raise InvalidInput(f"read {number} has no serial", field="serial")
    ledger = common.open_ledger()
    found = matching.match_everything(ledger, [Read(r["serial"] or "", r["make"], r["model"], r["calibre"])
                                               for r in reads], limit=limit)
    if as_json:
        common.print_json({"reads": [{"read": row, "candidates": [c.as_dict() for c in candidates]}
                                     for row, candidates in zip(reads, found, strict=True)]})
        return
    for row, candidates in zip(reads, found, strict=True):
        plural = "s" if len(candidates) != 1 else ""
        common.stdout.print(f"{row['serial']}: {len(candidates) or 'no'} candidate{plural}", markup=False)
        for c in candidates:
            where = (f"lost ({c.incident}, from {c.last_holder})" if c.status == matching.LOST
                     else f"disposed of ({c.holder}, from {c.last_holder})" if c.status == matching.DISPOSED
                     else f"held by {c.holder}")
            common.stdout.print(f"  {c.score:.3f}  {c.key}  {where}: {c.reason}", markup=False)


def _marks(mark: str, as_json: bool) -> None:
    """The recovered items whose mission mark is like ``mark`` (compared as a serial read in the field)."""
    from wam.services import recoveries

    found = recoveries.find_mark(common.open_ledger(), mark)
    if as_json:
        common.print_json({"mark": mark, "candidates": found})
        return
    common.stdout.print(f"{mark}: {len(found) or 'no'} mark{'s' if len(found) != 1 else ''}", markup=False)
    for hit in found:
        common.stdout.print(f"  {hit['score']:.3f}  {hit['mark']}  {hit['recovery']} line {hit['line']} "
                            f"({hit['item']}): {hit['reason']}", markup=False)


from . import recovery_register  # noqa: E402, F401  (register, list, show, ...: the register's commands)
