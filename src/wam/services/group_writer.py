"""Group commit for a server: the movements that concurrent requests record share transactions.

Every posting is one transaction, and a transaction ends with an fsync that costs the same
for one movement as for fifty. A web server with fifty clerks recording at once therefore
hands each movement to one writer thread per process, which posts whatever has queued up
in one transaction (``Ledger.post_each``: each movement is still accepted or refused on its
own) and answers each request with its entry or its refusal.

Several server processes on one SQLite file queue for the database with a lock on a file
beside it (``flock``): the kernel wakes the next writer the moment the lock is free, where
SQLite's own busy handler would poll with sleeps of up to 100 ms.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TypeVar

from wam.domain.errors import ConcurrentAppend, WamError
from wam.domain.movements import Entry, Movement

from .ledger import Ledger, Then

MAX_BATCH = 100
T = TypeVar("T")
RETRIES = 5

try:  # POSIX; elsewhere SQLite's busy handler orders the processes
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


@contextmanager
def _flock(path: str) -> Iterator[None]:
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def process_lock(ledger: Ledger) -> AbstractContextManager[None]:
    """A lock shared by every process writing to the ledger's SQLite file (a no-op elsewhere).

    PostgreSQL needs none: writers queue on the chain head's row lock.
    """
    url = ledger.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:") or fcntl is None:
        return nullcontext()
    return _flock(os.fspath(url.database) + ".wam-lock")


def append_locked(ledger: Ledger, lock: threading.Lock, post: Callable[[], T], *, retries: int) -> T:
    """Run ``post`` (a write to the ledger) under this process's write lock, then all
    processes' (:func:`process_lock`); try again, up to ``retries`` times in all, when another
    writer appended first all the same (PostgreSQL's compare-and-set on the chain head)."""
    for attempt in range(retries):
        try:
            with lock, process_lock(ledger):
                return post()
        except ConcurrentAppend:
            if attempt == retries - 1:
                raise
    raise AssertionError("unreachable")


class GroupWriter:
    """Posts movements handed over by request threads, in shared transactions."""

    def __init__(self, ledger: Ledger, lock: threading.Lock, *, max_batch: int = MAX_BATCH) -> None:
        self.ledger = ledger
        self.lock = lock  # the process's write lock: other writers (a form's several serials) take it too
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[Movement, Future[Entry], Then | None] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def post(self, movement: Movement, *, then: Then | None = None) -> Entry:
        """Post one movement (waiting for its batch); raise its refusal as posting alone would."""
        return self.submit(movement, then=then).result()

    def submit(self, movement: Movement, *, then: Then | None = None) -> Future[Entry]:
        """Queue one movement; the future gives its entry or raises its refusal.

        An asynchronous caller awaits it (``asyncio.wrap_future``) without holding a thread.
        ``then(conn, entry)`` runs in the transaction that posts it (see ``Ledger.post_each``).
        """
        future: Future[Entry] = Future()
        self._ensure_thread()
        self._queue.put((movement, future, then))
        return future

    def close(self) -> None:
        """Let the thread finish what is queued, then stop."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _ensure_thread(self) -> None:
        if self._thread is None:
            with self._start:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="wam-group-writer", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._post(batch)
            if stop:
                return

    def _post(self, batch: list[tuple[Movement, Future[Entry], Then | None]]) -> None:
        movements = [movement for movement, _, _ in batch]
        hooks = [then for _, _, then in batch]
        try:
            results = self._post_each(movements, hooks if any(hooks) else [])
        except BaseException as exc:  # the database failed: every request of the batch hears it
            for _, future, _ in batch:
                future.set_exception(exc)
            return
        for (_, future, _), result in zip(batch, results, strict=True):
            if isinstance(result, WamError):
                future.set_exception(result)
            else:
                future.set_result(result)

    def _post_each(self, movements: list[Movement], then: list[Then | None]) -> list[Entry | WamError]:
        return append_locked(self.ledger, self.lock, lambda: self.ledger.post_each(movements, then), retries=RETRIES)
