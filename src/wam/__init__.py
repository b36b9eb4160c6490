"""wam: weapons and ammunition management for peace operations.

The heart of wam is a custody ledger: every weapon (by serial) and every ammunition lot
held by every mission, contingent, site, store and person, with every movement recorded
once, append-only, double-entry and hash-chained. See ``docs/concepts.md``.

Layers (dependencies point inward, checked by ``tests/test_architecture.py``):

- ``wam.domain``: pure rules (holders, materiel, movements, laws, chain). Standard library only.
- ``wam.storage``: SQLAlchemy tables, Alembic migrations, engines for SQLite and PostgreSQL.
- ``wam.services``: use cases, one transaction each (post, balance, history, verify, checkpoint).
- ``wam.importers``, ``wam.cli``, ``wam.web``, ``wam.demo``: adapters around the services.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
