"""Putting latitude and longitude back in order, using where a mission actually is.

Several public files swap the two coordinates, and not consistently: in DPPADPOSS-PKO.csv some
rows give ``mission_longitude, mission_latitude`` as labelled and others give them reversed
(MINUSMA's Bamako is ``"12,6500","-8,0000"``); in the IPI files most rows are (latitude,
longitude) under headers that say Longitude, Latitude, but MINUSMA's are as labelled. When both
numbers are within ±90 the range test alone cannot tell, so :func:`place` checks each reading
against a rough bounding box of the host country (:data:`COUNTRY_BOUNDS`), found from the row's
own ISO3 code or from :data:`MISSION_HOSTS`.

The boxes are deliberately coarse (whole degrees, padded by :data:`MARGIN`): they only have to
tell "Bamako" from "a point in the Atlantic off Angola"; they are not borders.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["COUNTRY_BOUNDS", "MARGIN", "MISSION_HOSTS", "Placement", "hosts_of", "inside", "place"]

#: Degrees added on every side of a box.
MARGIN = 0.5

#: ISO3 → (lat_min, lat_max, lon_min, lon_max), approximate extent of the territory.
COUNTRY_BOUNDS: dict[str, tuple[float, float, float, float]] = {
    "AFG": (29.3, 38.5, 60.5, 74.9),
    "AGO": (-18.1, -4.3, 11.6, 24.1),
    "BDI": (-4.5, -2.3, 28.9, 30.9),
    "BIH": (42.5, 45.3, 15.7, 19.7),
    "CAF": (2.2, 11.1, 14.4, 27.5),
    "CIV": (4.3, 10.8, -8.6, -2.5),
    "COD": (-13.5, 5.4, 12.2, 31.4),
    "COL": (-4.3, 13.4, -81.8, -66.8),
    "CRI": (8.0, 11.3, -86.0, -82.5),
    "CYP": (34.5, 35.8, 32.2, 34.7),
    "DOM": (17.5, 20.0, -72.1, -68.3),
    "DZA": (18.9, 37.1, -8.7, 12.0),
    "EGY": (21.9, 31.7, 24.7, 36.9),
    "ERI": (12.3, 18.1, 36.4, 43.2),
    "ESH": (20.7, 27.7, -17.1, -8.6),
    "ETH": (3.4, 15.0, 33.0, 48.0),
    "GEO": (41.0, 43.6, 40.0, 46.7),
    "GRC": (34.8, 41.8, 19.3, 29.7),
    "GTM": (13.7, 17.9, -92.3, -88.2),
    "HND": (12.9, 17.5, -89.4, -83.1),
    "HRV": (42.3, 46.6, 13.4, 19.5),
    "HTI": (18.0, 20.1, -74.5, -71.6),
    "IDN": (-11.1, 6.1, 94.9, 141.1),
    "IND": (6.7, 37.1, 68.1, 97.4),
    "IRN": (25.0, 39.8, 44.0, 63.4),
    "IRQ": (29.0, 37.4, 38.8, 48.6),
    "ISR": (29.4, 33.4, 34.2, 35.9),
    "ITA": (35.4, 47.1, 6.6, 18.6),
    "JOR": (29.2, 33.4, 34.9, 39.3),
    "KEN": (-4.7, 5.1, 33.9, 41.9),
    "KHM": (10.4, 14.7, 102.3, 107.7),
    "KWT": (28.5, 30.1, 46.5, 48.5),
    "LBN": (33.0, 34.7, 35.1, 36.7),
    "LBR": (4.3, 8.6, -11.5, -7.4),
    "LBY": (19.5, 33.2, 9.3, 25.2),
    "MAR": (27.6, 35.9, -13.2, -1.0),
    "MKD": (40.8, 42.4, 20.4, 23.1),
    "MLI": (10.1, 25.0, -12.3, 4.3),
    "MOZ": (-26.9, -10.4, 30.2, 40.9),
    "MRT": (14.7, 27.3, -17.1, -4.8),
    "NAM": (-29.0, -16.9, 11.7, 25.3),
    "NIC": (10.7, 15.1, -87.7, -82.6),
    "NPL": (26.3, 30.5, 80.0, 88.3),
    "PAK": (23.6, 37.1, 60.8, 77.9),
    "PSE": (31.2, 32.6, 34.2, 35.6),
    "RWA": (-2.9, -1.0, 28.8, 30.9),
    "SDN": (8.6, 22.3, 21.8, 38.6),
    "SLE": (6.9, 10.0, -13.4, -10.2),
    "SLV": (13.1, 14.5, -90.2, -87.6),
    "SOM": (-1.7, 12.0, 40.9, 51.5),
    "SRB": (41.8, 46.2, 18.8, 23.1),  # includes Kosovo (UNMIK)
    "SSD": (3.4, 12.3, 23.4, 36.0),
    "SYR": (32.3, 37.4, 35.6, 42.4),
    "TCD": (7.4, 23.5, 13.4, 24.0),
    "TJK": (36.6, 41.1, 67.3, 75.2),
    "TLS": (-9.5, -8.1, 124.0, 127.4),
    "TZA": (-11.8, -0.9, 29.3, 40.5),
    "UGA": (-1.5, 4.3, 29.5, 35.1),
    "YEM": (12.1, 19.0, 42.5, 54.6),
    "ZMB": (-18.1, -8.2, 21.9, 33.7),
    "ZWE": (-22.5, -15.6, 25.2, 33.1),
}

#: Mission acronym (as written in the public files) → ISO3 of the host territories, first the
#: one holding the headquarters. Covers every mission in DPPADPOSS-PKO.csv, the IPI files and
#: geopko.csv; the IPI ``missions.json`` host codes agree (checked by the tests).
MISSION_HOSTS: dict[str, tuple[str, ...]] = {
    "BINUB": ("BDI",),
    "BNUB": ("BDI",),
    "BONUCA": ("CAF",),
    "DOMREP": ("DOM",),
    "IPTF": ("BIH",),
    "LBB": ("ITA",),
    "MICAH": ("HTI",),
    "MINUCI": ("CIV",),
    "MINUGUA": ("GTM",),
    "MINUJUSTH": ("HTI",),
    "MINURCA": ("CAF",),
    "MINURCAT": ("TCD", "CAF"),
    "MINURSO": ("ESH", "MAR", "DZA", "MRT"),
    "MINUSCA": ("CAF",),
    "MINUSMA": ("MLI",),
    "MINUSTAH": ("HTI",),
    "MIPONUH": ("HTI",),
    "MONUA": ("AGO",),
    "MONUC": ("COD",),
    "MONUSCO": ("COD",),
    "ONUB": ("BDI",),
    "ONUC": ("COD",),
    "ONUCA": ("HND", "NIC", "CRI", "SLV", "GTM"),
    "ONUCI": ("CIV",),
    "ONUMOZ": ("MOZ",),
    "ONUSAL": ("SLV",),
    "UNAMA": ("AFG",),
    "UNAMET": ("TLS",),
    "UNAMI": ("IRQ",),
    "UNAMIC": ("KHM",),
    "UNAMID": ("SDN",),
    "UNAMIR": ("RWA",),
    "UNAMSIL": ("SLE",),
    "UNASOG": ("TCD", "LBY"),
    "UNAVEM": ("AGO",),
    "UNAVEM I": ("AGO",),
    "UNAVEM II": ("AGO",),
    "UNAVEM III": ("AGO",),
    "UNCPSG": ("HRV",),
    "UNCRO": ("HRV",),
    "UNDOF": ("SYR", "ISR"),
    "UNEF": ("EGY", "PSE"),
    "UNEF I": ("EGY", "PSE"),
    "UNEF II": ("EGY", "PSE"),
    "UNFICYP": ("CYP",),
    "UNFOR": ("HRV", "BIH", "MKD"),
    "UNGCI": ("IRQ",),
    "UNGOMAP": ("AFG", "PAK"),
    "UNIFIL": ("LBN",),
    "UNIIMOG": ("IRN", "IRQ"),
    "UNIKOM": ("IRQ", "KWT"),
    "UNIOSIL": ("SLE",),
    "UNIPOM": ("IND", "PAK"),
    "UNIPSIL": ("SLE",),
    "UNISFA": ("SDN", "SSD"),
    "UNMA": ("AGO",),
    "UNMC": ("COL",),
    "UNMEE": ("ERI", "ETH"),
    "UNMIBH": ("BIH",),
    "UNMIH": ("HTI",),
    "UNMIK": ("SRB",),
    "UNMIL": ("LBR",),
    "UNMIN": ("NPL",),
    "UNMIS": ("SDN", "SSD"),
    "UNMISET": ("TLS",),
    "UNMISS": ("SSD",),
    "UNMIT": ("TLS",),
    "UNMOGIP": ("PAK", "IND"),
    "UNMOP": ("HRV",),
    "UNMOT": ("TJK",),
    "UNOA": ("AGO",),
    "UNOCI": ("CIV",),
    "UNOGIL": ("LBN",),
    "UNOHCI": ("IRQ",),
    "UNOMIG": ("GEO",),
    "UNOMIL": ("LBR",),
    "UNOMSIL": ("SLE",),
    "UNOMUR": ("UGA", "RWA"),
    "UNOSOM": ("SOM",),
    "UNOSOM I": ("SOM",),
    "UNOSOM II": ("SOM",),
    "UNOTIL": ("TLS",),
    "UNPF": ("HRV", "BIH", "MKD"),
    "UNPREDEP": ("MKD",),
    "UNPROFOR": ("HRV", "BIH", "MKD", "SRB"),
    "UNPSG": ("HRV",),
    "UNSCOB": ("GRC",),
    "UNSF": ("IDN",),
    "UNSMA": ("AFG",),
    "UNSMIH": ("HTI",),
    "UNSMIS": ("SYR",),
    "UNSOM": ("SOM",),
    "UNSOS": ("SOM",),
    "UNTAC": ("KHM",),
    "UNTAES": ("HRV",),
    "UNTAET": ("TLS",),
    "UNTMIH": ("HTI",),
    "UNTSO": ("ISR", "PSE", "EGY", "LBN", "SYR", "JOR"),
    "UNYOM": ("YEM",),
}


def hosts_of(mission: str | None, *iso3: str | None) -> tuple[str, ...]:
    """Host ISO3 codes for a row: the row's own codes first, then the mission's table entry."""
    out: list[str] = [c for c in iso3 if c]
    if mission:
        out.extend(c for c in MISSION_HOSTS.get(mission.strip(), ()) if c not in out)
    return tuple(out)


def inside(lat: float, lon: float, hosts: Iterable[str], margin: float = MARGIN) -> bool:
    """Whether ``(lat, lon)`` falls in the padded box of any of ``hosts`` (unknown codes ignored)."""
    for code in hosts:
        box = COUNTRY_BOUNDS.get(code)
        if box is None:
            continue
        lat_min, lat_max, lon_min, lon_max = box
        if (
            lat_min - margin <= lat <= lat_max + margin
            and lon_min - margin <= lon <= lon_max + margin
        ):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Placement:
    """Outcome of :func:`place`.

    ``how`` is one of ``"as-read"`` (the expected order fits the host country), ``"swapped"``
    (only the other order fits, or only the other order is a valid latitude), ``"unchecked"``
    (no box for the host; expected order kept because it is a valid latitude), ``"ambiguous"``
    (both orders fit the box; expected order kept) and ``"outside"`` (neither order fits; the
    expected order kept because it is a valid latitude).
    """

    latitude: float
    longitude: float
    how: str


def place(lat: float, lon: float, hosts: Iterable[str]) -> Placement:
    """Decide whether ``(lat, lon)`` (the file's usual order) must be swapped.

    Raises :class:`ValueError` when neither order is a valid coordinate.
    """
    hosts = tuple(hosts)
    known = any(h in COUNTRY_BOUNDS for h in hosts)
    valid = abs(lat) <= 90 and abs(lon) <= 180
    valid_swapped = abs(lon) <= 90 and abs(lat) <= 180
    if known:
        fits = valid and inside(lat, lon, hosts)
        fits_swapped = valid_swapped and inside(lon, lat, hosts)
        if fits and not fits_swapped:
            return Placement(lat, lon, "as-read")
        if fits_swapped and not fits:
            return Placement(lon, lat, "swapped")
        if fits and fits_swapped:
            return Placement(lat, lon, "ambiguous")
    if valid:
        return Placement(lat, lon, "outside" if known else "unchecked")
    if valid_swapped:
        return Placement(lon, lat, "swapped")
    raise ValueError(f"({lat}, {lon}) is not a coordinate in either order")
