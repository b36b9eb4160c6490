"""The demo world: MONUSCO's real deployment (Geo-PKO, 2017-2018) and a year of custody.

``build_demo(ledger_url, scale, seed)`` builds a fresh database:

1. the real tree, read from the packaged extract (``wam/demo/data``) with the public-data parsers
   and loaded by :mod:`wam.services.reference` (UN > MONUSCO > contingent per contributing country
   > site per contingent and place, with the real coordinates), plus for each site an armoury
   and an ammunition point, and persons (soldiers who draw weapons) in proportion to strength;
2. weapons per contingent in proportion to its real troop numbers and with the arms family its
   country fields, and ammunition lots for each calibre (:mod:`.catalogue`);
3. a year (2018) of daily life, generated deterministically from ``random.Random(seed)`` and
   posted with ``Ledger.post_many`` in chronological order: patrols (issue and return of
   weapons and ammunition), contacts (expenditure in operations), monthly range days
   (expenditure in training), weekly resupply between a contingent's sites, quarterly new lots,
   monthly stock counts with occasional discrepancies (adjustments citing the count), loss
   incidents (citing an incident id, the circumstance in the note) and recoveries, materiel
   recovered in the field and its disposal.

Determinism: the same seed gives the same database, to the ledger head hash. Every entry's hash
covers the ledger's uuid and the time it was recorded, so the demo creates its ledger with a
uuid drawn from the seed and a fixed clock (``wam.services.setup.init_ledger``). Nothing hashed
comes from the wall clock or from ``uuid4``.
"""

from __future__ import annotations

import dataclasses
import math
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from wam.domain import incidents as incident_rules
from wam.domain.holders import make_holder
from wam.domain.materiel import lot_key, make_item
from wam.domain.movements import Movement
from wam.domain.movements import MovementKind as K
from wam.services import documents, reference, setup
from wam.services import world as world_service
from wam.services.documents import DocumentStep
from wam.services.ledger import Ledger

from . import catalogue as cat
from . import counts as demo_counts
from . import recoveries as recovered
from . import stockpile as demo_stockpile

DATA_DIR = Path(__file__).resolve().parent / "data"
MISSION = "MONUSCO"
HOST = "COD"
#: the moment every entry is "recorded": fixed so that the hash chain depends only on the seed
RECORDED_AT = datetime(2019, 1, 1, tzinfo=UTC)

# realism parameters (sources and assumptions: docs/demo.md) ---------------------------------
LOSS_INCIDENTS_PER_1000_PER_YEAR = 0.5
MECHANISMS = [  # (code, circumstance, weight, note)
    ("ambush", "patrol", 30, "ambush of a patrol by an armed group; weapons and ammunition taken"),
    ("armed_attack_overrun", "fixed_site", 15,
     "attack on the fixed site at night; armoury and ammunition point looted"),
    ("theft_burglary", "storage_depot", 25, "burglary of the store discovered at the morning check"),
    ("negligence_poor_practice", "patrol", 20, "weapon not returned after patrol; misplaced, search unsuccessful"),
    ("seizure_detention", "convoy_escort", 10,
     "resupply convoy detained at a roadblock by an armed group; ammunition seized"),
]
PARTIAL_RECOVERY_SHARE = 0.3  # share of incidents with weapons lost that see some of them recovered
FIELD_RECOVERIES_PER_1000_PER_YEAR = 1.5
# at every scale, the recovered-materiel register has some of everything (issue 12): at least this many field
# recoveries (every way of recovering, marked, traced, disposed of, retained, overdue), weapons lost on patrol
# (negligence: one weapon not returned) in the first half of the year, and records of lost weapons recovered
MIN_FIELD_RECOVERIES = 12
MIN_WEAPON_LOSSES = 2
MIN_LOST_RECOVERIES = 2
CONTACT_PROBABILITY = 0.01  # a patrol exchanges fire
ROTATION_DAY = 181  # 1 July: contingents rotate every six months (an assumption, docs/demo.md)
COUNT_SHORTFALL_P = 0.02
COUNT_SURPLUS_P = 0.01


@dataclass(frozen=True)
class Scale:
    name: str
    sites: int | None  # None: every site-contingent of the year
    days: int
    patrol_share: float  # share of a site's troops drawing weapons each day
    person_share: float  # persons (holders) per soldier
    batch_days: int  # days per post_many transaction (0: one transaction)
    repeat_years: int = 1


SCALES = {
    "small": Scale("small", sites=4, days=365, patrol_share=0.008, person_share=0.2, batch_days=0),
    "mission": Scale("mission", sites=None, days=365, patrol_share=0.035, person_share=0.12, batch_days=0),
    "global": Scale("global", sites=None, days=365, patrol_share=1.0, person_share=1.0, batch_days=61),
}


@dataclass
class DemoSummary:
    scale: str
    seed: int
    url: str
    holders: int = 0
    sites: int = 0
    troops: int = 0
    weapons: int = 0
    lots: int = 0
    movements: int = 0
    seconds: float = 0.0
    head_seq: int = 0
    head_hash: str = ""
    period: tuple[str, str] = ("", "")


@dataclass
class SiteState:
    code: str
    contingent: str
    country: str
    place: str
    troops: int
    armoury: str = ""
    asp: str = ""
    persons: list[str] = field(default_factory=list)
    next_persons: list[str] = field(default_factory=list)  # the soldiers of the next rotation
    person_weapon: list[int] = field(default_factory=list)
    weapons: list[int] = field(default_factory=list)
    initial_rounds: dict[str, int] = field(default_factory=dict)  # calibre -> rounds at the ASP
    lots: dict[str, list[str]] = field(default_factory=dict)  # calibre -> lot keys known at this ASP
    main: bool = False


class World:
    """The generator's picture of the ledger, kept so that every movement it emits is valid."""

    def __init__(self, rng: random.Random, scale: Scale, start: date) -> None:
        self.rng = rng
        self.scale = scale
        self.start = start
        self.sites: list[SiteState] = []
        self.items: list = []
        # weapons, as parallel lists
        self.w_key: list[str] = []
        self.w_role: list[str] = []
        self.w_cal: list[str] = []
        self.w_loc: list[str] = []
        self.w_site: list[int] = []
        self.bal: dict[tuple[str, str], int] = defaultdict(int)  # (holder, lot key) -> rounds
        self.lot_cal: dict[str, str] = {}
        self.planned_lots: dict[tuple[str, str, int], str] = {}  # (contingent, calibre, quarter) -> lot key
        self.serials: dict[str, int] = defaultdict(int)
        self.incidents: dict[int, list[tuple]] = defaultdict(list)  # day -> [(site index, mechanism)]
        self.recoveries: dict[int, list[tuple]] = defaultdict(list)  # day -> [(site, doc, weapon ids, note)]
        self.field: dict[int, list[tuple]] = defaultdict(list)  # day -> [(site, doc, source, items, qty)]
        self.disposals: dict[int, list[tuple]] = defaultdict(list)
        self.incident_seq = 0
        self.recovery_seq = 0
        self.lost_recoveries = 0  # records of lost weapons recovered (MIN_LOST_RECOVERIES)
        # (contingent, calibre) -> rounds out since resupply
        self.expended: dict[tuple[str, str], int] = defaultdict(int)

    # catalogue ---------------------------------------------------------------------------
    def new_weapon(self, site_index: int, wt: cat.WeaponType, year: int) -> int:
        self.serials[wt.make + wt.model] += 1
        serial = f"{wt.serial_prefix}{year % 100:02d}{self.serials[wt.make + wt.model]:06d}"
        item = make_item(type="weapon", make=wt.make, model=wt.model, serial=serial, category=wt.category,
                         calibre=wt.calibre, country_of_manufacture=wt.country, year_of_manufacture=year,
                         condition="serviceable")
        self.items.append(item)
        self.w_key.append(item.key)
        self.w_role.append(wt.role)
        self.w_cal.append(wt.calibre)
        self.w_loc.append("")
        self.w_site.append(site_index)
        return len(self.w_key) - 1

    def new_lot(self, country: str, calibre: str, year: int, month: int) -> str:
        maker, short = cat.ammo_maker(country)
        ammo = cat.AMMUNITION[calibre]
        lot = f"{short}-{year}-{month:02d}-{self.rng.randrange(1, 400):03d}"
        key = lot_key(maker, ammo.nomenclature, lot)
        while key in self.lot_cal:
            lot = f"{short}-{year}-{month:02d}-{self.rng.randrange(1, 400):03d}"
            key = lot_key(maker, ammo.nomenclature, lot)
        item = make_item(type="ammunition", make=maker, model=ammo.nomenclature, lot=lot, category="Ammunition",
                         calibre=calibre, hazard_division=ammo.hazard_division,
                         compatibility_group=ammo.compatibility_group, neq_kg=str(ammo.neq_kg),
                         country_of_manufacture=country if maker != "Norinco" else "CHN", year_of_manufacture=year,
                         condition="serviceable")
        self.items.append(item)
        self.lot_cal[key] = calibre
        return key


# the tree ------------------------------------------------------------------------------------
def _deployments(data_dir: Path):  # noqa: ANN202
    from wam.importers.public import CountryResolver, parse_geopko

    countries = CountryResolver.from_csv(data_dir / "country-codes-monusco.csv")
    result = parse_geopko(data_dir / "geopko-monusco-2017-2018.csv", countries)
    return list(result), list(result.skipped)


def _operation(data_dir: Path):  # noqa: ANN202
    from wam.importers.public import parse_operations

    return [o for o in parse_operations(data_dir / "DPPADPOSS-PKO-monusco.csv") if o.acronym == MISSION]


def _site_strength(deployments, year: int) -> dict[tuple[str, str], tuple[int, str, int]]:  # noqa: ANN001
    """(country, place) -> (troops on the last map of ``year``, place, month)."""
    out: dict[tuple[str, str], tuple[int, str, int]] = {}
    last = max((d.month for d in deployments if d.year == year), default=12)
    for d in deployments:
        if d.year != year or d.month != last:  # the year's last map: one consistent moment
            continue
        for p in d.contingents:
            if p.tcc_iso3 is None or p.troops is None:
                continue
            key = (p.tcc_iso3, d.location)
            troops = p.troops + (out[key][0] if key in out else 0)  # a place may have two rows on one map
            out[key] = (troops, d.location, d.month)
    return out


def _choose_small(strength: dict, count: int) -> set[tuple[str, str]]:
    """A few real site-contingents: the two largest sites of the largest contingent, then the
    largest site of the next contingents (so that transfers between sites happen)."""
    by_country: dict[str, list] = defaultdict(list)
    for key, (troops, _, _) in strength.items():
        by_country[key[0]].append((troops, key))
    order = sorted(by_country, key=lambda c: (-sum(x[0] for x in by_country[c]), c))
    chosen: list[tuple[str, str]] = []
    first = sorted(by_country[order[0]], key=lambda x: (-x[0], x[1]))
    chosen += [k for _, k in first[:2]]
    for c in order[1:]:
        if len(chosen) >= count:
            break
        chosen.append(sorted(by_country[c], key=lambda x: (-x[0], x[1]))[0][1])
    return set(chosen)


def _init_ledger(url: str, seed: int) -> Ledger:
    """A fresh ledger whose identity comes from the seed (see the module docstring)."""
    return setup.init_ledger(url, f"wam demo ({MISSION}, seed {seed})", ledger_uuid=setup.seeded_uuid(seed),
                             clock=lambda: RECORDED_AT)


def build_demo(url: str, scale: str = "mission", seed: int = 1, data_dir: Path | None = None,
               progress=None) -> DemoSummary:  # noqa: ANN001
    """Build the demo world into the empty database at ``url``; return what was built."""
    began = time.perf_counter()
    if scale not in SCALES:
        from wam.domain.errors import InvalidInput

        raise InvalidInput(f"{scale!r} is not a scale ({', '.join(SCALES)})", field="scale")
    sc = SCALES[scale]
    data_dir = Path(data_dir or DATA_DIR)
    rng = random.Random(seed)
    ledger = _init_ledger(url, seed)
    summary = DemoSummary(scale=scale, seed=seed, url=url)

    deployments, skipped = _deployments(data_dir)
    year = 2018
    strength = _site_strength(deployments, year)
    chosen = set(strength) if sc.sites is None else _choose_small(strength, sc.sites)
    # the tree, by the same code as `wam import geopko` (only the chosen site-contingents)
    kept = []
    for d in deployments:
        presences = tuple(p for p in d.contingents if (p.tcc_iso3, d.location) in chosen and d.year == year)
        if presences:
            kept.append(dataclasses.replace(d, contingents=presences))
    if sc.sites is None:
        kept = deployments  # the whole extract: sites of 2017 too (they hold nothing in 2018)
    reference.import_deployments(ledger, kept, parse_skipped=skipped)
    ops = _operation(data_dir)
    if ops:
        reference.import_operations(ledger, ops)

    start = date(year, 1, 1)
    world = World(rng, sc, start)
    holders = []
    for country, place in sorted(chosen):
        troops = strength[(country, place)][0]
        code = reference.site_code(MISSION, country, place)
        s = SiteState(code=code, contingent=reference.contingent_code(MISSION, country), country=country, place=place,
                      troops=troops, armoury=f"{code}/ARM", asp=f"{code}/ASP")
        world.sites.append(s)
        holders.append(make_holder(code=s.armoury, name=f"Armoury, {place} ({country})", kind="store", parent=code))
        holders.append(make_holder(code=s.asp, name=f"Ammunition point, {place} ({country})", kind="store",
                                   parent=code))
    # the main site of each contingent (largest) holds the contingent's reserve
    by_contingent: dict[str, list[SiteState]] = defaultdict(list)
    for s in world.sites:
        by_contingent[s.contingent].append(s)
    for sites in by_contingent.values():
        max(sites, key=lambda s: (s.troops, s.code)).main = True

    # weapons and persons
    for i, s in enumerate(world.sites):
        types = cat.weapons_for(s.country)
        for role, per in cat.ROLE_PER_SOLDIER.items():
            n = int(s.troops * per + rng.random())  # stochastic rounding, deterministic by seed
            for _ in range(n):
                s.weapons.append(world.new_weapon(i, types[role], rng.randint(1995, 2016)))
        personal = [w for w in s.weapons if world.w_role[w] in ("rifle", "pistol", "lmg", "gl")]
        n_persons = max(4, min(len(personal), math.ceil(s.troops * sc.person_share)))
        s.person_weapon = personal[:n_persons]
        s.persons = [f"{s.code}/P{j + 1:04d}" for j in range(len(s.person_weapon))]
        s.next_persons = [f"{s.code}/R{j + 1:04d}" for j in range(len(s.person_weapon))]
        holders += [make_holder(code=p, name=f"Soldier {j + 1:04d}, {s.place} ({s.country})", kind="person",
                                parent=s.code)
                    for j, p in enumerate(s.persons)]
        holders += [make_holder(code=p, name=f"Soldier {j + 1:04d} (2nd rotation), {s.place} ({s.country})",
                                kind="person", parent=s.code) for j, p in enumerate(s.next_persons)]
    ledger.add_holders(holders)

    # ammunition: what each site needs, by calibre; lots planned for the year
    for s in world.sites:
        need: dict[str, int] = defaultdict(int)
        for w in s.weapons:
            need[world.w_cal[w]] += cat.ROUNDS_PER_WEAPON[world.w_role[w]]
        s.initial_rounds = dict(sorted(need.items()))
    contingent_need: dict[tuple[str, str], int] = defaultdict(int)
    for s in world.sites:
        for c, n in s.initial_rounds.items():
            contingent_need[(s.contingent, c)] += n
    opening: list[Movement] = []
    at0 = datetime(year, 1, 1, 4, 0, tzinfo=UTC)
    for s in world.sites:
        for c, n in s.initial_rounds.items():
            lot_a = world.new_lot(s.country, c, rng.randint(2012, 2017), rng.randint(1, 12))
            lot_b = world.new_lot(s.country, c, rng.randint(2012, 2017), rng.randint(1, 12))
            s.lots[c] = [lot_a, lot_b]
            parts = [(lot_a, n * 6 // 10), (lot_b, n - n * 6 // 10)]
            if s.main:
                reserve = world.new_lot(s.country, c, 2017, rng.randint(1, 12))
                s.lots[c].append(reserve)
                parts.append((reserve, contingent_need[(s.contingent, c)] * 3 // 10))
                for q in (1, 2, 3):
                    world.planned_lots[(s.contingent, c, q)] = world.new_lot(s.country, c, year, 3 * q - 2)
            for key, qty in parts:
                if qty > 0:
                    opening.append(Movement(K.RECEIPT, key, qty, f"supply:{s.country}", s.asp, at0,
                                            "demo.quartermaster",
                                            document=f"COE-ARR-{s.contingent}-2018",
                                            note="arrival inspection: COE ammunition"))
                    world.bal[(s.asp, key)] += qty
        for w in s.weapons:
            opening.append(Movement(K.RECEIPT, world.w_key[w], 1, f"supply:{s.country}", s.armoury, at0,
                                    "demo.quartermaster",
                                    document=f"COE-ARR-{s.contingent}-2018", note="arrival inspection: COE weapon"))
            world.w_loc[w] = s.armoury

    _plan_incidents(world, sc.days)
    _register_items(ledger, world.items)
    world.items = []

    summary.sites = len(world.sites)
    summary.troops = sum(s.troops for s in world.sites)
    summary.weapons = len(world.w_key)

    days = list(range(sc.days))
    total = 0
    if sc.batch_days <= 0:
        total += documents.post_stream(ledger, _stream(world, opening, days), on_each=progress)
    else:
        total += ledger.post_many(iter(opening), on_each=progress)
        for i in range(0, len(days), sc.batch_days):
            total += documents.post_stream(ledger, _stream(world, [], days[i:i + sc.batch_days]), on_each=progress)
    last = datetime.combine(start + timedelta(days=sc.days - 1), datetime.min.time(), UTC)
    demo_counts.add_counts(ledger, [(s.armoury, s.asp) for s in world.sites], last)  # issue 13: counts
    demo_stockpile.add_stockpile(ledger, [(s.armoury, s.asp) for s in world.sites])  # distances, assessments
    ledger.mark_balances()  # monthly marks: the web's balances at past dates read them
    # lots registered after the opening (field recoveries) are counted by the catalogue
    summary.lots, summary.holders = world_service.count_lots_and_holders(ledger)
    summary.movements = total
    seq, head = ledger.head()
    summary.head_seq, summary.head_hash = seq, head.hex()
    summary.period = (start.isoformat(), (start + timedelta(days=sc.days - 1)).isoformat())
    summary.seconds = time.perf_counter() - began
    ledger.engine.dispose()
    return summary


def _register_items(ledger: Ledger, items: list) -> None:
    """Register the demo's items in bulk: the database is new, so every key is new."""
    world_service.register_new_items(ledger, items)


def _plan_incidents(world: World, days: int) -> None:
    """Loss incidents, their partial recoveries, and materiel recovered in the field."""
    rng = world.rng
    troops = sum(s.troops for s in world.sites)
    years = days / 365.0
    weights = [s.troops for s in world.sites]
    n_incidents = max(1, round(LOSS_INCIDENTS_PER_1000_PER_YEAR * troops / 1000 * years))
    mech_weights = [m[2] for m in MECHANISMS]
    for _ in range(n_incidents):
        day = rng.randrange(7, days)
        site = rng.choices(range(len(world.sites)), weights)[0]
        mech = rng.choices(MECHANISMS, mech_weights)[0]
        world.incidents[day].append((site, mech))
    negligence = next(m for m in MECHANISMS if m[0] == "negligence_poor_practice")
    for _ in range(max(0, MIN_WEAPON_LOSSES + 1 - n_incidents)):
        world.incidents[rng.randrange(7, max(8, days // 2))].append((rng.choices(range(len(world.sites)), weights)[0],
                                                                    negligence))
    seen: set[str] = set()
    n_field = max(MIN_FIELD_RECOVERIES, round(FIELD_RECOVERIES_PER_1000_PER_YEAR * troops / 1000 * years))
    for _ in range(n_field):
        day = rng.randrange(days)
        site = rng.choices(range(len(world.sites)), weights)[0]
        world.recovery_seq += 1
        doc = f"REC-{MISSION}-2018-{world.recovery_seq:04d}"
        method = rng.choice(["patrol", "cordon-search", "checkpoint", "voluntary-surrender"])
        items = []
        for _ in range(rng.randint(1, 5)):
            serial = f"{rng.choice(['', 'AK', 'KA', '56-'])}{rng.randrange(10**5, 10**7)}"
            while serial in seen:
                serial += "A"
            seen.add(serial)
            model = rng.choice(["AK-pattern rifle", "Type 56", "AKM", "G3", "SKS"])
            items.append(make_item(type="weapon", make="Unknown", model=model, serial=serial,
                                   category="Small arms: rifle (recovered)",
                                   calibre="7.62x39mm" if model != "G3" else "7.62x51mm",
                                   condition="unknown"))
        ammo_qty = rng.choice([0, 0, rng.randint(20, 600)])
        if ammo_qty:
            items.append(make_item(type="ammunition", make="Unknown", model="Cartridge 7.62x39mm (recovered)",
                                   lot=f"UNMARKED-{doc}", category="Ammunition (recovered)", calibre="7.62x39mm",
                                   hazard_division="1.4", compatibility_group="S", neq_kg="0.0016",
                                   condition="unknown"))
        world.items.extend(items)
        del method  # drawn as before recovery records had details (the world's draws stay the same)
        fate = recovered.plan(doc)  # how, and what happens to it: drawn from the record's own number
        world.field[day].append((site, doc, f"recovered:{fate.how}", items, ammo_qty))
        dispose = day + rng.randint(14, 60)
        if dispose < days and fate.disposed:  # the others stay in custody: overdue, or retained as evidence
            world.disposals[dispose].append((site, doc, items, ammo_qty))


def _stream(world: World, opening: list[Movement], days: list[int]) -> Iterator[Movement | DocumentStep]:
    yield from opening
    opening.clear()
    for d in days:
        batch = _day(world, d)
        batch.sort(key=lambda m: m.occurred_at)  # stable: each holder keeps its own order
        yield from batch


def _take(world: World, holder: str, calibre: str, lots: list[str], qty: int) -> list[tuple[str, int]]:
    """Split ``qty`` rounds of ``calibre`` over the holder's lots, largest first."""
    out = []
    for key in sorted(lots, key=lambda k: (-world.bal[(holder, k)], k)):
        have = world.bal[(holder, key)]
        if have <= 0 or qty <= 0:
            continue
        n = min(have, qty)
        out.append((key, n))
        qty -= n
    return out


def _day(world: World, d: int) -> list[Movement | DocumentStep]:  # noqa: C901 (one day of a mission, in order)
    rng = world.rng
    sc = world.scale
    day = world.start + timedelta(days=d)
    base = datetime(day.year, day.month, day.day, tzinfo=UTC)
    out: list[Movement | DocumentStep] = []
    ymd = day.strftime("%Y%m%d")

    def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
        return base + timedelta(hours=hour, minutes=minute, seconds=second)

    def mv(kind, item, qty, src, tgt, when, actor, **kw) -> None:  # noqa: ANN001
        out.append(Movement(kind, item, qty, src, tgt, when, actor, **kw))

    def document(kind: str, number: str, when: datetime, lines: list, steps: list[tuple[Any, ...]],
                 **fields: Any) -> None:
        """A register's document (wam.services.documents), its steps taken at ``when``; a step is
        (name, by) or (name, by, what it is given)."""
        (first, by, *_), *rest = steps
        out.append(DocumentStep(kind, first, actor=by, occurred_at=when, number=number, lines=lines, **fields))
        for step, by, *given in rest:
            extra = given[0] if given else {}
            out.append(DocumentStep(kind, step, actor=by, occurred_at=when, number=number, **extra))

    # 04:00 on the rotation day: each contingent's soldiers hand over to the next rotation. The
    # contingent-owned weapons stay in theatre (an assumption, docs/demo.md): every weapon is
    # in its armoury before the day's patrols, and from now on the new soldiers draw them.
    if d == ROTATION_DAY:
        for s in world.sites:
            if s.next_persons:
                s.persons, s.next_persons = s.next_persons, []

    sites = world.sites
    # 05:00 quarterly resupply of each contingent's reserve, at its main site
    if d in (90, 181, 273):
        q = {90: 1, 181: 2, 273: 3}[d]
        for s in sites:
            if not s.main:
                continue
            for c in s.initial_rounds:
                key = world.planned_lots.get((s.contingent, c, q))
                qty = world.expended.pop((s.contingent, c), 0)
                if key and qty > 0:
                    mv(K.RECEIPT, key, qty, f"supply:{s.country}", s.asp, at(5), "demo.quartermaster",
                       document=f"COE-RESUP-{s.contingent}-2018-Q{q}",
                       note="self-sustainment resupply: replaces rounds expended")
                    world.bal[(s.asp, key)] += qty
                    s.lots[c].append(key)
    # 05:10 weekly redistribution from the main site to the others (a resupply convoy)
    if d % 7 == 3:
        mains = {s.contingent: s for s in sites if s.main}
        for i, s in enumerate(sites):
            if s.main:
                continue
            m = mains[s.contingent]
            for c, initial in s.initial_rounds.items():
                have = sum(world.bal[(s.asp, k)] for k in s.lots[c])
                deficit = initial - have
                if deficit < initial // 20:
                    continue
                for key, n in _take(world, m.asp, c, m.lots.get(c, []), deficit):
                    mv(K.TRANSFER, key, n, m.asp, s.asp, at(5, 10, i), "demo.quartermaster",
                       document=f"TRF-{s.code}-{ymd}", note=f"resupply convoy from {m.place} to {s.place}")
                    world.bal[(m.asp, key)] -= n
                    world.bal[(s.asp, key)] += n
                    if key not in s.lots[c]:
                        s.lots[c].append(key)
    # 05:20 monthly stock count at each ammunition point
    for i, s in enumerate(sites):
        if day.day != 20 + i % 8:
            continue
        doc = f"CNT-{s.code}-{day:%Y%m}"
        found: list[list[object]] = []
        for c in s.initial_rounds:
            for key in s.lots[c]:
                have = world.bal[(s.asp, key)]
                if have <= 0:
                    continue
                r = rng.random()
                if r < COUNT_SHORTFALL_P:
                    n = rng.randint(1, min(60, have))
                    found.append([key, n, s.asp])  # short of the ledger
                    world.bal[(s.asp, key)] -= n
                elif r < COUNT_SHORTFALL_P + COUNT_SURPLUS_P:
                    n = rng.randint(1, 40)
                    found.append([key, n, "count-adjustment"])  # more than the ledger (an unrecorded return)
                    world.bal[(s.asp, key)] += n
        if found:
            document("count", doc, at(5, 20, i), found,
                     [("count", "demo.quartermaster"), ("approve", "demo.wam-officer"), ("post", "demo.wam-officer")],
                     store=s.asp, note="monthly count: discrepancies with the ledger; approved adjustment")
    # 05:30 monthly range day (training)
    for i, s in enumerate(sites):
        if day.day != 5 + i % 20:
            continue
        fired: dict[str, int] = defaultdict(int)
        for w in s.weapons:
            if world.w_loc[w] == s.armoury:
                fired[world.w_cal[w]] += cat.TRAINING_ROUNDS[world.w_role[w]]
        for c, n in sorted(fired.items()):
            for key, k in _take(world, s.asp, c, s.lots.get(c, []), n):
                mv(K.EXPENDITURE, key, k, s.asp, "expended", at(5, 30, i), "demo.range-officer", reason="training",
                   document=f"RNG-{s.code}-{ymd}", note="monthly range practice")
                world.bal[(s.asp, key)] -= k
                world.expended[(s.contingent, c)] += k
    # 05:40 recoveries of lost weapons, field recoveries, disposals
    officer = [("register", "demo.wam-officer"), ("post", "demo.wam-officer")]
    for site, doc, weapons, note, lost_in in world.recoveries.get(d, ()):
        s = sites[site]
        back_ids: list[int] = [int(wid) for wid in weapons if world.w_loc[wid] == "lost"]
        back = [[world.w_key[wid], 1, "lost"] for wid in back_ids]
        for wid in back_ids:
            world.w_loc[wid] = s.armoury
        if back:  # the serials as a patrol read them; the matches to the lost weapons confirmed
            fields, later = recovered.lost_record(doc, s.place, f"{s.contingent} patrol", at(5, 40),
                                                  [world.w_key[wid] for wid in back_ids],
                                                  [world.w_cal[wid] for wid in back_ids], lost_in)
            document("recovery", doc, at(5, 40), back, officer + later, to=s.armoury, note=note, **fields)
    for site, doc, source, items, qty in world.field.get(d, ()):
        s = sites[site]
        note = (f"materiel recovered in the field ({source.split(':', 1)[1]}) near {s.place}; "
                "marked and stored apart")
        arms = [[item.key, 1, source] for item in items if item.type != "ammunition"]
        ammo = [[item.key, qty, source] for item in items if item.type == "ammunition"]
        unit = f"{s.contingent} patrol"
        if arms:
            fields, later = recovered.field_record(doc, s.place, unit, at(5, 45),
                                                   [item for item in items if item.type != "ammunition"])
            document("recovery", doc, at(5, 45), arms, officer + later, to=s.armoury, note=note, **fields)
        if ammo:  # a record of its own: the rounds go to the ammunition point
            fields, later = recovered.field_record(f"{doc}-AMMO", s.place, unit, at(5, 45),
                                                   [item for item in items if item.type == "ammunition"])
            document("recovery", f"{doc}-AMMO", at(5, 45), ammo, officer + later, to=s.asp, note=note, **fields)
    disposal = [("draft", "demo.quartermaster"), ("approve", "demo.wam-officer"), ("execute", "demo.wam-officer")]
    for site, doc, items, qty in world.disposals.get(d, ()):
        s = sites[site]
        handover = rng.random() < 0.3
        lines = [[item.key, qty if item.type == "ammunition" else 1, s.asp if item.type == "ammunition" else s.armoury]
                 for item in items]
        if handover:
            document("disposal", f"HND-{doc}", at(5, 50), lines, disposal, method="handover", host_state=HOST,
                     receipt=f"RCPT-{doc}", authority="Police nationale congolaise",
                     note="handed over to the host state's authorities, receipt signed")
        else:
            document("disposal", f"DST-{doc}", at(5, 50), lines, disposal, method="destruction",
                     destruction="cutting", witness="UNMAS technical officer",
                     note="destroyed by cutting (weapons) / demolition")
        certificate, method = (f"HND-{doc}", "handover") if handover else (f"DST-{doc}", "destruction")
        for record, kinds in ((doc, ("weapon", "equipment")), (f"{doc}-AMMO", ("ammunition",))):
            if any(item.type in kinds for item in items):  # each record of the recovery cites the certificate
                (_, by, given), = recovered.disposal_steps(record, certificate, method, at(5, 51))
                out.append(DocumentStep("recovery", "dispose", actor=by, occurred_at=at(5, 51), number=record,
                                        **given))
    # 06:00-18:00 patrols
    incident = [("report", "demo.wam-officer"), ("post", "demo.wam-officer")]
    incidents = defaultdict(list)
    for site, mech in world.incidents.get(d, ()):
        incidents[site].append(mech)
    for i, s in enumerate(sites):
        target = max(2, round(s.troops * sc.patrol_share * (0.7 + 0.6 * rng.random())))
        idle = [j for j, w in enumerate(s.person_weapon) if world.w_loc[w] == s.armoury]
        if len(idle) < 2:
            continue
        members = sorted(rng.sample(idle, min(target, len(idle))))
        leader = s.persons[members[0]]
        # the patrol's reference goes in the note, not in ``document``: the poster caches the
        # resolved ends of each (kind, source, target, actor, reason, document, witness), so a
        # document per patrol and day would grow that cache with every day posted
        doc = f"PTL-{s.code}-{ymd}"
        for k, j in enumerate(members):
            w = s.person_weapon[j]
            mv(K.ISSUE, world.w_key[w], 1, s.armoury, s.persons[j], at(6, 0, k % 60), "demo.armourer",
               note=f"patrol {doc}")
            world.w_loc[w] = s.persons[j]
        load: dict[str, int] = defaultdict(int)
        for j in members:
            w = s.person_weapon[j]
            load[world.w_cal[w]] += cat.PATROL_LOAD[world.w_role[w]]
        drawn: list[tuple[str, int]] = []
        for c, n in sorted(load.items()):
            for key, k in _take(world, s.asp, c, s.lots.get(c, []), n):
                mv(K.ISSUE, key, k, s.asp, leader, at(6, 5), "demo.armourer", note=f"patrol {doc}: basic load")
                world.bal[(s.asp, key)] -= k
                drawn.append((key, k))
        held = dict(drawn)
        if rng.random() < CONTACT_PROBABILITY:
            for key, k in drawn:
                n = max(1, int(k * rng.uniform(0.1, 0.5)))
                mv(K.EXPENDITURE, key, n, leader, "expended", at(11, 30), "demo.patrol-leader", reason="operations",
                   document=f"SITREP-{s.code}-{ymd}",
                   note=f"contact: exchange of fire with an armed group near {s.place}")
                held[key] -= n
                world.expended[(s.contingent, world.lot_cal[key])] += n
        lost_weapons: list[int] = []
        for mech in [m for m in incidents.get(i, ()) if m[1] == "patrol"]:
            world.incident_seq += 1
            idoc = f"INC-{MISSION}-2018-{world.incident_seq:04d}"
            note = f"{mech[0]} / {mech[1]}: {mech[3]} (near {s.place})"
            lost: list[list[object]] = []
            if mech[0] == "ambush":
                victims = [j for j in members if s.person_weapon[j] not in lost_weapons]
                victims = victims[:rng.randint(1, max(1, len(victims)))]
                for j in victims:
                    w = s.person_weapon[j]
                    lost.append([world.w_key[w], 1, s.persons[j]])
                    world.w_loc[w] = "lost"
                    lost_weapons.append(w)
                for key in list(held):
                    if held[key] > 0:
                        lost.append([key, held[key], leader])
                        held[key] = 0
                when = at(12, 0)
            else:  # one weapon not returned
                j = members[-1]
                w = s.person_weapon[j]
                if w in lost_weapons:
                    continue
                lost.append([world.w_key[w], 1, s.persons[j]])
                world.w_loc[w] = "lost"
                lost_weapons.append(w)
                when = at(17, 0)
            if lost:
                fields, steps = _incident(s, mech, when, idoc)
                document("incident", idoc, when, lost, incident + steps, note=note, **fields)
            _maybe_recover(world, d, i, idoc, list(lost_weapons))
        for k, j in enumerate(members):
            w = s.person_weapon[j]
            if world.w_loc[w] == s.persons[j]:
                mv(K.RETURN, world.w_key[w], 1, s.persons[j], s.armoury, at(18, 0, k % 60), "demo.armourer",
                   note=f"patrol {doc} return")
                world.w_loc[w] = s.armoury
        for key, k in held.items():
            if k > 0:
                mv(K.RETURN, key, k, leader, s.asp, at(18, 5), "demo.armourer",
                   note=f"patrol {doc} return: unused rounds")
                world.bal[(s.asp, key)] += k
    # 22:00 incidents at fixed sites and stores, and on convoys
    for i, s in enumerate(sites):
        for mech in [m for m in incidents.get(i, ()) if m[1] != "patrol"]:
            world.incident_seq += 1
            idoc = f"INC-{MISSION}-2018-{world.incident_seq:04d}"
            note = f"{mech[0]} / {mech[1]}: {mech[3]} ({s.place})"
            in_store = [w for w in s.weapons if world.w_loc[w] == s.armoury]
            weapons = []
            rounds = 0
            if mech[0] == "armed_attack_overrun":
                weapons = rng.sample(in_store, min(len(in_store), rng.randint(5, 20)))
                rounds = rng.randint(5000, 40000)
            elif mech[0] == "theft_burglary":
                if rng.random() < 0.5:
                    weapons = rng.sample(in_store, min(len(in_store), rng.randint(1, 3)))
                else:
                    rounds = rng.randint(100, 1000)
            else:  # seizure of a convoy's ammunition
                rounds = rng.randint(2000, 20000)
            lost = []
            for w in sorted(weapons):
                lost.append([world.w_key[w], 1, s.armoury])
                world.w_loc[w] = "lost"
            if rounds:
                calibres = sorted(s.initial_rounds, key=lambda c: (-s.initial_rounds[c], c))
                if calibres:
                    c = calibres[0]
                    for key, k in _take(world, s.asp, c, s.lots[c], rounds):
                        lost.append([key, k, s.asp])
                        world.bal[(s.asp, key)] -= k
            if lost:
                fields, steps = _incident(s, mech, at(22, 0), idoc)
                document("incident", idoc, at(22, 0), lost, incident + steps, note=note, **fields)
            _maybe_recover(world, d, i, idoc, weapons)
    return out


def _incident(s: SiteState, mech: tuple, when: datetime, number: str) -> tuple[dict[str, Any], list[tuple]]:
    """An incident's facts (wam.domain.incidents) and the workflow steps it has taken by the end of
    the demo's year: some only reported, some investigated, some before a board of inquiry (when
    casualties require one), some with findings, some written off by someone other than the
    reporter. Drawn from the incident's own generator, so the world's stream is unchanged."""
    r = random.Random(number)
    hostile = mech[0] in ("ambush", "armed_attack_overrun")
    casualties = {"killed": r.choice((0, 0, 0, 1, 2)) if hostile else 0,
                  "wounded": r.choice((0, 0, 1, 3)) if hostile else 0}
    fields: dict[str, Any] = {
        "rules": incident_rules.CURRENT_RULES.version, "started_at": when, "time_precision": "hour",
        "site": s.code, "place": s.place, "mission": MISSION, "contingents": [[s.contingent, s.country]],
        "circumstance": mech[1], "mechanism": mech[0], "ownership": "COE", "casualties": casualties,
        "perpetrator": "armed group" if hostile or mech[0] == "seizure_detention" else None,
        "narrative": mech[3], "sources": [f"SINREP {number}"], "confidentiality": "restricted"}
    board = incident_rules.board_of_inquiry_required(incident_rules.clean_fields(fields))
    steps: list[tuple] = []
    depth = r.random()
    if depth < 0.3:
        return fields, steps
    steps.append(("investigate", "demo.military-police", {"investigator": "Force Provost Marshal"}))
    if board:
        steps.append(("convene", "demo.wam-officer", {"board_reference": f"BOI/{MISSION}/2018/{number[-4:]}"}))
    if depth < 0.55:
        return fields, steps
    steps.append(("findings", "demo.wam-officer", {"findings": f"{mech[3]}; procedures reviewed"}))
    if depth < 0.75:
        return fields, steps
    steps.append(("close", "demo.mission-admin", {"outcome": "written_off"}))
    return fields, steps


def _maybe_recover(world: World, d: int, site: int, incident: str, weapons: list[int]) -> None:
    rng = world.rng
    if not weapons or (rng.random() >= PARTIAL_RECOVERY_SHARE and world.lost_recoveries >= MIN_LOST_RECOVERIES):
        return
    world.lost_recoveries += 1
    when = d + rng.randint(2, 30)
    if when >= world.scale.days:
        return
    back = sorted(weapons)[: max(1, len(weapons) // 2)]
    world.recovery_seq += 1
    doc = f"REC-{MISSION}-2018-{world.recovery_seq:04d}"
    world.recoveries[when].append((site, doc, back, f"partial recovery of materiel lost in {incident}", incident))
