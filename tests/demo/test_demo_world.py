"""`wam demo`: the same seed builds the same ledger; the world verifies and looks like reality."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wam.domain.timefmt import from_micros

from wam.cli.main import run
from wam.demo import EXPECTED, build_demo, figures, out_of_range
from wam.services.ledger import Ledger


@pytest.fixture(scope="module")
def small_url(tmp_path_factory) -> str:  # noqa: ANN001
    """One small world per module on SQLite (the per-backend builds are in the tests below)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'small.db'}"
    build_demo(url, "small", 1)
    return url


def test_same_seed_same_head_and_other_seed_differs(db_url: str, small_url: str) -> None:
    again = build_demo(db_url, "small", 1)
    led = Ledger.open(small_url)
    seq, head = led.head()
    led.engine.dispose()
    assert (again.head_seq, again.head_hash) == (seq, head.hex())  # also across backends
    assert 10_000 <= again.movements <= 30_000
    led = Ledger.open(db_url)
    values = figures(led)  # on the test backend too (PostgreSQL sums BIGINT as NUMERIC)
    led.engine.dispose()
    assert not out_of_range(values), values


def test_other_seed_other_head(tmp_path, small_url: str) -> None:  # noqa: ANN001
    other = build_demo(f"sqlite:///{tmp_path / 'other.db'}", "small", 2)
    led = Ledger.open(small_url)
    assert other.head_hash != led.head()[1].hex()
    led.engine.dispose()


def test_generated_world_verifies(small_url: str) -> None:
    led = Ledger.open(small_url)
    report = led.verify()
    led.engine.dispose()
    assert report.ok, report.problems[:5]


def test_figures_fall_in_documented_ranges(small_url: str) -> None:
    led = Ledger.open(small_url)
    values = figures(led)
    led.engine.dispose()
    assert not out_of_range(values), (values, EXPECTED)
    assert values["loss_incidents"] >= 1
    assert values["troops"] > 1000


def test_world_has_every_kind_of_movement(small_url: str) -> None:
    led = Ledger.open(small_url)
    from sqlalchemy import select

    from wam.storage import tables as t

    with led.engine.connect() as conn:
        kinds = {k for (k,) in conn.execute(select(t.entries.c.kind).distinct())}
    led.engine.dispose()
    assert {"receipt", "transfer", "issue", "return", "expenditure", "loss", "recovery", "disposal",
            "adjustment"} <= kinds


def test_cli_builds_without_serving(tmp_path, capsys) -> None:  # noqa: ANN001
    db = tmp_path / "cli-demo.db"
    assert run(["demo", "--scale", "small", "--no-serve", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "movements" in out and "ledger head" in out
    assert "research records: 14 publicly documented incidents" in out  # reference section 7, beside the world
    assert run(["demo", "--scale", "tiny", "--no-serve", "--db", str(db)]) == 2


def test_contingents_rotate_on_the_first_of_july(small_url: str) -> None:
    """The first rotation's soldiers draw weapons until 1 July, the second's from then on."""
    from sqlalchemy import text

    from wam.services.ledger import Ledger
    from wam.storage.engine import make_engine

    july = datetime(2018, 7, 1, tzinfo=UTC)
    ledger = Ledger(make_engine(small_url))
    with ledger.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT h.code, e.occurred_at FROM entries e JOIN holders h ON h.id = e.target_id "
            "WHERE e.kind = 'issue' AND h.kind = 'person'"
        )).all()
    first = [from_micros(at) for code, at in rows if code.split("/")[-1].startswith("P")]
    second = [from_micros(at) for code, at in rows if code.split("/")[-1].startswith("R")]
    assert first and second
    assert max(first) < july <= min(second)


def test_each_demo_persona_is_scoped_to_a_place_that_holds_weapons_and_ammunition(tmp_path, small_url: str) -> None:  # noqa: ANN001
    """A site of the year before (no stores, nothing held) that sorts first is not the armourer's."""
    import shutil

    from wam.cli.demo import ACCOUNTS, _create_accounts
    from wam.domain.holders import make_holder

    path = tmp_path / "with-empty-site.db"
    shutil.copy(small_url.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    led = Ledger.open(url)
    led.add_holders([make_holder(code="MONUSCO-AAA", name="Empty contingent", kind="contingent", parent="MONUSCO",
                                 country="BEN"),
                     make_holder(code="MONUSCO-AAA-EMPTY", name="Empty site", kind="site", parent="MONUSCO-AAA")])
    accounts = {name: scope for name, _password, _role, scope in _create_accounts(url)}
    scoped = {name: holder for name, _role, _scope, holder, _cc in ACCOUNTS if holder}
    assert scoped.keys() >= {"armourer", "quartermaster"}
    for name in scoped:
        held = led.balance(accounts[name], tree=True)
        types = {line.type for line in held}
        assert {"weapon", "ammunition"} <= types, (name, accounts[name], types)
    site = accounts["armourer"]
    assert any(h.kind == "person" for h in led.children(site)), site
    led.engine.dispose()
