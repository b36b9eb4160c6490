"""The demo world for ``wam demo``: a real deployment (packaged in ``data/``) and generated custody.

``build_demo(url, scale, seed)`` builds it (:mod:`.generator`); ``figures(ledger)`` measures it
(:mod:`.figures`).
"""

from __future__ import annotations

from .figures import EXPECTED, figures, out_of_range
from .generator import SCALES, DemoSummary, build_demo

__all__ = ["EXPECTED", "SCALES", "DemoSummary", "build_demo", "figures", "out_of_range"]
