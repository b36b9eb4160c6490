"""Research records: incidents recorded from open sources, without inventory detail.

A researcher records what UN and AU reports, the media, academic works and interviews say of a
loss, as the Small Arms Survey does (reference ``domain.md`` sections 4.1 and 4.2): when and where,
the mission and its contingents, the three dimensions of the typology (circumstance, mechanism,
ownership), the perpetrator as reported, the casualties, and

- the quantities lost **by category, as a minimum and a maximum** (a maximum left open when a
  source says only "many"); the weapons and rounds lost are the sums of the weapon and round
  categories, and ``notable`` (more than 10 weapons or more than 500 rounds) is derived from the
  minimums, so that an uncertain count never makes an incident notable on its own;
- each **source** with its kind, date, reliability, whether it is the **perpetrator's claim**,
  and whether it is **confidential** (an interlocutor who must not be named);
- a **verification status** and a **confidentiality level** for the record as a whole.

A confidential source is kept (the record is in the records chain, tamper-evident, like every
other) but is never shown outside its scope: :func:`sees_confidential` says who is in it (an
administrator for everything, the organisation's own); a researcher never is, and no export, no
list and no command-line output shows one (:func:`visible`). A record whose own confidentiality is
``confidential`` is, likewise, seen only in that scope.

This module is pure: plain values in, plain values out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from . import incidents as loss
from .access import Grant, Role
from .errors import InvalidInput
from .text import clean_text, required_text
from .timefmt import to_micros

RECORD_KIND = "research:incident"  # the records chain's kind; the ref is the record's id
EVENT_KIND = "conflict-event"  # an imported ACLED event; the ref is its event_id_cnty
PREFIX = "RES-"

WEAPON_CATEGORIES = ("small_arms", "light_weapons", "weapons")  # "weapons": not said which
ROUND_CATEGORIES = ("rounds",)
OTHER_CATEGORIES = ("grenades", "mortar_bombs", "rockets", "mines", "vehicles", "communications", "fuel_litres",
                    "other")
CATEGORIES = WEAPON_CATEGORIES + ROUND_CATEGORIES + OTHER_CATEGORIES
RELIABILITY = ("high", "medium", "low", "unknown")
SOURCE_KINDS = ("un_report", "au_report", "government", "media", "academic", "interview", "ngo", "perpetrator",
                "other")
VERIFICATION = ("unverified", "claimed", "alleged", "reported", "corroborated", "confirmed")
RECOVERY = ("none", "partial", "full", "unknown")
ORGANISATIONS = ("UN", "AU", "AU-UN", "REC", "ad_hoc", "joint", "other")
MAX_QUANTITY = 10**9
MAX_CATEGORIES = len(CATEGORIES)
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,59}")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def check_id(value: object, field: str = "id") -> str:
    """A record's id: letters, digits and ``. _ : / -``, at most 60, e.g. ``RES-000001``."""
    text = required_text(value, field, max_len=60)
    if not _ID.fullmatch(text):
        raise InvalidInput(f"{text!r} is not an id (letters, digits, . _ : / -)", field=field)
    return text


def parse_quantity(text: str) -> tuple[int, int | None]:
    """``"20"``, ``"16-20"``, ``"2+"`` (at least 2): the minimum and the maximum (None: open).

    Raises:
        InvalidInput: not one of these forms.
    """
    raw = text.strip().replace(" ", "").replace(",", "")
    try:
        if raw.endswith("+"):
            return int(raw[:-1]), None
        low, sep, high = raw.partition("-")
        return (int(low), int(high)) if sep else (int(low), int(low))
    except ValueError:
        raise InvalidInput(f"{text!r} is not a quantity (20, 16-20 or 2+)", field="quantities") from None


def format_quantity(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else str(low) if high == low else f"{low}-{high}"


def _quantities(value: object) -> list[list[Any]]:
    """``[[category, min, max], ...]`` from triples, mappings or ``{category: "16-20"}``, sorted by category."""
    if value is None or value == "":
        return []
    if isinstance(value, str):  # small_arms=16-20;rounds=3000
        pairs = [part.partition("=") for part in value.split(";") if part.strip()]
        if any(not sep for _, sep, _ in pairs):
            raise InvalidInput("write quantities as CATEGORY=MIN[-MAX], separated by ';'", field="quantities")
        value = [[name.strip(), *parse_quantity(amount)] for name, _, amount in pairs]
    if isinstance(value, Mapping):
        value = [[name, *(parse_quantity(str(amount)) if not isinstance(amount, list | tuple) else amount)]
                 for name, amount in value.items()]
    if not isinstance(value, list | tuple) or len(value) > MAX_CATEGORIES:
        raise InvalidInput(f"a list of at most {MAX_CATEGORIES} categories", field="quantities")
    out: dict[str, list[Any]] = {}
    for row, raw in enumerate(value, start=1):
        if isinstance(raw, Mapping):
            raw = [raw.get("category"), raw.get("min"), raw.get("max")]
        if not isinstance(raw, list | tuple) or len(raw) != 3:
            raise InvalidInput("a quantity is a category, a minimum and a maximum", field="quantities", row=row)
        category = str(raw[0] or "").strip()
        if category not in CATEGORIES:
            raise InvalidInput(f"{category!r} is not one of {', '.join(CATEGORIES)}", field="quantities", row=row)
        if category in out:
            raise InvalidInput(f"{category} is given twice", field="quantities", row=row)
        low = _whole(raw[1], row)
        high = None if raw[2] is None or raw[2] == "" else _whole(raw[2], row)
        if high is not None and high < low:
            raise InvalidInput(f"{category}: the maximum {high} is below the minimum {low}", field="quantities",
                               row=row)
        out[category] = [category, low, high]
    return [out[name] for name in CATEGORIES if name in out]


def _whole(value: object, row: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput(f"{value!r} is not a whole number", field="quantities", row=row)
    try:
        number = int(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a whole number", field="quantities", row=row) from None
    if not 0 <= number <= MAX_QUANTITY:
        raise InvalidInput(f"must be from 0 to {MAX_QUANTITY:,}", field="quantities", row=row)
    return number


def _source(raw: object, row: int) -> dict[str, Any]:
    if isinstance(raw, str):
        raw = {"citation": raw}
    if not isinstance(raw, Mapping):
        raise InvalidInput("a source is a citation with its kind, date, reliability, claim and confidentiality",
                           field="sources", row=row)
    unknown = sorted(set(raw) - {"citation", "kind", "date", "reliability", "claim", "confidential"})
    if unknown:
        raise InvalidInput(f"{unknown[0]!r} is not a field of a source", field="sources", row=row)
    try:
        source: dict[str, Any] = {"citation": required_text(raw.get("citation"), "sources", max_len=500)}
        kind = clean_text(raw.get("kind"), "sources", max_len=20) or "other"
        if kind not in SOURCE_KINDS:
            raise InvalidInput(f"kind {kind!r} is not one of {', '.join(SOURCE_KINDS)}", field="sources")
        source["kind"] = kind
        date = clean_text(raw.get("date"), "sources", max_len=10)
        if date:
            if not _DATE.fullmatch(date):
                raise InvalidInput(f"date {date!r} is not YYYY, YYYY-MM or YYYY-MM-DD", field="sources")
            source["date"] = date
        reliability = clean_text(raw.get("reliability"), "sources", max_len=10) or "unknown"
        if reliability not in RELIABILITY:
            raise InvalidInput(f"reliability {reliability!r} is not one of {', '.join(RELIABILITY)}",
                               field="sources")
        source["reliability"] = reliability
        source["claim"] = loss._bool(raw.get("claim", False), "sources")  # noqa: SLF001
        source["confidential"] = loss._bool(raw.get("confidential", False), "sources")  # noqa: SLF001
    except InvalidInput as exc:
        raise InvalidInput(exc.detail, field="sources", row=row) from None
    return source


def _sources(value: object) -> list[dict[str, Any]]:
    if value is None or value == "":
        return []
    if not isinstance(value, list | tuple):
        raise InvalidInput("a list of sources", field="sources")
    if len(value) > loss.MAX_SOURCES:
        raise InvalidInput(f"at most {loss.MAX_SOURCES} sources", field="sources")
    return [_source(raw, row) for row, raw in enumerate(value, start=1)]


def _partial_date(value: object) -> tuple[object, str]:
    """A date as the sources give it (``2000``, ``2000-05``, ``2000-05-03``): its first moment
    (midnight UTC) and its precision; anything else as it is, precision ``day``."""
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        text = value.strip()
        parts = [*map(int, text.split("-")), 1, 1][:3]
        try:
            moment = datetime(parts[0], parts[1], parts[2], tzinfo=UTC)
        except ValueError:
            raise InvalidInput(f"{text!r} is not a date", field="started_at") from None
        return moment, ("year", "month", "day")[text.count("-")]
    return value, "day"


# No peace operation is older than the first (UNTSO, 1948): an earlier date is a typing error.
EARLIEST = datetime(1945, 1, 1, tzinfo=UTC)


def clean_fields(fields: Mapping[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    """A research record's fields, checked, in the form the records chain keeps (times in microseconds).

    Keeping them again gives the same. With ``now`` (the services' clock), a start after it (a day's
    grace for time zones) is refused as well as one before :data:`EARLIEST`.

    Raises:
        InvalidInput: naming the field (and the row of a quantity, a contingent or a source).
    """
    out: dict[str, Any] = {}
    started_raw, precision = _partial_date(fields.get("started_at"))
    started = loss._moment(started_raw, "started_at")  # noqa: SLF001
    if started is None:
        raise InvalidInput("say when it began (as precisely as the sources do)", field="started_at")
    if started < to_micros(EARLIEST):
        raise InvalidInput(f"is before {EARLIEST.date().isoformat()}, before any peace operation", field="started_at")
    if now is not None and started > to_micros(now + timedelta(days=1)):
        raise InvalidInput("is in the future: an incident is recorded after it began", field="started_at")
    out["started_at"] = started
    ended = loss._moment(_partial_date(fields.get("ended_at"))[0], "ended_at")  # noqa: SLF001
    if ended is not None:
        if ended < started:
            raise InvalidInput("ends before it began", field="ended_at")
        out["ended_at"] = ended
    out["time_precision"] = loss._choice(fields.get("time_precision") or precision, "time_precision",  # noqa: SLF001
                                         loss.TIME_PRECISIONS)
    out["mission"] = required_text(fields.get("mission"), "mission", max_len=40).upper()
    organisation = clean_text(fields.get("organisation"), "organisation", max_len=10)
    if organisation:
        out["organisation"] = loss._choice(organisation, "organisation", ORGANISATIONS)  # noqa: SLF001
    country = fields.get("country")
    if country not in (None, ""):
        out["country"] = loss._country(country, "country")  # noqa: SLF001
    for name, limit in (("admin1", 100), ("place", 200)):
        text = clean_text(fields.get(name), name, max_len=limit)
        if text:
            out[name] = text
    lat = loss._coordinate(fields.get("latitude"), "latitude", 90)  # noqa: SLF001
    lon = loss._coordinate(fields.get("longitude"), "longitude", 180)  # noqa: SLF001
    if (lat is None) != (lon is None):
        raise InvalidInput("give both coordinates, or neither", field="latitude" if lat is None else "longitude")
    if lat is not None:
        out["latitude"], out["longitude"] = lat, lon
    if not any(name in out for name in ("country", "place", "admin1", "latitude")):
        raise InvalidInput("say where: the country, the place or the coordinates", field="place")
    out["place_precision"] = loss._choice(  # noqa: SLF001
        fields.get("place_precision") or ("place" if "place" in out else "admin1" if "admin1" in out else "country"),
        "place_precision", loss.PLACE_PRECISIONS)
    out["contingents"] = loss._contingents(fields.get("contingents"))  # noqa: SLF001
    out["circumstance"] = loss._choice(fields.get("circumstance") or "other", "circumstance",  # noqa: SLF001
                                       tuple(loss.Circumstance))
    out["mechanism"] = loss._choice(fields.get("mechanism") or "unknown", "mechanism",  # noqa: SLF001
                                    tuple(loss.Mechanism))
    ownership = fields.get("ownership")
    if ownership not in (None, ""):
        out["ownership"] = loss._choice(ownership, "ownership", tuple(loss.Ownership))  # noqa: SLF001
    perpetrator = clean_text(fields.get("perpetrator"), "perpetrator", max_len=200)
    if perpetrator:
        out["perpetrator"] = perpetrator
    claim = loss._bool(fields.get("perpetrator_claim", False), "perpetrator_claim")  # noqa: SLF001
    if claim and not perpetrator:
        raise InvalidInput("a claim is the perpetrator's: name the perpetrator", field="perpetrator")
    out["perpetrator_claim"] = claim
    raw = fields.get("casualties") or {}
    if not isinstance(raw, Mapping):
        raise InvalidInput("killed, wounded, captured and missing, each a number", field="casualties")
    unknown = sorted(set(raw) - set(loss.CASUALTIES))
    if unknown:
        raise InvalidInput(f"{unknown[0]!r} is not one of {', '.join(loss.CASUALTIES)}", field="casualties")
    out["casualties"] = {name: loss._count(raw.get(name), name, loss.MAX_PERSONS)  # noqa: SLF001
                         for name in loss.CASUALTIES}
    out["quantities"] = _quantities(fields.get("quantities"))
    narrative = clean_text(fields.get("narrative"), "narrative", max_len=20_000)
    if narrative:
        out["narrative"] = narrative
    out["sources"] = _sources(fields.get("sources"))
    if not out["sources"]:
        raise InvalidInput("a research record cites at least one source", field="sources")
    out["verification_status"] = loss._choice(fields.get("verification_status") or "unverified",  # noqa: SLF001
                                              "verification_status", VERIFICATION)
    recovery = fields.get("recovery_status")
    if recovery not in (None, ""):
        out["recovery_status"] = loss._choice(recovery, "recovery_status", RECOVERY)  # noqa: SLF001
    out["confidentiality"] = loss._choice(fields.get("confidentiality") or "public",  # noqa: SLF001
                                          "confidentiality", loss.CONFIDENTIALITY)
    source_id = fields.get("source_id")
    if source_id not in (None, ""):
        out["source_id"] = check_id(source_id, "source_id")
    return out


def totals(quantities: Iterable[list[Any]]) -> dict[str, int | None]:
    """The weapons and rounds lost, each as a minimum and a maximum (None: open)."""
    out: dict[str, int | None] = {}
    for name, categories in (("weapons", WEAPON_CATEGORIES), ("rounds", ROUND_CATEGORIES)):
        rows = [q for q in quantities if q[0] in categories]
        out[f"{name}_min"] = sum(q[1] for q in rows)
        out[f"{name}_max"] = None if any(q[2] is None for q in rows) else sum(q[2] for q in rows)
    return out


def sees_confidential(grants: Iterable[Grant] | None) -> bool:
    """Whether a user with these grants is in the scope of confidential sources and records: an
    administrator for everything. ``None`` (the command line, an export) is outside it."""
    if grants is None:
        return False
    return any(g.role is Role.ADMINISTRATOR and g.everywhere for g in grants)


def visible(fields: Mapping[str, Any], confidential: bool) -> dict[str, Any] | None:
    """The fields as a viewer sees them: None when the record itself is out of sight; without
    its confidential sources unless the viewer is in their scope (``confidential``)."""
    if fields.get("confidentiality") == "confidential" and not confidential:
        return None
    if confidential:
        return dict(fields)
    return {**fields, "sources": [s for s in fields.get("sources") or () if not s.get("confidential")]}


RECORDING_ROLES = frozenset({Role.ADMINISTRATOR, Role.MISSION_OFFICER, Role.RESEARCHER})


def may_record(grants: Iterable[Grant]) -> bool:
    """Whether a user with these grants records research records (researchers, mission officers and
    administrators: open sources are not a holder's; a grant anywhere is enough)."""
    return any(g.role in RECORDING_ROLES for g in grants)
