"""Holders, items, users and grants in the records chain: their records, and rows checked against them.

The services that write these rows (``catalog``, ``world``, ``accounts``) append each row's
record in the same transaction with the helpers here; :func:`verify_facts` (run by
``wam verify``) compares every current row with the body of its last record
(:mod:`wam.domain.facts` builds both) and reports a row that differs, a row without a record
(added behind wam's back), and a record whose row is gone (deleted behind wam's back).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, inspect

from wam.domain.errors import LedgerProblem
from wam.domain.facts import (
    GRANT,
    HOLDER,
    ITEM,
    ITEM_FIELDS,
    KINDS,
    REVOKED,
    USER,
    grant_body,
    holder_body,
    item_body_text,
    user_body,
)
from wam.domain.holders import Holder
from wam.domain.records import canonical_json

from . import records

_REVOKED_TEXT = canonical_json(REVOKED)


def holder_record(holder: Holder, actor: str | None = None) -> records.RecordRow:
    """The record of a holder as the domain describes it (parent by code)."""
    return (HOLDER, holder.code, holder_body(name=holder.name, kind=holder.kind.value, parent=holder.parent,
                                             country=holder.country, latitude=holder.latitude,
                                             longitude=holder.longitude, external=holder.external), actor)


def record_holders(conn: Connection, holders: Iterable[Holder], *, actor: str | None = None) -> None:
    records.append_many(conn, (holder_record(h, actor) for h in holders))


def record_items(conn: Connection, rows: Iterable[Sequence[object]], *, actor: str | None = None,
                 at: datetime | None = None) -> None:
    """Record items from their stored values: the key, then :data:`ITEM_FIELDS` in order (the
    columns ``catalog`` inserts); bodies written directly, in one loop (a stock import's items)."""
    records.append_canonical(conn, ((ITEM, str(row[0]), item_body_text(row[1:]), actor) for row in rows), at=at)


def record_user(conn: Connection, name: str, *, active: bool, password_hash: str, actor: str | None,
                at: datetime | None = None) -> None:
    records.append(conn, kind=USER, ref=name, body=user_body(active=active, password_hash=password_hash),
                   actor=actor, at=at)


def record_grant(conn: Connection, grant_id: int, *, user: str, role: str, holder: str | None, country: str | None,
                 created_by: str, actor: str | None, at: datetime | None = None) -> None:
    body = grant_body(user=user, role=role, holder=holder, country=country, created_by=created_by)
    records.append(conn, kind=GRANT, ref=str(grant_id), body=body, actor=actor, at=at)


def record_revoked(conn: Connection, grant_id: int, *, actor: str | None, at: datetime | None = None) -> None:
    records.append(conn, kind=GRANT, ref=str(grant_id), body=REVOKED, actor=actor, at=at)


# --- verification -----------------------------------------------------------------------------------
def _recorded(conn: Connection) -> dict[tuple[str, str], str]:
    """The body text of the last record of each (kind, ref) of the fact kinds."""
    kinds = ", ".join(f"'{k}'" for k in KINDS)
    latest: dict[tuple[str, str], str] = {}
    result = conn.exec_driver_sql(f"SELECT kind, ref, body FROM records WHERE kind IN ({kinds}) ORDER BY seq")
    for kind, ref, body in result:
        latest[(kind, ref)] = body
    return latest


def _rows(conn: Connection) -> Iterable[tuple[str, str, str, str]]:
    """(kind, ref, body text as the row is now, what to call it) for every current fact row."""
    codes: dict[int, str] = {}
    holders = conn.exec_driver_sql(
        "SELECT id, code, name, kind, parent_id, country, latitude, longitude, external FROM holders").all()
    for row in holders:
        codes[row[0]] = row[1]
    for _id, code, name, kind, parent_id, country, latitude, longitude, external in holders:
        parent = None if parent_id is None else codes.get(parent_id, f"#{parent_id}")
        body = holder_body(name=name, kind=kind, parent=parent, country=country, latitude=latitude,
                           longitude=longitude, external=external)
        yield HOLDER, code, canonical_json(body), f"holder {code}"
    columns = ", ".join(f'"{c}"' for c in ("key", *ITEM_FIELDS))
    for row in conn.exec_driver_sql(f"SELECT {columns} FROM items"):
        yield ITEM, row[0], item_body_text(tuple(row)[1:]), f"item {row[0]}"
    if not inspect(conn).has_table("grants"):
        return
    names: dict[int, str] = {}
    for user_id, name, active, password_hash in conn.exec_driver_sql(
            "SELECT id, name, active, password_hash FROM users"):
        names[user_id] = name
        yield USER, name, canonical_json(user_body(active=active, password_hash=password_hash)), f"user {name}"
    for grant_id, user_id, role, holder_id, country, created_by in conn.exec_driver_sql(
            "SELECT id, user_id, role, holder_id, country, created_by FROM grants"):
        holder = None if holder_id is None else codes.get(holder_id, f"#{holder_id}")
        body = grant_body(user=names.get(user_id, f"#{user_id}"), role=role, holder=holder, country=country,
                          created_by=created_by)
        yield GRANT, str(grant_id), canonical_json(body), f"grant {grant_id}"


def _differences(now: str, recorded: str) -> str:
    try:
        a, b = json.loads(now), json.loads(recorded)
    except ValueError:
        return "its content differs"
    if not isinstance(a, dict) or not isinstance(b, dict):
        return "its content differs"
    names = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return "; ".join(f"{k} is {a.get(k)!r} in the database but {b.get(k)!r} as recorded" for k in names)


def _problem(kind: str, ref: str, message: str) -> LedgerProblem:
    return LedgerProblem("facts", message, None, ref if kind == ITEM else None, ref if kind == HOLDER else None)


def verify_facts(conn: Connection) -> list[LedgerProblem]:
    """Every holder, item, user and grant row that differs from its last record, has none, or is
    gone while its record says it exists (a grant's last record may say it was revoked)."""
    if not inspect(conn).has_table("records"):
        return []
    recorded = _recorded(conn)
    problems: list[LedgerProblem] = []
    seen: set[tuple[str, str]] = set()
    for kind, ref, body, name in _rows(conn):
        key = (kind, ref)
        seen.add(key)
        want = recorded.get(key)
        if want is None:
            problems.append(_problem(kind, ref, f"{name} has no record in the records chain (added outside wam)"))
        elif want == _REVOKED_TEXT and kind == GRANT:
            problems.append(_problem(kind, ref, f"{name} was revoked but is in the database again (restored "
                                                "outside wam)"))
        elif want != body:
            problems.append(_problem(kind, ref, f"{name} differs from its record (changed outside wam): "
                                                f"{_differences(body, want)}"))
    for (kind, ref), body in recorded.items():
        if (kind, ref) not in seen and not (kind == GRANT and body == _REVOKED_TEXT):
            problems.append(_problem(kind, ref, f"{kind} {ref} is recorded but missing from the database (deleted "
                                                "outside wam)"))
    return problems
