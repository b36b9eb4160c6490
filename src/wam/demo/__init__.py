"""Demo data and helpers for ``wam demo``."""
