"""An index of recorded weapons that finds the few worth scoring for a read, by hashing.

Scoring (:mod:`wam.domain.serial_match`) costs microseconds a pair (tens with its words); a million recorded
weapons cannot be scored for every read. The index keeps each recorded serial's *skeleton*
(read form with look-alike classes collapsed, so ``56-OO012`` and ``56-00012`` share one) in a
dictionary, and a read looks up the skeletons of everything one slip away from it: itself, each
character deleted (the read has an extra one), each neighbouring pair swapped, each character
of the skeleton alphabet inserted everywhere (the read lost one), and, for up to two unreadable
characters, every character in their place. That is a few hundred dictionary look-ups a read,
independent of the number of weapons (the query side of a symmetric-delete index, without
storing a million deletion neighbourhoods). The groups are looked up from the cheapest slip
to the dearest, and a group whose best possible score is beyond the margin below the best
candidate found so far is skipped (a read equal to a record looks up one key, not hundreds).
Last, the read may be defaced at an end by more than one character: the recorded serials that
begin or end with the same ``EDGE`` characters are scored, unless so many share them that the
read tells them apart from nothing (a read of ``56-0001`` without its last digits is a crate).

Deterministic: candidates are ranked by score, then key.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .serial_match import (
    END,
    GAP,
    MARGIN,
    MIN_SCORE,
    SCALE,
    SKELETON_ALPHABET,
    SWAP,
    UNREADABLE,
    Read,
    Score,
    attributes_factor,
    distance,
    read_form,
    score,
    skeleton,
)

EDGE = 5  # characters of a skeleton's start or end indexed for defaced reads
MAX_EDGE_BUCKET = 256  # more recorded serials sharing an edge than this: the read is too vague
MAX_UNREADABLE = 2  # unreadable characters expanded in place (27 ** 2 look-ups)
CUTOFF = round(SCALE * (1 - MIN_SCORE))  # a serial this far off is never proposed, whatever agrees

Bucket = int | list[int]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One recorded weapon proposed for a read: its position in the index, key, score and reason."""

    ref: int
    key: str
    score: float
    reason: str


def _add(table: dict[str, Bucket], key: str, ref: int) -> None:
    found = table.get(key)
    if found is None:
        table[key] = ref
    elif isinstance(found, int):
        table[key] = [found, ref]
    else:
        found.append(ref)


def _refs(found: Bucket | None) -> Iterable[int]:
    if found is None:
        return ()
    return (found,) if isinstance(found, int) else found


def neighbours(skel: str) -> tuple[list[str], list[str], list[str]]:
    """The skeletons one slip from ``skel`` (some twice), in three groups by the least a candidate
    found through them can cost: itself and a character lost or added at an end; a neighbouring
    pair swapped or a character added inside (:data:`SWAP`, :data:`GAP`); a character lost inside
    (:data:`GAP`: 27 look-ups a place, the most). For reads without unreadable marks."""
    return ends(skel), inside(skel), lost_inside(skel)


def ends(skel: str) -> list[str]:
    """``skel`` itself, and with a character lost or added at either end."""
    out = [skel, skel[1:], skel[:-1]]
    out += [ch + skel for ch in SKELETON_ALPHABET]
    out += [skel + ch for ch in SKELETON_ALPHABET]
    return out


def inside(skel: str) -> list[str]:
    """``skel`` with a character inside left out (the read has one too many), or two swapped."""
    n = len(skel)
    out = [skel[:i] + skel[i + 1:] for i in range(1, n - 1)]
    out += [skel[:i] + skel[i + 1] + skel[i] + skel[i + 2:] for i in range(n - 1) if skel[i] != skel[i + 1]]
    return out


def lost_inside(skel: str, columns: Sequence[str] | None = None) -> list[str]:
    """``skel`` with every character of the alphabet put in at every place inside (the read lost
    one); with ``columns``, only the characters some record of that length has at that place."""
    out: list[str] = []
    for i in range(1, len(skel)):
        head, tail = skel[:i], skel[i:]
        out += [head + ch + tail for ch in (SKELETON_ALPHABET if columns is None else columns[i])]
    return out


def expansions(skel: str) -> list[str]:
    """``skel`` with each unreadable character replaced by every character it may have been."""
    out = [""]
    for ch in skel:
        out = [prefix + c for prefix in out for c in (SKELETON_ALPHABET if ch == UNREADABLE else ch)]
    return out


class SerialIndex:
    """Recorded weapons (key, serial, make, model, calibre), found by what a read looks like.

    Each weapon is a position (``ref``) in the order added; the caller keeps whatever else it
    knows of a weapon (holder, loss) in lists of the same order. The make, model and calibre of
    many weapons are one shared tuple (a million rifles are a few dozen models).
    """

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.serials: list[str] = []
        self.forms: list[str] = []  # read_form of each serial (the serial itself, shared, when equal)
        self._kind: array[int] = array("I")
        self._kinds: list[tuple[str | None, str | None, str | None]] = []
        self._kind_of: dict[tuple[str | None, str | None, str | None], int] = {}
        self._by_skeleton: dict[str, Bucket] = {}
        self._by_start: dict[str, Bucket] = {}
        self._by_end: dict[str, Bucket] = {}
        # length -> the characters records of that length have at each place (a serial format's
        # digits-only places need 10 look-ups for a lost character, not 27); sorted on use
        self._columns: dict[int, list[set[str]]] = {}
        self._sorted: dict[int, list[str]] = {}

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, key: str, serial: str, make: str | None, model: str | None, calibre: str | None) -> int:
        """Add one recorded weapon; return its ref."""
        ref = len(self.keys)
        kind = (make, model, calibre)
        number = self._kind_of.get(kind)
        if number is None:
            number = self._kind_of[kind] = len(self._kinds)
            self._kinds.append(kind)
        self.keys.append(key)
        self.serials.append(serial)
        form = read_form(serial)
        self.forms.append(serial if form == serial else form)
        self._kind.append(number)
        skel = skeleton(form)
        _add(self._by_skeleton, skel, ref)
        columns = self._columns.get(len(skel))
        if columns is None:
            columns = self._columns[len(skel)] = [set() for _ in skel]
        for column, ch in zip(columns, skel, strict=True):
            column.add(ch)
        self._sorted.pop(len(skel), None)
        if len(skel) > EDGE:
            _add(self._by_start, skel[:EDGE], ref)
            _add(self._by_end, skel[-EDGE:], ref)
        return ref

    def kind(self, ref: int) -> tuple[str | None, str | None, str | None]:
        """The make, model and calibre of weapon ``ref``."""
        return self._kinds[self._kind[ref]]

    def score(self, read: Read, ref: int) -> Score:
        return score(read, self.serials[ref], *self.kind(ref))

    def _probe(self, keys: Iterable[str]) -> set[int]:
        found: set[int] = set()
        for hit in [h for h in map(self._by_skeleton.get, keys) if h is not None]:
            if isinstance(hit, int):
                found.add(hit)
            else:
                found.update(hit)
        return found

    def _edges(self, skel: str) -> set[int]:
        found: set[int] = set()
        if len(skel) < EDGE:
            return found
        for table, edge in ((self._by_start, skel[:EDGE]), (self._by_end, skel[-EDGE:])):
            if UNREADABLE in edge:
                continue
            hit = table.get(edge)
            if hit is not None and (isinstance(hit, int) or len(hit) <= MAX_EDGE_BUCKET):
                found.update(_refs(hit))
        return found

    def match(self, read: Read, *, limit: int = 3, allow: Callable[[int], bool] | None = None) -> list[Candidate]:
        """The best candidates for ``read`` (at most ``limit``), best first: each scores at least
        :data:`MIN_SCORE` and within :data:`MARGIN` of the best. ``allow(ref)`` leaves out
        weapons the caller may not propose (out of the user's scope) before ranking."""
        form = read.form
        if not form.strip(UNREADABLE):
            return []
        skel = skeleton(form)
        costs: dict[int, int] = {}
        factors: dict[int, float] = {}
        forms = self.forms

        def consider(refs: set[int]) -> float:
            """Cost the new ``refs``; return the best score so far."""
            for ref in refs:
                if ref not in costs and (allow is None or allow(ref)):
                    costs[ref] = distance(form, forms[ref])
            return max((self._value(read, ref, cost, factors) for ref, cost in costs.items()), default=0.0)

        if UNREADABLE in skel:
            count = skel.count(UNREADABLE)
            best = consider(self._probe(expansions(skel)) if count <= MAX_UNREADABLE else set())
        else:
            best = consider(self._probe((skel,)))
            # a candidate found only one slip away scores at most 1 - SWAP/SCALE or 1 - GAP/SCALE:
            # when the best is further above than MARGIN, they are not looked up
            if best - MARGIN <= 1 - min(SWAP, GAP) / SCALE:
                best = consider(self._probe(ends(skel)[1:]))
            if best - MARGIN <= 1 - SWAP / SCALE:
                best = consider(self._probe(inside(skel)))
            if best - MARGIN <= 1 - GAP / SCALE and len(skel) + 1 in self._columns:
                best = consider(self._probe(lost_inside(skel, self._columns_of(len(skel) + 1))))
        if best - MARGIN <= 1 - (GAP + END) / SCALE:  # two or more characters lost at an end
            longer = len(form) + (1 if UNREADABLE in skel else 2)  # shorter by one: looked up above
            consider({r for r in self._edges(skel) if len(forms[r]) >= longer})
        scored: list[tuple[float, str, int]] = []
        for ref, cost in costs.items():
            if cost > CUTOFF:
                continue
            value = self._value(read, ref, cost, factors)
            if value >= MIN_SCORE:
                scored.append((-value, self.keys[ref], ref))
        if not scored:
            return []
        scored.sort()
        best = -scored[0][0]
        return [Candidate(ref, key, -value, self.score(read, ref).reason)  # the words, for the few proposed
                for value, key, ref in scored[:limit] if -value >= best - MARGIN]

    def _columns_of(self, length: int) -> list[str]:
        found = self._sorted.get(length)
        if found is None:
            found = self._sorted[length] = ["".join(sorted(c)) for c in self._columns[length]]
        return found

    def _value(self, read: Read, ref: int, cost: int, factors: dict[int, float]) -> float:
        """The score of weapon ``ref`` at serial cost ``cost``; ``factors`` caches the weight of
        make, model and calibre by kind (a read meets few kinds)."""
        number = self._kind[ref]
        factor = factors.get(number)
        if factor is None:
            factor = factors[number] = attributes_factor(read, *self._kinds[number])[0]
        return round((1.0 - cost / SCALE) * factor, 4)
