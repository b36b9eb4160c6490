"""The brief a policymaker reads in five minutes, and the mission's monthly WAM report: PDF and HTML.

:func:`layout` turns the analyses (:func:`wam.services.analysis.brief`) into one plain document model,
headline figures, bar charts, the notable incidents, recovered materiel, accountability, method and
caveats, in the translator's language; :func:`pdf` and :func:`html` print that same model, so the two
files always say the same thing.

The PDF is built with fpdf2 (pure Python: it installs with pip alone, nothing fetched at run time) in
the core font Helvetica, whose Latin-1 covers English and French; a character outside it is printed as
"?" rather than failing (as :mod:`wam.web.paper` does). The charts are rectangles drawn by fpdf.

The translator is passed in (``t(key, **values)`` with a ``lang``): the catalogs live with the web
application (``wam/web/locales/analysis.*.json``), which this layer does not import.
"""

from __future__ import annotations

import html as markup
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from fpdf import FPDF


class Translator(Protocol):
    lang: str

    def __call__(self, key: str, /, **values: object) -> str: ...


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    bars: list[tuple[str, float, str]]  # label, value, the value as printed


KINDS = ("sites", "incidents", "recoveries")  # what a map may show, each with its own mark


@dataclass(frozen=True, slots=True)
class Map:
    """A map of the period: country outlines and points, each (longitude, latitude), in a box
    (west, south, east, north); losses carry the weapons lost. The legend names the kinds drawn (of
    :data:`KINDS`), each with its mark: a square for a site, a circle for a loss incident (as large as the
    weapons lost), a triangle for a recovery; a kind left out is neither drawn nor in the legend."""

    box: tuple[float, float, float, float]
    outlines: list[list[tuple[float, float]]]
    sites: list[tuple[float, float]]
    losses: list[tuple[float, float, float]]
    recoveries: list[tuple[float, float]]
    legend: tuple[tuple[str, str], ...]  # (kind, label) of each kind drawn


@dataclass(slots=True)
class Section:
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)  # label, value
    chart: Chart | None = None
    table: tuple[list[str], list[list[str]]] | None = None
    paragraphs: list[str] = field(default_factory=list)
    map: Map | None = None


@dataclass(slots=True)
class Document:
    title: str
    subtitle: str
    headline: list[tuple[str, str]]
    sections: list[Section]


def latin(text: object) -> str:
    """Text the core fonts can print: Latin-1 (narrow spaces as spaces), anything else as '?'."""
    return str(text).replace("\u202f", " ").replace("\u2009", " ").encode("latin-1", "replace").decode("latin-1")


def number(value: float | int | None, lang: str, places: int = 0) -> str:
    """A figure as the language writes it (1,234.5 or 1 234,5); an em dash for none."""
    if value is None:
        return "-"
    text = f"{value:,.{places}f}"
    if lang == "fr":
        text = text.replace(",", " ").replace(".", ",")
    return text


def _label(t: Translator, prefix: str, value: str) -> str:
    key = f"{prefix}.{value}"
    found = t(key)
    return value.replace("_", " ") if found == key else found


Outline = Sequence[Sequence[tuple[float, float]]]  # a country's rings, (longitude, latitude)
MONTHS_CHARTED = 36  # a longer period's chart over time has a bar per year


def layout(t: Translator, data: Mapping[str, Any], *, mission: str, since: str, until: str,
           monthly: bool = False, outlines: Sequence[tuple[tuple[float, float, float, float], Outline]] = (),
           kinds: Sequence[str] = KINDS) -> Document:
    """The brief (or, ``monthly``, the monthly WAM report) as a document model in ``t``'s language;
    ``outlines`` (each country's box and rings) draw the map under the sites, losses and recoveries
    (those of ``kinds`` only)."""
    lang = t.lang
    losses, recovered, health = data["losses"], data["recovered"], data["health"]
    totals, rates = losses["totals"], losses["rates"]

    def n(value: float | int | None, places: int = 0) -> str:
        return number(value, lang, places)

    title = t("brief.monthly_title" if monthly else "brief.title", mission=mission)
    subtitle = t("brief.period", since=since, until=until, made=str(data.get("made_at", ""))[:10])
    headline = [
        (t("brief.incidents"), n(totals["incidents"])),
        (t("brief.weapons_lost"), n(totals["weapons"])),
        (t("brief.rounds_lost"), n(totals["rounds"])),
        (t("brief.notable"), n(totals["notable"])),
        (t("brief.per_1000_personnel"), n(rates["personnel"]["weapons_per_1000"], 2)),
        (t("brief.per_1000_held"), n(rates["weapons_held"]["weapons_lost_per_1000"], 2)),
    ]
    sections: list[Section] = []
    shown = map_of(t, data.get("places") or {}, outlines, kinds)
    if shown is not None:
        sections.append(Section(t("brief.map_title"), map=shown))
    mechanisms = [(_label(t, "inc.mechanism", row["value"]), float(row["incidents"]), n(row["incidents"]))
                  for row in losses["by"]["mechanism"]]
    sections.append(Section(t("brief.by_mechanism"), chart=Chart(t("brief.incidents"), mechanisms)))
    over_time = [(str(row["value"]), int(row["incidents"])) for row in losses["over_time"]]
    if len(over_time) > MONTHS_CHARTED:  # a long period is charted by year: a bar a month would fill pages
        years: dict[str, int] = {}
        for period, count in over_time:
            years[period[:4]] = years.get(period[:4], 0) + count
        over_time = list(years.items())
    months = [(period, float(count), n(count)) for period, count in over_time]
    sections.append(Section(t("brief.by_month"), chart=Chart(t("brief.incidents"), months)))
    countries = [[row["value"], n(row["incidents"]), n(row["weapons"]), n(row["rounds"]),
                  n(row.get("weapons_per_1000_personnel"), 2)] for row in losses["by"]["country"]]
    sections.append(Section(t("brief.by_country"), table=(
        [t("brief.country"), t("brief.incidents"), t("brief.weapons_lost"), t("brief.rounds_lost"),
         t("brief.per_1000_personnel")], countries)))
    notable = [[str(row.get("id") or row.get("month") or ""), str(row.get("started_at") or row.get("month") or "")[:10],
                _label(t, "inc.mechanism", str(row.get("mechanism") or "unknown")), n(row["weapons"]),
                n(row["rounds"]) + (" *" if row.get("provisional") else "")] for row in losses["notable"]]
    sections.append(Section(t("brief.notable_title"), table=(
        [t("brief.incident"), t("brief.date"), t("brief.mechanism"), t("brief.weapons_lost"), t("brief.rounds_lost")],
        notable)))
    sections.append(Section(t("brief.recovered_title"), facts=[
        (t("brief.recovery_records"), n(recovered["records"])),
        (t("brief.weapons_recovered"), n(recovered["weapons"])),
        (t("brief.rounds_recovered"), n(recovered["rounds"])),
        (t("brief.days_to_disposal"), n(recovered["days_to_disposal"]["median"], 1)),
        (t("brief.share_traced"), _percent(recovered["share_traced"], lang)),
        (t("brief.share_answered"), _percent(recovered["share_answered"], lang)),
        (t("brief.matches"), n(len(recovered["matches"]))),
        (t("brief.days_after_loss"), n(recovered["days_after_loss"]["median"], 1)),
    ], chart=Chart(t("brief.by_how"), [(_label(t, "rec.how", how), float(row["records"]), n(row["records"]))
                                       for how, row in recovered["by_how"].items()]) if recovered["by_how"] else None))
    sections.append(Section(t("brief.health_title"), facts=[
        (t("brief.reported_late"), n(health["incidents_reported_late"])),
        (t("brief.disposal_overdue"), n(health["recoveries_disposal_overdue"])),
        (t("brief.traces_unanswered"), n(health["traces_unanswered"])),
        (t("brief.stores_in_breach"), n(health["stores_in_breach"])),
        (t("brief.assessed_sites"), n(health["assessments"]["sites"])),
        (t("brief.assessment_mean"), n(health["assessments"]["mean_percent"], 1)),
        (t("brief.counts_closed"), n(health["counts"]["closed"])),
        (t("brief.discrepancies_per_count"), n(health["counts"]["discrepancies_per_count"], 2)),
        (t("brief.counts_overdue", days=health["counts"]["interval_days"]), n(health["counts"]["stores_overdue"])),
        (t("brief.lots_suspended_held"), n(health["lots_suspended_held"])),
        (t("brief.entries_unsigned"), n(health["verification"]["entries_since_checkpoint"])),
    ]))
    sections.append(Section(t("brief.warnings_title"), paragraphs=[
        _warning(t, w, n) for w in data.get("warnings") or ()]))
    personnel, held = rates["personnel"], rates["weapons_held"]
    sections.append(Section(t("brief.method_title"), paragraphs=[
        t("brief.method_sources", loss=n(totals["loss_incidents"]), research=n(totals["research_records"])),
        t("brief.method_personnel", strength=n(personnel["mean_strength"]), months=personnel["months_with_strength"],
          of=personnel["months"], sources=", ".join(personnel["sources"]) or "-"),
        t("brief.method_held", held=n(held["held"]), at=str(held["at"] or "-")[:10]),
        t("brief.caveat_underreporting"),
        t("brief.caveat_provisional", count=n(totals["provisional"])),
        t("brief.caveat_countries"),
        t("brief.caveat_warnings"),
    ]))
    for section in sections:  # a section with nothing to show says so
        if not (section.facts or section.paragraphs or section.map or (section.chart and section.chart.bars)
                or (section.table and section.table[1])):
            section.paragraphs.append(t("brief.none"))
    return Document(title, subtitle, headline, sections)


def map_of(t: Translator, places: Mapping[str, Any],
           outlines: Sequence[tuple[tuple[float, float, float, float], Outline]],
           kinds: Sequence[str] = KINDS) -> Map | None:
    """The map's box around every point (a margin, at least 4 degrees across; the kinds left out too, so that
    a filter does not move the frame), the outlines that meet it, the points of ``kinds``; None without points."""
    points = [(p[0], p[1]) for name in ("sites", "losses", "recoveries") for p in places.get(name) or ()]
    if not points:
        return None
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    pad_x, pad_y = max(1.0, (4 - (east - west)) / 2), max(1.0, (4 - (north - south)) / 2)
    box = (west - pad_x, south - pad_y, east + pad_x, north + pad_y)
    rings = [[(float(x), float(y)) for x, y in ring] for (w, s, e, n), country in outlines
             if w <= box[2] and e >= box[0] and s <= box[3] and n >= box[1] for ring in country]
    labels = {"sites": t("brief.map_sites"), "incidents": t("brief.map_losses"),
              "recoveries": t("brief.map_recoveries")}
    return Map(box, rings, [(p[0], p[1]) for p in places.get("sites") or ()] if "sites" in kinds else [],
               [(p[0], p[1], p[2]) for p in places.get("losses") or ()] if "incidents" in kinds else [],
               [(p[0], p[1]) for p in places.get("recoveries") or ()] if "recoveries" in kinds else [],
               tuple((kind, labels[kind]) for kind in KINDS if kind in kinds))


RECORDS_SHOWN = 3  # a warning names at most this many records; the others are counted


def _warning(t: Translator, warning: Mapping[str, Any], n: Callable[..., str]) -> str:
    """One early warning in words: where, why (its figures) and its records."""
    why = {k: (n(v) if isinstance(v, int) and not isinstance(v, bool) else
               n(v, 1) if isinstance(v, float) else v) for k, v in warning["why"].items()}
    records = warning.get("records") or []
    shown = f": {', '.join(records[:RECORDS_SHOWN])}" if records else ""
    if len(records) > RECORDS_SHOWN:
        shown += " " + t("brief.more", count=n(len(records) - RECORDS_SHOWN))
    if warning["kind"] in ("expenditure_spike", "used_while_suspended"):
        shown = ""  # the month is in the text; movements are counted there (their entry ids say nothing to a reader)
    return t(f"brief.warning.{warning['kind']}", where=warning["where"], records=shown, **why)


def _percent(value: float | None, lang: str) -> str:
    return "-" if value is None else number(value * 100, lang, 0) + " %"


# PDF ------------------------------------------------------------------------------------------------

class _Pdf(FPDF):
    def __init__(self, page: Callable[[int], str]) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.page_text = page
        self.set_auto_page_break(auto=True, margin=16)
        self.set_margins(15, 15, 15)
        self.set_creator("wam")

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font("Helvetica", size=7)
        self.set_text_color(100)
        self.cell(0, 4, latin(self.page_text(self.page_no())), align="R")
        self.set_text_color(0)


def pdf(document: Document, t: Translator) -> bytes:
    """The document as a PDF (A4)."""
    out = _Pdf(lambda page: t("brief.page", n=page))
    out.set_title(latin(document.title))
    out.add_page()
    width = out.w - out.l_margin - out.r_margin
    out.set_font("Helvetica", "B", 17)
    out.multi_cell(0, 8, latin(document.title), new_x="LMARGIN", new_y="NEXT")
    out.set_font("Helvetica", size=9)
    out.set_text_color(70)
    out.multi_cell(0, 5, latin(document.subtitle), new_x="LMARGIN", new_y="NEXT")
    out.set_text_color(0)
    out.ln(3)
    box = width / 3
    for row in range(0, len(document.headline), 3):  # the headline figures, three to a row
        top = out.get_y()
        for column, (label, value) in enumerate(document.headline[row:row + 3]):
            x = out.l_margin + column * box
            out.set_fill_color(232, 238, 245)
            out.rect(x + 1, top, box - 2, 20, style="F")
            out.set_xy(x + 3, top + 2)
            out.set_font("Helvetica", "B", 16)
            out.cell(box - 6, 8, latin(value))
            out.set_xy(x + 3, top + 11)
            out.set_font("Helvetica", size=8)
            out.multi_cell(box - 6, 3.6, latin(label), align="L")
        out.set_xy(out.l_margin, top + 23)
    for section in document.sections:
        _section(out, section, width)
    return bytes(out.output())


def _section(out: FPDF, section: Section, width: float) -> None:
    if out.will_page_break(30):
        out.add_page()
    out.ln(2)
    out.set_font("Helvetica", "B", 12)
    out.cell(0, 7, latin(section.title), new_x="LMARGIN", new_y="NEXT")
    if section.map is not None:
        _draw_map(out, section.map, width)
    for label, value in section.facts:
        out.set_font("Helvetica", size=9)
        out.cell(width * 0.7, 5.5, latin(label))
        out.set_font("Helvetica", "B", 9)
        out.cell(width * 0.3, 5.5, latin(value), align="R", new_x="LMARGIN", new_y="NEXT")
    if section.chart is not None and section.chart.bars:
        _bars(out, section.chart, width)
    if section.table is not None and section.table[1]:
        _table(out, *section.table, width=width)
    out.set_font("Helvetica", size=9)
    for text in section.paragraphs:
        out.multi_cell(0, 4.6, latin(text), new_x="LMARGIN", new_y="NEXT")
        out.ln(1)


SITE_RGB, LOSS_RGB, RECOVERY_RGB = (90, 90, 90), (200, 40, 40), (40, 110, 200)
MARK_RGB = {"sites": SITE_RGB, "incidents": LOSS_RGB, "recoveries": RECOVERY_RGB}


def _frame(m: Map, width: float, most: float) -> tuple[float, float, Callable[[float, float], tuple[float, float]]]:
    """The map's size (mm) and the projection of (longitude, latitude) into it (equirectangular, scaled
    by the cosine of the middle latitude)."""
    import math

    west, south, east, north = m.box
    squeeze = math.cos(math.radians((south + north) / 2)) or 1.0
    ratio = (north - south) / ((east - west) * squeeze)
    w = min(width, most / ratio)
    h = w * ratio

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - west) / (east - west) * w, (north - lat) / (north - south) * h

    return w, h, project


def _draw_map(out: FPDF, m: Map, width: float) -> None:
    w, h, project = _frame(m, width, 95.0)
    if out.will_page_break(h + 10):
        out.add_page()
    x0, y0 = out.l_margin, out.get_y() + 1

    def at(lon: float, lat: float) -> tuple[float, float]:
        x, y = project(lon, lat)
        return x0 + x, y0 + y

    out.set_fill_color(214, 230, 242)
    out.rect(x0, y0, w, h, style="F")
    with out.rect_clip(x0, y0, w, h):
        out.set_fill_color(246, 244, 236)
        out.set_draw_color(150)
        out.set_line_width(0.2)
        for ring in m.outlines:
            if len(ring) > 2:
                out.polygon([at(lon, lat) for lon, lat in ring], style="DF")
        for lon, lat in m.sites:
            _pdf_mark(out, "sites", *at(lon, lat))
        for lon, lat in m.recoveries:
            _pdf_mark(out, "recoveries", *at(lon, lat))
        for lon, lat, weapons in m.losses:
            _pdf_mark(out, "incidents", *at(lon, lat), radius=_radius(weapons))
    out.set_draw_color(0)
    out.rect(x0, y0, w, h)
    out.set_xy(x0, y0 + h + 1.5)
    out.set_font("Helvetica", size=8)
    for kind, label in m.legend:  # each kind's own mark, as drawn on the map
        x, y = out.get_x(), out.get_y()
        _pdf_mark(out, kind, x + 1.2, y + 2.2)
        out.set_x(x + 3.5)
        out.cell(out.get_string_width(latin(label)) + 6, 4.5, latin(label))
    out.ln(6)


def _radius(weapons: float) -> float:
    """A loss incident's circle: larger for more weapons lost (the area grows with them, up to 50)."""
    return 1.0 + min(weapons, 50) ** 0.5 * 0.5


def _triangle(x: float, y: float) -> list[tuple[float, float]]:
    return [(x, y - 1.3), (x + 1.2, y + 0.9), (x - 1.2, y + 0.9)]


def _pdf_mark(out: FPDF, kind: str, x: float, y: float, radius: float = 1.2) -> None:
    """A kind's mark centred on (x, y): a grey square (site), a red circle (loss), a blue triangle (recovery)."""
    out.set_fill_color(*MARK_RGB[kind])
    if kind == "sites":
        out.rect(x - 0.7, y - 0.7, 1.4, 1.4, style="F")
    elif kind == "recoveries":
        out.polygon(_triangle(x, y), style="F")
    else:
        out.ellipse(x - radius, y - radius, 2 * radius, 2 * radius, style="F")


def _bars(out: FPDF, chart: Chart, width: float) -> None:
    """Horizontal bars: a label, a bar as long as its value's share of the largest, the value."""
    label_w, value_w = width * 0.38, 16.0
    room = width - label_w - value_w - 2
    largest = max((value for _, value, _ in chart.bars), default=0) or 1
    if out.will_page_break(11):
        out.add_page()
    out.set_font("Helvetica", "I", 8)
    out.set_text_color(70)
    out.cell(0, 5, latin(chart.title), new_x="LMARGIN", new_y="NEXT")
    out.set_text_color(0)
    out.set_font("Helvetica", size=8)
    for label, value, shown in chart.bars:
        if out.will_page_break(5.5):
            out.add_page()
        y = out.get_y()
        out.cell(label_w, 5, _fit(out, latin(label), label_w - 2))
        out.set_fill_color(47, 95, 152)
        if value > 0:
            out.rect(out.l_margin + label_w, y + 0.8, max(room * value / largest, 0.6), 3.4, style="F")
        out.set_xy(out.l_margin + label_w + room + 2, y)
        out.cell(value_w, 5, latin(shown), align="R", new_x="LMARGIN", new_y="NEXT")
    out.ln(1)


def _table(out: FPDF, heads: Sequence[str], rows: Sequence[Sequence[str]], *, width: float) -> None:
    first = width * 0.28
    other = (width - first) / max(len(heads) - 1, 1)
    widths = [first] + [other] * (len(heads) - 1)

    def header() -> None:  # a heading wraps in its column (never cut): the row as tall as the tallest
        out.set_font("Helvetica", "B", 8)
        out.set_fill_color(228, 234, 241)
        lines = [len(cast(list[str], out.multi_cell(w - 2, 3.6, latin(text), dry_run=True, output="LINES")))
                 for text, w in zip(heads, widths, strict=True)]
        height = max(lines, default=1) * 3.6 + 2.4
        if out.will_page_break(height + 6):
            out.add_page()
        x, y = out.l_margin, out.get_y()
        for text, w in zip(heads, widths, strict=True):
            out.rect(x, y, w, height, style="DF")
            out.set_xy(x + 1, y + 1.2)
            out.multi_cell(w - 2, 3.6, latin(text), align="L")
            x += w
        out.set_xy(out.l_margin, y + height)
        out.set_font("Helvetica", size=8.5)

    header()
    for row in rows:
        if out.will_page_break(6):
            out.add_page()
            header()
        for value, w in zip(row, widths, strict=True):
            out.cell(w, 5.5, _fit(out, latin(value), w - 2), border=1)
        out.ln()
    out.ln(1)


def _fit(out: FPDF, text: str, width: float) -> str:
    """``text`` cut to ``width`` (mm) in the current font, with an ellipsis when cut."""
    if out.get_string_width(text) <= width:
        return text
    while text and out.get_string_width(text + "...") > width:
        text = text[:-1]
    return text + "..."


def _svg_mark(kind: str, x: float, y: float, radius: float = 1.2) -> str:
    """A kind's mark as SVG, the same shapes and colours as the PDF's (:func:`_pdf_mark`)."""
    fill = "rgb({},{},{})".format(*MARK_RGB[kind])
    name = kind[:-1] if kind != "recoveries" else "recovery"
    if kind == "sites":
        return f'<rect class="mark {name}" x="{x - 0.7:.2f}" y="{y - 0.7:.2f}" width="1.4" height="1.4" fill="{fill}"/>'
    if kind == "recoveries":
        points = " ".join(f"{px:.2f},{py:.2f}" for px, py in _triangle(x, y))
        return f'<polygon class="mark {name}" points="{points}" fill="{fill}"/>'
    return f'<circle class="mark {name}" cx="{x:.2f}" cy="{y:.2f}" r="{radius:.2f}" fill="{fill}"/>'


def svg(m: Map) -> str:
    """The map as inline SVG (no file fetched), the same projection and marks as the PDF's (mm as user
    units), and its legend: each kind drawn, with its mark."""
    w, h, project = _frame(m, 180.0, 95.0)

    def xy(lon: float, lat: float) -> str:
        x, y = project(lon, lat)
        return f"{x:.2f},{y:.2f}"

    label = markup.escape(" / ".join(text for _, text in m.legend))
    parts = [f'<svg class="map" viewBox="0 0 {w:.1f} {h:.1f}" width="100%" role="img" aria-label="{label}"'
             f' style="max-width:45rem;background:#d6e6f2">']
    parts += [f'<polygon points="{" ".join(xy(lon, lat) for lon, lat in ring)}" fill="#f6f4ec" stroke="#969696" '
              f'stroke-width="0.2"/>' for ring in m.outlines if len(ring) > 2]
    parts += [_svg_mark("sites", *project(lon, lat)) for lon, lat in m.sites]
    parts += [_svg_mark("recoveries", *project(lon, lat)) for lon, lat in m.recoveries]
    parts += [_svg_mark("incidents", *project(lon, lat), radius=_radius(weapons)) for lon, lat, weapons in m.losses]
    parts.append('</svg><ul class="legend" style="list-style:none;padding:0">' + "".join(
        f'<li style="display:inline-block;margin-right:1.2rem" data-kind="{kind}">'
        f'<svg viewBox="0 0 3 3" width="12" height="12" aria-hidden="true">{_svg_mark(kind, 1.5, 1.6)}</svg> '
        f"{markup.escape(text)}</li>" for kind, text in m.legend) + "</ul>")
    return "".join(parts)


# HTML -----------------------------------------------------------------------------------------------

def html(document: Document, lang: str) -> str:
    """The same document as one self-contained HTML page (no script, no file fetched)."""
    e = markup.escape
    parts = [f'<!doctype html><html lang="{e(lang)}"><head><meta charset="utf-8"><title>{e(document.title)}</title>',
             "<style>body{font-family:sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#111}"
             ".figures{display:grid;grid-template-columns:repeat(3,1fr);gap:.5rem}"
             ".figures div{background:#e8eef5;padding:.6rem}.figures b{display:block;font-size:1.6rem}"
             "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2rem .5rem;text-align:left}"
             ".bar{background:#2f5f98;height:.8rem;display:inline-block}</style></head><body>",
             f"<h1>{e(document.title)}</h1><p>{e(document.subtitle)}</p><div class=\"figures\">"]
    parts += [f"<div><b>{e(value)}</b>{e(label)}</div>" for label, value in document.headline]
    parts.append("</div>")
    for section in document.sections:
        parts.append(f"<h2>{e(section.title)}</h2>")
        if section.facts:
            parts.append("<table>" + "".join(f"<tr><th scope=\"row\">{e(label)}</th><td>{e(value)}</td></tr>"
                                             for label, value in section.facts) + "</table>")
        if section.map is not None:
            parts.append(svg(section.map))
        if section.chart is not None and section.chart.bars:
            largest = max(value for _, value, _ in section.chart.bars) or 1
            parts.append(f"<table><caption>{e(section.chart.title)}</caption>" + "".join(
                f"<tr><th scope=\"row\">{e(label)}</th><td><span class=\"bar\" style=\"width:"
                f"{round(20 * value / largest, 2)}rem\"></span> {e(shown)}</td></tr>"
                for label, value, shown in section.chart.bars) + "</table>")
        if section.table is not None and section.table[1]:
            heads, rows = section.table
            parts.append("<table><tr>" + "".join(f"<th scope=\"col\">{e(h)}</th>" for h in heads) + "</tr>" + "".join(
                "<tr>" + "".join(f"<td>{e(v)}</td>" for v in row) + "</tr>" for row in rows) + "</table>")
        parts += [f"<p>{e(text)}</p>" for text in section.paragraphs]
    parts.append("</body></html>")
    return "\n".join(parts)
