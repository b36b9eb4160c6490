"""Look-alike serials through the services, an importer and the command line (issue 9, finding 5).

A rifle typed once with a Latin O and once with a Cyrillic О is one rifle: registering it twice
registers one item, a look-up finds it under either, a movement naming either moves it, and a
stock file listing both is refused as listing one weapon twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import T0, rifle
from wam.cli.main import run
from wam.domain.errors import InvalidInput
from wam.domain.movements import make_movement
from wam.importers.ledger_files import ImportFailed, import_stock

CYRILLIC = "56-\u041e0001"  # Cyrillic capital O
LATIN = "56-O0001"


def test_the_cyrillic_serial_is_the_latin_rifle_in_the_ledger(world) -> None:  # noqa: ANN001
    ledger = world.ledger
    assert ledger.register_items([rifle(LATIN)]) == 1
    assert ledger.register_items([rifle(CYRILLIC)]) == 0  # not a second rifle
    assert [i.key for i in ledger.find_items(CYRILLIC)] == [rifle(LATIN).key]
    assert [i.key for i in ledger.find_items("56-\u043e0001")] == [rifle(LATIN).key]  # small Cyrillic o
    entry = ledger.post(make_movement(kind="receipt", item=f"W|NORINCO|TYPE 56|{CYRILLIC}", quantity=1,
                                      source="supply:BGD", target="GAO-ARM", occurred_at=T0, actor="armourer"))
    assert entry.item == rifle(LATIN).key
    assert [e.seq for e in ledger.history(rifle(LATIN).key)] == [entry.seq]
    assert ledger.verify().ok


def test_a_look_up_with_a_character_that_has_no_look_alike_names_the_serial_field(world) -> None:  # noqa: ANN001
    with pytest.raises(InvalidInput) as refused:
        world.ledger.find_items("56-\u04160001")
    assert refused.value.field == "serial" and "CYRILLIC CAPITAL LETTER ZHE" in refused.value.detail


STOCK = "holder,type,make,model,serial\n"


def test_a_stock_file_with_both_spellings_lists_one_weapon_twice(world, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "stock.csv"
    path.write_text(STOCK + f"JUBA-ARM,weapon,Norinco,Type 56,{LATIN}\nJUBA-ARM,weapon,Norinco,Type 56,{CYRILLIC}\n"
                    "JUBA-ARM,weapon,Norinco,Type 56,56-\u04160002\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        import_stock(world.ledger, path, actor="clerk", occurred_at=T0)
    assert sorted((e.row, e.field) for e in failed.value.errors) == [(3, "serial"), (4, "serial")]
    assert world.ledger.find_items(LATIN) == []  # nothing was written


def test_a_stock_file_in_cyrillic_registers_the_latin_serial(world, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "stock.csv"
    path.write_text(STOCK + f"JUBA-ARM,weapon,Norinco,Type 56,{CYRILLIC}\n", encoding="utf-8")
    assert import_stock(world.ledger, path, actor="clerk", occurred_at=T0).written == 1
    assert [i.serial for i in world.ledger.find_items(LATIN)] == [LATIN]


def test_wam_move_finds_the_rifle_by_either_spelling(world, db_url: str, capsys) -> None:  # noqa: ANN001
    world.ledger.register_items([rifle(LATIN)])
    world.ledger.post(make_movement(kind="receipt", item=rifle(LATIN).key, quantity=1, source="supply:BGD",
                                    target="GAO-ARM", occurred_at=T0, actor="armourer"))
    code = run(["--db", db_url, "move", "--kind", "issue", "--item", CYRILLIC, "--from", "GAO-ARM",
                "--to", "PTE-RAHMAN", "--actor", "armourer", "--at", "2024-01-02T08:00:00Z"])
    assert code == 0, capsys.readouterr().err
    assert [e.target for e in world.ledger.history(rifle(LATIN).key)] == ["GAO-ARM", "PTE-RAHMAN"]
