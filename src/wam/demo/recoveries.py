"""The demo's recovery records (issue 12): every way of recovering, marks, traces, confirmed matches,
disposals, retentions, and records left without a disposal (overdue).

Each record's choices are drawn from a generator seeded with the record's number, not from the
world's: the demo stays deterministic, and the world's own sequence of draws (patrols, incidents)
is what it was before recovery records had details.

Two kinds of record:

- materiel recovered in the field (:func:`field_record`): from ``recovered:<how>``, with how, when,
  where, from whom, the unit, a description of each item as read; some marked, some traced (sent,
  some answered), some retained as evidence, most disposed of by the world's disposal certificates
  (:func:`disposal_steps`), the rest left in custody: overdue after
  :data:`wam.domain.recoveries.DEFAULT_DISPOSAL` days;
- weapons the demo lost earlier (:func:`lost_record`): from ``lost``, their serials *misread* in the
  record as a patrol reads them (O for 0, a space, a dropped character), each line's match to the
  lost weapon and its incident confirmed by the WAM officer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wam.domain.recoveries import How
from wam.domain.timefmt import to_micros

OFFICER = "demo.wam-officer"
FROM_WHOM = {
    How.CHECKPOINT: "driver of a motorbike at the checkpoint, as reported",
    How.CACHE: "no one: a cache found on information from the population",
    How.SURRENDER: "a combatant who surrendered to the patrol, as reported",
    How.OPERATION: "armed group members detained in a cordon-and-search operation",
    How.ENGAGEMENT: "left on the ground after an exchange of fire",
    How.HANDOVER: "handed over by the local defence committee",
}


@dataclass(frozen=True)
class Plan:
    """What happens to one field record."""

    how: str
    disposed: bool  # by a disposal certificate of the world, when its day comes within the year
    retained: bool
    marked: bool
    traced: bool
    answered: bool


def plan(number: str) -> Plan:
    """By the record's sequence number (``REC-MONUSCO-2018-0012``), so that a dozen records have some of
    everything: every way of recovering in turn; one in eight never disposed of (overdue), one in eight
    retained as evidence; one in two marked; one in three traced, half of those answered."""
    seq = int(number.split("-")[3])
    return Plan(how=list(How)[(seq - 1) % len(How)].value, disposed=seq % 8 not in (3, 5), retained=seq % 8 == 5,
                marked=seq % 2 == 1, traced=seq % 3 == 0, answered=seq % 6 == 0)


def _items(items: list[Any]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        if item.type == "ammunition":
            out.append({"type": "ammunition", "make": item.make, "model": item.model, "calibre": item.calibre,
                        "lot": item.lot, "markings": {"headstamp": "illegible"}, "condition": "unknown"})
        else:
            out.append({"type": "weapon", "make": item.make, "model": item.model, "calibre": item.calibre,
                        "serial": item.serial, "markings": {"other": "serial partly ground off"} if
                        item.serial.endswith("A") else {}, "condition": "unknown", "safe_to_move": True})
    return out


def field_record(number: str, place: str, unit: str, when: datetime, items: list[Any]
                 ) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """The fields and steps (after register and post) of a field record of ``items``."""
    p = plan(number)
    at = to_micros(when)
    fields = {"how": p.how, "recovered_at": when, "place": f"near {place}", "unit": unit,
              "from_whom": FROM_WHOM[How(p.how)], "mission": "MONUSCO", "items": _items(items)}
    steps: list[tuple[Any, ...]] = []
    if p.marked:  # REC-MONUSCO-2018-0012 line 1: MONUSCO-R-0012W01 (its rounds' record: ...A01)
        core = number.split("-")[3]
        kind = "A" if number.endswith("AMMO") else "W"
        steps += [("mark", OFFICER, {"row": row, "mark": f"MONUSCO-R-{core}{kind}{row:02d}", "at": at})
                  for row in range(1, len(items) + 1)]
    weapons = [item for item in items if item.type == "weapon"]
    if p.traced and weapons:
        models = {item.model for item in weapons}
        state = "CHN" if "Type 56" in models else "DEU" if "G3" in models else "RUS"
        steps.append(("trace", OFFICER, {"action": "draft", "to": state, "basis": "manufacture", "at": at}))
        steps.append(("trace", OFFICER, {"action": "send", "reference": f"MONUSCO/TR/{number[-4:]}", "at": at}))
        if p.answered:
            steps.append(("trace", OFFICER, {"action": "acknowledge", "at": at}))
            steps.append(("trace", OFFICER, {"action": "answer", "at": at,
                                             "answer": "exported in 1987 to a government; records of later "
                                                       "transfers not held"}))
    if p.retained:
        steps.append(("retain", OFFICER, {"reason": "evidence for the military prosecutor", "at": at}))
    return fields, steps


def misread(serial: str, r: random.Random) -> str:
    """``serial`` as a patrol might read it off worn metal."""
    way = r.randrange(3)
    if way == 0 and "0" in serial:
        return serial.replace("0", "O", 1)
    if way == 1 and len(serial) > 4:
        return serial[:3] + " " + serial[3:]
    return serial[1:] if len(serial) > 6 else serial.replace("1", "I")


def lost_record(number: str, place: str, unit: str, when: datetime, keys: list[str], calibres: list[str],
                incident: str | None) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """The fields and steps of a record of weapons the demo lost: serials misread, matches confirmed."""
    r = random.Random(number)
    how = r.choice([How.OPERATION, How.HANDOVER, How.SURRENDER, How.CACHE]).value
    items = []
    for key, calibre in zip(keys, calibres, strict=True):
        _, make, model, serial = key.split("|")
        items.append({"type": "weapon", "make": make, "model": model, "calibre": calibre,
                      "serial": misread(serial, r), "markings": {}, "condition": "serviceable"})
    at = to_micros(when)
    fields = {"how": how, "recovered_at": when, "place": f"near {place}", "unit": unit,
              "from_whom": FROM_WHOM[How(how)], "mission": "MONUSCO", "items": items}
    steps = [("match", OFFICER, {"row": row, "weapon": key, "decision": "confirmed", "incident": incident, "at": at})
             for row, key in enumerate(keys, start=1)]
    return fields, steps


def disposal_steps(number: str, certificate: str, method: str, when: datetime) -> list[tuple[Any, ...]]:
    """The record's ``dispose`` step citing the world's certificate."""
    return [("dispose", OFFICER, {"certificate": certificate, "method": method, "at": to_micros(when)})]
