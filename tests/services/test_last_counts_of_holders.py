"""The last counts of a few holders (the stores a home page shows) are those of the whole tree's walk."""

from __future__ import annotations

from sqlalchemy import select

from wam.demo import build_demo
from wam.services.counts_due import last_counts
from wam.services.ledger import Ledger
from wam.storage import tables as t


def test_the_last_counts_of_some_holders_are_the_whole_walks(tmp_path) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'small.db'}"
    build_demo(url, "small", 1)
    ledger = Ledger.open(url)
    try:
        with ledger.engine.connect() as conn:
            every = last_counts(conn)
            h = t.holders
            rows = conn.execute(select(h.c.id, h.c.kind).order_by(h.c.id)).all()
            stores = [r.id for r in rows if r.kind == "store"]
            persons = [r.id for r in rows if r.kind == "person"][:5]
            for wanted in (stores, stores[:3], persons, [r.id for r in rows]):
                some = last_counts(conn, wanted)
                assert {i: some.get(i) for i in wanted} == {i: every.get(i) for i in wanted}
            assert any(every.get(i) is not None for i in stores)  # the demo's stores were counted
    finally:
        ledger.engine.dispose()
