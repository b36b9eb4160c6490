"""Accounts: users, passwords, grants, sessions and API tokens, sign-in throttling.

Passwords are hashed with Argon2id (argon2-cffi). Sessions and API tokens are random secrets
given to the client once; the database keeps only their SHA-256, with the session's CSRF token
and expiry, so that signing out (or revoking a token) takes effect at once on every server.

Sign-in is slowed, never locked (docs/security.md, "Sign-in throttling"). Failures within
``window`` seconds make the next attempt wait, the wait doubling with each further failure:

- for the name from the same address, after ``max_failures`` failures (the guesser at the
  keyboard);
- for the name from any address that has itself been failing, after ``2 * max_failures``
  failures of the name in all (a guesser spread over many addresses);
- from the address for any name, after ``max_address_failures`` failures, the wait capped at
  ``address_cap`` seconds (a password sprayer; the colleagues behind the same NAT are slowed
  for at most that long, not locked out).

An address with no recent failure is never made to wait, so the real user signing in from
their own machine gets in whatever an attacker elsewhere does to their account. An attempt
made too early is answered 429 with the seconds to wait (``Throttled.retry_after``) without
checking the password, and says the same whether the name exists or not. Every failure and
every throttled attempt is written to the audit log, as is every administrative change
(users, passwords, activation, grants), in the transaction that makes it.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, Connection, Engine, Row, and_, delete, func, insert, select, update

from wam.domain.access import Grant, Role, make_grant
from wam.domain.errors import InvalidInput, NotFound, WamError
from wam.domain.timefmt import to_micros
from wam.storage import auth_tables as a
from wam.storage import tables as t
from wam.storage.engine import write_connection

from . import audit, facts

MIN_PASSWORD = 10
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class SignInRefused(WamError):
    """Wrong name or password (deliberately not saying which)."""

    code = "sign_in_refused"


class Throttled(WamError):
    """Too many failed sign-ins: wait ``retry_after`` seconds and try again."""

    code = "throttled"
    retryable = True

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unauthenticated(WamError):
    """No valid session or token."""

    code = "unauthenticated"


@dataclass(frozen=True, slots=True)
class GrantRecord:
    id: int
    grant: Grant


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    display_name: str
    active: bool
    grants: tuple[GrantRecord, ...] = ()

    @property
    def roles(self) -> tuple[Grant, ...]:
        return tuple(g.grant for g in self.grants)


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    kind: str  # "cookie" or "token"
    csrf: str


def _utcnow() -> datetime:
    return datetime.now(UTC)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Accounts:
    """Users and their sessions on one database."""

    def __init__(
        self,
        engine: Engine,
        *,
        hasher: PasswordHasher | None = None,
        clock: Callable[[], datetime] = _utcnow,
        max_failures: int = 5,
        max_address_failures: int = 20,
        window: int = 900,
        delay: float = 2.0,
        address_cap: float = 60.0,
        session_cache_seconds: float = 0,
    ) -> None:
        self.engine = engine
        self.hasher = hasher or PasswordHasher()
        self.clock = clock
        self.max_failures = max_failures
        self.max_address_failures = max_address_failures
        self.window = window
        self.delay = delay  # the first wait, in seconds; each further failure doubles it
        self.address_cap = address_cap
        # Verified against when the name is unknown, so both cases take the same time.
        self._dummy_hash = self.hasher.hash(secrets.token_hex(8))
        # Live sessions looked up in the last ``session_cache_seconds``: every request of a
        # signed-in user looks its session up, and the user's grants with it. Any change made
        # through this object forgets them all at once; a change made by another process (the
        # command line, another server worker) reaches the user within that many seconds.
        self.session_cache_seconds = session_cache_seconds
        self._sessions: dict[tuple[str, str | None], tuple[Session, int, float]] = {}

    def _now(self) -> int:
        return to_micros(self.clock())

    @contextmanager
    def _change(self) -> Iterator[Connection]:
        """A write transaction on users, grants or sessions; forgets the cached sessions."""
        try:
            with write_connection(self.engine) as conn, conn.begin():
                yield conn
        finally:
            self._sessions.clear()

    # users -------------------------------------------------------------------------------
    def add_user(self, name: str, password: str, *, display_name: str | None = None, admin: bool = False,
                 by: str = "system", address: str | None = None) -> User:
        """Create a user; with ``admin`` also grant administrator everywhere.

        Raises:
            InvalidInput: on a bad or taken name (field ``name``) or a short password (``password``).
        """
        name = (name or "").strip().lower()
        if not _NAME.match(name):
            raise InvalidInput("use 2-64 lower-case letters, digits and . _ -", field="name")
        check_password(password)
        with self._change() as conn:
            if conn.execute(select(a.users.c.id).where(a.users.c.name == name)).first() is not None:
                raise InvalidInput(f"user {name!r} already exists", field="name")
            password_hash = self.hasher.hash(password)
            conn.execute(insert(a.users).values(
                name=name, display_name=(display_name or name).strip()[:200] or name,
                password_hash=password_hash, active=True, created_at=self._now()))
            facts.record_user(conn, name, active=True, password_hash=password_hash, actor=by, at=self.clock())
            audit.append(conn, action="user_created", actor=by, target=name, address=address, at=self.clock())
        if admin:
            self.grant(name, Grant(Role.ADMINISTRATOR), by=by, address=address)
        return self.user(name)

    def set_password(self, name: str, password: str, *, by: str = "system", address: str | None = None) -> None:
        check_password(password)
        user = self.user(name)
        with self._change() as conn:
            password_hash = self.hasher.hash(password)
            conn.execute(update(a.users).where(a.users.c.id == user.id).values(password_hash=password_hash))
            facts.record_user(conn, user.name, active=user.active, password_hash=password_hash, actor=by,
                              at=self.clock())
            conn.execute(delete(a.sessions).where(a.sessions.c.user_id == user.id, a.sessions.c.kind == "cookie"))
            audit.append(conn, action="password_changed", actor=by, target=user.name, address=address, at=self.clock())

    def set_active(self, name: str, active: bool, *, by: str = "system", address: str | None = None) -> None:
        user = self.user(name)
        with self._change() as conn:
            conn.execute(update(a.users).where(a.users.c.id == user.id).values(active=active))
            password_hash = conn.execute(select(a.users.c.password_hash).where(a.users.c.id == user.id)).scalar_one()
            facts.record_user(conn, user.name, active=active, password_hash=password_hash, actor=by, at=self.clock())
            if not active:
                conn.execute(delete(a.sessions).where(a.sessions.c.user_id == user.id))
            audit.append(conn, action="user_activated" if active else "user_deactivated", actor=by, target=user.name,
                         address=address, at=self.clock())

    def user(self, name: str) -> User:
        with self.engine.connect() as conn:
            wanted = (name or "").replace("\x00", "").strip().lower()
            row = conn.execute(select(a.users).where(a.users.c.name == wanted)).first()
            if row is None:
                raise NotFound("user", name)
            return self._user(conn, row)

    def users(self) -> list[User]:
        """Every user with their grants, by name (user lists are short: hundreds, not millions)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(a.users).order_by(a.users.c.name)).all()
            grants = _grants_by_user(conn, None)
        return [User(r.id, r.name, r.display_name, r.active, tuple(grants.get(r.id, ()))) for r in rows]

    def _user(self, conn: Connection, row: Row[Any]) -> User:
        grants = _grants_by_user(conn, row.id).get(row.id, [])
        return User(row.id, row.name, row.display_name, row.active, tuple(grants))

    # grants ------------------------------------------------------------------------------
    def grant(self, name: str, grant: Grant, *, by: str, address: str | None = None) -> GrantRecord:
        """Give ``grant`` to the user ``name``; the holder must exist (NotFound otherwise)."""
        user = self.user(name)
        with self._change() as conn:
            holder_id = None
            if grant.holder is not None:
                holder_id = conn.execute(
                    select(t.holders.c.id).where(t.holders.c.code == grant.holder, t.holders.c.external.is_(False))
                ).scalar()
                if holder_id is None:
                    raise NotFound("holder", grant.holder)
            for existing in user.grants:
                if existing.grant == grant:
                    return existing
            new_id = conn.execute(insert(a.grants).values(
                user_id=user.id, role=grant.role.value, holder_id=holder_id, country=grant.country,
                created_at=self._now(), created_by=by)).inserted_primary_key[0]  # type: ignore[index]
            facts.record_grant(conn, new_id, user=user.name, role=grant.role.value, holder=grant.holder,
                               country=grant.country, created_by=by, actor=by, at=self.clock())
            audit.append(conn, action="grant_added", actor=by, target=user.name, address=address, at=self.clock(),
                         detail=_grant_detail(new_id, grant))
        return GrantRecord(new_id, grant)

    def revoke(self, name: str, grant_id: int, *, by: str = "system", address: str | None = None) -> Grant:
        user = self.user(name)
        found = next((g for g in user.grants if g.id == grant_id), None)
        if found is None:
            raise NotFound("grant", str(grant_id))
        with self._change() as conn:
            conn.execute(delete(a.grants).where(a.grants.c.id == grant_id))
            facts.record_revoked(conn, grant_id, actor=by, at=self.clock())
            audit.append(conn, action="grant_revoked", actor=by, target=user.name, address=address, at=self.clock(),
                         detail=_grant_detail(grant_id, found.grant))
        return found.grant

    # sign-in -----------------------------------------------------------------------------
    def authenticate(self, name: str, password: str, *, address: str = "-") -> User:
        """Check a name and password, under the throttle; record the attempt (and audit a failure).

        Raises:
            Throttled: an attempt made before the wait its recent failures call for is over.
            SignInRefused: wrong name or password, or an inactive account.
        """
        name = (name or "").replace("\x00", "").strip().lower()[:64]
        address = (address or "-").replace("\x00", "")[:64]
        now = self._now()
        with self.engine.connect() as conn:
            wait = self._wait(conn, name, address, now)
            row = conn.execute(select(a.users).where(a.users.c.name == name)).first()
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            audit.record(self.engine, action="sign_in_throttled", actor=name or "-", target=name or "-",
                         detail=f"wait {retry_after} s", address=address, at=self.clock())
            raise Throttled("too many failed sign-ins: wait and try again", retry_after=retry_after)
        ok = False
        try:
            self.hasher.verify(row.password_hash if row is not None else self._dummy_hash, password or "")
            ok = row is not None and row.active
        except (VerificationError, InvalidHashError):
            ok = False
        with self._change() as conn:
            conn.execute(insert(a.login_attempts).values(name=name, address=address, at=now, ok=ok))
            if ok and row is not None and self.hasher.check_needs_rehash(row.password_hash):
                conn.execute(update(a.users).where(a.users.c.id == row.id)
                             .values(password_hash=self.hasher.hash(password)))
            if not ok:
                audit.append(conn, action="sign_in_failed", actor=name or "-", target=name or "-", address=address,
                             at=self.clock(), detail="account inactive" if row is not None and not row.active else "")
        if not ok:
            raise SignInRefused("wrong name or password")
        return self.user(name)

    def _wait(self, conn: Connection, name: str, address: str, now: int) -> float:
        """Seconds this attempt must still wait (0: check the password now); see the module's doc."""
        since = now - self.window * 1_000_000
        failed = and_(a.login_attempts.c.at > since, a.login_attempts.c.ok.is_(False))

        def failures(*where: ColumnElement[bool]) -> tuple[int, int]:
            count, last = conn.execute(
                select(func.count(), func.max(a.login_attempts.c.at)).where(failed, *where)).one()
            return count or 0, last or 0

        from_address, last_address = failures(a.login_attempts.c.address == address)
        if from_address == 0:
            return 0.0  # an address that has not been failing is never made to wait
        waits = []
        pair, last_pair = failures(a.login_attempts.c.name == name, a.login_attempts.c.address == address)
        if pair >= self.max_failures:
            waits.append(self._until(last_pair, pair - self.max_failures, self.window, now))
        named, last_named = failures(a.login_attempts.c.name == name)
        if named >= 2 * self.max_failures:
            waits.append(self._until(last_named, named - 2 * self.max_failures, self.window, now))
        if from_address >= self.max_address_failures:
            waits.append(self._until(last_address, from_address - self.max_address_failures, self.address_cap, now))
        return max(waits, default=0.0)

    def _until(self, last: int, doublings: int, cap: float, now: int) -> float:
        delay = min(cap, self.delay * 2 ** min(doublings, 30))
        return float(max(0.0, (last - now) / 1e6 + delay))

    # sessions and tokens -----------------------------------------------------------------
    def open_session(self, user: User, *, kind: str = "cookie", label: str | None = None,
                     lifetime: int = 43_200) -> tuple[str, str]:
        """Open a session (or API token) for ``user``; return (secret, csrf token). Only the hash is stored."""
        secret = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(24)
        now = self._now()
        with self._change() as conn:
            conn.execute(insert(a.sessions).values(
                token_hash=token_hash(secret), user_id=user.id, kind=kind, label=label, csrf=csrf,
                created_at=now, expires_at=now + lifetime * 1_000_000))
        return secret, csrf

    def session(self, secret: str, *, kind: str | None = None) -> Session | None:
        """Return the live session for ``secret`` (None when unknown, expired or the user is inactive)."""
        if not secret:
            return None
        key = (token_hash(secret), kind)
        cached = self._sessions.get(key)
        if cached is not None and cached[2] > time.monotonic():
            session, expires_at, _ = cached
            return session if expires_at > self._now() else None
        with self.engine.connect() as conn:
            query = select(a.sessions.c.kind, a.sessions.c.csrf, a.sessions.c.expires_at, a.users).join(
                a.users, a.users.c.id == a.sessions.c.user_id).where(a.sessions.c.token_hash == key[0])
            if kind is not None:
                query = query.where(a.sessions.c.kind == kind)
            row = conn.execute(query).first()
            if row is None or row.expires_at <= self._now() or not row.active:
                return None
            session = Session(self._user(conn, row), row.kind, row.csrf)
        if self.session_cache_seconds > 0:
            if len(self._sessions) >= 10_000:  # bounded: a flood of tokens only costs look-ups
                self._sessions.clear()
            self._sessions[key] = (session, row.expires_at, time.monotonic() + self.session_cache_seconds)
        return session

    def close_session(self, secret: str) -> None:
        with self._change() as conn:
            conn.execute(delete(a.sessions).where(a.sessions.c.token_hash == token_hash(secret)))

    def purge_expired(self) -> int:
        """Delete expired sessions and attempts older than the window; return how many sessions went."""
        now = self._now()
        with self._change() as conn:
            gone = conn.execute(delete(a.sessions).where(a.sessions.c.expires_at <= now)).rowcount
            conn.execute(delete(a.login_attempts).where(a.login_attempts.c.at < now - self.window * 1_000_000))
        return gone


def _grant_detail(grant_id: int, grant: Grant) -> dict[str, object]:
    return {"grant": grant_id, "role": grant.role.value, "holder": grant.holder, "country": grant.country}


def check_password(password: str) -> None:
    if not password or len(password) < MIN_PASSWORD:
        raise InvalidInput(f"use at least {MIN_PASSWORD} characters", field="password")
    if len(password) > 1024:
        raise InvalidInput("is longer than 1024 characters", field="password")


def _grants_by_user(conn: Connection, user_id: int | None) -> dict[int, list[GrantRecord]]:
    query = select(a.grants.c.id, a.grants.c.user_id, a.grants.c.role, a.grants.c.country, t.holders.c.code).outerjoin(
        t.holders, and_(t.holders.c.id == a.grants.c.holder_id))
    if user_id is not None:
        query = query.where(a.grants.c.user_id == user_id)
    out: dict[int, list[GrantRecord]] = {}
    for r in conn.execute(query.order_by(a.grants.c.id)):
        out.setdefault(r.user_id, []).append(GrantRecord(r.id,
                                                         make_grant(role=r.role, holder=r.code, country=r.country)))
    return out


def acting_user(engine: Engine, name: str) -> User | None:
    """The user a command line's ``--actor`` names, or None when the ledger has no accounts at all.

    Raises:
        PermissionDenied: the ledger has accounts and ``name`` is none of them, or is deactivated.
    """
    from wam.domain.errors import PermissionDenied

    with engine.connect() as conn:
        if conn.execute(select(a.users.c.id).limit(1)).first() is None:
            return None
        wanted = (name or "").replace("\x00", "").strip().lower()
        row = conn.execute(select(a.users).where(a.users.c.name == wanted)).first()
        if row is None:
            raise PermissionDenied(f"actor {name!r} is not a user of this ledger (wam users list; "
                                   "the ledger has accounts, so --actor must name one)")
        if not row.active:
            raise PermissionDenied(f"actor {name!r} is a deactivated user")
        grants = _grants_by_user(conn, row.id).get(row.id, [])
        return User(row.id, row.name, row.display_name, row.active, tuple(grants))
