"""Putting swapped coordinates back with host-country boxes."""

from __future__ import annotations

import pytest

from wam.importers.public.geo import COUNTRY_BOUNDS, MISSION_HOSTS, hosts_of, inside, place


@pytest.mark.parametrize(
    ("lat", "lon", "hosts", "expected"),
    [
        (12.65, -8.0, ("MLI",), (12.65, -8.0, "as-read")),  # Bamako
        (-8.0, 12.65, ("MLI",), (12.65, -8.0, "swapped")),  # MINUSMA in DPPADPOSS-PKO.csv
        (45.35, 2.0333, ("SOM",), (2.0333, 45.35, "swapped")),  # UNOSOM II
        (43.0033, 41.0153, ("GEO",), (43.0033, 41.0153, "ambiguous")),  # Sukhumi: both fit Georgia
        (-8.5667, 125.567, ("TLS",), (-8.5667, 125.567, "as-read")),  # Dili
        (125.567, -8.5667, (), (-8.5667, 125.567, "swapped")),  # |lat| > 90, no host needed
        (10.0, 20.0, ("XXX",), (10.0, 20.0, "unchecked")),  # no box for the host
        (-20.0, 57.5, ("MRT",), (-20.0, 57.5, "outside")),  # neither order in Mauritania
    ],
)
def test_place(
    lat: float, lon: float, hosts: tuple[str, ...], expected: tuple[float, float, str]
) -> None:
    got = place(lat, lon, hosts)
    assert (got.latitude, got.longitude, got.how) == expected


def test_place_refuses_impossible_pairs() -> None:
    with pytest.raises(ValueError):
        place(200.0, 100.0, ("MLI",))


def test_hosts_and_boxes_are_consistent() -> None:
    assert hosts_of("MINUSMA") == ("MLI",)
    assert hosts_of("UNMIS", "SDN") == ("SDN", "SSD")
    assert hosts_of(" UNMISS ", "SSD") == ("SSD",)
    assert hosts_of(None, "CIV") == ("CIV",)
    assert hosts_of("NOPE") == ()
    for mission, hosts in MISSION_HOSTS.items():
        assert hosts, mission
        assert any(h in COUNTRY_BOUNDS for h in hosts), mission
    for code, (lat_min, lat_max, lon_min, lon_max) in COUNTRY_BOUNDS.items():
        assert -90 <= lat_min < lat_max <= 90 and -180 <= lon_min < lon_max <= 180, code
    assert inside(4.85, 31.6, ["SSD"]) and not inside(31.6, 4.85, ["SSD"])
