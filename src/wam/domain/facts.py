"""What the records chain says about holders, items, users and grants: one body per fact.

Every fact that decides custody or access is recorded in the records chain
(:mod:`wam.domain.records`) in the same transaction as the row it describes, and ``wam verify``
compares each row with the body of its last record. Both sides build the body with the
functions here, from the row's values, so "the row as recorded" has one definition:

==========  ==================  ===========================================================
kind        ref                 body (absent values left out)
==========  ==================  ===========================================================
holder      its code            name, kind, parent (code), country, latitude, longitude,
                                external
item        its key             type, shape, make, model, serial, lot, category, calibre,
                                country_of_manufacture, year_of_manufacture, markings,
                                hazard_division, compatibility_group, neq_kg, condition
user        its name            active, password (SHA-256 of the stored password hash)
grant       its id              user, role, holder (code), country, created_by; or
                                ``{"revoked": true}`` once revoked (the row is deleted)
==========  ==================  ===========================================================

Holders, items and grants are cited by code, key and user name, never by a database id, so
a row moved under another id, or a parent id pointed elsewhere, no longer matches its record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from hashlib import sha256
from json.encoder import encode_basestring  # the C function json uses

from .records import canonical_json

HOLDER, ITEM, USER, GRANT = "holder", "item", "user", "grant"
KINDS = (HOLDER, ITEM, USER, GRANT)
REVOKED: dict[str, object] = {"revoked": True}

ITEM_FIELDS = ("type", "shape", "make", "model", "serial", "lot", "category", "calibre", "country_of_manufacture",
               "year_of_manufacture", "markings", "hazard_division", "compatibility_group", "neq_kg", "condition")
# (position in ITEM_FIELDS, '"name":') in the sorted order canonical JSON writes the keys in
_SORTED_KEYS = tuple((ITEM_FIELDS.index(name), encode_basestring(name) + ":") for name in sorted(ITEM_FIELDS))


def _present(values: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in values.items() if v is not None}


def holder_body(*, name: str, kind: str, parent: str | None, country: str | None, latitude: float | None,
                longitude: float | None, external: bool) -> dict[str, object]:
    return _present({"name": name, "kind": kind, "parent": parent, "country": country, "latitude": latitude,
                     "longitude": longitude, "external": bool(external)})


def item_body(row: Mapping[str, object]) -> dict[str, object]:
    """The body of an item from its stored values by column name (``catalog.item_row``'s)."""
    return {f: row[f] for f in ITEM_FIELDS if row[f] is not None}


def item_body_text(values: Sequence[object]) -> str:
    """The canonical JSON text of :func:`item_body` from the values in :data:`ITEM_FIELDS` order,
    written directly: a stock import writes one per new item (equal to
    ``canonical_json(item_body(...))``, as a test checks)."""
    parts = []
    for index, key in _SORTED_KEYS:
        value = values[index]
        if value is None:
            continue
        if type(value) is str:
            parts.append(key + encode_basestring(value))
        elif type(value) is int:
            parts.append(key + str(value))
        else:  # not a type a stored item holds: the general encoder decides
            return canonical_json(item_body(dict(zip(ITEM_FIELDS, values, strict=True))))
    return "{" + ",".join(parts) + "}"


def password_digest(password_hash: str) -> str:
    """What the chain keeps of a password: the SHA-256 of its stored hash (the hash itself is
    already in the database; its digest tells nobody more, and a hash replaced behind wam's back
    no longer matches)."""
    return sha256(password_hash.encode("utf-8")).hexdigest()


def user_body(*, active: bool, password_hash: str) -> dict[str, object]:
    return {"active": bool(active), "password": password_digest(password_hash)}


def grant_body(*, user: str, role: str, holder: str | None, country: str | None, created_by: str) -> dict[str, object]:
    return _present({"user": user, "role": role, "holder": holder, "country": country, "created_by": created_by})
