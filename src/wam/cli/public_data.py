"""``wam import geopko|ipi|un-missions|un-fatalities FILE``: real public data into wam.

Each command reads the file as published (quirks included), reports how many rows it read,
what it added, and every row it skipped with its line and reason; running it twice adds
nothing the second time. Country names are resolved with ``--countries`` (country-codes.csv
from datasets/country-codes), else the ``country-codes/country-codes.csv`` beside the file's
folder when it exists, else the small list packaged with the demo.
"""

from __future__ import annotations

from pathlib import Path

import typer

from wam.domain.errors import InvalidInput

from . import common

PACKAGED_COUNTRIES = Path(__file__).resolve().parent.parent / "demo" / "data" / "country-codes-monusco.csv"

_JSON = typer.Option(False, "--json", help="Print the report as JSON.")
_COUNTRIES = typer.Option(None, "--countries",
                          help="country-codes.csv (datasets/country-codes) to resolve country names.")


def _countries(file: Path, countries: Path | None):  # noqa: ANN202
    from wam.importers.public import CountryResolver

    if countries is None:
        beside = file.resolve().parent.parent / "country-codes" / "country-codes.csv"
        countries = beside if beside.exists() else PACKAGED_COUNTRIES
    return CountryResolver.from_csv(countries)


def _ledger():  # noqa: ANN202
    # fail early if the database is not initialised; the reference tables may be newer than it
    return common.open_ledger(upgrade=True)


def _check(file: Path) -> None:
    if not file.is_file():
        raise InvalidInput(f"no such file: {file}", field="file")


def _parse(parser, *args):  # noqa: ANN001, ANN202
    from wam.importers.public import HeaderError

    result = parser(*args)
    try:
        records = list(result)
    except HeaderError as exc:
        raise InvalidInput(f"{args[0]}: {exc}", field="file") from None
    return records, result.skipped, result.notes


def _print(report, file: Path, as_json: bool) -> None:  # noqa: ANN001
    report.notes = list(report.notes)
    if as_json:
        common.print_json({"file": str(file), **report.as_dict()})
        return
    added = ", ".join(f"{n} {what}" for what, n in report.added.items()) or "nothing"
    common.stdout.print(f"{file}: read {report.read} rows; added {added}; skipped {len(report.skipped)}; "
                        f"{len(report.notes)} values repaired or set empty (notes)", markup=False)
    for s in report.skipped:
        value = f" ({s.value!r})" if s.value is not None else ""
        common.stdout.print(f"  skipped line {s.line}: {s.field or '-'}: {s.reason}{value}", markup=False)


def geopko(file: Path = typer.Argument(..., help="geopko.csv from Geo-PKO"), countries: Path | None = _COUNTRIES,
           mission: str | None = typer.Option(None, "--mission", help="Only this mission (acronym)."),
           as_json: bool = _JSON) -> None:
    """Import Geo-PKO deployments: missions, contingents and sites as holders; deployments and strength.

    Example: wam import geopko ../shared/data/geopko/geopko.csv --mission MONUSCO
    """
    from wam.importers.public import parse_geopko
    from wam.services import reference

    _check(file)
    ledger = _ledger()
    records, skipped, notes = _parse(parse_geopko, file, _countries(file, countries))
    if mission:
        records = [d for d in records if d.mission.upper() == mission.upper()]
    report = reference.import_deployments(ledger, records, parse_skipped=skipped)
    report.notes = notes
    _print(report, file, as_json)


def ipi(file: Path = typer.Argument(...,
                                    help="current_month.csv or data_mission.csv from IPI Providing for Peacekeeping"),
        countries: Path | None = _COUNTRIES, as_json: bool = _JSON) -> None:
    """Import IPI contributions (strength per contingent) or monthly mission totals (data_mission.csv).

    Example: wam import ipi ../shared/data/ipi-ppp/current_month.csv
    """
    from wam.importers.public import parse_contributions, parse_mission_totals
    from wam.services import reference

    _check(file)
    with open(file, encoding="utf-8", errors="replace") as fh:
        header = fh.readline()
    ledger = _ledger()
    if "contributor_iso" in header.lower().replace("-", "_"):
        records, skipped, notes = _parse(parse_contributions, file, _countries(file, countries))
        report = reference.import_contributions(ledger, records, parse_skipped=skipped)
    else:
        records, skipped, notes = _parse(parse_mission_totals, file)
        report = reference.import_mission_totals(ledger, records, parse_skipped=skipped)
    report.notes = notes
    _print(report, file, as_json)


def un_missions(file: Path = typer.Argument(..., help="DPPADPOSS-PKO.csv from the UN Peace and Security Data Hub"),
                as_json: bool = _JSON) -> None:
    """Import the UN list of peace operations (dates, headquarters) and each as a mission holder.

    Example: wam import un-missions ../shared/data/un-psdata/DPPADPOSS-PKO.csv
    """
    from wam.importers.public import parse_operations
    from wam.services import reference

    _check(file)
    ledger = _ledger()
    records, skipped, notes = _parse(parse_operations, file)
    report = reference.import_operations(ledger, records, parse_skipped=skipped)
    report.notes = notes
    _print(report, file, as_json)


def un_fatalities(file: Path = typer.Argument(...,
                                              help="DPPADPOSS-FATALITIES.csv from the UN Peace and Security Data Hub"),
                  countries: Path | None = _COUNTRIES, as_json: bool = _JSON) -> None:
    """Import UN peacekeeper fatalities.

    Example: wam import un-fatalities ../shared/data/un-psdata/DPPADPOSS-FATALITIES.csv
    """
    from wam.importers.public import parse_fatalities
    from wam.services import reference

    _check(file)
    ledger = _ledger()
    records, skipped, notes = _parse(parse_fatalities, file, _countries(file, countries))
    report = reference.import_fatalities(ledger, records, parse_skipped=skipped)
    report.notes = notes
    _print(report, file, as_json)


def register(import_app: typer.Typer) -> None:
    import_app.command("geopko")(geopko)
    import_app.command("ipi")(ipi)
    import_app.command("un-missions")(un_missions)
    import_app.command("un-fatalities")(un_fatalities)
