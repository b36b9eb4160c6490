"""wam.services.current_balance.read_sqlite, the SQLAlchemy-free read of a holder's balance now that
`wam balance STORE` takes on SQLite, is the ledger's own read (Ledger.balance) for every holder of a
ledger; it declines (None) every case the full path answers with an error, so that error is worded once."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import backend
from wam.domain.movements import make_movement
from wam.services.current_balance import read_sqlite, sqlite_path
from wam.services.example import build_example
from wam.services.ledger import Ledger

pytestmark = pytest.mark.skipif(backend() != "sqlite", reason="a read of a SQLite file")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Ledger]:
    path = tmp_path_factory.mktemp("current") / "small.db"
    ledger = Ledger.open(f"sqlite:///{path}")
    ledger.init("small")
    build_example(ledger)
    return path, ledger


def _codes(ledger: Ledger) -> list[str]:
    return [*(h.code for h in ledger.subtree("UN")), "supply:BGD", "expended"]


def test_every_holder_reads_as_the_ledger_reads_it(example: tuple[Path, Ledger]) -> None:
    path, ledger = example
    seen = 0
    for code in _codes(ledger):
        full = ledger.balance(code)
        for name in (str(path), f"sqlite:///{path}"):
            assert read_sqlite(name, code) == full, (name, code)
        seen += len(full)
    assert seen > 10  # the example holds rifles and lots in several stores


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(issues=st.lists(st.tuples(st.integers(0, 10), st.integers(1, 2_000)), min_size=1, max_size=6))
def test_after_movements_the_two_reads_still_agree(tmp_path: Path, example: tuple[Path, Ledger],
                                                  issues: list[tuple[int, int]]) -> None:
    path = Path(tempfile.mkdtemp(dir=tmp_path)) / "m.db"
    with sqlite3.connect(example[0]) as source, sqlite3.connect(path) as copy:
        source.backup(copy)
    ledger = Ledger.open(f"sqlite:///{path}")
    items = [b.item for b in ledger.balance("GAO-ARM")]
    for number, (which, quantity) in enumerate(issues):
        item = items[which % len(items)]
        held = {b.item: b.quantity for b in ledger.balance("GAO-ARM")}.get(item, 0)
        if item.startswith("W|"):
            quantity = 1
        if held >= quantity:
            at = datetime(2024, 3, 1, tzinfo=UTC) + timedelta(seconds=number)
            ledger.post(make_movement(kind="issue", item=item, quantity=quantity, source="GAO-ARM",
                                      target="PTE-RAHMAN", occurred_at=at, actor="QM"))
    for code in _codes(ledger):
        assert read_sqlite(str(path), code) == ledger.balance(code), code
    ledger.engine.dispose()


def test_it_declines_what_the_full_path_answers_with_an_error(tmp_path: Path, example: tuple[Path, Ledger]) -> None:
    path, _ = example
    (tmp_path / "folder.db").mkdir()
    (tmp_path / "text.db").write_text("not a database\n" * 10)
    sqlite3.connect(tmp_path / "empty.db").close()
    empty = tmp_path / "tables.db"
    Ledger.open(f"sqlite:///{empty}").init("x")
    with sqlite3.connect(empty) as conn:
        conn.execute("DELETE FROM ledgers")  # tables, no ledger: `wam init` first
    for name in ("", " ", str(tmp_path / "missing.db"), str(tmp_path / "folder.db"), str(tmp_path / "text.db"),
                 str(tmp_path / "empty.db"), str(empty), "sqlite://", "sqlite:///", "postgresql://u@h/db",
                 "mysql://u@h/db", f"sqlite+pysqlite:///{path}", f"sqlite:///{path}?mode=ro"):
        assert read_sqlite(name, "GAO-ARM") is None, name
    assert not (tmp_path / "missing.db").exists()  # never created
    assert read_sqlite(str(path), "NO-SUCH") is None
    assert read_sqlite(str(path), "gao-arm") is None  # codes are exact; the full path says "not found"


def test_a_path_is_read_as_the_engine_reads_it(tmp_path: Path) -> None:
    assert sqlite_path("wam.db") == Path("wam.db")
    assert sqlite_path("~/wam.db") == Path("~/wam.db").expanduser()  # a plain path: normalise_url expands it
    assert sqlite_path("sqlite:///~/wam.db") == Path("~/wam.db")  # a URL: SQLAlchemy does not
    assert sqlite_path("sqlite:////abs/wam.db") == Path("/abs/wam.db")
    assert sqlite_path("postgresql://x/y") is None
