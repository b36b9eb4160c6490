"""A labelled set of serials read in the field, generated deterministically (issue 12, matching).

Recorded weapons of several makes and models, each with its own serial format (sequential
numbers, letter prefixes, letter suffixes), in crates of up to ten consecutive serials with
gaps between them, as a mission's stocks arrive from a production run. The denser the
numbering, the more often one slip lands on another recorded weapon (a swap inside a crate,
the last digit dropped): the figures hold for this density, and the test prints them. Reads are:

* *positives*: a recorded weapon's serial misread in the ways the field misreads them: look-alike
  characters (O/0, I/1/L, S/5, B/8, Z/2, G/6), Cyrillic and Greek letters, a character dropped,
  added or swapped with its neighbour, characters ground off the start, an unreadable character
  written ``?`` or ``*``, spaces and dashes, lower case; make, model and calibre given as an
  officer would (sometimes none, sometimes a slightly different spelling);
* *near-miss negatives*: a serial of the same model next to a recorded one (``56-00012`` beside
  a recorded ``56-00013``) that is itself not recorded, read with a look-alike at most: the
  right answer is no candidate.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from wam.domain.materiel import serial_key
from wam.domain.serial_match import Read

Format = Callable[[int], str]

MODELS: list[tuple[str, str, str, Format]] = [
    ("Norinco", "Type 56", "7.62x39mm", lambda n: f"56-{n:06d}"),
    ("Kalashnikov", "AKM", "7.62x39mm", lambda n: f"KT{n:06d}"),
    ("Izhmash", "AK-74M", "5.45x39mm", lambda n: f"{n:07d}"),
    ("FN Herstal", "FAL", "7.62x51mm", lambda n: f"1{n:06d}"),
    ("Heckler & Koch", "G3A3", "7.62x51mm", lambda n: f"A{n:06d}"),
    ("Zastava", "M70AB2", "7.62x39mm", lambda n: f"Z-{n:05d}"),
    ("Glock", "17", "9x19mm", lambda n: f"B{'KLMNPRSTUX'[n % 10]}{'HKRTU'[n // 10 % 5]}{n // 50:04d}"),
    ("Beretta", "92FS", "9x19mm", lambda n: f"BER{n:06d}Z"),
    ("Colt", "M16A2", "5.56x45mm", lambda n: f"A{n:07d}"),
    ("Norinco", "Type 81", "7.62x39mm", lambda n: f"81-{n:06d}"),
]
CYRILLIC = {"A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О", "P": "Р",
            "T": "Т", "X": "Х", "Y": "У", "0": "О", "3": "З"}
CONFUSE = {"0": "OD", "O": "0", "D": "0", "1": "IL", "I": "1", "L": "1", "5": "S", "S": "5", "8": "B", "B": "8",
           "2": "Z", "Z": "2", "6": "G", "G": "6"}
SPELLINGS = {"Type 56": ["Type 56", "TYPE-56", "type56"], "AK-74M": ["AK-74M", "AK74M"], "FAL": ["FAL", "F.A.L."],
             "M70AB2": ["M70AB2", "M70 AB2"], "7.62x39mm": ["7.62x39", "7.62×39mm"]}


#: the kinds of misreading and how often each is drawn (look-alikes and spacing most often)
HOW = {"confusable": 25, "cyrillic": 12, "spacing": 10, "lower case": 5, "confusable twice": 10, "unreadable": 10,
       "swapped": 8, "dropped": 8, "extra": 6, "defaced start": 6}


@dataclass(frozen=True)
class Recorded:
    key: str
    serial: str
    make: str
    model: str
    calibre: str


@dataclass(frozen=True)
class Case:
    read: Read
    truth: str | None  # the key of the weapon it is, or None when it is no recorded weapon
    how: str


def recorded(count: int, seed: int = 12) -> tuple[list[Recorded], set[tuple[int, int]]]:
    """``count`` recorded weapons, spread over the models, numbered with gaps; and the
    (model, number) pairs recorded, to pick unrecorded neighbours from."""
    rng = random.Random(seed)
    out: list[Recorded] = []
    taken: set[tuple[int, int]] = set()
    per_model = count // len(MODELS) + 1
    for m, (make, model, calibre, fmt) in enumerate(MODELS):
        n, crate = rng.randrange(100, 900), 0
        for _ in range(per_model):
            if len(out) == count:
                break
            if crate:
                n, crate = n + 1, crate - 1
            else:  # the next crate of consecutive serials, further on in the production run
                n, crate = n + rng.randrange(20, 400), rng.randrange(10)
            serial = fmt(n)
            taken.add((m, n))
            out.append(Recorded(serial_key(make, model, serial), serial, make, model, calibre))
    return out, taken


def _misread(serial: str, rng: random.Random) -> tuple[str, str]:
    """One realistic misreading of ``serial`` and its name."""
    chars = list(serial)
    places = [i for i, ch in enumerate(chars) if ch.isalnum()]
    how = rng.choices(list(HOW), weights=list(HOW.values()))[0]
    if how in ("confusable", "confusable twice"):
        choices = [i for i in places if chars[i] in CONFUSE]
        for i in rng.sample(choices, min(len(choices), 2 if how == "confusable twice" else 1)):
            chars[i] = rng.choice(CONFUSE[chars[i]])
    elif how == "cyrillic":
        choices = [i for i in places if chars[i] in CYRILLIC]
        for i in choices[: rng.randint(1, 3)]:
            chars[i] = CYRILLIC[chars[i]]
    elif how == "dropped":
        del chars[rng.choice(places)]
    elif how == "extra":
        chars.insert(rng.randrange(len(chars) + 1), rng.choice("0123456789"))
    elif how == "swapped":
        pairs = [i for i in places[:-1] if i + 1 in places and chars[i] != chars[i + 1]]
        if pairs:
            i = rng.choice(pairs)
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    elif how == "defaced start":
        for _ in range(rng.randint(1, 2)):
            del chars[min(i for i, ch in enumerate(chars) if ch.isalnum())]
    elif how == "unreadable":
        for i in rng.sample(places, rng.choice((1, 1, 1, 2))):
            chars[i] = rng.choice("?*")
    elif how == "spacing":
        text = serial.replace("-", rng.choice((" ", "", " - ", "/")))
        chars = list(text[:2] + " " + text[2:])
    else:
        chars = list(serial.lower())
    return "".join(chars), how


def _attributes(weapon: Recorded, rng: random.Random) -> dict[str, str | None]:
    shown = rng.random()
    if shown < 0.15:
        return {}
    model = rng.choice(SPELLINGS.get(weapon.model, [weapon.model]))
    calibre = rng.choice(SPELLINGS.get(weapon.calibre, [weapon.calibre]))
    if shown < 0.35:
        return {"model": model}
    if shown < 0.5:
        return {"make": weapon.make, "model": model}
    return {"make": weapon.make, "model": model, "calibre": calibre}


def cases(weapons: list[Recorded], taken: set[tuple[int, int]], *, positives: int, negatives: int,
          seed: int = 34) -> Iterator[Case]:
    """The labelled reads: ``positives`` misreadings of recorded weapons, ``negatives`` reads of
    unrecorded neighbours."""
    rng = random.Random(seed)
    for _ in range(positives):
        weapon = rng.choice(weapons)
        text, how = _misread(weapon.serial, rng)
        yield Case(Read(text, **_attributes(weapon, rng)), weapon.key, how)
    made = 0
    numbers = sorted(taken)
    while made < negatives:
        m, n = rng.choice(numbers)
        near = n + rng.choice((-1, 1))
        if (m, near) in taken:
            continue
        make, model, calibre, fmt = MODELS[m]
        serial = fmt(near)
        look = [i for i, ch in enumerate(serial) if ch in CONFUSE or ch in CYRILLIC]
        if look and rng.random() < 0.4:  # read with a look-alike: still not the recorded neighbour
            i = rng.choice(look)
            serial = serial[:i] + (CYRILLIC.get(serial[i]) or CONFUSE[serial[i]][0]) + serial[i + 1:]
        made += 1
        yield Case(Read(serial, make, model, calibre), None, "unrecorded neighbour")
