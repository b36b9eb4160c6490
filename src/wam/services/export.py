"""A list, as filtered, to CSV or XLSX, streamed: memory stays flat however long the list.

CSV is written a batch of rows at a time. XLSX goes through openpyxl's write-only workbook
(rows are written to a temporary file as they come, never held in memory), then the file is
read back in chunks. A cell that starts like a formula is written as text with a leading
apostrophe in CSV (spreadsheets would otherwise run it) and as a string cell in XLSX.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from wam.domain.timefmt import iso, to_micros

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
CHUNK = 64 * 1024
Column = tuple[str, str]  # (key in the row, header)


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return iso(to_micros(value))
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value


def _text(value: object) -> str:
    text = "" if value is None else str(_cell(value))
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
        writer.writerow([_text(row.get(key)) for key, _ in columns])
        if n % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def xlsx_stream(rows: Iterable[dict[str, Any]], columns: list[Column], title: str = "wam") -> Iterator[bytes]:
    from openpyxl import Workbook  # only when exporting: the server starts without it
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "wam")
    sheet.append([header for _, header in columns])

    def cell(value: object) -> object:
        value = _cell(value)
        if isinstance(value, str) and value.startswith("="):  # text, never a formula
            written = WriteOnlyCell(sheet, value=value)
            written.data_type = "s"
            return written
        return value

    for row in rows:
        sheet.append([cell(row.get(key)) for key, _ in columns])
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
