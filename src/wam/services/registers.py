"""A register's documents as a signed-in user may see and change them (the web's disposals).

The holder tree scopes documents as it scopes movements: a document is in sight of a user who
may read movements at one of the holders its lines leave (else it is "not found", exactly as a
number that does not exist). Taking a step needs, at *every* holder its lines leave:

- the first step (a draft): a role that records movements (:attr:`Action.RECORD`);
- a step that approves or posts (approve, execute): the approver's role (:attr:`Action.APPROVE`,
  the mission WAM officer and administrators); the domain adds that the drafter never approves;
- any other step (cancel): a role that records movements.

Each step is one unit of work of :mod:`wam.services.documents`, written under the scoped ledger's
write locks like a movement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wam.domain.access import Action
from wam.domain.documents import Document, document_type
from wam.domain.errors import NotFound

from . import documents
from .scoped import Page, ScopedLedger, _page


class ScopedDocuments:
    """The documents of one type, as ``scoped``'s user is entitled to see and change them."""

    def __init__(self, scoped: ScopedLedger, type_name: str) -> None:
        self.scoped = scoped
        self.type = document_type(type_name)

    def _sources(self, lines: Any) -> list[str]:
        return sorted({str(line.source if hasattr(line, "source") else line.get("from", "")) for line in lines})

    def _visible(self, document: Document) -> bool:
        return any(self.scoped._reads_movements_at(code) for code in self._sources(document.lines))  # noqa: SLF001

    def get(self, number: str) -> Document:
        """The document, if in sight (else NotFound, as for a number that does not exist)."""
        self.scoped.require_movements(None)
        try:
            document = documents.get(self.scoped.ledger, self.type.name, number)
        except NotFound:
            raise NotFound(self.type.title, number) from None
        if not self._visible(document):
            raise NotFound(self.type.title, number)
        return document

    def listing(self, *, state: str | None = None, cursor: str | None = None, limit: int = 50) -> Page:
        """The documents in sight, by number; page with ``cursor`` (the last number seen)."""
        self.scoped.require_movements(None)
        found = [d for d in documents.documents(self.scoped.ledger, self.type.name, state=state)
                 if (cursor is None or d.number > cursor) and self._visible(d)]
        return _page(found[:limit + 1], limit, lambda d: d.number)

    def history(self, number: str) -> list[dict[str, Any]]:
        self.get(number)
        return documents.history(self.scoped.ledger, self.type.name, number)

    def draft(self, *, lines: Sequence[Mapping[str, Any]], number: str | None = None, **fields: Any) -> Document:
        """Create a document (its type's first step) from lines that leave holders where the user records."""
        for code in self._sources(lines):
            if code:
                self.scoped._require(code, Action.RECORD)  # noqa: SLF001  (404 out of sight, 403 without the role)
        return self._write(self.type.draft, number, lines=lines, **fields)

    def take(self, number: str, step_name: str, **given: Any) -> Document:
        """Take a later step; approving and posting steps need the approver's role at every source."""
        step = self.type.steps.get(step_name)
        action = Action.APPROVE if step is not None and (step.approves or step.posts) else Action.RECORD
        self.scoped._require_anywhere(action)  # noqa: SLF001  (403 for a role that allows it nowhere, first)
        document = self.get(number)
        for code in self._sources(document.lines):
            self.scoped._require(code, action)  # noqa: SLF001
        return self._write(step_name, number, **given)

    def _write(self, step_name: str, number: str | None, **given: Any) -> Document:
        scoped = self.scoped
        return scoped._append(lambda: documents.step(  # noqa: SLF001  (the scoped ledger's write locks)
            scoped.ledger, self.type.name, number, step_name, actor=scoped.actor, **given))
