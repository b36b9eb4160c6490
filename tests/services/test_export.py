"""Exports write a date-time cell as the ledger's ISO text (a datetime crashed the export: iso() takes microseconds)."""

from __future__ import annotations

from datetime import UTC, datetime

from wam.services.export import csv_stream


def test_a_datetime_cell_is_written_as_iso_text() -> None:
    body = b"".join(csv_stream([{"at": datetime(2024, 1, 2, 8, 30, tzinfo=UTC)}], [("at", "at")]))
    assert "2024-01-02T08:30:00.000000Z" in body.decode("utf-8-sig")
