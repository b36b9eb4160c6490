"""Posting's fast path, the checked path and verify each write an entry's canonical bytes
inline for speed; all must give what ``wam.domain.chain`` defines."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import T0, build_world
from wam.domain.chain import entry_hash
from wam.domain.movements import Movement, MovementKind


def test_it_hashes_entries_of_both_posting_paths_as_the_chain_defines(ledger):
    world = build_world(ledger)
    rifle, rounds = world.rifles[0], world.rounds
    movements = []
    for day in range(1, 30):  # the same shapes again and again: after the first, the fast path
        when = T0 + timedelta(days=day)
        movements += [
            Movement(MovementKind.ISSUE, rifle.key, 1, "GAO-ARM", "PTE-RAHMAN", when, "armourer"),
            Movement(MovementKind.ISSUE, rounds.key, 120, "GAO-ASP", "PTE-RAHMAN", when, "armourer", witness="Sgt Alam"),
            Movement(MovementKind.EXPENDITURE, rounds.key, 30, "PTE-RAHMAN", "expended", when + timedelta(hours=2),
                     "armourer", reason="training", document=f"RANGE-{day:03d}"),
            Movement(MovementKind.RETURN, rounds.key, 90, "PTE-RAHMAN", "GAO-ASP", when + timedelta(hours=3), "armourer"),
            Movement(MovementKind.RETURN, rifle.key, 1, "PTE-RAHMAN", "GAO-ARM", when + timedelta(hours=3), "armourer",
                     note="cleaned"),
        ]
    ledger.post_many(movements)
    for item in (rifle.key, rounds.key):
        for entry in ledger.history(item):
            assert entry_hash(entry) == entry.hash, entry.seq
    assert ledger.verify().ok
