"""Ammunition storage rules of the International Ammunition Technical Guidelines (IATG), as data.

Three rules, each with the source it is taken from (``../shared/reference/standards.md``):

- **Storage mixing** of compatibility groups (IATG 01.50 section 7.1): :func:`mixing` says whether two
  groups may share a store: ``allowed``, ``forbidden``, or ``conditional`` with its note. This is
  the *storage* table, never the transport one (they differ: K with S, G with C/D/E, B with C/D/E).
- **Aggregation** of hazard divisions in mixed storage (IATG 02.20): :func:`aggregate` gives the
  division a store counts as and the net explosive quantity (NEQ) that counts.
- **Quantity distances** (IATG 02.20, Hopkinson-Cranz scaling): D = k x Q^(1/3) in metres for Q kg
  NEQ, and its inverse, the largest NEQ a store may hold at a distance: Q = (D / k)^3.

Evidence: the reference labels each value [V] (verified from a primary page) or [S] (secondary: a
page or public code that quotes the standard, consistent but not checked against the PDF). Values
labelled [S] are encoded with ``provisional=True`` and their source, and every output that uses one
says so; values labelled UNSURE are **not** encoded: the inter-magazine distances and the distance
rules of divisions other than 1.1 (and 1.5, which aggregates as 1.1) are left out, and a check that
would need them says that it cannot decide rather than guessing.

Pure: no I/O. The services read a store's lots and its recorded distances and call these.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .errors import InvalidInput
from .materiel import COMPATIBILITY_GROUPS, HAZARD_DIVISIONS

SOURCE_MIXING = ("IATG 01.50 section 7.1 storage mixing table, as transcribed in public code [S] "
                 "(reference standards.md 2.3a); to be re-checked against the IATG 01.50 V3 PDF")
SOURCE_AGGREGATION = ("IATG 02.20 aggregation rules for mixed storage, as transcribed in public code [S] "
                      "(reference standards.md 3.5); to be re-checked against the IATG 02.20 V3 PDF")
SOURCE_FORMULA = "IATG 02.20 / 01.80, Hopkinson-Cranz scaling D = k x Q^(1/3) [V] (UN SaferGuard)"


class Verdict(StrEnum):
    ALLOWED = "allowed"
    FORBIDDEN = "forbidden"
    CONDITIONAL = "conditional"


NOTES: dict[int, str] = {
    1: "CG B fuzes may be stored with the articles they will be assembled with",
    2: "storage in the same building is allowed if the groups are effectively segregated",
    3: "mixing CG G is at the discretion of the National Competent Authority",
    4: "CG N stored with C, D or E should be considered as CG D",
    5: "CG L must always be stored separately (identical L types only)",
    6: "1.6N munitions mixing rules apply",
    7: "mixed 1.6N and 1.4S may be considered as CG N",
}

# The storage mixing matrix (reference 2.3a), row by row in the order of COMPATIBILITY_GROUPS:
# X allowed, 0 forbidden, digits the conditional notes ("23": notes 2 and 3).
_GROUPS = "ABCDEFGHJKLNS"
_MATRIX = """
A X 0 0 0 0 0 0 0 0 0 0 0 0
B 0 X 1 1 1 1 1 0 0 0 0 0 X
C 0 1 X X X 2 3 0 0 0 0 4 X
D 0 1 X X X 2 3 0 0 0 0 4 X
E 0 1 X X X 2 3 0 0 0 0 4 X
F 0 1 2 2 2 X 23 0 0 0 0 0 X
G 0 1 3 3 3 23 X 0 0 0 0 0 X
H 0 0 0 0 0 0 0 X 0 0 0 0 X
J 0 0 0 0 0 0 0 0 X 0 0 0 X
K 0 0 0 0 0 0 0 0 0 X 0 0 0
L 0 0 0 0 0 0 0 0 0 0 5 0 0
N 0 0 4 4 4 0 0 0 0 0 0 6 7
S 0 X X X X X X X X 0 0 7 X
"""


@dataclass(frozen=True, slots=True)
class Mixing:
    """Whether two compatibility groups may be stored together, and on what condition."""

    first: str
    second: str
    verdict: Verdict
    notes: tuple[int, ...] = ()
    provisional: bool = True
    source: str = SOURCE_MIXING

    @property
    def conditions(self) -> list[str]:
        return [NOTES[n] for n in self.notes]

    def as_dict(self) -> dict[str, object]:
        return {"groups": [self.first, self.second], "verdict": self.verdict.value,
                "notes": [{"note": n, "text": NOTES[n]} for n in self.notes],
                "provisional": self.provisional, "source": self.source}


def _table() -> dict[tuple[str, str], tuple[Verdict, tuple[int, ...]]]:
    out: dict[tuple[str, str], tuple[Verdict, tuple[int, ...]]] = {}
    for line in _MATRIX.strip().splitlines():
        row, *cells = line.split()
        assert len(cells) == len(_GROUPS), line
        for column, cell in zip(_GROUPS, cells, strict=True):
            if cell == "X":
                out[row, column] = (Verdict.ALLOWED, ())
            elif cell == "0":
                out[row, column] = (Verdict.FORBIDDEN, ())
            else:
                out[row, column] = (Verdict.CONDITIONAL, tuple(int(c) for c in cell))
    return out


TABLE = _table()
assert tuple(_GROUPS) == COMPATIBILITY_GROUPS


def group(value: object, field: str = "group") -> str:
    """A compatibility group as typed (``d``, ``1.1D``: the letter), checked.

    Raises:
        InvalidInput: not one of A-H, J, K, L, N, S.
    """
    text = str(value or "").strip().upper()
    letter = text[-1:] if text[:1].isdigit() else text
    if letter not in COMPATIBILITY_GROUPS:
        raise InvalidInput(f"{value!r} is not a compatibility group ({', '.join(COMPATIBILITY_GROUPS)})", field=field)
    return letter


def mixing(first: object, second: object) -> Mixing:
    """May lots of these two compatibility groups be stored together? (the storage table, symmetric)."""
    a, b = group(first, "first"), group(second, "second")
    verdict, notes = TABLE[a, b]
    return Mixing(a, b, verdict, notes)


def mixing_breaches(groups: Iterable[str]) -> list[Mixing]:
    """Every pair of the groups present in one store that may not be stored together (forbidden),
    then every pair allowed only on a condition, each once, in the table's order."""
    present = sorted({group(g) for g in groups}, key=COMPATIBILITY_GROUPS.index)
    pairs = [mixing(a, b) for i, a in enumerate(present) for b in present[i:] if a != b or a in "LN"]
    return ([m for m in pairs if m.verdict is Verdict.FORBIDDEN] +
            [m for m in pairs if m.verdict is Verdict.CONDITIONAL])


# aggregation ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Aggregate:
    """What a store of mixed divisions counts as: its division and the NEQ that counts (kg)."""

    division: str
    neq_kg: Decimal
    provisional: bool = True
    source: str = SOURCE_AGGREGATION


def aggregate(neq_by_division: Mapping[str, Decimal | int | float]) -> Aggregate | None:
    """The aggregate hazard division and NEQ of a store (None when it holds no explosives).

    The first rule that matches (1.5 counts with 1.1; 1.2 and its sub-division 1.2.3 with 1.2.1):
    any 1.1 -> 1.1 with everything but 1.4; else 1.2.1 with 1.2.1, 1.2.2, 1.3 and 1.6; else 1.2.2
    with 1.2.2, 1.3 and 1.6; else 1.3 with 1.3 and 1.6; else 1.6 alone; else 1.4.
    """
    buckets: dict[str, Decimal] = {}
    for division, neq in neq_by_division.items():
        if division not in HAZARD_DIVISIONS and division not in ("1.2.1", "1.2.2", "1.2.3"):
            raise InvalidInput(f"{division!r} is not a hazard division", field="hazard_division")
        bucket = {"1.5": "1.1", "1.2": "1.2.1", "1.2.3": "1.2.1"}.get(division, division)
        buckets[bucket] = buckets.get(bucket, Decimal(0)) + Decimal(str(neq))
    if not any(buckets.values()):
        return None

    def total(*names: str) -> Decimal:
        return sum((buckets.get(n, Decimal(0)) for n in names), Decimal(0))

    for division, counted in (("1.1", ("1.1", "1.2.1", "1.2.2", "1.3", "1.6")),
                              ("1.2.1", ("1.2.1", "1.2.2", "1.3", "1.6")), ("1.2.2", ("1.2.2", "1.3", "1.6")),
                              ("1.3", ("1.3", "1.6")), ("1.6", ("1.6",))):
        if buckets.get(division):
            return Aggregate(division, total(*counted))
    return Aggregate("1.4", total("1.4"))


# quantity distances ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ExposedSite:
    """A kind of exposed site and its k factor for HD 1.1 above ground (m/kg^(1/3))."""

    kind: str
    label: str
    k: float | None  # None: not encoded (UNSURE in the reference)
    source: str
    provisional: bool = True


_VCALC = "UN SaferGuard constants as quoted by vcalc.com [S] (reference standards.md 3.3)"
EXPOSED_SITES: dict[str, ExposedSite] = {site.kind: site for site in (
    ExposedSite("vulnerable_building", "vulnerable building (a school, a hospital)", 44.4, _VCALC),
    ExposedSite("inhabited_building", "inhabited building distance (IBD)", 22.2, _VCALC),
    ExposedSite("public_traffic_route", "public traffic route distance (PTRD)", 14.8, _VCALC),
    ExposedSite("process_building", "ammunition process building distance (APB)", 8.0, _VCALC),
    ExposedSite("other_store", "another explosives store (inter-magazine distance)", None,
                "not encoded: the IATG 02.20 inter-magazine distances are UNSURE in the reference (3.3)"),
)}
# the divisions whose distances the k factors above give (1.5 aggregates as 1.1); the others are UNSURE
DISTANCE_DIVISIONS = frozenset({"1.1"})


def site_kind(value: object) -> ExposedSite:
    kind = str(value or "").strip().lower().replace("-", "_").replace(" ", "_")
    if kind not in EXPOSED_SITES:
        raise InvalidInput(f"{value!r} is not a kind of exposed site ({', '.join(EXPOSED_SITES)})", field="kind")
    return EXPOSED_SITES[kind]


def _positive(value: object, field: str, limit: float) -> float:
    try:
        number = float(str(value))
    except ValueError:
        raise InvalidInput(f"{value!r} is not a number", field=field) from None
    if not math.isfinite(number) or number <= 0 or number > limit:
        raise InvalidInput(f"must be more than 0 and at most {limit:g}", field=field)
    return number


MAX_NEQ_KG = 10_000_000.0
MAX_DISTANCE_M = 100_000.0


def distance(neq_kg: object, k: float) -> float:
    """The separation distance in metres for ``neq_kg`` kg NEQ: D = k x Q^(1/3)."""
    return k * math.pow(_positive(neq_kg, "neq", MAX_NEQ_KG), 1 / 3)


def max_neq(distance_m: object, k: float) -> float:
    """The largest NEQ in kg at ``distance_m`` metres: Q = (D / k)^3."""
    return math.pow(_positive(distance_m, "distance", MAX_DISTANCE_M) / k, 3)


@dataclass(frozen=True, slots=True)
class DistanceCheck:
    """One recorded distance from a store to an exposed site, against what its NEQ requires."""

    kind: str
    label: str
    distance_m: float
    k: float | None
    required_m: float | None  # None: not encoded for this kind or division
    max_neq_kg: float | None
    breach: bool
    reason: str
    source: str
    provisional: bool

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "label": self.label, "distance_m": self.distance_m, "k": self.k,
                "required_m": None if self.required_m is None else round(self.required_m, 1),
                "max_neq_kg": None if self.max_neq_kg is None else round(self.max_neq_kg, 1),
                "breach": self.breach, "reason": self.reason, "source": self.source,
                "provisional": self.provisional}


def check_distance(kind: str, distance_m: float, held: Aggregate | None) -> DistanceCheck:
    """Whether a store holding ``held`` respects its recorded distance to one exposed site."""
    site = site_kind(kind)
    limit = None if site.k is None else max_neq(distance_m, site.k)

    def made(required: float | None, breach: bool, reason: str) -> DistanceCheck:
        return DistanceCheck(site.kind, site.label, distance_m, site.k, required, limit, breach, reason, site.source,
                             site.provisional)

    if site.k is None:
        return made(None, False, site.source)
    if held is None or held.neq_kg <= 0:
        return made(None, False, "holds no explosives")
    if held.division not in DISTANCE_DIVISIONS:
        return made(None, False, f"HD {held.division}: its distances are not encoded (UNSURE in the reference)")
    required = site.k * math.pow(float(held.neq_kg), 1 / 3)  # what a store holds is not bounded as a typed NEQ is
    if required > distance_m:
        article = "an" if site.label[0] in "aeiou" else "a"
        return made(required, True, f"{held.neq_kg} kg NEQ of HD {held.division} needs {required:.1f} m from "
                                    f"{article} {site.label}; it is {distance_m:g} m (at most {limit:.1f} kg there)")
    return made(required, False, f"{required:.1f} m needed, {distance_m:g} m recorded")
