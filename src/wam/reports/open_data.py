"""Loss incidents for publication: coarsened so that no published row points to fewer than k contingents.

Each incident becomes a row identified by its mission, place, period and contingent group (the
contributing countries); :func:`wam.domain.analysis.coarsen` generalises those four (place to the whole
mission; month to quarter, year, the whole time; countries to all) class by class until every class of
equal published values points to at least ``k`` contingents, and suppresses what cannot reach k.

Which contingents a row points to: its contingents' contributing countries in its mission (two
battalions of one country count as one: the cautious direction), else the country of the contingent
above the site it names; a row that names neither points to none, so it never helps a class reach k.
Confidential incidents are never published; research records only when asked (``research``), and
confidential ones never. No id, person, item, narrative, source or coordinate is published.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wam.domain import analysis as figures
from wam.domain.errors import InvalidInput, NotFound
from wam.domain.holders import HolderKind
from wam.services import incidents, research

if TYPE_CHECKING:
    from wam.services.ledger import Ledger

COLUMNS = ("mission", "place", "period", "contingent_group", "record", "circumstance", "mechanism", "ownership",
           "weapons_lost", "rounds_lost", "notable")
DICTIONARY = {
    "mission": "The peace operation (its acronym).",
    "place": "Where the loss happened, as the record names it; empty: anywhere in the mission (coarsened).",
    "period": "When it began: a month (2024-03), a quarter (2024-Q1), a year (2024) or * (any time), coarsened.",
    "contingent_group": "The contributing countries (ISO 3166 alpha-3, joined by +) of the contingents involved; "
                        "* : not said (coarsened); unknown: the record does not say.",
    "record": "loss: a loss incident of the mission's register (quantities posted to its ledger); research: a "
              "research record from public sources (quantities: the minimum of the range given).",
    "circumstance": "The activity at the time of the loss (docs/incidents.md).",
    "mechanism": "How the materiel was lost (docs/incidents.md).",
    "ownership": "Whose materiel it was: COE, UNOE, recovered_materiel, host_state.",
    "weapons_lost": "Weapons lost in the incident.",
    "rounds_lost": "Rounds of ammunition lost in the incident.",
    "notable": "true when more than 10 weapons or more than 500 rounds were lost (Small Arms Survey).",
}


@dataclass(frozen=True, slots=True)
class Published:
    rows: list[dict[str, Any]]
    k: int
    suppressed: int
    confidential: int
    smallest: int | None


class _Contingents:
    """The contributing country of the contingent above a holder (cached: one walk per holder)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.known: dict[str, str | None] = {}

    def country(self, code: str | None) -> str | None:
        if not code:
            return None
        if code not in self.known:
            found: str | None = None
            current: str | None = code
            seen = 0
            while current and seen < 30:
                try:
                    holder = self.ledger.holder(current)
                except NotFound:
                    break
                if holder.kind is HolderKind.CONTINGENT:
                    found = holder.country
                    break
                current, seen = holder.parent, seen + 1
            self.known[code] = found
        return self.known[code]


def _row(row: dict[str, Any], contingents: _Contingents) -> figures.Published | None:
    started = row.get("started_at")
    mission = str(row.get("mission") or "")
    if not started or not mission:
        return None
    countries = sorted({str(c[1]).upper() for c in row.get("contingents") or () if len(c) == 2})
    if not countries:
        found = contingents.country(row.get("site"))
        countries = [found] if found else []
    moment = datetime.fromisoformat(str(started).replace("Z", "+00:00")).date()
    place = str(row.get("place") or "")
    if not place and row.get("site"):
        try:
            place = contingents.ledger.holder(str(row["site"])).name
        except NotFound:
            place = str(row["site"])
    return figures.Published(
        mission=mission, place=place, moment=moment, group="+".join(countries) or figures.UNKNOWN,
        contingents=frozenset(f"{mission}:{c}" for c in countries),
        facts={"record": row.get("record") or "loss", "circumstance": row.get("circumstance"),
               "mechanism": row.get("mechanism"), "ownership": row.get("ownership"),
               "weapons_lost": int(row.get("weapons_lost") or 0), "rounds_lost": int(row.get("rounds_lost") or 0),
               "notable": bool(row.get("notable"))})


def build(ledger: Ledger, k: int, *, mission: str | None = None, with_research: bool = False,
          since: date | None = None, until: date | None = None) -> Published:
    """The rows to publish, coarsened to ``k`` (see the module), and what was left out."""
    if not 1 <= k <= 1000:
        raise InvalidInput("k is a whole number from 1 to 1,000", field="k")
    if mission is not None:
        from wam.services import analysis

        analysis.require_mission(analysis.whole(ledger), mission)  # a typing error: not found, not an empty file
    filters = incidents.Filters(mission=mission)
    rows = incidents.listing(ledger, filters, full=True)
    if with_research:
        ids = {row["id"] for row in rows}
        rows += [row for row in research.listing(ledger, filters, full=True) if row.get("source_id") not in ids]
    confidential = sum(1 for row in rows if row.get("confidentiality") == "confidential")
    contingents = _Contingents(ledger)
    candidates = []
    for row in rows:
        if row.get("confidentiality") == "confidential":
            continue
        published = _row(row, contingents)
        if published is None:
            continue
        if (since and published.moment < since) or (until and published.moment > until):
            continue
        candidates.append(published)
    kept, suppressed = figures.coarsen(candidates, k)
    out = []
    for item in kept:
        mission_code, place, period, group = item.key()
        out.append({"mission": mission_code, "place": place, "period": period, "contingent_group": group,
                    **item.facts})
    out.sort(key=lambda r: (r["mission"], r["period"], r["place"], r["contingent_group"], r["mechanism"] or ""))
    return Published(out, k, suppressed, confidential, figures.smallest_class(kept))


def write(published: Published, folder: Path) -> list[Path]:
    """incidents.csv, incidents.json and README.md (the data dictionary) in ``folder``; a folder that cannot
    be made or written is refused naming ``output`` (the command's option), the reason said."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"{folder} cannot be made: {exc.strerror or exc}", field="output") from None
    if not folder.is_dir():
        raise InvalidInput(f"{folder} is not a folder", field="output")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in published.rows:
        writer.writerow(["true" if row[c] is True else "false" if row[c] is False else
                         "" if row[c] is None else row[c] for c in COLUMNS])
    files = {"incidents.csv": buffer.getvalue(),
             "incidents.json": json.dumps({"k": published.k, "columns": DICTIONARY, "incidents": published.rows},
                                          ensure_ascii=False, indent=1) + "\n",
             "README.md": readme(published)}
    paths = []
    for name, text in files.items():
        path = folder / name
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"{path} cannot be written: {exc.strerror or exc}", field="output") from None
        paths.append(path)
    return paths


def readme(published: Published) -> str:
    lines = [
        "# Loss incidents for publication (wam open data)", "",
        f"Every row is one loss incident. Contingents, places and dates are coarsened so that no row points to "
        f"fewer than k = {published.k} contingents: each combination of mission, place, period and contingent "
        f"group present in the files covers at least {published.k} contingents (the smallest covers "
        f"{published.smallest if published.smallest is not None else '-'}).", "",
        f"- rows published: {len(published.rows)}",
        f"- rows suppressed (could not reach k even at the coarsest level): {published.suppressed}",
        f"- confidential incidents left out: {published.confidential}", "",
        "Coarsening, finest first: the place, then the whole mission; the month, then the quarter, the year and "
        "any time; the contributing countries, then * (not said). Each class of rows below k is moved one step "
        "coarser until none is left below k.", "",
        "Caveats: losses are under-reported (a figure is a floor); research records carry the minimum of the "
        "ranges their sources give; the quantities themselves are published as they are.", "",
        "## Data dictionary (incidents.csv, incidents.json)", "",
        "| column | meaning |", "|---|---|",
        *[f"| {name} | {text} |" for name, text in DICTIONARY.items()], ""]
    return "\n".join(lines)

