"""A recovered item's chain, read from its recovery movement on, is its whole history from there; the
oversight's gaps, without the chains of the mission's own weapons back from lost, are the full custody's."""

from __future__ import annotations

from wam.demo import build_demo
from wam.domain.errors import NotFound
from wam.services import recoveries
from wam.services.ledger import Ledger


def test_the_chain_from_the_recovery_on_is_the_historys_tail(tmp_path) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'small.db'}"
    build_demo(url, "small", 1)
    ledger = Ledger.open(url)
    try:
        lines = from_lost = 0
        for row in recoveries.listing(ledger):
            document = recoveries.get(ledger, row["id"])
            for line in document.lines:
                try:
                    history = ledger.history(line.item)
                except NotFound:
                    continue
                start = next((i for i, e in enumerate(history)
                              if e.kind == "recovery" and e.document == document.number), None)
                found, chain = recoveries.recovered_chain(ledger, line.item, document.number)
                assert found == (start is not None)
                assert chain == (history[start:] if start is not None else [])
                lines += 1
                from_lost += line.source == "lost"
            full = recoveries.custody(ledger, document)
            gaps = recoveries.custody(ledger, document, gaps_only=True)
            def said(lines: list) -> list:  # noqa: ANN001
                return [(x["line"], x["item"], x["gaps"]) for x in lines]

            assert said(gaps) == said(full)
        assert lines and from_lost  # the demo recovers found weapons and the mission's own, once lost
    finally:
        ledger.engine.dispose()
