"""Storage: SQLAlchemy 2 tables, Alembic migrations and engines for SQLite and PostgreSQL.

SQLite (WAL, synchronous=FULL, foreign keys on) is the embedded default; PostgreSQL is the
server option. The same code and the same tests run on both.
"""
