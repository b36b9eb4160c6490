"""``wam report`` and ``wam export``: the analyses, the brief, the monthly WAM report and open data (issue 14).

Examples::

    wam report brief --mission MINUSMA --from 2024-01-01 --to 2024-06-30 --output brief.pdf   # and brief.html
    wam report brief --mission MINUSMA --from 2024-01-01 --to 2024-06-30 --lang fr --output note.pdf
    wam report monthly --mission MINUSMA --month 2024-03          # wam-report-MINUSMA-2024-03.pdf and .html
    wam report figures --mission MINUSMA --from 2024-01-01 --to 2024-06-30 [--by year] [--research with]
    wam export open-data --k 5 --output open-data/                # incidents.csv, incidents.json, README.md

The command line reads every record (as every ``wam`` command does); the web's analyses are scoped
(:class:`wam.services.analysis.ScopedAnalysis`). Dates are whole days in UTC, both ends included; a period
outside the ledger's dates or longer than 100 years exits 2 naming ``--from`` or ``--to``, a mission nobody
knows exits 3, a folder or file that cannot be written exits 2 naming ``--output``.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import typer

from wam.domain.errors import InvalidInput

from . import common

report_app = typer.Typer(help="Analyses and briefs: losses, recovered materiel, accountability; PDF and HTML.",
                         no_args_is_help=True)
export_app = typer.Typer(help="Exports for publication.", no_args_is_help=True)

MissionOption = typer.Option(..., "--mission", help="The mission (its code, e.g. MINUSMA).")
FromOption = typer.Option(..., "--from", help="The period's first day (YYYY-MM-DD).")
ToOption = typer.Option(..., "--to", help="The period's last day (YYYY-MM-DD), included.")
LangOption = typer.Option("en", "--lang", help="en or fr.")
ResearchOption = typer.Option("no", "--research", help="Research records: no, with (the incidents), only.")


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
    app.add_typer(export_app, name="export")


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD)", field=field) from None


def _period(since: str, until: str) -> tuple[datetime, datetime]:
    first, last = _day(since, "from"), _day(until, "to")
    if last < first:
        raise InvalidInput("the period ends before it begins", field="to")
    return datetime.combine(first, time.min, UTC), datetime.combine(last, time.max, UTC)


def _month(text: str) -> tuple[datetime, datetime]:
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        last = calendar.monthrange(year, month)[1]
    except ValueError:
        raise InvalidInput(f"{text!r} is not a month (YYYY-MM)", field="month") from None
    return datetime(year, month, 1, tzinfo=UTC), datetime.combine(date(year, month, last), time.max, UTC)


def _translator(lang: str) -> Any:
    from wam.web.i18n import LANGUAGES, Translator

    if lang not in LANGUAGES:
        raise InvalidInput(f"{lang!r} is not one of {', '.join(LANGUAGES)}", field="lang")
    return Translator(lang)


def _write_brief(mission: str, since: datetime, until: datetime, lang: str, output: Path, research: str, *,
                 monthly: bool) -> None:
    from wam.reports import brief
    from wam.services import analysis

    if output.suffix.lower() != ".pdf":
        raise InvalidInput(f"{output} is not a .pdf file name", field="output")
    t = _translator(lang)
    ledger = common.open_ledger()
    question = analysis.Question(mission=mission.upper(), since=since, until=until, by="month", research=research,
                                 fields=("month", "month") if monthly else ("from", "to"))
    data = analysis.brief(analysis.whole(ledger), question)
    from wam.web import geo  # the country outlines shipped with the package: the map works offline

    outlines = [(c.bbox, [ring for polygon in c.polygons for ring in polygon[:1]]) for c in geo.countries()]
    document = brief.layout(t, data, mission=mission.upper(), since=since.date().isoformat(),
                            until=until.date().isoformat(), monthly=monthly, outlines=outlines)
    page = output.with_suffix(".html")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(brief.pdf(document, t))
        page.write_text(brief.html(document, t.lang), encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"{output} cannot be written: {exc.strerror or exc}", field="output") from None
    totals = data["losses"]["totals"]
    common.stdout.print(f"{output} and {page}: {totals['incidents']:,} incident(s), {totals['weapons']:,} weapon(s) "
                        f"and {totals['rounds']:,} round(s) lost", markup=False)


@report_app.command("brief")
def brief_command(mission: str = MissionOption, since: str = FromOption, until: str = ToOption,
                  lang: str = LangOption, research: str = ResearchOption,
                  output: Path = typer.Option(..., "--output", help="The PDF to write (its HTML beside it).")) -> None:
    """A brief for policymakers: headline figures, charts, notable incidents, method and caveats (PDF and HTML).

    Example: wam report brief --mission MINUSMA --from 2024-01-01 --to 2024-06-30 --lang fr --output note.pdf
    """
    first, last = _period(since, until)
    _write_brief(mission, first, last, lang, output, research, monthly=False)


@report_app.command("monthly")
def monthly_command(mission: str = MissionOption,
                    month: str = typer.Option(..., "--month", help="The month (YYYY-MM)."),
                    lang: str = LangOption, research: str = ResearchOption,
                    output: Path | None = typer.Option(None, "--output",
                                                       help="The PDF (default wam-report-MISSION-MONTH.pdf).")) -> None:
    """The mission's monthly WAM report (PDF and HTML), with the brief's machinery.

    Example: wam report monthly --mission MINUSMA --month 2024-03
    """
    first, last = _month(month)
    target = output or Path(f"wam-report-{mission.upper()}-{first:%Y-%m}.pdf")
    _write_brief(mission, first, last, lang, target, research, monthly=True)


@report_app.command("figures")
def figures_command(mission: str | None = typer.Option(None, "--mission", help="Only this mission."),
                    since: str | None = typer.Option(None, "--from", help="The first day (YYYY-MM-DD)."),
                    until: str | None = typer.Option(None, "--to", help="The last day, included."),
                    by: str = typer.Option("month", "--by", help="month or year."),
                    research: str = ResearchOption) -> None:
    """Every figure of the analyses as JSON: losses, recovered materiel, accountability.

    Example: wam report figures --mission MINUSMA --from 2024-01-01 --to 2024-12-31 --by month
    """
    from wam.services import analysis

    first = datetime.combine(_day(since, "from"), time.min, UTC) if since else None
    last = datetime.combine(_day(until, "to"), time.max, UTC) if until else None
    question = analysis.Question(mission=mission.upper() if mission else None, since=first, until=last, by=by,
                                 research=research, fields=("from", "to"))
    common.print_json(analysis.brief(analysis.whole(common.open_ledger()), question))


@export_app.command("open-data")
def open_data_command(k: int = typer.Option(..., "--k", help="No row points to fewer than k contingents."),
                      output: Path = typer.Option(..., "--output", help="The folder to write."),
                      mission: str | None = typer.Option(None, "--mission", help="Only this mission."),
                      research: bool = typer.Option(False, "--research/--no-research",
                                                    help="Add the research records that are not confidential.")
                      ) -> None:
    """Loss incidents for publication, coarsened to k contingents: CSV, JSON and a data dictionary (README.md).

    Example: wam export open-data --k 5 --output open-data/
    """
    from wam.reports import open_data

    published = open_data.build(common.open_ledger(), k, mission=mission.upper() if mission else None,
                                with_research=research)
    if output.exists() and not output.is_dir():
        raise InvalidInput(f"{output} is a file: name a folder to write the open data into", field="output")
    paths = open_data.write(published, output)
    common.stdout.print(f"{', '.join(str(p) for p in paths)}: {len(published.rows)} row(s), "
                        f"{published.suppressed} suppressed, {published.confidential} confidential left out "
                        f"(k = {k})", markup=False)
