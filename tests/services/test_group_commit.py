"""Group commit: independent movements posted in one transaction, each accepted or refused alone."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import T0, build_world
from wam.domain.errors import InvalidInput, PostingRejected
from wam.domain.movements import make_movement


def _transfer(item: str, source: str, target: str, day: int, **extra):  # noqa: ANN003, ANN202
    return make_movement(kind="transfer", item=item, quantity=extra.pop("quantity", 1), source=source, target=target,
                         occurred_at=T0 + timedelta(days=day), actor="armourer", **extra)


def test_each_movement_is_accepted_or_refused_on_its_own(ledger):
    world = build_world(ledger)
    rifle_a, rifle_b = world.rifles[0].key, world.rifles[1].key
    before = ledger.verify().entries
    results = ledger.post_each([
        _transfer(rifle_a, "GAO-ARM", "ANSONGO-ARM", 10),
        _transfer(rifle_b, "JUBA-ARM", "GAO-ARM", 10),  # law 1: rifle B is not at Juba
        _transfer(rifle_a, "ANSONGO-ARM", "JUBA-ARM", 11),  # depends on the first
        _transfer(world.rounds.key, "GAO-ASP", "GAO-ARM", 11, quantity=10**9),  # law 2: more than held
        make_movement(kind="transfer", item="W|NOBODY|X|1", quantity=1, source="GAO-ARM", target="JUBA-ARM",
                      occurred_at=T0 + timedelta(days=12), actor="armourer"),
    ])
    assert [type(r).__name__ for r in results] == ["Entry", "PostingRejected", "Entry", "PostingRejected",
                                                   "InvalidInput"]
    assert isinstance(results[1], PostingRejected) and results[1].law == 1
    assert isinstance(results[3], PostingRejected) and results[3].law == 2
    assert isinstance(results[4], InvalidInput) and results[4].field == "item"
    assert [results[0].seq, results[2].seq] == [before + 1, before + 2]
    assert ledger.custodian(rifle_a) == "JUBA-ARM"
    report = ledger.verify()
    assert report.ok and report.entries == before + 2


def test_a_batch_of_only_refusals_writes_nothing(ledger):
    world = build_world(ledger)
    before = ledger.verify().entries
    results = ledger.post_each([_transfer(world.rifles[0].key, "JUBA-ARM", "GAO-ARM", 10)])
    assert isinstance(results[0], PostingRejected)
    assert ledger.verify().entries == before
