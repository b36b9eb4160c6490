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

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from wam.domain.access import Action
from wam.domain.documents import Document, document_type
from wam.domain.errors import InvalidInput, NotFound, PermissionDenied

from . import documents
from .scoped import Ancestry, Page, ScopedLedger, _page

if TYPE_CHECKING:
    from .ledger import Ledger


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
        if state is not None and state not in self.type.states:
            raise InvalidInput(f"is not a state of a {self.type.name} (one of {', '.join(self.type.states)})",
                               field="state")
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


# ------------------------------------------------------------------------ the command line's --actor
def acting(ledger: Ledger, actor: str) -> ScopedLedger | None:
    """The ledger as the command line's ``--actor`` may change it: the same rules as a signed-in
    user's. None when the ledger has no accounts at all (a bare ``wam init``: any actor is taken
    at its word, docs/security.md).

    Raises:
        PermissionDenied: the ledger has accounts and ``actor`` is none of them, or is deactivated.
    """
    from .accounts import acting_user

    user = acting_user(ledger.engine, actor)
    return None if user is None else ScopedLedger(ledger, Ancestry(), user.roles, user.name)


@contextmanager
def refusals(scoped: ScopedLedger, type_name: str | None, doing: str) -> Iterator[None]:
    """Name the actor in a refusal of ``doing``. What exists but is out of the actor's sight is
    refused (PermissionDenied), not "not found": the command line's user can open the database.
    ``type_name``: the document type of the register, if it is one."""
    try:
        yield
    except PermissionDenied as exc:
        raise PermissionDenied(f"actor {scoped.actor!r} may not {doing}: {exc.detail}") from None
    except NotFound as exc:
        if exc.what == "holder" and scoped._places(exc.key) is not None:  # noqa: SLF001
            raise PermissionDenied(f"actor {scoped.actor!r} may not {doing}: no grant at {exc.key}") from None
        if exc.what == "item" and _item_exists(scoped.ledger, exc.key):
            raise PermissionDenied(f"actor {scoped.actor!r} may not {doing}: "
                                   f"no grant where {exc.key} is held") from None
        kind = None if type_name is None else document_type(type_name)
        if kind is not None and exc.what == kind.title and _exists(scoped.ledger, kind.name, exc.key):
            raise PermissionDenied(f"actor {scoped.actor!r} may not {doing}: "
                                   f"no grant at the holders {exc.key} takes from") from None
        raise


def _item_exists(ledger: Ledger, key: str) -> bool:
    try:
        ledger.item(key)
    except NotFound:
        return False
    return True


def _exists(ledger: Ledger, type_name: str, number: str) -> bool:
    try:
        documents.get(ledger, type_name, number)
    except NotFound:
        return False
    return True
