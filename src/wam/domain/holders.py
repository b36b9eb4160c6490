"""Holders: who or what can hold materiel.

Real holders form a tree: organisation > mission > sector > contingent > site > store > person.
A child must sit below its parent in that order, but levels may be skipped (a contingent
directly under a mission, a person directly under a site). External holders sit outside
the tree, like the equity accounts of bookkeeping, and may go negative: materiel enters the
ledger from them and leaves the ledger to them.

External holder codes::

    supply:<ISO3>          materiel arriving from a contributing country
    expended               ammunition fired in training or operations
    lost                   lost, stolen, abandoned (cites an incident)
    destroyed              destroyed under witness
    handed-over:<state>    handed over to a host state, with receipt
    recovered:<source>     materiel entering mission custody from the field
    count-adjustment       the counter-account of approved stock count adjustments
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from .errors import InvalidInput
from .text import clean_text, required_text


class HolderKind(StrEnum):
    """The kinds of holder; the order of the tree is :data:`TREE_ORDER`."""

    ORGANISATION = "organisation"
    MISSION = "mission"
    SECTOR = "sector"
    CONTINGENT = "contingent"
    SITE = "site"
    STORE = "store"
    PERSON = "person"
    EXTERNAL = "external"


TREE_ORDER: dict[HolderKind, int] = {
    HolderKind.ORGANISATION: 0,
    HolderKind.MISSION: 1,
    HolderKind.SECTOR: 2,
    HolderKind.CONTINGENT: 3,
    HolderKind.SITE: 4,
    HolderKind.STORE: 5,
    HolderKind.PERSON: 6,
}

EXTERNAL_WITH_ARGUMENT = ("supply", "handed-over", "recovered")
EXTERNAL_PLAIN = ("expended", "lost", "destroyed", "count-adjustment")

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
_EXTERNAL = re.compile(r"^(supply|handed-over|recovered):([A-Za-z0-9][A-Za-z0-9._/-]{0,47})$")
_ISO3 = re.compile(r"^[A-Z]{3}$")


@lru_cache(maxsize=65536)
def external_family(code: str) -> str | None:
    """Return the family of an external holder code (``supply``, ``lost``...), or None if it is real.

    Cached: the ledger asks this twice for every movement it posts, of a few thousand codes.
    """
    if code in EXTERNAL_PLAIN:
        return code
    match = _EXTERNAL.match(code)
    return match.group(1) if match else None


def is_external(code: str) -> bool:
    """Tell whether ``code`` names an external holder."""
    return external_family(code) is not None


@dataclass(frozen=True, slots=True)
class Holder:
    """A holder as the domain sees it. ``parent`` is the parent's code."""

    code: str
    name: str
    kind: HolderKind
    parent: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    @property
    def external(self) -> bool:
        return self.kind is HolderKind.EXTERNAL


def external_holder(code: str) -> Holder:
    """Build the external holder for ``code``; raise InvalidInput if it is not an external code."""
    family = external_family(code)
    if family is None:
        raise InvalidInput(
            f"{code!r} is not an external holder; use one of "
            "supply:<ISO3>, expended, lost, destroyed, handed-over:<state>, recovered:<source>, count-adjustment",
            field="holder",
        )
    country = code.split(":", 1)[1] if family == "supply" else None
    if family == "supply" and not _ISO3.match(country or ""):
        raise InvalidInput("supply holders are named supply:<ISO 3166 alpha-3>", field="holder")
    return Holder(code=code, name=code, kind=HolderKind.EXTERNAL, country=country)


def _float(value: object, field: str, low: float, high: float) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInput(f"{value!r} is not a number", field=field) from None
    if not low <= number <= high:
        raise InvalidInput(f"{number} is outside {low}..{high}", field=field)
    return number


def make_holder(
    *,
    code: object,
    name: object,
    kind: object,
    parent: object = None,
    country: object = None,
    latitude: object = None,
    longitude: object = None,
) -> Holder:
    """Validate raw values into a :class:`Holder` (without looking at the parent)."""
    code_text = required_text(code, "code", max_len=64)
    if is_external(code_text):
        return external_holder(code_text)
    if not _CODE.match(code_text):
        raise InvalidInput(
            "use letters, digits and . _ / - (at most 64, starting with a letter or digit)", field="code"
        )
    kind_text = required_text(kind, "kind").lower()
    try:
        holder_kind = HolderKind(kind_text)
    except ValueError:
        allowed = ", ".join(k.value for k in TREE_ORDER)
        raise InvalidInput(f"{kind_text!r} is not a holder kind ({allowed})", field="kind") from None
    if holder_kind is HolderKind.EXTERNAL:
        raise InvalidInput("external holders are named by their code (e.g. lost, supply:BGD)", field="kind")
    country_text = clean_text(country, "country", max_len=3)
    if country_text is not None:
        country_text = country_text.upper()
        if not _ISO3.match(country_text):
            raise InvalidInput(f"{country_text!r} is not an ISO 3166 alpha-3 code", field="country")
    if holder_kind is HolderKind.CONTINGENT and country_text is None:
        raise InvalidInput("a contingent needs its contributing country (ISO 3166 alpha-3)", field="country")
    lat = _float(latitude, "latitude", -90.0, 90.0)
    lon = _float(longitude, "longitude", -180.0, 180.0)
    if (lat is None) != (lon is None):
        raise InvalidInput("give both latitude and longitude, or neither",
                           field="latitude" if lat is None else "longitude")
    parent_text = clean_text(parent, "parent", max_len=64)
    if holder_kind is not HolderKind.ORGANISATION and parent_text is None:
        raise InvalidInput(f"a {holder_kind.value} needs a parent", field="parent")
    if parent_text == code_text:
        raise InvalidInput("a holder cannot be its own parent", field="parent")
    return Holder(
        code=code_text,
        name=required_text(name, "name", max_len=200),
        kind=holder_kind,
        parent=parent_text,
        country=country_text,
        latitude=lat,
        longitude=lon,
    )


def check_parent(child: Holder, parent: Holder) -> None:
    """Refuse a parent that is external or not above the child in the tree order."""
    if parent.external:
        raise InvalidInput("an external holder cannot be a parent", field="parent")
    if TREE_ORDER[parent.kind] >= TREE_ORDER[child.kind]:
        raise InvalidInput(
            f"a {child.kind.value} cannot sit under a {parent.kind.value} ({parent.code})", field="parent"
        )
