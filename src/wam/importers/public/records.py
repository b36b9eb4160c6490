"""Records produced by the public-data parsers: frozen, slotted, standard types only.

Field names follow the source headers, translated to plain snake_case English; each class says
which file and columns it comes from. Missing values are ``None``, never ``""`` or ``"NA"``.
Every record carries ``line``, the CSV line on which its row starts (provenance; it is left out
of equality so that the same fact read from two files compares equal).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = [
    "ContingentPresence",
    "Contribution",
    "Country",
    "Deployment",
    "Fatality",
    "MissionTotal",
    "Operation",
]


@dataclass(frozen=True, slots=True)
class Country:
    """One row of country-codes/country-codes.csv (datasets/country-codes)."""

    iso3: str  #: ``ISO3166-1-Alpha-3``
    iso2: str | None  #: ``ISO3166-1-Alpha-2``
    m49: int | None  #: ``M49`` (UN statistical code, equal to ISO 3166-1 numeric)
    name: str  #: ``CLDR display name`` (customary short English name: "Côte d’Ivoire", "UK")
    name_fr: str | None  #: ``official_name_fr``
    official_name: str | None  #: ``official_name_en`` (ISO short name)
    unterm_short: str | None  #: ``UNTERM English Short`` ("Congo (the)")
    unterm_formal: str | None  #: ``UNTERM English Formal``
    independent: bool  #: ``is_independent`` == "Yes"
    status: str | None  #: ``is_independent`` as written ("Yes", "Part of FR", "In contention", ...)
    region: str | None  #: ``Region Name`` (M49)
    sub_region: str | None  #: ``Sub-region Name`` (M49)
    capital: str | None  #: ``Capital`` (geonames)
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class ContingentPresence:
    """One troop-contributing country at one Geo-PKO site in one month (one TCCn slot)."""

    mission: str
    year: int
    month: int
    location: str
    latitude: float | None
    longitude: float | None
    slot: int  #: 1..14, the n of ``name.of.TCCn``
    tcc_name: str | None  #: as written, trimmed; ``None`` when the source says ``unknown``
    tcc_iso3: str | None  #: resolved with a :class:`~.countries.CountryResolver`, else ``None``
    tcc_cow: int | None  #: Correlates of War code from column ``TCCn``
    troops: int | None  #: ``No.troops.per.TCCn``; ``None`` for NA/unknown/empty
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Deployment:
    """One row of geopko/geopko.csv: a deployment site of a mission in a given month.

    The Geo-PKO codebook codes ``HQ`` 0 (none) to 3 (mission HQ) and uses 0/1 dummies for UNPOL,
    UNMO (military observers), LO (liaison office), RES (reserve), FP (force protection) and RPF
    (regional protection force); the ``*_troops`` fields are the matching ``*_No`` columns.
    """

    source_map: str  #: ``Source`` (UN cartographic map number and revision), trimmed
    mission: str  #: ``Mission``
    year: int
    month: int
    location: str  #: ``location`` (site name; "unclear" occurs once)
    country: str  #: ``country`` as written ("DRC", "Ivory Coast")
    country_iso3: str | None  #: resolved from ``country``, else ``None``
    latitude: float | None  #: ``None`` when the source has NA (reported as a note)
    longitude: float | None
    troops: int | None  #: ``No.troops``; ``None`` for ``unknown``
    tcc_count: int | None  #: ``No.TCC``; ``None`` for ``unknown``
    hq: int | None  #: ``HQ`` code; ``None`` for empty or ``?``
    unpol: bool | None  #: ``UNPOL..dummy.``
    unmo: bool | None  #: ``UNMO..dummy.``
    liaison_office: bool | None  #: ``LO``
    reserve: bool | None  #: ``RES``
    reserve_troops: int | None  #: ``RES_No``
    force_protection: bool | None  #: ``FP``
    force_protection_troops: int | None  #: ``FP_No``
    regional_protection_force: bool | None  #: ``RPF``
    regional_protection_force_troops: int | None  #: ``RPF_No``
    comments: str | None  #: may span several lines
    cow_code: int | None  #: ``cow_code`` of the host country
    gwno: int | None  #: ``gwno`` (Gleditsch-Ward number) of the host country
    gw_name: str | None  #: ``name`` (Gleditsch-Ward name: "Cote D’Ivoire" with a curly apostrophe)
    adm1_id: int | None
    adm1_name: str | None
    adm2_id: int | None
    adm2_name: str | None
    prio_gid: int | None  #: ``PRIOID`` (PRIO-GRID cell)
    contingents: tuple[ContingentPresence, ...] = ()
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Contribution:
    """One row of ipi-ppp/current_month.csv: a contributor's personnel in a mission on a date.

    ``police`` is formed police units + individual police; ``experts`` is experts on mission
    (the file's ``Observers`` column repeats it); ``total`` is the file's ``Total``.
    """

    date: dt.date
    contributor_name: str  #: as written ("DR Congo", "Cote d Ivoire")
    contributor_iso3: str  #: ``Contributor_ISO-3``
    contributor_region: str | None
    contributor_un_bloc: str | None  #: ``Contributor UN_Bloc`` (header with a space)
    mission: str
    mission_country: (
        str | None
    )  #: as written, stray apostrophe removed ("South Sudan'" → "South Sudan")
    mission_country_iso3: str | None
    mission_hq: str | None
    mission_hq_latitude: float | None  #: put back in order (the file's columns are swapped)
    mission_hq_longitude: float | None
    troops: int | None
    police: int | None
    formed_police_units: int | None
    individual_police: int | None  #: ``Inidividual_Police`` (header typo)
    civilian_police: int | None
    experts: int | None  #: ``Experts_on_Mission``
    observers: int | None
    total: int | None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class MissionTotal:
    """One row of ipi-ppp/data_mission.csv: a mission's personnel at the end of a month."""

    date: dt.date
    mission: str
    country: str | None  #: ``Country of Mission``, stray apostrophe removed
    country_iso3: str | None
    hq: str | None  #: ``Mission HQ``
    hq_latitude: float | None  #: from the column labelled *Longitude* (swapped in the file)
    hq_longitude: float | None  #: from the column labelled *Latitude*
    continent: str | None
    region: str | None
    contributors: int | None  #: ``Number of Contributors``
    troops: int | None
    police: int | None
    observers: int | None
    total: int | None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Operation:
    """One row of un-psdata/DPPADPOSS-PKO.csv: a UN peace operation."""

    id: int
    acronym: str
    name: str
    lead_department: str | None
    active: bool | None  #: ``mission_isactive`` ("Yes", "No", "NO")
    start: dt.date | None
    end: dt.date | None
    hq: str | None  #: ``mission_location``, trimmed
    latitude: float | None  #: decimal comma read, swapped pairs put back
    longitude: float | None
    last_update: dt.date | None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Fatality:
    """One row of un-psdata/DPPADPOSS-FATALITIES.csv: one peacekeeper fatality."""

    id: int
    date: dt.date  #: ``incident_date``
    casualty_id: str
    mission: str  #: ``mission_acronym``
    casualty_type: str | None  #: ``type_of_casualty`` (always "Fatality" in the file)
    gender: str | None  #: "M", "F" or ``None`` (empty in the file)
    nationality: str | None  #: ``casualty_nationality``; ``None`` for empty and "ZZ [Undetermined]"
    nationality_iso3: str | None  #: ``isocode3``, or resolved from the name when empty
    nationality_m49: int | None  #: ``m49_code`` ("250.0" → 250)
    personnel_type: str | None  #: trimmed ("Local " → "Local")
    incident_type: str | None  #: ``type_of_incident`` ("Malicious Act", "Accident", ...)
    last_update: dt.date | None
    line: int = field(default=0, compare=False)
