"""Read CSV and XLSX files as a stream of rows, with the line number of each.

Files come from quartermasters' spreadsheets: a byte-order mark, stray spaces in headers,
empty trailing rows and mixed case are normal. A header that lacks a required column, or has
a column nobody asked for, is an error before any row is read, because a typo in a header
would otherwise silently drop a whole column.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from wam.domain.errors import InvalidInput

Row = dict[str, str]


def read_rows(path: Path, *, required: tuple[str, ...], optional: tuple[str, ...] = (),
              problems: list[InvalidInput] | None = None) -> Iterator[tuple[int, Row]]:
    """Yield ``(line_number, row)`` for every non-empty row of a CSV or XLSX file.

    Raises:
        InvalidInput: the file cannot be read, or its header lacks a required column or has
            an unknown one (row 1); a row with more values than the header or a value under
            an unnamed column, unless ``problems`` is given (see :func:`read_table`).
    """
    names, rows = read_table(path, required=required, optional=optional, problems=problems)
    if all(names):  # the common header (no blank column; read_table refuses a name given twice): a dict per row
        for line, values in rows:
            yield line, dict(zip(names, values, strict=True))
        return
    for line, values in rows:
        yield line, {n: values[i] for i, n in enumerate(names) if n}


def read_table(path: Path, *, required: tuple[str, ...], optional: tuple[str, ...] = (),
               problems: list[InvalidInput] | None = None) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header's column names (trimmed, lower case; "" for a blank one) and a stream of
    ``(line_number, values)`` for every non-empty row, each value trimmed and a missing one "",
    as many as the names: :func:`read_rows` without a dict per row, for a file of a million.
    A row with more values than the header, or with a value under a column the header leaves
    unnamed, is an error of that row: appended to ``problems``
    and left out when it is given (an import then reports it with every other bad row),
    raised otherwise.

    Raises:
        InvalidInput: the file cannot be read, or its header lacks a required column or has
            an unknown one (row 1); the header is read at once, the rows as they are asked for.
    """
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    elif suffix in (".csv", ".txt", ""):
        rows = _csv_rows(path)
    else:
        raise InvalidInput(f"{path.name}: use a .csv or .xlsx file", field="file")
    try:
        first = next(rows, None)
        if first is None:
            raise InvalidInput(f"{path.name} is empty", field="file", row=1)
        _, header = first
        names = [h.strip().lower() for h in header]
        missing = [c for c in required if c not in names]
        unknown = [n for n in names if n and n not in required and n not in optional]
        faults = [f"missing column(s): {', '.join(missing)}"] if missing else []
        if unknown:  # named with the missing ones: "occurred at" is most likely "occurred_at" mistyped
            faults.append(f"unknown column(s): {', '.join(unknown)} (expected {', '.join(required + optional)})")
        if faults:
            raise InvalidInput("; ".join(faults), field="header", row=1)
        twice = sorted({n for n in names if n and names.count(n) > 1})
        if twice:  # which of the two a row's value would be read from is anybody's guess
            raise InvalidInput(f"column(s) named more than once: {', '.join(twice)}", field="header", row=1)
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}", field="file") from None
    return names, _values(path, names, rows, problems)


def _values(path: Path, names: list[str], rows: Iterator[tuple[int, list[str]]],
            problems: list[InvalidInput] | None) -> Iterator[tuple[int, list[str]]]:
    width = len(names)
    strip = str.strip
    unnamed = [n for n, name in enumerate(names) if not name]  # a column with no name in the header

    def refuse(error: InvalidInput) -> None:
        if problems is None:
            raise error
        problems.append(error)

    try:
        for line, values in rows:
            if len(values) == width:  # the common row: no call per value
                stripped = list(map(strip, values))
            elif not any(v.strip() for v in values):
                continue
            elif len(values) > width and any(v.strip() for v in values[width:]):
                refuse(InvalidInput(f"has {len(values)} values but the header has {width} columns", field="row",
                                    row=line))
                continue
            else:
                stripped = [values[i].strip() if i < len(values) else "" for i in range(width)]
            if not any(stripped):
                continue
            if unnamed and any(stripped[n] for n in unnamed):  # a value the header gives no column to
                column = next(n for n in unnamed if stripped[n]) + 1
                refuse(InvalidInput(f"has a value in column {column}, which the header does not name", field="row",
                                    row=line))
                continue
            yield line, stripped
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}", field="file") from None


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            # strict: a quote left open would otherwise take every line after it into one value
            # (the rows after it silently become a note), and `"a"b` would read as `ab`
            reader = csv.reader(handle, strict=True)
            start = 1
            for values in reader:
                yield start, values
                start = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path.name} is not UTF-8 text ({exc.reason})", field="file") from None
    except csv.Error as exc:
        problem = ("a quoted value begins on this line and is never closed" if "end of data" in str(exc)
                   else f"is not well-formed CSV ({exc})")
        raise InvalidInput(f"{path.name}: {problem}", field="file", row=start) from None


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InvalidInput(f"{path.name} is not a readable XLSX workbook ({type(exc).__name__})",
                           field="file") from None
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            yield number, [_cell_text(cell.value, getattr(cell, "number_format", None)) for cell in cells]
    finally:
        workbook.close()


def _cell_text(value: object, number_format: str | None) -> str:
    """A cell's value as the text a CSV file would hold: a whole number without ".0", and a
    cell shown as a date alone (its format has no hours) as that date, which the ledger reads
    as the end of that day like the same text in a CSV file, not as midnight."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and number_format and not any(
            mark in number_format.lower() for mark in ("h", "s", ":", "am/pm", "a/p")):
        return value.date().isoformat()
    return str(value)
