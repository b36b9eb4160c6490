"""Alembic environment: runs on the connection wam hands it (never reads alembic.ini URLs)."""

from __future__ import annotations

from alembic import context

from wam.storage.tables import add_postgresql_options, metadata

connection = context.config.attributes["connection"]
if connection.dialect.name == "postgresql":
    add_postgresql_options()  # the indexes' INCLUDE and WHERE, for autogenerate's comparisons
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
