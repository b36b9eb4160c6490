"""``wam recoveries match`` (issue 12): one read or a file of reads, in words or JSON."""

from __future__ import annotations

import json

import pytest

from tests.builders import command_line, own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)


@pytest.fixture
def wam(world, db_url, capsys):  # noqa: ANN001, ANN201
    world.move("loss", world.rifles[0], "GAO-ARM", "lost", days=1, document="INC-000001")
    return command_line(db_url, capsys)


def test_one_read_names_the_lost_weapon_and_its_incident(wam) -> None:  # noqa: ANN001
    code, out, _ = wam("recoveries", "match", "--serial", "56-ОООО1", "--model", "type 56", "--json")
    assert code == 0
    [answer] = json.loads(out)["reads"]
    [hit] = answer["candidates"]
    assert (hit["weapon"], hit["status"], hit["last_holder"]) == ("W|NORINCO|TYPE 56|56-00001", "lost", "GAO-ARM")
    assert hit["incident"].startswith("INC-") and "Cyrillic О to O" in hit["reason"]
    code, out, _ = wam("recoveries", "match", "--serial", "56 00002")
    assert code == 0 and "held by GAO-ARM" in out and "1.000" in out


def test_a_file_of_reads(wam, tmp_path) -> None:  # noqa: ANN001
    reads = tmp_path / "cache.csv"
    reads.write_text("serial,make,model,calibre\n56-0O003,Norinco,Type 56,7.62x39\n99-99999,,,\n", encoding="utf-8")
    code, out, _ = wam("recoveries", "match", "--file", str(reads), "--json")
    assert code == 0
    first, second = json.loads(out)["reads"]
    assert [c["weapon"] for c in first["candidates"]] == ["W|NORINCO|TYPE 56|56-00003"]
    assert "same make, model and calibre" in first["candidates"][0]["reason"]
    assert second["candidates"] == []


def test_it_needs_a_serial_or_a_file(wam) -> None:  # noqa: ANN001
    code, _, err = wam("recoveries", "match", "--json")
    assert code == 2 and "give --serial or --file" in err
