"""The storage rules of the ledger (issue 13): a movement that would put an ammunition store in breach of
the IATG mixing table or of its quantity distances is refused on every path (one movement, a batch, an
imported file, a back-dated movement by its effect on the store's later contents), unless an officer's
recorded override covers the lot; a suspended or recalled lot is not issued, transferred (but for disposal)
or expended; and ``wam verify`` replays both rules over what is stored."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import T0, make_item
from wam.domain.errors import InvalidInput, WamError
from wam.domain.movements import make_movement
from wam.domain.rules import RULES
from wam.services import ammo

DEMOLITION = "quarantined for the demolition range next week"
STORE, OTHER, PERSON = "ANSONGO-ARM", "GAO-ARM", "SGT-DIOP"  # a store holding no ammunition yet, another, a person


def _lot(lot: str, division: str, group: str, neq: str, model: str = "HE 81mm") -> object:
    return make_item(type="ammunition", make="Expal", model=model, lot=lot, calibre="81mm",
                     hazard_division=division, compatibility_group=group, neq_kg=neq)


def _receipt(item, quantity: int, days: float, target: str = STORE):  # noqa: ANN001, ANN202
    return make_movement(kind="receipt", item=item.key, quantity=quantity, source="supply:BGD", target=target,
                         occurred_at=T0 + timedelta(days=days), actor="armourer")


@pytest.fixture
def lots(ledger, world):  # noqa: ANN001, ANN201
    bombs, toxic, smoke = _lot("B-1", "1.1", "D", "1"), _lot("K-1", "1.2", "K", "0.1", "irritant"), \
        _lot("G-1", "1.3", "G", "0.2", "smoke")
    ledger.register_items([bombs, toxic, smoke])
    return bombs, toxic, smoke


def _refusal(result: object) -> str:
    assert isinstance(result, InvalidInput), result
    assert result.field == "target"
    return result.detail


def test_a_forbidden_mixing_is_refused_on_every_path_until_an_override(ledger, world, lots) -> None:  # noqa: ANN001
    bombs, toxic, smoke = lots
    ledger.post(_receipt(bombs, 100, 1))
    with pytest.raises(InvalidInput) as one:
        ledger.post(_receipt(toxic, 10, 2))
    detail = one.value.detail
    assert "holds L|EXPAL|HE 81MM|B-1 of compatibility group D, which may not be stored with group K" in detail
    assert "wam ammo override ANSONGO-ARM" in one.value.detail
    # in a batch: the same refusal, the rest of the batch goes in (G with D is only conditional)
    results = ledger.post_each([_receipt(smoke, 5, 2), _receipt(toxic, 10, 2), _receipt(bombs, 1, 2)])
    assert [isinstance(r, WamError) for r in results] == [False, True, False]
    assert _refusal(results[1]) == one.value.detail
    # an imported file: the row and field named, nothing written
    refused: list[InvalidInput] = []
    with pytest.raises(InvalidInput):
        ledger.import_movements([(2, _receipt(bombs, 1, 3)), (3, _receipt(toxic, 1, 3))], keep_going=refused)
    assert [(e.row, e.field) for e in refused] == [(3, "to")]  # the file's column
    assert {b.item: b.quantity for b in ledger.balance(STORE)} == {bombs.key: 101, smoke.key: 5}
    # the officer's override lets the lot in; withdrawn, the rule applies again
    ammo.record_override(ledger, STORE, toxic.key, DEMOLITION, actor="maj.sy")
    ledger.post(_receipt(toxic, 10, 4))
    ammo.record_override(ledger, STORE, toxic.key, "moved out", actor="maj.sy", withdrawn=True)
    with pytest.raises(InvalidInput):
        ledger.post(_receipt(toxic, 1, 5))
    [store] = ammo.check(ledger, STORE)
    assert store.overrides == [] and any("K may not be stored" in b for b in store.breaches)
    assert ledger.verify().ok


def test_a_counts_adjustment_records_what_was_found_even_in_breach(ledger, world, lots) -> None:  # noqa: ANN001
    """A count found the irritant in the store: recording that fact is never refused; the store is then
    listed in breach with its reason, and only a movement someone decides is refused."""
    from tests.factories import post

    bombs, toxic, _ = lots
    ledger.post(_receipt(bombs, 100, 1))
    post(ledger, make_movement(kind="adjustment", item=toxic.key, quantity=4, source="count-adjustment",
                               target=STORE, occurred_at=T0 + timedelta(days=2), actor="armourer", document="COUNT-1"))
    [store] = ammo.check(ledger, STORE)
    assert any("D and K may not be stored together" in b for b in store.breaches)
    with pytest.raises(InvalidInput, match="may not be stored with group"):
        ledger.post(_receipt(toxic, 1, 3))
    assert ledger.verify().ok


def test_another_store_or_a_person_is_not_the_stores_business(ledger, world, lots) -> None:  # noqa: ANN001
    bombs, toxic, _ = lots
    ledger.post(_receipt(bombs, 100, 1))
    ledger.post(_receipt(toxic, 10, 1, target="GAO-ARM"))  # another store: its own contents
    with pytest.raises(InvalidInput, match="may not be stored with group D"):
        ledger.post(make_movement(kind="transfer", item=bombs.key, quantity=1, source=STORE, target="GAO-ARM",
                                  occurred_at=T0 + timedelta(days=2), actor="armourer"))
    # once the bombs have all left ANSONGO-ARM, the irritant may go there
    ledger.post(make_movement(kind="transfer", item=bombs.key, quantity=100, source=STORE, target="JUBA-ARM",
                              occurred_at=T0 + timedelta(days=3), actor="armourer"))
    ledger.post(make_movement(kind="transfer", item=toxic.key, quantity=10, source="GAO-ARM", target=STORE,
                              occurred_at=T0 + timedelta(days=4), actor="armourer"))
    assert ledger.verify().ok


def test_a_back_dated_movement_is_judged_by_the_stores_later_contents(ledger, world, lots) -> None:  # noqa: ANN001
    bombs, toxic, _ = lots
    ledger.post(_receipt(bombs, 100, 10))  # the bombs arrive on day 10 and stay
    # an irritant received on day 5: alone then, but next to the bombs from day 10
    with pytest.raises(InvalidInput, match="group D, which may not be stored with group K"):
        ledger.post(_receipt(toxic, 10, 5))
    ledger.post(make_movement(kind="transfer", item=bombs.key, quantity=100, source=STORE, target="JUBA-ARM",
                              occurred_at=T0 + timedelta(days=20), actor="armourer"))
    with pytest.raises(InvalidInput):  # still next to them from day 10 to day 20
        ledger.post(_receipt(toxic, 10, 5))
    assert isinstance(ledger.post_each([_receipt(toxic, 10, 5)])[0], InvalidInput)
    ledger.post(_receipt(toxic, 10, 21))  # after they left
    with pytest.raises(InvalidInput):  # and a back-dated return of bombs into that time is refused in turn
        ledger.post(_receipt(bombs, 1, 22))
    assert ledger.verify().ok


def test_quantity_distances_refuse_what_the_survey_does_not_allow(ledger, world, lots) -> None:  # noqa: ANN001
    bombs, _, smoke = lots
    # 300 m from an inhabited building: at most (300 / 22.2)^3 = 2,467.7 kg of HD 1.1
    ammo.record_distances(ledger, STORE, {"inhabited_building": 300}, actor="maj.sy")
    ledger.post(_receipt(bombs, 2400, 1))
    with pytest.raises(InvalidInput) as caught:
        ledger.post(_receipt(bombs, 100, 2))
    assert "would hold too much: 2500 kg NEQ of HD 1.1 needs 301.3 m from an inhabited building" in caught.value.detail
    ledger.post(_receipt(bombs, 60, 2))  # 2,460 kg: allowed
    with pytest.raises(InvalidInput, match="would hold too much"):  # 1.3 counts with 1.1
        ledger.post(_receipt(smoke, 100, 3))
    ledger.post(_receipt(_small_arms(ledger), 100_000, 3))  # HD 1.4 does not count with 1.1: no refusal
    assert ledger.verify().ok


def _small_arms(ledger):  # noqa: ANN001, ANN202
    item = make_item(type="ammunition", make="PMP", model="Ball 5.56", lot="S-1", calibre="5.56x45mm",
                     hazard_division="1.4", compatibility_group="S", neq_kg="0.0017")
    ledger.register_items([item])
    return item


def _move(kind: str, item, source: str, target: str, days: float, quantity: int = 10, **extra):  # noqa: ANN001, ANN202
    return make_movement(kind=kind, item=item.key, quantity=quantity, source=source, target=target,
                         occurred_at=T0 + timedelta(days=days), actor="armourer", **extra)


def test_a_suspended_lot_is_not_issued_transferred_or_expended(ledger, world, lots) -> None:  # noqa: ANN001
    bombs, _, _ = lots
    ledger.post(_receipt(bombs, 100, 1))
    ledger.post(_move("issue", bombs, STORE, PERSON, 2))
    done = ammo.set_status(ledger, bombs.key, "suspended", "fuze defect notice TN-7", actor="maj.sy",
                           since=(T0 + timedelta(days=3)).isoformat(), code="j")
    assert done["code"] == "J" and done["since"].startswith("2024-01-04")
    with pytest.raises(InvalidInput, match=r"is suspended \(code J: suspended \(in stock\)\) since 2024-01-04") as no:
        ledger.post(_move("issue", bombs, STORE, PERSON, 4))
    assert no.value.field == "item"
    results = ledger.post_each([
        _move("transfer", bombs, STORE, "GAO-ARM", 4),
        _move("expenditure", bombs, PERSON, "expended", 4, quantity=1, reason="training"),
        _move("return", bombs, PERSON, STORE, 4),  # brought back: allowed
        _move("transfer", bombs, STORE, "GAO-ARM", 5, reason="disposal"),  # on its way to disposal
        _move("issue", bombs, STORE, PERSON, 2.5, quantity=1),  # dated before the suspension
    ])
    assert [isinstance(r, WamError) for r in results] == [True, True, False, False, False]
    assert {h["holder"]: h["quantity"] for h in ammo.holders_of(ledger, bombs.key)} == {
        STORE: 89, "GAO-ARM": 10, PERSON: 1}
    [listed] = ammo.suspended_lots(ledger)
    assert listed["item"] == bombs.key and len(listed["holders"]) == 3
    ammo.set_status(ledger, bombs.key, "released", "tested serviceable", actor="maj.sy",
                    since=(T0 + timedelta(days=6)).isoformat())
    ledger.post(_move("issue", bombs, STORE, PERSON, 7))
    with pytest.raises(InvalidInput):  # still suspended on day 5
        ledger.post(_move("issue", bombs, STORE, PERSON, 5.5))
    assert ammo.suspended_lots(ledger) == []
    assert [c["status"] for c in ammo.lot_history(ledger, bombs.key)] == ["suspended", "released"]
    assert ledger.verify().ok


def test_bad_suspensions_and_overrides_are_refused_naming_the_field(ledger, world, lots) -> None:  # noqa: ANN001
    bombs, _, _ = lots
    for call, field in (
        (lambda: ammo.set_status(ledger, bombs.key, "destroyed", "x", actor="a"), "status"),
        (lambda: ammo.set_status(ledger, bombs.key, "suspended", " ", actor="a"), "reason"),
        (lambda: ammo.set_status(ledger, bombs.key, "suspended", "x", actor="a", code="A"), "code"),
        (lambda: ammo.set_status(ledger, bombs.key, "suspended", "x", actor="a", since="yesterday"), "since"),
        (lambda: ammo.record_override(ledger, "GAO", bombs.key, "x", actor="a"), "store"),
        (lambda: ammo.record_override(ledger, STORE, bombs.key, "", actor="a"), "reason"),
        (lambda: ammo.record_override(ledger, STORE, bombs.key, "x" * 2001, actor="a"), "reason"),
        (lambda: ammo.set_status(ledger, bombs.key, "suspended", "x", actor="a", since="1900-01-01"), "since"),
        (lambda: ammo.set_status(ledger, bombs.key, "recalled", "x", actor="a", code="J"), "code"),
    ):
        with pytest.raises(InvalidInput) as caught:
            call()
        assert caught.value.field == field


def test_verify_finds_a_movement_the_storage_rules_would_have_refused(db_url) -> None:  # noqa: ANN001
    """An entry written by a wam without the storage rules (or around wam) is found by the replay."""
    from tests.factories import build_world
    from wam.services.ledger import Ledger

    lenient = Ledger.open(db_url, rules=tuple(r for r in RULES if r.name not in ("storage", "suspended lot")))
    lenient.init("an older wam")
    build_world(lenient)
    bombs, toxic = _lot("B-1", "1.1", "D", "1"), _lot("K-1", "1.2", "K", "0.1", "irritant")
    lenient.register_items([bombs, toxic])
    lenient.post(_receipt(bombs, 100, 1))
    lenient.post(_receipt(toxic, 10, 2))  # accepted by the lenient ledger
    ammo.set_status(lenient, bombs.key, "recalled", "manufacturer recall", actor="maj.sy",
                    since=(T0 + timedelta(days=3)).isoformat())
    lenient.post(_move("issue", bombs, STORE, PERSON, 4))
    problems = lenient.verify().problems
    assert [(p.check, p.seq) for p in problems if p.check.startswith("rule ")] == [
        ("rule storage", 6), ("rule suspended lot", 7)]
    lenient.engine.dispose()
