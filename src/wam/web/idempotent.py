"""The ``Idempotency-Key`` header of the API's writes (see :mod:`wam.services.idempotency`).

:class:`Replay` is used by each write endpoint: before the write it answers a retry from the
store (or refuses the same key used for a different request); the write itself stores its
answer in its own transaction (:meth:`Replay.then` for movements, which the ledger runs in
the posting's transaction; :meth:`Replay.keep` for the other writes, just after them).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Header, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from wam.services import idempotency

from .context import services

if TYPE_CHECKING:
    from sqlalchemy import Connection

# documented in OpenAPI by each write endpoint; Replay reads it from the request itself
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200,
                                              description="any unique text: a retry with it records nothing new")]


class Replay:
    """One write request's idempotency key (or none)."""

    def __init__(self, request: Request, owner: str, key: str | None, fp: str) -> None:
        self.request, self.owner, self.key, self.fp = request, owner, key, fp

    @classmethod
    def of(cls, request: Request, owner: str, body: BaseModel | None = None) -> Replay:
        """The key of this request (none without the header); the request is fingerprinted by
        its method, path and validated body, so a retry's spacing or key order does not matter."""
        key = request.headers.get("idempotency-key")
        if key is None:
            return cls(request, owner, None, "")
        idempotency.check_key(key)
        payload = body.model_dump(mode="json") if body is not None else None
        return cls(request, owner, key, idempotency.fingerprint(request.method, request.url.path, payload))

    def stored(self) -> Response | None:
        """The stored answer to this request when it is a retry; None for a first request."""
        if self.key is None:
            return None
        engine = services(self.request).ledger.engine
        found = idempotency.replay(idempotency.lookup(engine, self.owner, self.key), self.fp)
        if found is None:
            return None
        if found.status == 204:
            return Response(status_code=204, headers={"Idempotent-Replayed": "true"})
        return JSONResponse(json.loads(found.body), status_code=found.status, headers={"Idempotent-Replayed": "true"})

    async def stored_async(self) -> Response | None:
        return None if self.key is None else await run_in_threadpool(self.stored)

    def then(self, status: int, body: Callable[[Any], BaseModel]) -> Callable[[Connection, object], None] | None:
        """Work for the ledger to run in the posting's transaction: store ``body(entry)`` under the key."""
        if self.key is None:
            return None
        owner, key, fp = self.owner, self.key, self.fp

        def run(conn: Connection, entry: object) -> None:
            idempotency.remember(conn, owner, key, fp, status, body(entry).model_dump_json())

        return run

    def keep(self, status: int, body: BaseModel | None) -> None:
        """Store the answer of a write made in a transaction of its own (just after it)."""
        if self.key is None:
            return
        engine = services(self.request).ledger.engine
        text = body.model_dump_json() if body is not None else "null"
        try:
            idempotency.remember_alone(engine, self.owner, self.key, self.fp, status, text)
        except idempotency.KeyInUse:
            pass  # a concurrent retry stored it first
