"""The publicly documented incidents of the reference (domain.md section 7) ship with the package as research
records, each with its sources, in the exchange layout; `wam demo` loads them once beside the generated world."""

from __future__ import annotations

import json

from tests.builders import own_db_url_fixture, own_ledger_fixture  # noqa: F401  (db_url, ledger)
from wam.services import research


def test_the_shipped_dataset_is_the_references_incidents_with_their_sources() -> None:
    parsed = research.parse(research.reference_text(), "json")
    assert [rid for rid, _ in parsed] == [f"PUB-{n:02d}" for n in range(1, 15)]
    for _, fields in parsed:
        assert fields["sources"] and all(s["citation"] and not s["confidential"] for s in fields["sources"])
    by_id = dict(parsed)
    assert by_id["PUB-10"]["quantities"] == [["small_arms", 16, 16], ["weapons", 2, 2], ["rounds", 3000, 3000],
                                             ["fuel_litres", 55000, 55000]]
    assert by_id["PUB-02"]["verification_status"] == "alleged" and by_id["PUB-02"]["ownership"] == "recovered_materiel"
    assert by_id["PUB-08"]["perpetrator_claim"] is True and any(s["claim"] for s in by_id["PUB-08"]["sources"])
    assert {by_id[r]["recovery_status"] for r in ("PUB-01", "PUB-11", "PUB-14")} == {"partial"}


def test_the_demo_loads_them_once(ledger) -> None:  # noqa: ANN001
    assert len(research.load_reference(ledger, actor="demo.researcher")) == 14
    assert research.load_reference(ledger, actor="demo.researcher") == []
    rows = research.listing(ledger)
    assert len(rows) == 14 and {r["reported_by"] for r in rows} == {"demo.researcher"}
    assert [r["id"] for r in rows if r["notable"]] == ["PUB-06", "PUB-10", "PUB-12"]
    shown = research.show(ledger, "PUB-06")
    assert "theeastafrican.co.ke" in json.dumps(shown["sources"])
    assert ledger.verify().ok
