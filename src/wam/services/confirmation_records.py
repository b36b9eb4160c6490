"""Confirmations in the records chain: each confirmation's record, and the rows checked against it.

A confirmation sits outside the entries' hash chain (wam.storage.confirmation_tables); so that a
change to one is seen, ``Confirmations.confirm`` appends a ``confirmation`` record holding every
stored column of the row, in the same transaction, and :func:`verify_confirmations` (run by
``wam verify``) compares each row with it. The records chain is hashed and its head is signed by
the checkpoints, so the record itself cannot be changed unseen.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection, select

from wam.domain.errors import LedgerProblem
from wam.storage.confirmation_tables import confirmations as c
from wam.storage.record_tables import records as record_table

RECORD_KIND = "confirmation"


def confirmation_body(row_id: int, entry_seq: int, user_id: int, at: int, note: str | None) -> dict[str, object]:
    """Every stored column of a confirmation, as its record's body."""
    return {"id": row_id, "entry_seq": entry_seq, "user_id": user_id, "confirmed_at": at, "note": note}


def verify_confirmations(conn: Connection) -> list[LedgerProblem]:
    """Compare every confirmation with its record (the last ``confirmation`` record of its entry):
    a row changed, added or removed behind wam's back is reported."""
    problems: list[LedgerProblem] = []
    recorded: dict[int, dict[str, object]] = {}
    for ref, body in conn.execute(select(record_table.c.ref, record_table.c.body)
                                  .where(record_table.c.kind == RECORD_KIND).order_by(record_table.c.seq)):
        try:
            recorded[int(ref)] = json.loads(body)
        except ValueError:
            problems.append(LedgerProblem("confirmations", f"the confirmation record of entry {ref!r} is unreadable"))
    seen: set[int] = set()
    for row in conn.execute(select(c.c.id, c.c.entry_seq, c.c.user_id, c.c.confirmed_at, c.c.note)
                            .order_by(c.c.id)):
        seen.add(row.entry_seq)
        body = recorded.get(row.entry_seq)
        if body is None:
            problems.append(LedgerProblem("confirmations", f"the confirmation of entry {row.entry_seq} has no record: "
                                                           "it was added outside wam", row.entry_seq))
        elif body != confirmation_body(row.id, row.entry_seq, row.user_id, row.confirmed_at, row.note):
            problems.append(LedgerProblem("confirmations", f"the confirmation of entry {row.entry_seq} differs from "
                                                           "its record: it was changed outside wam", row.entry_seq))
    for entry_seq in sorted(set(recorded) - seen):
        problems.append(LedgerProblem("confirmations", f"the confirmation of entry {entry_seq} is recorded but gone: "
                                                       "it was deleted outside wam", entry_seq))
    return problems
