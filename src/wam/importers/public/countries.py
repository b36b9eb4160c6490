"""Country codes (datasets/country-codes) and a resolver from names as written to ISO 3166 alpha-3.

The public files name countries in many ways: ``Ivory Coast``, ``Cote D’Ivoire`` (curly
apostrophe), ``Cote d Ivoire``, ``Côte dIvoire``, ``DR Congo``, ``DRC``, ``South Sudan'`` (stray
apostrophe), ``U.K.``, ``Korea (ROK)``, ``Türkiye``... :class:`CountryResolver` tries, in order:

1. an ISO 3166-1 alpha-3 code as such (``"SSD"``; upper case, three letters);
2. the names in country-codes.csv: CLDR display name, ISO official short name, UNTERM English
   short and formal names, the ISO 4217 country name, then the French official and UNTERM
   names, compared by :func:`~.common.fold_key` (accents, case, apostrophes, spaces and
   punctuation ignored; a leading "the" and a trailing "(the)" or "*" dropped);
3. the same after removing a parenthesised part of the input (``Zimbabwe (Rhodesia)``);
4. :data:`ALIASES`, a short explicit table for the names in the real files that 1-3 miss.

``unknown`` and ``ZZ [Undetermined]`` resolve to ``None`` on purpose (:data:`UNKNOWN_NAMES`).
Two-letter codes are *not* accepted by :meth:`CountryResolver.resolve` (geopko.csv has a TCC
written ``MA``, which is a typo for NA, not Morocco); use :meth:`CountryResolver.by_iso2`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .common import ParseResult, RowContext, Source, fold_key
from .records import Country

__all__ = [
    "ALIASES",
    "HISTORICAL",
    "UNKNOWN_NAMES",
    "CountryResolver",
    "Resolution",
    "name_key",
    "parse_countries",
]

#: Names found in the real files that the country-codes names do not cover. Keys are
#: :func:`name_key` forms; each entry says where it was found.
ALIASES: dict[str, str] = {
    # geopko.csv column ``country`` and IPI files
    "drc": "COD",
    "drcongo": "COD",
    # geopko.csv TCC names
    "democraticrepublicofcongo": "COD",
    "korea": "KOR",  # COW code 732 (Republic of Korea) in the same rows
    "korearok": "KOR",
    "irelandandscotland": "IRL",  # one UNMIL row (line 8178); COW code 205 (Ireland)
    "unitedkingdom": "GBR",
    # geopko.csv column ``name`` (Gleditsch-Ward names)
    "congodemocraticrepublicofzaire": "COD",
    # ipi-ppp/current_month.csv and data_mission.csv
    "formeryugoslavrepublicofmacedonia": "MKD",
    "macedonia": "MKD",
    "turkey": "TUR",
    # DPPADPOSS-FATALITIES.csv (withdrawn ISO 3166-1 codes, kept as ISO 3166-3 gives them)
    "yugoslavia": "YUG",
    "serbiaandmontenegro": "SCG",
}

#: Withdrawn codes that the fatalities file still uses (``isocode3`` = YUG, SCG).
HISTORICAL: dict[str, str] = {"YUG": "Yugoslavia", "SCG": "Serbia and Montenegro"}

#: Names that mean "nationality not known": resolve to ``None`` without being a failure.
UNKNOWN_NAMES = frozenset({"unknown", "unkown", "undetermined", "zzundetermined", "zz"})


def name_key(text: str) -> str:
    """The comparison key for a country name.

    >>> name_key("Cote D’Ivoire") == name_key("Côte d'Ivoire") == name_key("Cote d Ivoire")
    True
    >>> name_key("South Sudan'"), name_key("Congo (the)"), name_key("the Republic of Korea")
    ('southsudan', 'congo', 'republicofkorea')
    """
    text = text.strip()
    text = re.sub(r"\s*\*$", "", text)  # "State of Palestine (the) *"
    text = re.sub(r"\s*\(the\)$", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^the\s+", "", text, flags=re.IGNORECASE)
    return fold_key(text)


def _without_parentheses(text: str) -> str:
    return re.sub(r"\([^)]*\)", " ", text)


@dataclass(frozen=True, slots=True)
class Resolution:
    """How a name was resolved: ``how`` is ``iso3``, ``name``, ``name-no-parentheses``,
    ``alias``, ``unknown`` (deliberately ``None``), ``empty`` or ``unresolved``."""

    text: str | None
    iso3: str | None
    how: str

    @property
    def ok(self) -> bool:
        return self.how not in {"unresolved"}


def parse_countries(source: Source) -> ParseResult[Country]:
    """Parse country-codes.csv (datasets/country-codes); one :class:`Country` per row."""

    def row(ctx: RowContext) -> Country | None:
        iso3 = ctx.text("iso3166_1_alpha_3")
        if iso3 is None:
            raise ctx.fail("iso3166_1_alpha_3", "empty ISO 3166-1 alpha-3 code")
        if not re.fullmatch(r"[A-Z]{3}", iso3):
            raise ctx.fail("iso3166_1_alpha_3", "not a three-letter upper-case code", iso3)
        official = ctx.text("official_name_en")
        name = ctx.text("cldr_display_name") or official or iso3
        status = ctx.text("is_independent")
        return Country(
            iso3=iso3,
            # ISO2 "NA" is Namibia: read it raw, not through the NA filter.
            iso2=(ctx.raw("iso3166_1_alpha_2") or "").strip() or None,
            m49=ctx.int("m49"),
            name=name,
            name_fr=ctx.text("official_name_fr"),
            official_name=official,
            unterm_short=ctx.text("unterm_english_short"),
            unterm_formal=ctx.text("unterm_english_formal"),
            independent=(status or "").casefold() == "yes",
            status=status,
            region=ctx.text("region_name"),
            sub_region=ctx.text("sub_region_name"),
            capital=ctx.text("capital"),
            line=ctx.line,
        )

    return ParseResult(
        source,
        row,
        required=(
            "iso3166_1_alpha_3",
            "iso3166_1_alpha_2",
            "m49",
            "official_name_en",
            "cldr_display_name",
        ),
    )


class CountryResolver:
    """Resolve country names and codes to ISO 3166-1 alpha-3 (see the module docstring)."""

    #: Name fields in priority order: English first, French only where English left a gap.
    _FIELDS = ("name", "official_name", "unterm_short", "unterm_formal", "name_fr")

    def __init__(
        self, countries: Iterable[Country], aliases: Mapping[str, str] | None = None
    ) -> None:
        self.countries: dict[str, Country] = {}
        self._by_iso2: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self.collisions: dict[str, set[str]] = {}
        for country in countries:
            self.countries[country.iso3] = country
            if country.iso2:
                self._by_iso2[country.iso2] = country.iso3
        for fieldname in self._FIELDS:
            for country in self.countries.values():
                value = getattr(country, fieldname)
                if value:
                    self._add(name_key(value), country.iso3)
        self.aliases = {
            name_key(k): v for k, v in (ALIASES if aliases is None else aliases).items()
        }
        self._cache: dict[str | None, Resolution] = {}

    def _add(self, key: str, iso3: str) -> None:
        if not key:
            return
        current = self._names.get(key)
        if current is None:
            self._names[key] = iso3
        elif current != iso3:
            self.collisions.setdefault(key, {current}).add(
                iso3
            )  # first (higher-priority) field wins

    @classmethod
    def from_csv(cls, source: Source, aliases: Mapping[str, str] | None = None) -> CountryResolver:
        """Build from country-codes.csv; raises :class:`ValueError` if any row was skipped."""
        result = parse_countries(source)
        countries = result.collect()
        if result.skipped:
            raise ValueError(f"{result.name}: rows skipped: {result.skipped!r}")
        return cls(countries, aliases)

    def __len__(self) -> int:
        return len(self.countries)

    def country(self, iso3: str) -> Country | None:
        return self.countries.get(iso3)

    def by_iso2(self, iso2: str) -> str | None:
        return self._by_iso2.get(iso2.strip().upper())

    def explain(self, text: str | None) -> Resolution:
        """Resolve and say how (for reports and tests)."""
        cached = self._cache.get(text)
        if cached is None:
            cached = self._explain(text)
            if len(self._cache) < 10_000:
                self._cache[text] = cached
        return cached

    def _explain(self, text: str | None) -> Resolution:
        if text is None or not text.strip() or text.strip() in {"NA", "N/A"}:
            return Resolution(text, None, "empty")
        stripped = text.strip().strip("'’\"")
        if re.fullmatch(r"[A-Z]{3}", stripped) and (
            stripped in self.countries or stripped in HISTORICAL
        ):
            return Resolution(text, stripped, "iso3")
        key = name_key(stripped)
        if key in UNKNOWN_NAMES:
            return Resolution(text, None, "unknown")
        if key in self._names:
            return Resolution(text, self._names[key], "name")
        if key in self.aliases:
            return Resolution(text, self.aliases[key], "alias")
        bare = name_key(_without_parentheses(stripped))
        if bare and bare != key and bare in self._names:
            return Resolution(text, self._names[bare], "name-no-parentheses")
        return Resolution(text, None, "unresolved")

    def resolve(self, text: str | None) -> str | None:
        """ISO3 for ``text``, or ``None`` (unknown, empty or not resolvable)."""
        return self.explain(text).iso3

    def is_resolvable(self, text: str | None) -> bool:
        return self.explain(text).how not in {"unresolved"}
