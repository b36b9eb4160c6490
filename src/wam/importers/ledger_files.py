"""Opening data for a ledger: the holder tree and opening stock, from CSV or XLSX.

Holders: ``code,name,kind,parent,country,latitude,longitude``.
Stock: ``holder,type,make,model,serial,category,calibre,lot,quantity,hazard_division,
compatibility_group,neq_kg``; each row becomes a receipt from ``supply:<country>``, the
contributing country of the contingent above the holder.

Every bad row is reported with its line and field, and nothing is written if any row is bad.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from wam.domain.errors import InvalidInput
from wam.domain.holders import Holder, make_holder
from wam.domain.materiel import Item, ItemType, make_item

from .spreadsheets import read_rows

HOLDER_COLUMNS = ("code", "name", "kind")
HOLDER_OPTIONAL = ("parent", "country", "latitude", "longitude")
STOCK_COLUMNS = ("holder", "type", "make", "model")
STOCK_OPTIONAL = ("serial", "category", "calibre", "lot", "quantity", "hazard_division", "compatibility_group",
                  "neq_kg", "country_of_manufacture", "year_of_manufacture", "markings", "condition")


class ImportFailed(InvalidInput):
    """Several rows were bad; ``errors`` lists each one. Nothing was written."""

    def __init__(self, errors: list[InvalidInput]) -> None:
        super().__init__(f"{len(errors)} bad row(s); nothing was imported")
        self.errors = errors


@dataclass
class ImportReport:
    rows: int = 0
    written: int = 0
    errors: list[InvalidInput] = field(default_factory=list)


def _located(exc: InvalidInput, line: int) -> InvalidInput:
    return InvalidInput(exc.detail, field=exc.field, row=line)


def read_holders(path: Path) -> tuple[list[tuple[int, Holder]], list[InvalidInput]]:
    """Validate every row of a holders file; return the holders and every error found."""
    holders, errors = [], []
    for line, row in read_rows(path, required=HOLDER_COLUMNS, optional=HOLDER_OPTIONAL):
        try:
            holders.append((line, make_holder(**{k: row.get(k) for k in HOLDER_COLUMNS + HOLDER_OPTIONAL})))
        except InvalidInput as exc:
            errors.append(_located(exc, line))
    return holders, errors


def stock_row(row: dict[str, str]) -> tuple[Item, str, int]:
    """Validate one stock row into (item, holder code, quantity)."""
    item = make_item(**{k: row.get(k) for k in ("type", "make", "model", "serial", "lot", "category", "calibre",
                                                "hazard_division", "compatibility_group", "neq_kg",
                                                "country_of_manufacture", "year_of_manufacture", "markings",
                                                "condition")})
    raw = (row.get("quantity") or "").strip()
    if item.serialised:
        if raw not in ("", "1"):
            raise InvalidInput("a serialised item has quantity 1", field="quantity")
        quantity = 1
    else:
        if not raw.isdigit() or int(raw) == 0:
            raise InvalidInput(f"{raw!r} is not a whole number of at least 1", field="quantity")
        quantity = int(raw)
    if item.type is ItemType.AMMUNITION and not item.hazard_division:
        raise InvalidInput("ammunition needs its UN hazard division (1.1 to 1.6)", field="hazard_division")
    holder = (row.get("holder") or "").strip()
    if not holder:
        raise InvalidInput("is required", field="holder")
    return item, holder, quantity


def import_stock(ledger, path: Path, *, actor: str, occurred_at: datetime,  # noqa: ANN001
                 on_row: Callable[[], None] | None = None) -> ImportReport:
    """Post a stock file as receipts in one transaction; raise ImportFailed listing every bad row."""
    countries = ledger_countries(ledger)
    report = ImportReport()
    errors = report.errors

    def rows() -> Iterator[tuple[int, Item, str, int, str]]:
        for line, raw in read_rows(path, required=STOCK_COLUMNS, optional=STOCK_OPTIONAL):
            report.rows += 1
            if on_row is not None:
                on_row()
            try:
                item, holder, quantity = stock_row(raw)
            except InvalidInput as exc:
                errors.append(_located(exc, line))
                continue
            if holder not in countries:
                errors.append(InvalidInput(f"holder {holder!r} does not exist", field="holder", row=line))
                continue
            country = countries[holder]
            if country is None:
                errors.append(InvalidInput(f"holder {holder!r} is not under a contingent with a country",
                                           field="holder", row=line))
                continue
            yield line, item, holder, quantity, f"supply:{country}"

    try:
        report.written = ledger.import_stock(rows(), actor=actor, occurred_at=occurred_at, keep_going=errors)
    except InvalidInput:
        if errors:
            raise ImportFailed(errors) from None
        raise
    return report


def ledger_countries(ledger) -> dict[str, str | None]:  # noqa: ANN001
    """Map every real holder's code to the country of the nearest holder above it that has one."""
    from wam.services.world import holder_countries

    return holder_countries(ledger)
