"""A list, as filtered, to CSV or XLSX, streamed: memory stays flat however long the list.

CSV is written a batch of rows at a time. XLSX goes through openpyxl's write-only workbook
(rows are written to a temporary file as they come, never held in memory), then the file is
read back in chunks. A cell that starts like a formula is written as text with a leading
apostrophe in CSV (spreadsheets would otherwise run it) and as a string cell in XLSX.

A moment (a datetime, or the microseconds of a ``*_at`` column such as a movement's "When") is
written as ISO 8601 UTC text in CSV and as a date-time cell (UTC) in XLSX, never as a raw number.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from wam.domain.timefmt import from_micros, iso, to_micros

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
CHUNK = 64 * 1024
Column = tuple[str, str]  # (key in the row, header)
XLSX_MOMENT = "yyyy-mm-dd hh:mm:ss"


def _moment(key: str, value: object) -> int | None:
    """The microseconds of a moment cell (a datetime, or an integer in a ``*_at`` column), else None."""
    if isinstance(value, datetime):
        return to_micros(value)
    if key.endswith("_at") and isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _cell(value: object, key: str = "") -> object:
    micros = _moment(key, value)
    if micros is not None:
        return iso(micros)
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value


def _text(value: object, key: str = "") -> str:
    text = "" if value is None else str(_cell(value, key))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(text) else text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_stream(rows: Iterable[dict[str, Any]], columns: list[Column]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # so that spreadsheets read UTF-8
    writer.writerow([header for _, header in columns])
    for n, row in enumerate(rows, 1):
        writer.writerow([_text(row.get(key), key) for key, _ in columns])
        if n % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def sheet_title(title: str) -> str:
    """A worksheet's name from a list's title: Excel refuses ``\\ / ? * : [ ]`` (a holder's code may hold a
    slash, MONUSCO-BGD-NDROMO/ASP), a leading or trailing apostrophe and more than 31 characters."""
    cleaned = "".join("-" if ch in '\\/?*:[]' else ch for ch in title)[:31].strip("'")
    return cleaned or "wam"


def xlsx_stream(rows: Iterable[dict[str, Any]], columns: list[Column], title: str = "wam") -> Iterator[bytes]:
    from openpyxl import Workbook  # only when exporting: the server starts without it
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title(title))
    sheet.append([header for _, header in columns])

    def cell(value: object, key: str) -> object:
        micros = _moment(key, value)
        if micros is not None:
            try:
                moment = from_micros(micros)
            except OverflowError:  # outside Python's years: the ISO text
                return iso(micros)
            written = WriteOnlyCell(sheet, value=moment.replace(tzinfo=None))  # Excel has no time zones: UTC
            written.number_format = XLSX_MOMENT
            return written
        value = _cell(value, key)
        if isinstance(value, str) and value.startswith("="):  # text, never a formula
            written = WriteOnlyCell(sheet, value=value)
            written.data_type = "s"
            return written
        return value

    for row in rows:
        sheet.append([cell(row.get(key), key) for key, _ in columns])
    with tempfile.TemporaryFile() as handle:
        book.save(handle)
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            yield chunk


def stream(fmt: str, rows: Iterable[dict[str, Any]], columns: list[Column], title: str = "wam") -> Iterator[bytes]:
    """Bytes of the export in ``fmt`` (``csv`` or ``xlsx``)."""
    maker: Callable[..., Iterator[bytes]] = csv_stream if fmt == "csv" else xlsx_stream
    return maker(rows, columns) if fmt == "csv" else maker(rows, columns, title)


__all__ = ["FORMATS", "csv_stream", "stream", "xlsx_stream"]
