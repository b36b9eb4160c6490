"""What the demo's contingents carry: weapons by contributing country, ammunition by calibre.

Everything here is an ILLUSTRATIVE ASSUMPTION built from general background knowledge of which
arms families each army fields ([BK] in ``docs/demo.md``), not from any inventory of the real
contingents. Net explosive quantities (NEQ, the propellant or filling mass per round) are
order-of-magnitude values for the cartridge type, also [BK]; hazard divisions and compatibility
groups follow the usual UN classification of each family (small-arms cartridges 1.4S, grenades
and mortar bombs with bursting charges 1.2E/1.1E).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class WeaponType:
    role: str  # rifle | pistol | lmg | hmg | gl | mortar
    category: str
    make: str
    model: str
    calibre: str
    country: str  # country of manufacture (ISO3)
    serial_prefix: str


@dataclass(frozen=True, slots=True)
class AmmoType:
    calibre: str
    nomenclature: str
    hazard_division: str
    compatibility_group: str
    neq_kg: Decimal
    small_arms: bool


#: weapons per soldier by role, for an infantry unit (assumption; see docs/demo.md)
ROLE_PER_SOLDIER: dict[str, float] = {
    "rifle": 0.85, "pistol": 0.08, "lmg": 0.06, "hmg": 0.01, "gl": 0.04, "mortar": 0.012,
}
#: rounds held per weapon at the site's ammunition point (first and second line; assumption)
ROUNDS_PER_WEAPON: dict[str, int] = {"rifle": 600, "pistol": 100, "lmg": 3000, "hmg": 2000, "gl": 60, "mortar": 90}
#: rounds fired per weapon at each monthly range day (assumption)
TRAINING_ROUNDS: dict[str, int] = {"rifle": 20, "pistol": 15, "lmg": 150, "hmg": 100, "gl": 2, "mortar": 2}
#: rounds a patrol member draws (basic load) for each role (assumption)
PATROL_LOAD: dict[str, int] = {"rifle": 120, "pistol": 30, "lmg": 600, "hmg": 400, "gl": 12, "mortar": 0}

SMALL_ARMS_ROLES = ("rifle", "pistol", "lmg", "hmg")

_C = "Small arms"
_L = "Light weapons"


def _w(role: str, make: str, model: str, calibre: str, country: str, prefix: str) -> WeaponType:
    category = {"rifle": f"{_C}: rifle", "pistol": f"{_C}: pistol", "lmg": f"{_C}: machine gun",
                "hmg": f"{_L}: heavy machine gun", "gl": f"{_L}: grenade launcher", "mortar": f"{_L}: mortar"}[role]
    return WeaponType(role, category, make, model, calibre, country, prefix)


_AK = {
    "rifle": _w("rifle", "Izhmash", "AKM", "7.62x39mm", "RUS", "AKM"),
    "pistol": _w("pistol", "Izhmash", "Makarov PM", "9x18mm", "RUS", "PM"),
    "lmg": _w("lmg", "Degtyarev", "PKM", "7.62x54mmR", "RUS", "PKM"),
    "hmg": _w("hmg", "Degtyarev", "DShKM", "12.7x108mm", "RUS", "DSK"),
    "gl": _w("gl", "Norinco", "Type 87 AGL", "35mm", "CHN", "AGL"),
    "mortar": _w("mortar", "Norinco", "Type 63-1 60mm", "60mm", "CHN", "M60"),
}

WEAPONS: dict[str, dict[str, WeaponType]] = {
    "IND": {
        "rifle": _w("rifle", "Ordnance Factory Board", "INSAS 1B1", "5.56x45mm", "IND", "IN"),
        "pistol": _w("pistol", "Ordnance Factory Board", "Pistol Auto 9mm 1A", "9x19mm", "IND", "PA"),
        "lmg": _w("lmg", "Ordnance Factory Board", "INSAS LMG", "5.56x45mm", "IND", "LM"),
        "hmg": _w("hmg", "Ordnance Factory Board", "NSVT", "12.7x108mm", "IND", "HV"),
        "gl": _w("gl", "Ordnance Factory Board", "Multi Grenade Launcher", "40x46mm", "IND", "MGL"),
        "mortar": _w("mortar", "Ordnance Factory Board", "E1 81mm", "81mm", "IND", "E1"),
    },
    "PAK": {
        "rifle": _w("rifle", "Pakistan Ordnance Factories", "G3A3", "7.62x51mm", "PAK", "G3"),
        "pistol": _w("pistol", "Glock", "17", "9x19mm", "AUT", "GK"),
        "lmg": _w("lmg", "Pakistan Ordnance Factories", "MG3", "7.62x51mm", "PAK", "MG"),
        "hmg": _w("hmg", "Norinco", "Type 54", "12.7x108mm", "CHN", "T54"),
        "gl": _w("gl", "Pakistan Ordnance Factories", "PK-40", "40x46mm", "PAK", "GL"),
        "mortar": _w("mortar", "Pakistan Ordnance Factories", "81mm M29", "81mm", "PAK", "M29"),
    },
    "BGD": {
        "rifle": _w("rifle", "Bangladesh Ordnance Factories", "BD-08", "7.62x39mm", "BGD", "BD"),
        "pistol": _w("pistol", "Norinco", "Type 54", "7.62x25mm", "CHN", "T54P"),
        "lmg": _w("lmg", "Norinco", "Type 81 LMG", "7.62x39mm", "CHN", "T81"),
        "hmg": _w("hmg", "Norinco", "Type 85", "12.7x108mm", "CHN", "T85"),
        "gl": _w("gl", "Norinco", "Type 87 AGL", "35mm", "CHN", "T87"),
        "mortar": _w("mortar", "Norinco", "Type 63-1 60mm", "60mm", "CHN", "T63"),
    },
    "ZAF": {
        "rifle": _w("rifle", "Denel", "R4", "5.56x45mm", "ZAF", "R4"),
        "pistol": _w("pistol", "Vektor", "Z88", "9x19mm", "ZAF", "Z88"),
        "lmg": _w("lmg", "Denel", "SS-77", "7.62x51mm", "ZAF", "SS"),
        "hmg": _w("hmg", "Browning", "M2HB", "12.7x99mm", "USA", "M2"),
        "gl": _w("gl", "Denel", "Y3 AGL", "40x53mm", "ZAF", "Y3"),
        "mortar": _w("mortar", "Denel", "M4 60mm", "60mm", "ZAF", "M4"),
    },
    "IDN": {
        "rifle": _w("rifle", "Pindad", "SS2-V1", "5.56x45mm", "IDN", "SS2"),
        "pistol": _w("pistol", "Pindad", "P1", "9x19mm", "IDN", "P1"),
        "lmg": _w("lmg", "FN Herstal", "Minimi", "5.56x45mm", "BEL", "MN"),
        "hmg": _w("hmg", "Browning", "M2HB", "12.7x99mm", "USA", "M2"),
        "gl": _w("gl", "Pindad", "SPG-1A", "40x46mm", "IDN", "SPG"),
        "mortar": _w("mortar", "Pindad", "MO-1 60mm", "60mm", "IDN", "MO"),
    },
    "URY": {
        "rifle": _w("rifle", "FN Herstal", "FAL", "7.62x51mm", "BEL", "FAL"),
        "pistol": _w("pistol", "Browning", "Hi-Power", "9x19mm", "BEL", "HP"),
        "lmg": _w("lmg", "FN Herstal", "MAG", "7.62x51mm", "BEL", "MAG"),
        "hmg": _w("hmg", "Browning", "M2HB", "12.7x99mm", "USA", "M2"),
        "gl": _w("gl", "Colt", "M203", "40x46mm", "USA", "203"),
        "mortar": _w("mortar", "Hotchkiss-Brandt", "60mm LR", "60mm", "FRA", "HB"),
    },
    "GTM": {
        "rifle": _w("rifle", "Israel Military Industries", "Galil ARM", "5.56x45mm", "ISR", "GA"),
        "pistol": _w("pistol", "Jericho", "941", "9x19mm", "ISR", "J9"),
        "lmg": _w("lmg", "FN Herstal", "MAG", "7.62x51mm", "BEL", "MAG"),
        "hmg": _w("hmg", "Browning", "M2HB", "12.7x99mm", "USA", "M2"),
        "gl": _w("gl", "Colt", "M203", "40x46mm", "USA", "203"),
        "mortar": _w("mortar", "Soltam", "C03 60mm", "60mm", "ISR", "C03"),
    },
    "CHN": {
        "rifle": _w("rifle", "Norinco", "QBZ-95", "5.8x42mm", "CHN", "QBZ"),
        "pistol": _w("pistol", "Norinco", "QSZ-92", "9x19mm", "CHN", "QSZ"),
        "lmg": _w("lmg", "Norinco", "QJY-88", "5.8x42mm", "CHN", "QJY"),
        "hmg": _w("hmg", "Norinco", "QJZ-89", "12.7x108mm", "CHN", "QJZ"),
        "gl": _w("gl", "Norinco", "QLZ-87", "35mm", "CHN", "QLZ"),
        "mortar": _w("mortar", "Norinco", "PP-93 60mm", "60mm", "CHN", "PP93"),
    },
    "UKR": {**_AK, "rifle": _w("rifle", "Izhmash", "AK-74", "5.45x39mm", "RUS", "AK74")},
    "EGY": {**_AK, "rifle": _w("rifle", "Maadi", "Misr", "7.62x39mm", "EGY", "MSR"),
            "pistol": _w("pistol", "Maadi", "Helwan 920", "9x19mm", "EGY", "HW")},
    "MAR": {**_AK, "rifle": _w("rifle", "Colt", "M16A2", "5.56x45mm", "USA", "M16"),
            "pistol": _w("pistol", "Beretta", "92FS", "9x19mm", "ITA", "BR"),
            "lmg": _w("lmg", "FN Herstal", "MAG", "7.62x51mm", "BEL", "MAG")},
}
WEAPONS["NPL"] = {**WEAPONS["IND"], "rifle": _w("rifle", "Colt", "M16A2", "5.56x45mm", "USA", "M16"),
                  "pistol": _w("pistol", "Browning", "Hi-Power", "9x19mm", "BEL", "HP")}
DEFAULT_WEAPONS = _AK  # e.g. TZA, MWI, GHA, SEN: Kalashnikov-family arms (Type 56 / AKM)

#: calibre -> (nomenclature, hazard division, compatibility group, NEQ kg per round, small arms?)
AMMUNITION: dict[str, AmmoType] = {
    c: AmmoType(c, n, hd, cg, Decimal(neq), sa)
    for c, n, hd, cg, neq, sa in [
        ("5.56x45mm", "Cartridge 5.56x45mm ball", "1.4", "S", "0.0017", True),
        ("5.45x39mm", "Cartridge 5.45x39mm ball 7N6", "1.4", "S", "0.00145", True),
        ("5.8x42mm", "Cartridge 5.8x42mm ball DBP87", "1.4", "S", "0.0018", True),
        ("7.62x39mm", "Cartridge 7.62x39mm ball", "1.4", "S", "0.0016", True),
        ("7.62x51mm", "Cartridge 7.62x51mm ball", "1.4", "S", "0.0029", True),
        ("7.62x54mmR", "Cartridge 7.62x54mmR ball", "1.4", "S", "0.0031", True),
        ("7.62x25mm", "Cartridge 7.62x25mm ball", "1.4", "S", "0.0005", True),
        ("9x19mm", "Cartridge 9x19mm ball", "1.4", "S", "0.0004", True),
        ("9x18mm", "Cartridge 9x18mm ball", "1.4", "S", "0.00025", True),
        ("12.7x99mm", "Cartridge 12.7x99mm ball", "1.4", "S", "0.015", True),
        ("12.7x108mm", "Cartridge 12.7x108mm ball", "1.4", "S", "0.017", True),
        ("40x46mm", "Grenade 40x46mm HE", "1.2", "E", "0.045", False),
        ("40x53mm", "Grenade 40x53mm HEDP", "1.2", "E", "0.055", False),
        ("35mm", "Grenade 35mm HE (QLZ-87 / Type 87)", "1.2", "E", "0.05", False),
        ("60mm", "Bomb mortar 60mm HE", "1.2", "E", "0.25", False),
        ("81mm", "Bomb mortar 81mm HE", "1.1", "E", "0.75", False),
    ]
}

#: ammunition makers by contributing country (lot numbers are <MAKER>-<YEAR>-<MONTH>-<BATCH>)
AMMO_MAKER: dict[str, tuple[str, str]] = {
    "IND": ("Ordnance Factory Board", "OFB"), "PAK": ("Pakistan Ordnance Factories", "POF"),
    "BGD": ("Bangladesh Ordnance Factories", "BOF"), "NPL": ("Ordnance Factory Board", "OFB"),
    "ZAF": ("Pretoria Metal Pressings", "PMP"), "IDN": ("Pindad", "PIN"), "CHN": ("Norinco", "NOR"),
    "EGY": ("Abu Zaabal", "AZC"), "URY": ("Fabrica Militar", "FMU"), "GTM": ("IMI Systems", "IMI"),
    "UKR": ("Luhansk Cartridge Works", "LPZ"), "MAR": ("Nammo", "NAM"),
}
DEFAULT_AMMO_MAKER = ("Norinco", "NOR")


def weapons_for(country: str) -> dict[str, WeaponType]:
    return WEAPONS.get(country) or DEFAULT_WEAPONS


def ammo_maker(country: str) -> tuple[str, str]:
    return AMMO_MAKER.get(country, DEFAULT_AMMO_MAKER)
