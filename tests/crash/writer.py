"""The crash harness's writer: posts movements through the ledger's service until killed.

``python -m tests.crash.writer URL ACKS START MODE``: posts transfers of one round (GAO-ASP to
ANSONGO-ARM), each carrying the document ``crash-N`` (N from START), and after each commit appends
``crash-N`` to the file ACKS, flushed and synced: a line there is an *acknowledged* movement.

MODE ``commit`` acknowledges after the commit (wam's promise). The negative controls acknowledge
*before* the commit, as a broken server would: ``early`` with a short pause before posting (a
random kill may fall in between), ``early-exit`` by leaving (``os._exit``) before the post (a
certain loss). The harness must report those losses, or it could not see any.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta

from tests.factories import T0, ball_rounds
from wam.domain.movements import make_movement
from wam.services.ledger import Ledger


def main(url: str, acks: str, start: int, mode: str) -> None:
    ledger = Ledger.open(url)
    rounds = ball_rounds().key
    fd = os.open(acks, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    n = start
    while True:
        document = f"crash-{n}"
        movement = make_movement(kind="transfer", item=rounds, quantity=1, source="GAO-ASP", target="ANSONGO-ARM",
                                 occurred_at=T0 + timedelta(days=1), actor="crash-harness",
                                 document=document)
        if mode != "commit":
            os.write(fd, f"{document}\n".encode())
            os.fsync(fd)
            if mode == "early-exit":
                os._exit(0)
            time.sleep(0.01)
        ledger.post(movement)
        if mode == "commit":
            os.write(fd, f"{document}\n".encode())
            os.fsync(fd)
        n += 1


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
