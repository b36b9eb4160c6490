"""Loss incidents: what an incident records, its controlled vocabulary, its derived flags and its workflow rules.

An incident is a document of the documents seam (:mod:`wam.domain.documents`, type ``incident``):
its lines are the materiel lost, posted as ``loss`` movements from the holders that held it. This
module holds what is particular to incidents, as pure functions on plain values, so that
:mod:`wam.domain.documents` can call them without importing anything back:

- the controlled vocabulary, three separate dimensions (:class:`Circumstance`, :class:`Mechanism`,
  :class:`Ownership`), from the Small Arms Survey reference, ``domain.md`` section 3.2 (a suggested
  vocabulary derived from the categories named in SAS sources, section 3.1; not an SAS standard);
- the incident's fields and their rules (:func:`clean_fields`);
- the derived flags, never typed: :func:`notable` (more than 10 weapons or more than 500 rounds,
  as the Survey counts: Research Note 54, reference section 4.1) and
  :func:`board_of_inquiry_required` (rules held as versioned configuration, :class:`BoardRules`,
  citing their source; the defaults are the thresholds of reference section 5.4);
- the workflow's own rules (:func:`check_step`): a board of inquiry before findings when one is
  required, the board's reference on a write-off that needed a board, the reporter never
  approving the write-off;
- the reporting deadline and :func:`overdue` (reference section 5.5: no UN rule gives a number of
  hours, so it is a mission SOP parameter, :data:`DEADLINE_SETTING`).

A *minimal* incident (written before this module, by ``wam document step incident`` and by the
demo) has no ``rules`` field: its fields are only a note and a witness, and it is checked as it
was, so the records already written replay unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from .errors import InvalidInput
from .text import clean_text, required_text
from .timefmt import check_readable, from_micros, read_moment, to_micros


class Circumstance(StrEnum):
    """The activity at the time of the loss (reference domain.md section 3.2, 'Circumstance')."""

    FIXED_SITE = "fixed_site"
    PATROL = "patrol"
    CONVOY_ESCORT = "convoy_escort"
    RESUPPLY = "resupply"
    ROTATION_IN_TRANSIT = "rotation_in_transit"
    RIVERINE_MOVEMENT = "riverine_movement"
    STORAGE_DEPOT = "storage_depot"
    OTHER = "other"


class Mechanism(StrEnum):
    """How the materiel was lost (reference domain.md section 3.2, 'Mechanism')."""

    ARMED_ATTACK_OVERRUN = "armed_attack_overrun"
    AMBUSH = "ambush"
    SEIZURE_DETENTION = "seizure_detention"
    HOSTAGE_TAKING_CAPTURE = "hostage_taking_capture"
    FORCED_ABANDONMENT = "forced_abandonment"
    THEFT_BURGLARY = "theft_burglary"
    CARJACKING = "carjacking"
    HOUSEHOLD_ROBBERY = "household_robbery"
    INSIDER_THEFT_SALE_CORRUPTION = "insider_theft_sale_corruption"
    NEGLIGENCE_POOR_PRACTICE = "negligence_poor_practice"
    SURRENDER_WITHOUT_RESISTANCE = "surrender_without_resistance"
    UNKNOWN = "unknown"


class Ownership(StrEnum):
    """Whose materiel it was (reference domain.md section 3.2, 'Ownership'): the UN treats each
    differently in its COE and board-of-inquiry rules."""

    COE = "COE"
    UNOE = "UNOE"
    RECOVERED_MATERIEL = "recovered_materiel"
    HOST_STATE = "host_state"


class Outcome(StrEnum):
    """How a closed incident ends."""

    WRITTEN_OFF = "written_off"
    RECOVERED = "recovered"
    PARTLY = "partly"  # partly recovered, the rest written off


WRITES_OFF = frozenset({Outcome.WRITTEN_OFF, Outcome.PARTLY})
TIME_PRECISIONS = ("minute", "hour", "day", "week", "month", "year")
PLACE_PRECISIONS = ("exact", "approximate", "place", "admin1", "country")
CONFIDENTIALITY = ("public", "restricted", "confidential")
CASUALTIES = ("killed", "wounded", "captured", "missing")
MAX_PERSONS = 100_000
MAX_VALUE_USD = 10**12
MAX_CONTINGENTS = 50
MAX_SOURCES = 50
NOTABLE_WEAPONS = 10  # more than this many weapons ...
NOTABLE_ROUNDS = 500  # ... or more than this many rounds (SAS Research Note 54; reference section 4.1)


# the board of inquiry's rules: versioned configuration -----------------------------------------

@dataclass(frozen=True, slots=True)
class BoardRules:
    """When a board of inquiry is mandatory: one version of the rules, with its source.

    An incident records the version it was reported under (its ``rules`` field), so a later
    version never changes what an earlier incident required.
    """

    version: str
    source: str
    unoe_value_usd: int  # loss of UN-owned equipment, not wear and tear, at or above this value
    third_party_value_usd: int  # loss of third-party equipment, mission personnel involved
    coe_hostile_value_usd: int  # COE lost in one incident of hostile action or forced abandonment
    hostile_mechanisms: frozenset[Mechanism]
    third_party: frozenset[Ownership]
    casualties: frozenset[str]  # any of these greater than zero (death, serious injury, kidnapping)
    coe_other_contingent: bool  # COE used by one contingent but provided by another
    coe_several_contingents: bool  # COE incidents involving personnel from more than one contingent


BOARD_RULES_2020 = BoardRules(
    version="BOI-2020.10",
    source="DOS/2020.10 Boards of Inquiry (SOP), as summarised at casquebleu.org/index.php?title=Board_of_inquiry"
           "&oldid=681 (5 Aug 2020); reference domain.md section 5.4",
    unoe_value_usd=25_000,
    third_party_value_usd=10_000,
    coe_hostile_value_usd=250_000,
    # hostile action or forced abandonment: losses to force or its threat, not crime, theft or negligence
    hostile_mechanisms=frozenset({Mechanism.ARMED_ATTACK_OVERRUN, Mechanism.AMBUSH, Mechanism.SEIZURE_DETENTION,
                                  Mechanism.HOSTAGE_TAKING_CAPTURE, Mechanism.FORCED_ABANDONMENT}),
    # host-state materiel in the mission's hands is a third party's [I: the reference's inference]
    third_party=frozenset({Ownership.HOST_STATE}),
    # death or serious injury of mission personnel (every wounded counts: a report does not grade
    # injuries), kidnapping of UN personnel (captured)
    casualties=frozenset({"killed", "wounded", "captured"}),
    coe_other_contingent=True,
    coe_several_contingents=True,
)
BOARD_RULES: dict[str, BoardRules] = {r.version: r for r in (BOARD_RULES_2020,)}
CURRENT_RULES = BOARD_RULES_2020


def board_rules(version: str) -> BoardRules:
    try:
        return BOARD_RULES[version]
    except KeyError:
        raise InvalidInput(f"{version!r} is not a version of the board-of-inquiry rules "
                           f"({', '.join(BOARD_RULES)})", field="rules") from None


def board_reasons(fields: Mapping[str, Any], rules: BoardRules | None = None) -> list[str]:
    """Why a board of inquiry is required for an incident with these (clean) fields: one reason
    per trigger met, empty when none is. A minimal incident (no ``rules``) requires none."""
    if rules is None:
        if "rules" not in fields:
            return []
        rules = board_rules(str(fields["rules"]))
    reasons: list[str] = []
    casualties = fields.get("casualties") or {}
    for name in sorted(rules.casualties):
        if int(casualties.get(name, 0)) > 0:
            reasons.append(f"{name}: {casualties[name]}")
    ownership = fields.get("ownership")
    value = int(fields.get("value_usd") or 0)
    if ownership == Ownership.UNOE and value >= rules.unoe_value_usd:
        reasons.append(f"UN-owned equipment worth {value:,} USD (at least {rules.unoe_value_usd:,})")
    if ownership in rules.third_party and value >= rules.third_party_value_usd:
        reasons.append(f"third-party equipment worth {value:,} USD (at least {rules.third_party_value_usd:,})")
    if ownership == Ownership.COE:
        if fields.get("mechanism") in rules.hostile_mechanisms and value >= rules.coe_hostile_value_usd:
            reasons.append(f"COE lost to {fields['mechanism']} worth {value:,} USD "
                           f"(at least {rules.coe_hostile_value_usd:,})")
        countries = {country for _, country in fields.get("contingents") or ()}
        provider = fields.get("coe_provider")
        if rules.coe_other_contingent and provider and countries and provider not in countries:
            reasons.append(f"COE provided by {provider}, used by {', '.join(sorted(countries))}")
        if rules.coe_several_contingents and len(fields.get("contingents") or ()) > 1:
            reasons.append("COE, personnel of more than one contingent")
    return reasons


def board_of_inquiry_required(fields: Mapping[str, Any], rules: BoardRules | None = None) -> bool:
    """Whether the rules the incident was reported under (or ``rules``) make a board mandatory."""
    return bool(board_reasons(fields, rules))


def notable(weapons: int, rounds: int) -> bool:
    """A notable loss, as the Small Arms Survey counts: more than 10 weapons or more than 500 rounds."""
    return weapons > NOTABLE_WEAPONS or rounds > NOTABLE_ROUNDS


# the reporting deadline ------------------------------------------------------------------------

DEADLINE_SETTING = "WAM_INCIDENT_REPORT_HOURS"
DEFAULT_DEADLINE = timedelta(hours=24)  # a mission SOP parameter: no UN rule gives one (reference 5.5)


def deadline_from_settings(settings: Mapping[str, str]) -> timedelta:
    """The reporting deadline the settings (``os.environ``) ask for, in hours; the default if unset."""
    text = (settings.get(DEADLINE_SETTING) or "").strip()
    if not text:
        return DEFAULT_DEADLINE
    try:
        hours = float(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a number of hours", field=DEADLINE_SETTING) from None
    if not 0 < hours <= 24 * 366:
        raise InvalidInput("must be more than 0 hours and at most a year", field=DEADLINE_SETTING)
    return timedelta(hours=hours)


SETTLED_STATES = frozenset({"closed", "cancelled"})  # an incident in these is overdue no more


def overdue(fields: Mapping[str, Any], reported_at: datetime, deadline: timedelta, state: str | None = None) -> bool:
    """Reported later than ``deadline`` after the incident ended (or began, without an end), and not
    closed or cancelled since (a closed incident is not shown "(overdue)")."""
    if state in SETTLED_STATES:
        return False
    end = fields.get("ended_at", fields.get("started_at"))
    if not isinstance(end, int):
        return False
    return reported_at - from_micros(end) > deadline


# evidence files ----------------------------------------------------------------------------------
# A file (a photograph, a scanned SINREP) is kept once, by its SHA-256, as a record of the records
# chain of kind "evidence" whose ref is the digest; an incident lists the files it cites.

EVIDENCE_KIND = "evidence"
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE = 20
_SHA256 = re.compile(r"[0-9a-f]{64}")


def evidence_record(name: str, data: bytes, media_type: str | None = None) -> tuple[list[Any], dict[str, Any]]:
    """A file as the incident cites it (name, SHA-256, size, media type) and the record that keeps it.

    Raises:
        InvalidInput: an empty or too large file, a bad name.
    """
    name = required_text(name, "evidence", max_len=200)
    if not data:
        raise InvalidInput(f"{name} is empty", field="evidence")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise InvalidInput(f"{name} is larger than {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB", field="evidence")
    media = clean_text(media_type, "evidence", max_len=100) or "application/octet-stream"
    digest = hashlib.sha256(data).hexdigest()
    return [name, digest, len(data), media], {"size": len(data), "media_type": media,
                                              "data": base64.b64encode(data).decode("ascii")}


def evidence_problem(digest: str, body: Mapping[str, Any]) -> str | None:
    """Why a stored evidence record is not the file its digest names (None: it is)."""
    try:
        data = base64.b64decode(str(body["data"]), validate=True)
    except (KeyError, ValueError):
        return f"evidence {digest[:12]}: its content cannot be read"
    if hashlib.sha256(data).hexdigest() != digest or len(data) != body.get("size"):
        return f"evidence {digest[:12]}: its content is not the file its SHA-256 names"
    return None


def _evidence(value: object) -> list[list[Any]]:
    if value is None or value == "":
        return []
    if not isinstance(value, list | tuple) or len(value) > MAX_EVIDENCE:
        raise InvalidInput(f"a list of at most {MAX_EVIDENCE} files", field="evidence")
    out = []
    for row, raw in enumerate(value, start=1):
        if not isinstance(raw, list | tuple) or len(raw) != 4:
            raise InvalidInput("a file is cited by name, SHA-256, size and media type", field="evidence", row=row)
        name, digest, size, media = raw
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise InvalidInput(f"{digest!r} is not a SHA-256 in hexadecimal", field="evidence", row=row)
        if type(size) is not int or not 0 < size <= MAX_EVIDENCE_BYTES:
            raise InvalidInput("a file's size in bytes", field="evidence", row=row)
        out.append([required_text(name, "evidence", max_len=200), digest, size,
                    required_text(media, "evidence", max_len=100)])
    return out


# the incident's fields -------------------------------------------------------------------------

def _choice(value: object, field: str, choices: Sequence[str], *, required: bool = True) -> str | None:
    text = clean_text(value, field, required=required, max_len=40)
    if text is None:
        return None
    if text not in choices:
        raise InvalidInput(f"{text!r} is not one of {', '.join(choices)}", field=field)
    return text


def _moment(value: object, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_micros(check_readable(value, field))
    if type(value) is int:
        return value
    if isinstance(value, str):
        return to_micros(read_moment(value, field))
    raise InvalidInput("give a date and time", field=field)


def _count(value: object, field: str, limit: int) -> int:
    if value is None or value == "":
        return 0
    try:
        number = value if type(value) is int else int(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{value!r} is not a whole number", field=field) from None
    if not 0 <= number <= limit:
        raise InvalidInput(f"must be from 0 to {limit:,}", field=field)
    return number


def _country(value: object, field: str) -> str:
    code = required_text(value, field, max_len=3).upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise InvalidInput(f"{code!r} is not an ISO 3166 alpha-3 code", field=field)
    return code


def _bool(value: object, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y"):
        return True
    if text in ("0", "false", "no", "n", ""):
        return False
    raise InvalidInput(f"{value!r} is not yes or no", field=field)


def _coordinate(value: object, field: str, limit: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise TypeError
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{value!r} is not a number", field=field) from None
    if not -limit <= number <= limit:  # NaN too
        raise InvalidInput(f"must be from -{limit:g} to {limit:g}", field=field)
    return number


def _contingents(value: object) -> list[list[str]]:
    """``[[name, ISO3], ...]`` from pairs, mappings ({name, country}) or ``NAME:ISO3`` texts."""
    if value is None or value == "":
        return []
    if not isinstance(value, list | tuple):
        raise InvalidInput("a list of contingents with their countries", field="contingents")
    if len(value) > MAX_CONTINGENTS:
        raise InvalidInput(f"at most {MAX_CONTINGENTS} contingents", field="contingents")
    out: list[list[str]] = []
    for row, raw in enumerate(value, start=1):
        try:
            if isinstance(raw, Mapping):
                name, country = raw.get("name"), raw.get("country")
            elif isinstance(raw, list | tuple) and len(raw) == 2:
                name, country = raw
            elif isinstance(raw, str) and ":" in raw:
                name, _, country = raw.rpartition(":")
            else:
                raise InvalidInput("give a contingent as NAME:ISO3", field="contingents")
            out.append([required_text(name, "contingents", max_len=100), _country(country, "contingents")])
        except InvalidInput as exc:
            raise InvalidInput(exc.detail, field="contingents", row=row) from None
    return out


def _sources(value: object) -> list[str]:
    if value is None or value == "":
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise InvalidInput("a list of sources", field="sources")
    if len(items) > MAX_SOURCES:
        raise InvalidInput(f"at most {MAX_SOURCES} sources", field="sources")
    out = []
    for row, raw in enumerate(items, start=1):
        try:
            out.append(required_text(raw, "sources", max_len=500))
        except InvalidInput as exc:
            raise InvalidInput(exc.detail, field="sources", row=row) from None
    return out


def clean_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """An incident's fields, checked and in the form the records keep (times in microseconds).

    Keeping them again gives the same (a record's fields replay). Without ``rules`` the incident
    is minimal and has none of these fields.

    Raises:
        InvalidInput: naming the field (and the row of a contingent or a source).
    """
    if fields.get("rules") is None:
        return {}
    out: dict[str, Any] = {"rules": board_rules(str(fields["rules"])).version}
    started = _moment(fields.get("started_at"), "started_at")
    if started is None:
        raise InvalidInput("say when it began", field="started_at")
    out["started_at"] = started
    ended = _moment(fields.get("ended_at"), "ended_at")
    if ended is not None:
        if ended < started:
            raise InvalidInput("ends before it began", field="ended_at")
        out["ended_at"] = ended
    out["time_precision"] = _choice(fields.get("time_precision") or "minute", "time_precision", TIME_PRECISIONS)
    site = clean_text(fields.get("site"), "site", max_len=64)
    place = clean_text(fields.get("place"), "place", max_len=200)
    if site is None and place is None:
        raise InvalidInput("say where: the site, or the place", field="site")
    if site:
        out["site"] = site
    if place:
        out["place"] = place
    lat = _coordinate(fields.get("latitude"), "latitude", 90)
    lon = _coordinate(fields.get("longitude"), "longitude", 180)
    if (lat is None) != (lon is None):
        raise InvalidInput("give both coordinates, or neither", field="latitude" if lat is None else "longitude")
    if lat is not None:
        out["latitude"], out["longitude"] = lat, lon
    out["place_precision"] = _choice(fields.get("place_precision") or ("exact" if lat is not None else "place"),
                                     "place_precision", PLACE_PRECISIONS)
    out["mission"] = required_text(fields.get("mission"), "mission", max_len=40).upper()
    out["contingents"] = _contingents(fields.get("contingents"))
    out["circumstance"] = _choice(fields.get("circumstance"), "circumstance", tuple(Circumstance))
    out["mechanism"] = _choice(fields.get("mechanism"), "mechanism", tuple(Mechanism))
    out["ownership"] = _choice(fields.get("ownership"), "ownership", tuple(Ownership))
    provider = fields.get("coe_provider")
    if provider not in (None, ""):
        out["coe_provider"] = _country(provider, "coe_provider")
    value = _count(fields.get("value_usd"), "value_usd", MAX_VALUE_USD)
    if value:
        out["value_usd"] = value
    perpetrator = clean_text(fields.get("perpetrator"), "perpetrator", max_len=200)
    if perpetrator:
        out["perpetrator"] = perpetrator
    claim = _bool(fields.get("perpetrator_claim", False), "perpetrator_claim")
    if claim and not perpetrator:
        raise InvalidInput("a claim is the perpetrator's: name the perpetrator", field="perpetrator")
    out["perpetrator_claim"] = claim
    raw = fields.get("casualties") or {}
    if not isinstance(raw, Mapping):
        raise InvalidInput("killed, wounded, captured and missing, each a number", field="casualties")
    unknown = sorted(set(raw) - set(CASUALTIES))
    if unknown:
        raise InvalidInput(f"{unknown[0]!r} is not one of {', '.join(CASUALTIES)}", field="casualties")
    out["casualties"] = {name: _count(raw.get(name), name, MAX_PERSONS) for name in CASUALTIES}
    narrative = clean_text(fields.get("narrative"), "narrative", max_len=20_000)
    if narrative:
        out["narrative"] = narrative
    out["sources"] = _sources(fields.get("sources"))
    evidence = _evidence(fields.get("evidence"))
    if evidence:
        out["evidence"] = evidence
    out["confidentiality"] = _choice(fields.get("confidentiality") or "restricted", "confidentiality",
                                     CONFIDENTIALITY)
    return out


# the workflow's own rules ----------------------------------------------------------------------

# the steps of an incident after its report (which posts its losses): the states they lead to
INVESTIGATE, CONVENE, FINDINGS, CLOSE = "investigate", "convene", "findings", "close"
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    INVESTIGATE: ("investigator",),
    CONVENE: ("board_reference",),
    FINDINGS: ("findings",),
    CLOSE: ("outcome",),
}


def check_step(step: str, state: str, fields: Mapping[str, Any], actor: str, reporter: str) -> str | None:
    """The incident's own rule on a later step, given the fields as the step leaves them: a
    refusal's message, or None when allowed.

    - ``convene`` needs the board's reference;
    - ``findings`` needs the findings, and, when a board is required, that the board sat
      (from ``board_of_inquiry``, not straight from ``under_investigation``);
    - ``close`` needs the outcome (written_off, recovered, partly); a write-off (written_off or
      partly) is never approved by the person who reported the incident, and needs the board's
      reference when a board was required.
    """
    if step == CONVENE and not fields.get("board_reference"):
        return "a board of inquiry is convened with its reference: give board_reference"
    if step == FINDINGS:
        if not fields.get("findings"):
            return "record the findings: give findings"
        if state != "board_of_inquiry" and board_of_inquiry_required(fields):
            return ("a board of inquiry is required (" + "; ".join(board_reasons(fields)) +
                    "): convene it before the findings")
    if step == CLOSE:
        outcome = fields.get("outcome")
        if outcome not in tuple(Outcome):
            return f"close with an outcome: {', '.join(Outcome)}"
        if outcome in WRITES_OFF:
            if actor == reporter:
                return f"{actor} reported this incident: someone else must approve its write-off"
            if board_of_inquiry_required(fields) and not fields.get("board_reference"):
                return "a write-off needs the board of inquiry's reference"
    return None
