"""Errors and problems of the ledger.

Exceptions are for a request that cannot be carried out; *problems* are values describing what
verification found, because an auditor needs every break, not only the first one.

Messages are English. Each error also has a stable ``code`` and ``params`` (the English
``detail``, and ``field``/``row``, ``law``/``item``/``holder`` or ``what``/``key``), from which
an edge (the web's ``messages`` module) writes the message in its reader's language.

Hierarchy::

    WamError
     ├── InvalidInput        bad data from a user or a file; names the row and field
     ├── NotFound            a holder, item or entry that does not exist (or is not visible)
     ├── PermissionDenied    the user may not do this
     └── LedgerError
          ├── PostingRejected   a movement would break a ledger law
          └── ConcurrentAppend  another writer appended first (retryable)
"""

from __future__ import annotations

from dataclasses import dataclass


class WamError(Exception):
    """Base of every error wam raises on purpose. ``retryable`` tells the caller whether to try again."""

    retryable = False
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.detail = message

    @property
    def params(self) -> dict[str, object]:
        """The values a message in another language names (the web's catalogs use them with ``code``).

        ``detail`` is the English message without its "where" or "which law" prefix.
        """
        return {"detail": self.detail}


class InvalidInput(WamError):
    """Input that cannot be accepted. ``field`` and ``row`` say where, when known."""

    code = "invalid_input"

    def __init__(self, message: str, *, field: str | None = None, row: int | None = None) -> None:
        where = []
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.field = field
        self.row = row
        self.detail = message

    @property
    def params(self) -> dict[str, object]:
        return {"field": self.field, "row": self.row, "detail": self.detail}


class NotFound(WamError):
    """A thing that does not exist, or that the user is not entitled to see (the same answer)."""

    code = "not_found"

    def __init__(self, what: str, key: str) -> None:
        super().__init__(f"{what} {key!r} not found")
        self.what = what
        self.key = key

    @property
    def params(self) -> dict[str, object]:
        return {"what": self.what, "key": self.key}


class PermissionDenied(WamError):
    """The user is known but may not do this."""

    code = "forbidden"


class LedgerError(WamError):
    """An error of the ledger itself."""

    code = "ledger_error"


class PostingRejected(LedgerError):
    """A movement that would break a law. Says which law, which item and which holder."""

    code = "posting_rejected"

    def __init__(self, message: str, *, law: int | None, item: str | None, holder: str | None,
                 mentions: tuple[str, ...] = ()) -> None:
        prefix = f"law {law}: " if law else ""
        super().__init__(prefix + message)
        self.detail = message
        self.law = law
        self.item = item
        self.holder = holder
        #: every holder the message names (the item's custodian as well as the movement's end): a user who
        #: may not see one of them is told "not found", never who holds the item (wam.web.app)
        self.mentions = tuple(dict.fromkeys((*mentions, *((holder,) if holder else ()))))

    @property
    def params(self) -> dict[str, object]:
        return {"law": self.law, "item": self.item, "holder": self.holder, "detail": self.detail}


class ConcurrentAppend(LedgerError):
    """Another writer appended to the ledger between our read of the head and our write."""

    code = "concurrent_append"
    retryable = True


@dataclass(frozen=True, slots=True)
class LedgerProblem:
    """One thing verification found wrong. ``seq`` is the entry's position, when there is one."""

    check: str
    message: str
    seq: int | None = None
    item: str | None = None
    holder: str | None = None

    def __str__(self) -> str:
        at = f"entry {self.seq}: " if self.seq is not None else ""
        return f"[{self.check}] {at}{self.message}"
