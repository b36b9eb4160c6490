"""Conflict events in the ACLED export layout, and the loss incidents that attacks on peacekeepers caused.

Pure: parsing and linking, no I/O (the research register, :mod:`wam.services.research`, stores them).

ACLED (Armed Conflict Location & Event Data) exports are CSV with, among others, the columns
``event_id_cnty, event_date, year, event_type, sub_event_type, actor1, assoc_actor_1, actor2,
assoc_actor_2, country, admin1, admin2, location, latitude, longitude, geo_precision, source, notes,
fatalities`` (``../shared/data/README.md``); ``event_date`` is ``2020-12-31`` or ``31 December 2020``.
ACLED's terms forbid redistributing raw exports: the project ships none, and tests use small
synthetic files in that layout.

Each event is kept as a record of the records chain (kind ``conflict-event``, ref its
``event_id_cnty``; an event imported again unchanged is not written again, a changed one supersedes
the old). An event is an **attack on peacekeepers** when it is a battle, an explosion or remote
violence, or looting, and a peace operation is one of its actors (``UN``, ``United Nations``, a
mission's acronym such as ``MINUSMA``, ``AMISOM``, ``ATMIS``...) or its notes speak of
peacekeepers. Such an event is **linked** to the loss incidents and research records it caused:
those that began within a day of it (their time span widened by a day on each side) at the same
place (within :data:`LINK_KM` of its coordinates when both have some, else the same place name).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from wam.domain.errors import InvalidInput
from wam.domain.text import clean_text

REQUIRED = ("event_id_cnty", "event_date", "event_type", "actor1", "country")
KEPT = ("event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "actor2",
        "assoc_actor_2", "country", "admin1", "admin2", "location", "latitude", "longitude", "geo_precision",
        "source", "notes", "fatalities")
ATTACK_TYPES = frozenset({"Battles", "Explosions/Remote violence"})
ATTACK_SUB_TYPES = frozenset({"Looting/property destruction", "Non-state actor overtakes territory"})
MISSIONS = ("MINUSMA", "MINUSCA", "MONUSCO", "MONUC", "UNMISS", "UNAMID", "UNIFIL", "UNISFA", "UNMIL", "UNOCI",
            "UNAMSIL", "UNMIS", "MINURSO", "MINUSTAH", "AMISOM", "ATMIS", "AMIS", "MISCA", "MISMA", "AFISMA", "UNDOF",
            "UNFICYP", "UNMIK", "UNTSO", "UNMOGIP")
PEACEKEEPERS = re.compile(r"\bUN\b|United Nations|peace-?keep|blue helmets?|casques? bleus?|African Union Mission|"
                          r"\b(" + "|".join(MISSIONS) + r")\b", re.IGNORECASE)
MISSION = re.compile(r"\b(" + "|".join(MISSIONS) + r")\b")
LINK_KM = 25.0
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y", "%d/%m/%Y")


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, field {self.field!r}: {self.message}"


def _date(text: str) -> date:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=UTC).date()
        except ValueError:
            continue
    raise InvalidInput(f"{text!r} is not a date (2020-12-31 or 31 December 2020)", field="event_date")


def _number(value: str, field: str, limit: float) -> float | None:
    text = value.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a number", field=field) from None
    if not -limit <= number <= limit:
        raise InvalidInput(f"must be from -{limit:g} to {limit:g}", field=field)
    return number


def clean_event(row: Mapping[str, str | None]) -> dict[str, Any]:
    """One row as the records chain keeps it, with ``attack_on_peacekeepers`` and ``mission``.

    Raises:
        InvalidInput: naming the field.
    """
    event: dict[str, Any] = {}
    for name in KEPT:
        value = clean_text(row.get(name), name, max_len=5000 if name == "notes" else 500)
        if value is None and name in REQUIRED:
            raise InvalidInput("is required", field=name)
        if value is not None:
            event[name] = value
    event["event_date"] = _date(event["event_date"]).isoformat()
    lat = _number(row.get("latitude") or "", "latitude", 90)
    lon = _number(row.get("longitude") or "", "longitude", 180)
    if (lat is None) != (lon is None):
        raise InvalidInput("give both coordinates, or neither", field="latitude" if lat is None else "longitude")
    for name, number in (("latitude", lat), ("longitude", lon)):
        if number is None:
            event.pop(name, None)
        else:
            event[name] = number
    try:
        event["fatalities"] = int(str(row.get("fatalities") or "0").strip() or 0)
    except ValueError:
        raise InvalidInput(f"{row.get('fatalities')!r} is not a whole number", field="fatalities") from None
    if not 0 <= event["fatalities"] <= 1_000_000:
        raise InvalidInput("must be from 0 to 1,000,000", field="fatalities")
    if "geo_precision" in event:
        if event["geo_precision"] not in ("1", "2", "3"):
            raise InvalidInput(f"{event['geo_precision']!r} is not 1, 2 or 3", field="geo_precision")
        event["geo_precision"] = int(event["geo_precision"])
    actors = " ".join(str(event.get(n, "")) for n in ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2"))
    involved = bool(PEACEKEEPERS.search(actors) or PEACEKEEPERS.search(str(event.get("notes", ""))))
    violent = event["event_type"] in ATTACK_TYPES or event.get("sub_event_type") in ATTACK_SUB_TYPES
    event["attack_on_peacekeepers"] = involved and violent
    mission = MISSION.search(actors) or MISSION.search(str(event.get("notes", "")))
    if mission:
        event["mission"] = mission.group(1)
    return event


def parse(text: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Every event of an ACLED CSV export, and every problem (line and field) of its bad rows."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        return [], [Problem(1, name, "a column of the ACLED layout is missing") for name in missing]
    events: list[dict[str, Any]] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    line = 2
    for row in reader:
        try:
            event = clean_event(row)
        except InvalidInput as exc:
            problems.append(Problem(line, exc.field or "?", exc.detail))
        else:
            if event["event_id_cnty"] in seen:
                problems.append(Problem(line, "event_id_cnty",
                                        f"{event['event_id_cnty']} is also on line {seen[event['event_id_cnty']]}"))
            else:
                seen[event["event_id_cnty"]] = line
                events.append(event)
        line = reader.line_num + 1
    return events, problems


# linking -----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Candidate:
    """An incident or research record as linking needs it."""

    id: str
    start: date
    end: date
    places: tuple[str, ...]  # lower-case names (site, place, admin1)
    latitude: float | None = None
    longitude: float | None = None


def candidate(rid: str, fields: Mapping[str, Any]) -> Candidate | None:
    from wam.domain.timefmt import from_micros

    started = fields.get("started_at")
    if not isinstance(started, int):
        return None
    ended = fields.get("ended_at", started)
    places = tuple(str(fields[n]).strip().lower() for n in ("site", "place", "admin1") if fields.get(n))
    return Candidate(rid, from_micros(started).astimezone(UTC).date(), from_micros(int(ended)).astimezone(UTC).date(),
                     places, fields.get("latitude"), fields.get("longitude"))


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2 +
         math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def _same_place(event: Mapping[str, Any], c: Candidate) -> bool:
    if c.latitude is not None and "latitude" in event:
        return km(float(event["latitude"]), float(event["longitude"]), float(c.latitude),
                  float(c.longitude or 0)) <= LINK_KM
    name = str(event.get("location", "")).strip().lower()
    return bool(name) and any(name == p or name in p.split() or p in name for p in c.places if len(p) >= 3)


def links(event: Mapping[str, Any], candidates: Iterable[Candidate]) -> list[str]:
    """The incidents an attack on peacekeepers caused (none for any other event)."""
    if not event.get("attack_on_peacekeepers"):
        return []
    day = date.fromisoformat(str(event["event_date"]))
    return sorted(c.id for c in candidates
                  if c.start - timedelta(days=1) <= day <= c.end + timedelta(days=1) and _same_place(event, c))


def with_links(events: Sequence[dict[str, Any]], candidates: Sequence[Candidate]) -> list[dict[str, Any]]:
    return [{**event, "incidents": links(event, candidates)} for event in events]
