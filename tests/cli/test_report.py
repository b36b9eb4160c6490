"""``wam report brief|monthly|figures`` and ``wam export open-data`` on the known world of
tests/services/test_analysis.py: the brief renders in English and French (PDF pages turned into PNG by
pdftoppm, the headline figures in the PDF's text, its HTML beside it), the monthly report, the figures as
JSON, and open data where no class of rows points to fewer than k contingents."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.builders import command_line, own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)
from tests.services.test_analysis import known_world


@pytest.fixture
def wam(world, db_url, capsys):  # noqa: ANN001, ANN201
    known_world(world)
    return command_line(db_url, capsys)


def _text(pdf: Path) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(pdf).pages)


def _pages(pdf: Path, tmp_path: Path) -> list[Path]:
    assert shutil.which("pdftoppm"), "poppler-utils (pdftoppm) is needed to render the brief"
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / pdf.stem)], check=True, timeout=120)
    pages = sorted(tmp_path.glob(f"{pdf.stem}-*.png"))
    assert pages and all(p.stat().st_size > 1000 and p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pages)
    return pages


@pytest.mark.parametrize(("lang", "title", "expected"), [
    ("en", "Weapons and ammunition: brief on MINUSMA",
     ["4 Loss incidents", "4 Weapons lost", "640 Rounds lost", "2.66 Weapons lost per 1,000 personnel",
      "1,333.33 Weapons lost per 1,000 weapons held", "Losses by mechanism Loss incidents ambush 2",
      "Notable incidents", "INC-000001", "Early warnings None in the period.", "Method and caveats", "under-reported"]),
    ("fr", "Armes et munitions : note sur la MINUSMA",
     ["4 Incidents de perte", "4 Armes perdues", "640 Cartouches perdues", "2,66 Armes perdues pour 1 000 personnels",
      "1 333,33 Armes perdues pour 1 000 armes détenues", "Pertes par mode Incidents de perte embuscade 2",
      "Incidents notables", "INC-000001", "Alertes précoces Rien sur la période.", "Méthode et limites",
      "sous-déclarées"]),
])
def test_the_brief_renders_in_both_languages(wam, tmp_path: Path, lang: str, title: str,  # noqa: ANN001
                                             expected: list[str]) -> None:
    pdf = tmp_path / f"brief-{lang}.pdf"
    code, out, err = wam("report", "brief", "--mission", "MINUSMA", "--from", "2024-01-01", "--to", "2024-03-31",
                         "--lang", lang, "--output", str(pdf))
    assert code == 0, err
    assert "4 incident(s), 4 weapon(s) and 640 round(s) lost" in out
    assert len(_pages(pdf, tmp_path)) >= 1
    text = _text(pdf)
    assert title in text
    for figure in expected:
        assert figure in text, figure
    page = pdf.with_suffix(".html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in page and title in page.replace("&#x27;", "'") and "640" in page


def test_the_monthly_report_and_the_figures(wam, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    code, out, err = wam("report", "monthly", "--mission", "minusma", "--month", "2024-02")
    assert code == 0, err
    pdf = tmp_path / "wam-report-MINUSMA-2024-02.pdf"
    assert pdf.exists() and pdf.with_suffix(".html").exists() and "2 incident(s), 2 weapon(s)" in out
    text = _text(pdf)
    assert "Monthly WAM report: MINUSMA" in text and "From 2024-02-01 to 2024-02-29" in text
    assert _pages(pdf, tmp_path)
    code, out, _ = wam("report", "figures", "--mission", "MINUSMA", "--by", "year", "--research", "with")
    figures = json.loads(out)
    assert code == 0 and figures["losses"]["totals"]["incidents"] == 5 and figures["recovered"]["records"] == 2
    for args, field in ((("--lang", "de"), "lang"), (("--to", "2023-12-31"), "to"), (("--output", "x.txt"), "output")):
        base = {"--lang": "en", "--to": "2024-03-31", "--output": str(tmp_path / "x.pdf")}
        base[args[0]] = args[1]
        code, _, err = wam("report", "brief", "--mission", "MINUSMA", "--from", "2024-01-01",
                           *[x for pair in base.items() for x in pair])
        assert code == 2 and f"field '{field}'" in err, err


def test_open_data_is_coarsened_to_k(wam, tmp_path: Path) -> None:  # noqa: ANN001
    folder = tmp_path / "open"
    code, out, err = wam("export", "open-data", "--k", "2", "--output", str(folder))
    assert code == 0, err
    rows = list(csv.DictReader((folder / "incidents.csv").open(encoding="utf-8")))
    published = json.loads((folder / "incidents.json").read_text(encoding="utf-8"))
    assert len(rows) == len(published["incidents"]) and published["k"] == 2
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "k = 2" in readme and "| contingent_group |" in readme
    # B names two contingents itself (BGD and SEN): published as it is; MINUSMA's three others (one contingent each)
    # coarsened to the mission, the quarter, "*"; UNMISS's one (NPL alone) can never reach 2 and is suppressed
    keys = sorted((r["mission"], r["place"], r["period"], r["contingent_group"]) for r in rows)
    assert keys == [("MINUSMA", "", "2024-Q1", "*")] * 3 + [("MINUSMA", "Gao camp", "2024-02", "BGD+SEN")]
    assert len(rows) == 4 and f"{len(rows)} row(s), 1 suppressed" in out
    text = (folder / "incidents.csv").read_text() + json.dumps(published)
    for secret in ("INC-0000", "alice", "PTE-RAHMAN", "56-0000", "BANBAT"):
        assert secret not in text
    code, out, _ = wam("export", "open-data", "--k", "1", "--output", str(folder))
    rows = list(csv.DictReader((folder / "incidents.csv").open(encoding="utf-8")))
    assert code == 0 and len(rows) == 5 and {r["period"] for r in rows} == {"2024-01", "2024-02", "2024-03"}
    assert {r["place"] for r in rows} == {"Gao camp", "Ansongo camp", "Juba camp"}
    assert {r["contingent_group"] for r in rows} == {"BGD", "BGD+SEN", "SEN", "NPL"}
    code, _, err = wam("export", "open-data", "--k", "0", "--output", str(folder))
    assert code == 2 and "field 'k'" in err


def test_the_map_is_drawn_over_the_shipped_outlines(tmp_path: Path) -> None:
    from wam.reports import brief
    from wam.web import geo
    from wam.web.i18n import Translator

    empty = {"value": None, "incidents": 0, "weapons": 0, "rounds": 0, "quantity": 0}
    data = {"losses": {"totals": {**empty, "notable": 0, "loss_incidents": 1, "research_records": 0, "provisional": 0},
                       "rates": {"personnel": {"weapons_per_1000": None, "mean_strength": None, "months": 0,
                                               "months_with_strength": 0, "sources": []},
                                 "weapons_held": {"weapons_lost_per_1000": None, "held": 0, "at": None}},
                       "by": {"mechanism": [], "country": []}, "over_time": [], "notable": []},
            "recovered": {"records": 0, "weapons": 0, "rounds": 0, "days_to_disposal": {"median": None},
                          "share_traced": None, "share_answered": None, "matches": [],
                          "days_after_loss": {"median": None}, "by_how": {}},
            "health": {"incidents_reported_late": 0, "recoveries_disposal_overdue": 0, "traces_unanswered": 0,
                       "stores_in_breach": 0, "assessments": {"sites": 0, "mean_percent": None},
                       "counts": {"closed": 0, "discrepancies_per_count": None, "stores_overdue": 0,
                                  "interval_days": 30},
                       "lots_suspended_held": 0, "verification": {"entries_since_checkpoint": 0}},
            "warnings": [], "places": {"sites": [[29.2, -1.68]], "losses": [[29.3, -1.6, 12.0]],
                                       "recoveries": [[29.1, -1.7]]}}
    outlines = [(c.bbox, [polygon[0] for polygon in c.polygons]) for c in geo.countries()]
    t = Translator("en")
    document = brief.layout(t, data, mission="MONUSCO", since="2024-01-01", until="2024-01-31", outlines=outlines)
    [shown] = [s.map for s in document.sections if s.map is not None]
    assert shown.outlines and shown.box[0] < 29.1 and shown.box[2] > 29.3  # Congo, Rwanda... around the points
    pdf = tmp_path / "map.pdf"
    pdf.write_bytes(brief.pdf(document, t))
    assert _pages(pdf, tmp_path) and "Where sites losses (size: weapons lost) recoveries" in _text(pdf)
    page = brief.html(document, "en")
    assert "<svg" in page and page.count("<polygon") > len(shown.outlines) // 2 and 'fill="rgb(200,40,40)"' in page


def test_open_data_refuses_a_file_for_its_folder(tmp_path, capsys) -> None:  # noqa: ANN001
    from wam.cli.main import run

    taken = tmp_path / "taken.txt"
    taken.write_text("x")
    code = run(["--db", f"sqlite:///{tmp_path / 'w.db'}", "init"])
    assert code == 0
    capsys.readouterr()
    code = run(["--db", f"sqlite:///{tmp_path / 'w.db'}", "export", "open-data", "--k", "3", "--output", str(taken)])
    err = capsys.readouterr().err
    assert code == 2 and "field 'output'" in err and "Traceback" not in err


def test_far_or_long_periods_unknown_missions_and_unwritable_folders_are_refused(wam, tmp_path: Path) -> None:  # noqa: ANN001
    pdf = str(tmp_path / "b.pdf")
    for since, until, field in (("2024-01-01", "9999-12-31", "to"), ("0001-01-01", "2018-12-31", "to"),
                                ("1900-01-01", "1990-12-31", "from"), ("1946-01-01", "2047-01-01", "to")):
        code, _, err = wam("report", "brief", "--mission", "MINUSMA", "--from", since, "--to", until, "--output", pdf)
        assert code == 2 and f"field '{field}'" in err, (since, until, err)
    code, _, err = wam("report", "figures", "--to", "9999-12-31")
    assert code == 2 and "field 'to'" in err
    for mission in ("NOPE", "MINUSM\u0410"):  # a Cyrillic A
        code, _, err = wam("report", "brief", "--mission", mission, "--from", "2024-01-01", "--to", "2024-03-31",
                           "--output", pdf)
        assert code == 3 and mission in err, err
        code, _, err = wam("export", "open-data", "--k", "2", "--mission", mission, "--output", str(tmp_path / "o"))
        assert code == 3 and mission in err, err
    blocked = tmp_path / "file"
    blocked.write_text("x")
    for folder in ("/proc/nope/", str(blocked / "below")):
        code, _, err = wam("export", "open-data", "--k", "2", "--output", folder)
        assert code == 2 and "field 'output'" in err, err
    code, _, err = wam("report", "brief", "--mission", "MINUSMA", "--from", "2024-01-01", "--to", "2024-03-31",
                       "--output", str(blocked / "b.pdf"))
    assert code == 2 and "field 'output'" in err, err


def test_the_brief_s_warnings_name_few_records_and_its_headings_are_whole(world, db_url, capsys,  # noqa: ANN001
                                                                           tmp_path: Path) -> None:
    """Many attacks at one place: the warning names three incidents and counts the others; the table's
    headings wrap in their column rather than being cut ("Weapons lost per 1,000 personnel" whole)."""
    from tests.factories import rifle
    from tests.services.test_analysis import report

    known_world(world)
    spares = [rifle(f"56-4000{n}") for n in range(6)]
    world.ledger.register_items(spares)
    for n, spare in enumerate(spares):
        world.move("receipt", spare, "supply:BGD", "GAO-ARM", days=3)
        report(world, 10 + n, [(spare, 1, "GAO-ARM")], mechanism="ambush")
    wam = command_line(db_url, capsys)
    pdf = tmp_path / "many.pdf"
    code, _, err = wam("report", "brief", "--mission", "MINUSMA", "--from", "2024-01-01", "--to", "2024-03-31",
                       "--output", str(pdf))
    assert code == 0, err
    text = _text(pdf)
    assert "7 losses to attacks" in text and "and 4 more" in text and text.count("INC-0000") < 12
    assert text.count("Weapons lost per 1,000 personnel") == 2 and "1,..." not in text  # headline and heading
    assert _pages(pdf, tmp_path)


def test_a_long_period_is_charted_by_year(wam, tmp_path: Path) -> None:  # noqa: ANN001
    pdf = tmp_path / "long.pdf"
    code, _, err = wam("report", "brief", "--mission", "MINUSMA", "--from", "1946-01-01", "--to", "2045-12-31",
                       "--output", str(pdf))
    assert code == 0, err
    text = _text(pdf)
    assert "2024 4" in text and "2024-02" not in text and len(PdfReader(pdf).pages) < 8
