"""Whether the generated world looks like reality: the ranges each figure is designed to fall in.

``figures(ledger)`` is computed by :mod:`wam.services.world_figures` (SQL aggregates over the
ledger, fast at 10 million movements); this module holds what the demo expects of them
(docs/demo.md).
"""

from __future__ import annotations

from wam.services.world_figures import figures

__all__ = ["EXPECTED", "figures", "out_of_range"]

#: figure -> (low, high): the range the demo is designed to fall in (see docs/demo.md)
EXPECTED: dict[str, tuple[float, float]] = {
    "weapons_per_soldier": (0.9, 1.3),
    "rounds_per_weapon": (300.0, 1500.0),
    "loss_incidents_per_1000_per_year": (0.1, 2.0),
    "rounds_expended_per_weapon_per_year": (50.0, 1000.0),
}


def out_of_range(values: dict[str, float]) -> dict[str, tuple[float, tuple[float, float]]]:
    """The figures that fall outside :data:`EXPECTED`."""
    return {k: (values[k], rng) for k, rng in EXPECTED.items() if not rng[0] <= values[k] <= rng[1]}
