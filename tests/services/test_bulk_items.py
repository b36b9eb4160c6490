"""Stock imports register their items in bulk, and a large import into a ledger that already
holds entries is not refused by a law it does not break (issue 8)."""

from __future__ import annotations

from pathlib import Path

from tests.builders import own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)
from tests.builders import mv
from tests.factories import T0
from wam.importers.ledger_files import import_stock

STOCK_CSV = "holder,type,make,model,serial,lot,quantity,hazard_division,compatibility_group\n"


def _stock_file(path: Path, weapons: int, lots: int = 0) -> Path:
    stores = ("GAO-ARM", "ANSONGO-ARM", "JUBA-ARM")
    with path.open("w") as out:
        out.write(STOCK_CSV)
        for n in range(weapons):
            out.write(f"{stores[n % 3]},weapon,FN,FAL,B-{n:06d},,,,\n")
        for n in range(lots):
            out.write(f"GAO-ASP,ammunition,POF,ball,,L-{n:05d},{n + 1},1.4,S\n")
    return path


def test_a_large_stock_import_into_a_ledger_with_entries_is_not_refused(world, tmp_path):
    # Before the fix, items were registered while the posting's writer thread inserted a chunk
    # of entries on the same SQLite connection: the item's id was read from the connection's
    # last inserted rowid, which could be an entry's, so a new weapon took the id of one already
    # held elsewhere and law 1 refused it (near every 5,000th row).
    ledger = world.ledger
    # many more entries than items, so that an entry's rowid names an item already held
    ledger.post_many(mv("transfer", world.rounds, *ends, quantity=1, days=1)
                     for n in range(3_000)
                     for ends in [("GAO-ASP", "GAO-ARM") if n % 2 == 0 else ("GAO-ARM", "GAO-ASP")])
    report = import_stock(ledger, _stock_file(tmp_path / "s.csv", 12_000), actor="clerk", occurred_at=T0)
    assert (report.rows, report.written, report.errors) == (12_000, 12_000, [])
    assert ledger.custodian("W|FN|FAL|B-010000") == "ANSONGO-ARM"
    assert ledger.history("W|FN|FAL|B-011999")[0].target == "JUBA-ARM"
    assert ledger.verify().ok
