"""Matching a serial read in the field against a recorded weapon: how alike are they, and why.

A recovered weapon's serial is read off corroded, ground or painted metal by a patrol, typed on
whatever keyboard is at hand and sometimes photographed and transcribed twice. What comes back
differs from the ledger's serial in a few ways that are known in advance, and each is scored
by how likely it is to be a misreading rather than another weapon:

* letters of other scripts that look like Latin ones (a Cyrillic ``О``) and spaces, dashes or
  slashes: not differences at all (:func:`read_form`, which reuses the ledger's own look-alike
  mapping, :func:`wam.domain.materiel.fold_serial`);
* characters that look alike on stamped metal (``O``/``0``, ``I``/``1``/``L``, ``S``/``5``,
  ``B``/``8``, ``Z``/``2``, ``G``/``6``, ``D``/``Q``/``0``): nearly free;
* an unreadable character, written ``?`` or ``*``: cheap, since it is known to be something;
* one character swapped with its neighbour, one missing or one extra: the classic slips;
* characters missing at one end of the read (a defaced serial): the first as one slip, each
  further one cheaper: two lost still make a candidate, three do not;
* any other difference: expensive, because that is exactly how neighbouring serials of one
  batch differ (``56-00012`` and ``56-00013`` are two rifles, not one misread).

Costs are whole numbers (hundredths) so that the score is exactly symmetric and deterministic.
Agreement of make, model and calibre, when the read gives them, weighs the serial's score.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .materiel import fold_serial

UNREADABLE = "?"
#: what a reader may write for a character that cannot be read
UNREADABLE_MARKS = "?*\ufffd"
#: characters that look alike on stamped metal, each mapped to one representative (the skeleton)
CONFUSABLE_CLASSES = ("0ODQ", "1IL", "2Z", "5S", "6G", "8B")
SKELETON = str.maketrans({ch: group[0] for group in CONFUSABLE_CLASSES for ch in group[1:]})
#: the characters a skeleton is written with (what a missing character may have been)
SKELETON_ALPHABET = "".join(ch for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" if ch == ch.translate(SKELETON))

# costs, in hundredths of an error
CONFUSABLE = 15
UNREADABLE_COST = 30
SWAP = 50
GAP = 50  # one character missing or extra
END = 25  # each further character missing at the same end of a read (defaced): the first is a GAP
OTHER = 200  # a different character: another weapon, more likely than a misreading
SCALE = 200  # a cost of SCALE scores 0
EXACT_UP_TO = 2 * GAP - 1  # what :func:`distance` computes exactly
MIN_SCORE = 0.55  # below this a candidate is not proposed (one other character costs 2 GAPs: 0.5)
MARGIN = 0.15  # nor when it is this far below the best one
ATTRIBUTE_WEIGHTS = (("make", 0.8), ("model", 0.8), ("calibre", 0.85))

_ASCII_KEEP = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" + UNREADABLE)
# ASCII after upper-casing: letters and digits kept, "*" unreadable, everything else left out
_ASCII_FORM = str.maketrans({chr(c): (chr(c) if chr(c) in _ASCII_KEEP else UNREADABLE if chr(c) in UNREADABLE_MARKS
                                      else None) for c in range(128)})


def read_form(value: str) -> str:
    """The serial as compared: look-alikes of other scripts mapped to Latin (the ledger's own
    mapping), upper case, ``?``/``*`` for an unreadable character, everything else that is not a
    letter or digit (spaces, dashes, slashes, dots) left out. A letter no look-alike maps (a
    Cyrillic ``Ж``) is a character that was there but cannot be a serial's: unreadable.
    Idempotent: ``read_form(read_form(x)) == read_form(x)``."""
    if value.isascii():
        return value.upper().translate(_ASCII_FORM)
    out = []
    for ch in fold_serial(value):
        if ch in UNREADABLE_MARKS:
            out.append(UNREADABLE)
        elif ch in _ASCII_KEEP:
            out.append(ch)
        elif not ch.isascii() and ch.isalnum():
            out.append(UNREADABLE)
    return "".join(out)


def skeleton(form: str) -> str:
    """A read form with every look-alike class collapsed to one character (``O`` and ``0`` alike)."""
    return form.translate(SKELETON)


def _cost(a: str, b: str) -> int:
    if a == b:
        return 0
    if a == UNREADABLE or b == UNREADABLE:
        return UNREADABLE_COST
    if a.translate(SKELETON) == b.translate(SKELETON):
        return CONFUSABLE
    return OTHER


def _char_op(a: str, b: str) -> str | None:
    if a == b:
        return None
    if a == UNREADABLE:
        return f"{b} unreadable"
    if b == UNREADABLE:
        return f"{a} where the record is unreadable"
    if a.translate(SKELETON) == b.translate(SKELETON):
        return f"{a} read for {b}"
    return f"{a} where {b} is recorded"


def _edit(a: str, b: str) -> tuple[int, list[str]]:
    """Weighted optimal-string-alignment distance from read ``a`` to record ``b`` and its steps."""
    n, m = len(a), len(b)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        d[i][0] = i * GAP
    for j in range(1, m + 1):
        d[0][j] = j * GAP
    for i in range(1, n + 1):
        ai, row, up = a[i - 1], d[i], d[i - 1]
        for j in range(1, m + 1):
            best = min(up[j - 1] + _cost(ai, b[j - 1]), up[j] + GAP, row[j - 1] + GAP)
            if i > 1 and j > 1 and ai == b[j - 2] and a[i - 2] == b[j - 1] and ai != a[i - 2]:
                best = min(best, d[i - 2][j - 2] + SWAP)
            row[j] = best
    steps: list[str] = []
    i, j = n, m
    while i or j:  # walk back along one optimal path, preferring the cheaper explanation
        here = d[i][j]
        if i and j and here == d[i - 1][j - 1] + _cost(a[i - 1], b[j - 1]):
            op = _char_op(a[i - 1], b[j - 1])
            i, j = i - 1, j - 1
        elif i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1] and here == d[i - 2][j - 2] + SWAP:
            op = f"{a[i - 2:i]} read for {b[j - 2:j]} (swapped)"
            i, j = i - 2, j - 2
        elif i and here == d[i - 1][j] + GAP:
            op = f"extra {a[i - 1]}"
            i -= 1
        else:
            op = f"{b[j - 1]} missing"
            j -= 1
        if op:
            steps.append(op)
    steps.reverse()
    return d[n][m], steps


def _defaced(a: str, b: str) -> tuple[int, list[str]] | None:
    """Read ``a`` as record ``b`` with characters lost at one end, place by place (no other slip):
    the cost and steps of the cheaper end, or None when the read is not shorter. Only a read
    loses characters to a defaced end; one with more characters than the record is not cheap."""
    short, long_ = a, b
    lost = len(long_) - len(short)
    if not short or lost <= 0:
        return None
    best: tuple[int, list[str]] | None = None
    for where, part in (("start", long_[lost:]), ("end", long_[: len(short)])):
        pairs = zip(short, part, strict=True)
        cost = GAP + (lost - 1) * END
        steps: list[str] = []
        for x, y in pairs:
            cost += _cost(x, y)
            op = _char_op(x, y)
            if op:
                steps.append(op)
        if best is None or cost < best[0]:
            missing = long_[:lost] if where == "start" else long_[len(short):]
            steps.insert(0, f"{lost} character{'s' if lost > 1 else ''} missing at the {where} ({missing})")
            best = (cost, steps)
    return best


def _positional(a: str, b: str) -> tuple[int, list[str]] | None:
    """Two forms of one length told apart place by place and by swapped neighbours, or None when
    some place differs otherwise (then only a gap explains it, which :func:`_edit` finds)."""
    cost, steps, k, n = 0, [], 0, len(a)
    while k < n:
        x, y = a[k], b[k]
        if x != y and _cost(x, y) == OTHER:
            if k + 1 < n and a[k + 1] == y and b[k + 1] == x:
                cost += SWAP
                steps.append(f"{a[k:k + 2]} read for {b[k:k + 2]} (swapped)")
                k += 2
                continue
            return None
        cost += _cost(x, y)
        op = _char_op(x, y)
        if op:
            steps.append(op)
        k += 1
    return cost, steps


def serial_cost(read: str, recorded: str) -> tuple[int, list[str]]:
    """The cost (hundredths) of taking read form ``read`` for ``recorded``, and the steps, in words.
    Symmetric when both are of one length (a look-alike costs the same either way round); a read
    shorter than the record may be defaced at an end, a longer one has extra characters."""
    if read == recorded:
        return 0, []
    if len(read) == len(recorded):
        quick = _positional(read, recorded)
        if quick is not None:
            return quick
    found = _edit(read, recorded)
    defaced = _defaced(read, recorded)
    return defaced if defaced is not None and defaced[0] < found[0] else found


def distance(a: str, b: str) -> int:
    """:func:`serial_cost` without the words, written for speed: an index scores every candidate
    of every read with it, and only the few it proposes are explained. Exact up to :data:`EXACT_UP_TO`;
    above it, some cost above it (two gaps inside a serial already cost more than a proposal may)."""
    if a == b:
        return 0
    sa, sb = a.translate(SKELETON), b.translate(SKELETON)
    n, m = len(a), len(b)
    best = EXACT_UP_TO + 1
    if n == m:  # position by position, or one swap: any gap costs two, beyond EXACT_UP_TO
        cost, differ = 0, []
        for k in range(n):
            x, y = a[k], b[k]
            if x != y:
                if x == UNREADABLE or y == UNREADABLE:
                    cost += UNREADABLE_COST
                elif sa[k] == sb[k]:
                    cost += CONFUSABLE
                else:
                    differ.append(k)
        for k in range(0, len(differ), 2):  # each different place one of a swapped pair
            i = differ[k]
            if k + 1 == len(differ) or differ[k + 1] != i + 1 or a[i] != b[i + 1] or a[i + 1] != b[i]:
                return best
            cost += SWAP
        return min(best, cost)
    if 0 < n < m:  # the read defaced at one end: against the record's start or end
        short, long_, ss, sl = a, b, sa, sb
        lost = m - n
        for off in (lost, 0):
            cost = GAP + (lost - 1) * END
            for k, x in enumerate(short):
                y = long_[k + off]
                if x != y:
                    cost += (UNREADABLE_COST if x == UNREADABLE or y == UNREADABLE
                             else CONFUSABLE if ss[k] == sl[k + off] else OTHER)
            best = min(best, cost)
    if abs(n - m) > 1:
        return best
    # the band |i - j| <= 1 of the alignment: a path outside it has two gaps (more than EXACT_UP_TO)
    far = EXACT_UP_TO + 1
    prev2: list[int] = []
    prev = [0, GAP] + [far] * (m - 1)
    for i in range(1, n + 1):
        x, sx = a[i - 1], sa[i - 1]
        row = [far] * (m + 1)
        if i == 1:
            row[0] = GAP
        for j in range(max(1, i - 1), min(m, i + 1) + 1):
            y = b[j - 1]
            if x == y:
                cost = prev[j - 1]
            else:
                cost = prev[j - 1] + (UNREADABLE_COST if x == UNREADABLE or y == UNREADABLE
                                      else CONFUSABLE if sx == sb[j - 1] else OTHER)
            gap = min(prev[j], row[j - 1]) + GAP
            if gap < cost:
                cost = gap
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y and x != y and prev2[j - 2] + SWAP < cost:
                cost = prev2[j - 2] + SWAP
            row[j] = cost
        prev2, prev = prev, row
    return min(best, prev[m])


def script_mappings(raw: str) -> list[str]:
    """The letters of other scripts in ``raw`` and the Latin letters they were taken for, in words
    ("Cyrillic О to O"), each once, in order."""
    out: list[str] = []
    for ch in raw:
        if ch.isascii() or ch.isspace():
            continue
        mapped = fold_serial(ch)
        if mapped and mapped != ch and mapped.isascii():
            script = unicodedata.name(ch, "").split(" ")[0].title() or f"U+{ord(ch):04X}"
            words = f"{script} {ch} to {mapped}"
            if words not in out:
                out.append(words)
    return out


@lru_cache(maxsize=4096)
def _attribute_form(value: str | None) -> str:
    """Make, model or calibre as compared: letters and digits of what it looks like, no "mm"
    (``AK-47`` is ``AK47``, ``7.62×39mm`` is ``762X39``). Cached: a million weapons are a few
    dozen models, and every candidate of every read is weighed by them."""
    if not value:
        return ""
    text = "".join(ch for ch in fold_serial(value.replace("×", "x")) if ch.isalnum())
    return text[:-2] if text.endswith("MM") and len(text) > 2 else text


@dataclass(frozen=True, slots=True)
class Read:
    """What was read off one recovered item: the serial as written, and what else was seen."""

    serial: str
    make: str | None = None
    model: str | None = None
    calibre: str | None = None

    @property
    def form(self) -> str:
        return read_form(self.serial)


@dataclass(frozen=True, slots=True)
class Score:
    """How well a read fits one recorded weapon: ``score`` in [0, 1], and why, in words."""

    score: float
    reason: str


def attributes_factor(read: Read, make: str | None, model: str | None, calibre: str | None) -> tuple[float, str]:
    """The weight of make, model and calibre (those the read gives) and its words."""
    recorded = {"make": make, "model": model, "calibre": calibre}
    factor = 1.0
    same: list[str] = []
    differ: list[str] = []
    for name, weight in ATTRIBUTE_WEIGHTS:
        given = _attribute_form(getattr(read, name))
        if not given:
            continue
        if given == _attribute_form(recorded[name]):
            same.append(name)
        else:
            factor *= weight
            differ.append(f"{name} differs ({recorded[name] or 'not recorded'} recorded)")
    words = []
    if same:
        words.append("same " + (" and ".join(same) if len(same) < 3 else "make, model and calibre"))
    words.extend(differ)
    return factor, "; ".join(words)


def score(read: Read, serial: str, make: str | None = None, model: str | None = None,
          calibre: str | None = None) -> Score:
    """Score ``read`` against a recorded weapon. A serial always scores 1 against itself."""
    form, recorded = read.form, read_form(serial)
    cost, steps = serial_cost(form, recorded)
    serial_score = max(0.0, 1.0 - cost / SCALE)
    mapped = script_mappings(read.serial)
    if cost == 0:
        words = "serial equal"
        if mapped:
            words += " after mapping " + ", ".join(mapped)
        if fold_serial(read.serial) != fold_serial(serial):
            words += ", spaces and punctuation aside"
    else:
        words = "serial close: " + ", ".join(steps)
        if mapped:
            words += " (after mapping " + ", ".join(mapped) + ")"
    factor, attribute_words = attributes_factor(read, make, model, calibre)
    reason = words + ("; " + attribute_words if attribute_words else "")
    return Score(round(serial_score * factor, 4), reason)
