"""`wam incidents record|import`, and research records in `list|show|export`: a confidential source never
appears in the command line's output (--json included) nor in an export; the export->import round trip."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.builders import command_line, own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)
from tests.factories import ball_rounds
from wam.cli.main import run

SECRET = "a staff officer of the battalion, interviewed in Juba"
RECORD = ("incidents", "record", "--started-at", "2015-10-26", "--mission", "UNMISS", "--country", "SSD",
          "--place", "Kaka", "--contingent", "Bangladeshi contingent:BGD", "--circumstance", "convoy_escort",
          "--mechanism", "seizure_detention", "--perpetrator", "SPLA-IO", "--quantity", "small_arms=16",
          "--quantity", "light_weapons=2", "--quantity", "rounds=3000-3500",
          "--source", "theeastafrican.co.ke, 9 Nov 2017 | kind=media | date=2017-11-09 | reliability=medium",
          "--source", f"{SECRET} | kind=interview | reliability=high | confidential", "--verification", "reported")


@pytest.fixture
def wam(world, db_url, capsys):  # noqa: ANN001, ANN201
    return command_line(db_url, capsys)


def test_it_records_a_research_record_and_never_prints_a_confidential_source(wam, tmp_path) -> None:  # noqa: ANN001
    code, out, err = wam(*RECORD, "--actor", "rita", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert (shown["id"], shown["record"], shown["weapons_lost"], shown["rounds_lost"], shown["rounds_lost_max"],
            shown["notable"]) == ("RES-000001", "research", 18, 3000, 3500, True)
    assert [s["citation"] for s in shown["sources"]] == ["theeastafrican.co.ke, 9 Nov 2017"]
    outputs = [out]
    for args in (("list",), ("list", "--json"), ("show", "RES-000001"), ("show", "RES-000001", "--json"),
                 ("export", "--format", "csv"), ("export", "--format", "json")):
        code, out, err = wam("incidents", *args)
        assert code == 0, err
        outputs.append(out)
    assert "RES-000001 research (reported)" in outputs[1] and "18 weapons, 3000-3500 rounds lost" in outputs[1]
    assert "source (media, medium): theeastafrican.co.ke" in outputs[3]
    assert all(SECRET not in text for text in outputs)
    assert "theeastafrican" in outputs[5] and "theeastafrican" in outputs[6]
    _, out, _ = wam("incidents", "list", "--record", "loss", "--json")
    assert json.loads(out)["incidents"] == []
    code, _, err = wam(*RECORD[:-2], "--verification", "rumour")
    assert code != 0 and "field 'verification_status'" in err and "'rumour' is not one of" in err
    code, _, err = wam(*RECORD[:2], "--started-at", "2015", "--mission", "X", "--place", "Y", "--source", "z | odd")
    assert code != 0 and "row 1, field 'source'" in err


def test_export_then_import_round_trips_and_a_bad_file_imports_nothing(wam, tmp_path, capsys) -> None:  # noqa: ANN001
    assert wam(*RECORD)[0] == 0
    assert wam("incidents", "report", "--site", "GAO", "--started-at", "2024-03-01T02:00:00Z", "--mission", "MINUSMA",
               "--circumstance", "fixed_site", "--mechanism", "theft_burglary", "--ownership", "COE",
               "--line", "56-00001@GAO-ARM", "--line", f"{ball_rounds().key}*600@GAO-ASP")[0] == 0
    path = tmp_path / "register.json"
    assert wam("incidents", "export", "--format", "json", "--output", str(path))[0] == 0
    exported = json.loads(path.read_text())["incidents"]
    assert [(r["id"], r["record"]) for r in exported] == [("INC-000001", "loss"), ("RES-000001", "research")]
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert run(["--db", other, "init", "--name", "other"]) == 0
    assert run(["--db", other, "incidents", "import", str(path)]) == 0
    assert run(["--db", other, "incidents", "export", "--format", "json", "--output", str(tmp_path / "b.json")]) == 0
    assert "2 research records imported: RES-000002, RES-000001" in capsys.readouterr().out
    again = json.loads((tmp_path / "b.json").read_text())["incidents"]
    research_a = [r for r in exported if r["record"] == "research"]
    research_b = [r for r in again if r["id"] == "RES-000001"]
    drop = ("reported_by", "reported_at", "updated_at")
    assert [{k: v for k, v in r.items() if k not in drop} for r in research_b] == [
        {k: v for k, v in r.items() if k not in drop} for r in research_a]
    [from_loss] = [r for r in again if r["source_id"] == "INC-000001"]
    assert (from_loss["record"], from_loss["weapons_lost"], from_loss["rounds_lost"]) == ("research", 1, 600)

    bad = tmp_path / "bad.csv"
    rows = list(csv.DictReader(io.StringIO(wam("incidents", "export", "--format", "csv")[1])))
    rows[0]["mechanism"], rows[1]["started_at"] = "stolen", "yesterday"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    bad.write_text(buffer.getvalue())
    capsys_before = wam("incidents", "list", "--json")[1]
    code, _, err = wam("incidents", "import", str(bad))
    assert code != 0
    assert "line 2, field 'mechanism': 'stolen' is not one of" in err
    assert "line 3, field 'started_at': 'yesterday' is not a date" in err
    assert wam("incidents", "list", "--json")[1] == capsys_before


def test_it_imports_acled_events_and_links_the_attacks(wam, tmp_path) -> None:  # noqa: ANN001
    assert wam(*RECORD)[0] == 0
    path = tmp_path / "acled.csv"
    path.write_text(
        "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,assoc_actor_1,actor2,assoc_actor_2,country,"
        "admin1,admin2,location,latitude,longitude,geo_precision,source,notes,fatalities\n"
        "SSD1,26 October 2015,2015,Battles,Armed clash,SPLA-IO,,UNMISS: United Nations Mission in South Sudan "
        "(2011-),,South Sudan,Upper Nile,Panyikang,Kaka,,,2,Radio Tamazuj,convoy detained,0\n"
        "SSD2,26 October 2015,2015,Battles,Armed clash,SPLA-IO,,SPLA,,South Sudan,Upper Nile,Panyikang,Kaka,,,2,x,,0\n")
    code, out, err = wam("incidents", "import", str(path), "--format", "acled")
    assert code == 0, err
    assert "2 conflict events read, 2 written, 1 attacks on peacekeepers, 1 linked to incidents" in out
    assert "SSD1 -> RES-000001" in out
    shown = json.loads(wam("incidents", "show", "RES-000001", "--json")[1])
    assert [e["event_id_cnty"] for e in shown["events"]] == ["SSD1"]
