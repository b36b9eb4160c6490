from tests.factories import build_world


def test_it_builds_the_world_and_verifies(ledger):
    world = build_world(ledger)
    assert {b.holder for b in ledger.balance("MINUSMA", tree=True)} == {"GAO-ARM", "GAO-ASP"}
    assert ledger.verify().ok
    assert world.rifles
