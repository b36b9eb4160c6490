"""The group writer: concurrent requests' movements share transactions; each hears its own result."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from tests.factories import T0, build_world
from wam.domain.errors import PostingRejected
from wam.domain.holders import make_holder
from wam.domain.materiel import make_item
from wam.domain.movements import make_movement
from wam.services.group_writer import GroupWriter, process_lock


def test_concurrent_posts_each_get_their_entry_or_their_refusal(ledger):
    build_world(ledger)
    rifles = [make_item(type="weapon", make="FN", model="FAL", serial=f"GW-{n:03d}") for n in range(40)]
    ledger.register_items(rifles)
    ledger.post_many(make_movement(kind="receipt", item=r.key, quantity=1, source="supply:BGD", target="GAO-ARM",
                                   occurred_at=T0, actor="quartermaster") for r in rifles)
    writer = GroupWriter(ledger, threading.Lock(), max_batch=8)
    start = threading.Barrier(40)

    def move(n: int):  # noqa: ANN202
        source = "JUBA-ARM" if n % 10 == 0 else "GAO-ARM"  # one in ten breaks law 1
        start.wait()
        try:
            return writer.post(make_movement(kind="transfer", item=rifles[n].key, quantity=1, source=source,
                                             target="ANSONGO-ARM", occurred_at=T0 + timedelta(days=1),
                                             actor="armourer"))
        except PostingRejected as exc:
            return exc

    try:
        with ThreadPoolExecutor(40) as pool:
            results = list(pool.map(move, range(40)))
    finally:
        writer.close()
    refused = [n for n, r in enumerate(results) if isinstance(r, PostingRejected)]
    assert refused == [0, 10, 20, 30]
    accepted = [r for r in results if not isinstance(r, PostingRejected)]
    assert len({e.seq for e in accepted}) == 36
    for n, result in enumerate(results):
        if n not in refused:
            assert result.item == rifles[n].key and ledger.custodian(rifles[n].key) == "ANSONGO-ARM"
    assert ledger.verify().ok


def test_the_process_lock_excludes_a_second_holder(tmp_path):
    from wam.services.ledger import Ledger

    ledger = Ledger.open(f"sqlite:///{tmp_path / 'l.db'}")
    ledger.init("lock")
    inside = threading.Event()
    release = threading.Event()
    order = []

    def first() -> None:
        with process_lock(ledger):
            order.append("first in")
            inside.set()
            release.wait(5)
            order.append("first out")

    thread = threading.Thread(target=first)
    thread.start()
    inside.wait(5)
    def second_holder() -> None:
        with process_lock(ledger):
            order.append("second in")

    second = threading.Thread(target=second_holder)
    second.start()
    second.join(0.2)
    assert order == ["first in"]  # flock on a second open file description waits, even in one process
    release.set()
    thread.join(5)
    second.join(5)
    assert order == ["first in", "first out", "second in"]
    ledger.engine.dispose()


def test_a_writer_that_was_never_used_closes(ledger):
    ledger.add_holders([make_holder(code="UN", name="United Nations", kind="organisation")])
    GroupWriter(ledger, threading.Lock()).close()
