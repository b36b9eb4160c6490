"""Pure parsers for real public data about UN peace operations.

These parsers turn published files, read exactly as they are with their quirks, into frozen
records (:mod:`.records`) that the rest of wam can use: real missions, sites, contingents and
troop-contributing countries for the demo, the tests and the benchmarks. Standard library only.
They touch no database and no network.

=====================================  ==========================================  ==========================
file (upstream)                        parser                                      record
=====================================  ==========================================  ==========================
country-codes/country-codes.csv        :func:`parse_countries`,                    :class:`Country`
                                       :class:`CountryResolver`
geopko/geopko.csv (Geo-PKO)            :func:`parse_geopko`,                       :class:`Deployment`,
                                       :func:`parse_geopko_contingents`            :class:`ContingentPresence`
ipi-ppp/current_month.csv (IPI)        :func:`parse_contributions`                 :class:`Contribution`
ipi-ppp/data_mission.csv (IPI)         :func:`parse_mission_totals`                :class:`MissionTotal`
ipi-ppp/missions.json (IPI)            :func:`load_mission_hosts`                  :class:`MissionHost`
un-psdata/DPPADPOSS-PKO.csv (UN)       :func:`parse_operations`                    :class:`Operation`
un-psdata/DPPADPOSS-FATALITIES.csv     :func:`parse_fatalities`                    :class:`Fatality`
=====================================  ==========================================  ==========================

Every parser takes a path or an open file and returns a :class:`ParseResult`: iterate it once
to stream the records; rows that could not be read are in ``result.skipped`` as
:class:`Skipped` (line, field, reason, value), values that were repaired or deliberately set to
``None`` are in ``result.notes`` as :class:`Note`. Line numbers are real CSV line numbers (the
header is line 1; a record with a multi-line quoted field is numbered by its first line).

Country names are resolved to ISO 3166-1 alpha-3 by :class:`CountryResolver` (ISO codes, the
official/UNTERM/CLDR names in country-codes.csv compared accent-, case- and apostrophe-blind,
and a small alias table). Coordinates swapped in the source are put back by checking both orders
against the host country (:mod:`.geo`).

Example::

    from wam.importers.public import CountryResolver, parse_geopko

    countries = CountryResolver.from_csv("country-codes.csv")
    result = parse_geopko("geopko.csv", countries)
    for site in result:
        for contingent in site.contingents:
            ...
    for problem in result.skipped:
        print(problem.line, problem.field, problem.reason)

The packaged demo extract lives in ``wam/demo/data`` (see its ``SOURCES.md``).
"""

from __future__ import annotations

from .common import FieldError, HeaderError, Note, ParseResult, Skipped
from .countries import CountryResolver, Resolution, parse_countries
from .geopko import iter_contingents, parse_geopko, parse_geopko_contingents
from .ipi import MissionHost, load_mission_hosts, parse_contributions, parse_mission_totals
from .records import (
    ContingentPresence,
    Contribution,
    Country,
    Deployment,
    Fatality,
    MissionTotal,
    Operation,
)
from .unpsdata import parse_fatalities, parse_operations

__all__ = [
    "ContingentPresence",
    "Contribution",
    "Country",
    "CountryResolver",
    "Deployment",
    "Fatality",
    "FieldError",
    "HeaderError",
    "MissionHost",
    "MissionTotal",
    "Note",
    "Operation",
    "ParseResult",
    "Resolution",
    "Skipped",
    "iter_contingents",
    "load_mission_hosts",
    "parse_contributions",
    "parse_countries",
    "parse_fatalities",
    "parse_geopko",
    "parse_geopko_contingents",
    "parse_mission_totals",
    "parse_operations",
]
