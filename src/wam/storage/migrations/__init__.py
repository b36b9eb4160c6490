"""Alembic migrations; run by :func:`wam.storage.schema.upgrade`."""
