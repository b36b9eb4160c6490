"""The register a process keeps between reads (services/incidents.py): it follows every record appended
since (a report, a step, a record of another kind), a change of the reporting deadline, and a database
replaced under the same URL; its indexes keep exactly what the filters' own rules keep."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.factories import T0
from wam.services import incidents

WHEN = T0 + timedelta(days=30)


def _report(world, key: str, *, days: int = 30, **over: Any) -> str:  # noqa: ANN001
    fields: dict[str, Any] = {"started_at": T0 + timedelta(days=days), "site": "GAO", "mission": "MINUSMA",
                              "contingents": ["1st BANBAT:BGD"], "circumstance": "fixed_site",
                              "mechanism": "theft_burglary", "ownership": "COE"}
    fields.update(over)
    return incidents.report(world.ledger, actor="alice", lines=[[key, 1, "GAO-ARM"]], **fields).number


def test_the_kept_register_follows_every_change(world, monkeypatch) -> None:  # noqa: ANN001
    ledger = world.ledger
    assert incidents.listing(ledger) == [] == incidents.listing(ledger, incidents.Filters(mechanism="ambush"))
    first = _report(world, world.rifles[0].key)
    assert [r["id"] for r in incidents.listing(ledger)] == [first]
    incidents.advance(ledger, first, "investigate", actor="bob")
    assert incidents.listing(ledger)[0]["step"] == "under_investigation"
    second = _report(world, world.rifles[1].key, mechanism="ambush")
    assert [r["id"] for r in incidents.listing(ledger, incidents.Filters(mechanism="ambush"))] == [second]
    assert incidents.listing(ledger, incidents.Filters(step="under_investigation"))[0]["id"] == first
    recent = incidents.report(ledger, actor="alice", lines=[[world.rifles[2].key, 1, "GAO-ARM"]],
                              started_at=datetime.now(UTC) - timedelta(hours=2), site="GAO", mission="MINUSMA",
                              circumstance="patrol", mechanism="unknown", ownership="COE").number
    assert [r["overdue"] for r in incidents.listing(ledger)] == [True, True, False]  # the last within 24 h
    monkeypatch.setenv("WAM_INCIDENT_REPORT_HOURS", "1")
    assert [r["id"] for r in incidents.listing(ledger, incidents.Filters(overdue=True))] == [first, second, recent]


def test_a_register_whose_chain_is_not_the_databases_is_read_again(world) -> None:  # noqa: ANN001
    """As after a database replaced or restored under the same URL: the record at the point the kept
    register was read to has another hash, so the register is read again from the start."""
    ledger = world.ledger
    number = _report(world, world.rifles[0].key)
    assert [r["id"] for r in incidents.listing(ledger)] == [number]
    kept = incidents._REGISTERS[str(ledger.engine.url)]  # noqa: SLF001
    kept.summaries["INC-999999"] = {**kept.summaries[number], "id": "INC-999999"}  # what another chain held
    kept.incidents["INC-999999"] = kept.incidents[number]
    kept.reindex()
    kept.head = (kept.head[0], b"\x00" * 32)
    _report(world, world.rifles[1].key)  # the head moves on: the kept point is checked
    assert [r["id"] for r in incidents.listing(ledger)] == [number, "INC-000002"]


def test_the_indexes_keep_what_the_filters_rules_keep(world) -> None:  # noqa: ANN001
    """Checked against the filters' own rules on every incident read afresh, after the register is built and
    again after it is brought up to date in place (steps taken, an incident added)."""
    ledger = world.ledger
    mechanisms = ["ambush", "theft_burglary", "carjacking"]
    rifles = world.rifles
    for n, (rifle, mechanism) in enumerate(zip(rifles[:-1], itertools.cycle(mechanisms), strict=False)):
        _report(world, rifle.key, days=30 + 40 * n, mechanism=mechanism, contingents=["X:SEN"] if n % 2 else [],
                ownership="UNOE" if n == 1 else "COE")
    cases = [incidents.Filters(), incidents.Filters(mechanism="ambush"), incidents.Filters(country="sen"),
             incidents.Filters(mission="minusma", ownership="UNOE"), incidents.Filters(since=WHEN + timedelta(days=40)),
             incidents.Filters(until=WHEN + timedelta(days=40)), incidents.Filters(since=WHEN, until=WHEN),
             incidents.Filters(mechanism="carjacking", since=WHEN + timedelta(days=1)),
             incidents.Filters(step="under_investigation"), incidents.Filters(step="reported", mechanism="ambush"),
             incidents.Filters(notable=False, overdue=True)]
    _check(ledger, cases)
    incidents.advance(ledger, "INC-000001", "investigate", actor="bob")
    _check(ledger, cases)  # a step: the register brought up to date in place
    _report(world, rifles[-1].key, days=300, mechanism="ambush", contingents=["Y:SEN"])
    incidents.advance(ledger, "INC-000002", "investigate", actor="bob")
    _check(ledger, cases)  # an incident added after every other id
    assert [r["id"] for r in incidents.listing(ledger, incidents.Filters(step="under_investigation"))] == [
        "INC-000001", "INC-000002"]


def _check(ledger, cases: list[incidents.Filters]) -> None:  # noqa: ANN001
    fresh = incidents._incidents(ledger)  # noqa: SLF001  (read afresh, not the kept register)
    types = incidents._item_types(ledger, (line.item for i in fresh for line in i.document.lines))  # noqa: SLF001
    truth = [(i.document, incidents.summary(i, types, incidents.deadline())) for i in fresh]
    for filters in cases:
        expected = [row["id"] for document, row in truth if filters.keeps_facts(document) and filters.keeps(row)]
        assert [r["id"] for r in incidents.listing(ledger, filters)] == expected, filters
