"""``wam counts start|record|close|approve|list|show|cancel|schedule`` (issue 13), each with --json."""

from __future__ import annotations

import json

import pytest

from tests.builders import command_line, own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)


@pytest.fixture
def wam(world, db_url, capsys):  # noqa: ANN001, ANN201
    return command_line(db_url, capsys)


def test_a_blind_count_from_start_to_approval(wam, world, tmp_path) -> None:  # noqa: ANN001
    code, out, _ = wam("counts", "start", "--holder", "GAO-ARM", "--witness", "Lt Karim", "--actor", "qm", "--json")
    assert code == 0
    started = json.loads(out)
    number = started["number"]
    assert started["state"] == "counting" and started["blind"] is True
    scans = tmp_path / "scans.txt"
    scans.write_text("56-00001\n56-00002\n", encoding="utf-8")
    code, out, _ = wam("counts", "record", number, "--file", str(scans), "--actor", "qm", "--json")
    assert code == 0 and json.loads(out)["recorded"] == 2
    code, out, _ = wam("counts", "show", number, "--json")
    assert code == 0 and "cases" not in json.loads(out) and "56-00003" not in out  # blind: no book figure
    code, out, err = wam("counts", "record", number, "--serial", "56-00003", "--actor", "bob")
    assert code != 0 and "qm counts it" in err
    code, out, _ = wam("counts", "close", number, "--actor", "qm", "--json")
    closed = json.loads(out)
    assert code == 0 and closed["state"] == "reconciled" and closed["waiting"] == 1
    [case] = closed["cases"]
    assert (case["kind"], case["item"], case["action"]) == ("missing", "W|NORINCO|TYPE 56|56-00003", "incident")
    code, _, err = wam("counts", "approve", number, "--actor", "bob")
    assert code != 0 and "give role" in err  # no role
    code, _, err = wam("counts", "approve", number, "--actor", "qm", "--role", "mission-officer")
    assert code != 0 and "someone else" in err  # the counter
    code, out, _ = wam("counts", "approve", number, "--actor", "bob", "--role", "mission-officer",
                       "--explain", f"{case['id']}=lent to the range, chit 7", "--json")
    done = json.loads(out)
    assert code == 0 and done["state"] == "posted" and done["adjustments"] == [
        ["W|NORINCO|TYPE 56|56-00003", 1, "GAO-ARM", "count-adjustment"]]
    code, out, _ = wam("counts", "list", "--holder", "GAO-ARM", "--json")
    assert [(c["number"], c["state"]) for c in json.loads(out)["counts"]] == [(number, "posted")]
    code, out, _ = wam("counts", "schedule", "--holder", "GAO-ARM", "--every", "30", "--actor", "officer", "--json")
    assert code == 0 and json.loads(out)["every_days"] == 30
    code, out, _ = wam("counts", "schedule", "--json")
    [row] = json.loads(out)["schedules"]
    assert row["holder"] == "GAO-ARM" and row["overdue"] is False
    code, out, _ = wam("verify", "--json")
    assert code == 0


def test_lots_and_a_cancel(wam) -> None:  # noqa: ANN001
    code, out, _ = wam("counts", "start", "--holder", "GAO-ASP", "--actor", "qm", "--json")
    number = json.loads(out)["number"]
    code, out, _ = wam("counts", "record", number, "--item", "L|POF|7.62X39MM BALL|POF-2021-07", "--quantity",
                       "10000", "--actor", "qm")
    assert code == 0
    code, out, _ = wam("counts", "close", number, "--actor", "qm")
    assert code == 0 and "posted" in out and "0 case(s)" in out
    code, out, _ = wam("counts", "start", "--holder", "GAO-ASP", "--actor", "qm", "--json")
    other = json.loads(out)["number"]
    code, out, _ = wam("counts", "cancel", other, "--reason", "the store was closed", "--actor", "qm", "--json")
    assert code == 0 and json.loads(out)["state"] == "cancelled"


def test_the_threshold_rules_are_versioned_and_copied_into_each_count(wam) -> None:  # noqa: ANN001
    code, out, _ = wam("counts", "rules", "--json")
    assert code == 0 and json.loads(out) == {"version": "2026-1", "serialised": True, "quantity_over": 50}
    code, out, _ = wam("counts", "rules", "--quantity-over", "5000", "--actor", "officer", "--json")
    assert json.loads(out) == {"version": "2026-2", "serialised": True, "quantity_over": 5000}
    code, out, _ = wam("counts", "start", "--holder", "GAO-ASP", "--actor", "qm", "--json")
    number = json.loads(out)["number"]
    wam("counts", "record", number, "--item", "L|POF|7.62X39MM BALL|POF-2021-07", "--quantity", "9000",
        "--actor", "qm")
    code, out, _ = wam("counts", "close", number, "--actor", "qm", "--json")
    closed = json.loads(out)
    assert closed["rules"]["version"] == "2026-2" and closed["state"] == "posted"  # 1,000 short: under 5,000
    assert closed["cases"][0]["decision"] == "auto"
    code, _, err = wam("counts", "rules", "--quantity-over", "-1", "--actor", "officer")
    assert code != 0 and "quantity_over" in err
