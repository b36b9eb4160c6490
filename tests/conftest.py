"""Fixtures shared by every test: an empty database per test, on SQLite or PostgreSQL.

Set ``WAM_TEST_DATABASE_URL`` to a PostgreSQL URL to run the whole suite there (``.ci/run``
does both). On PostgreSQL each test gets a schema of its own, named in the URL's
``options=-csearch_path=...`` so that every engine built from the URL (the web app's, the
command line's) works in it: ``db_url``'s may hold the (empty) tables already, and goes to the
next test; ``db_url_without_tables``'s is new and dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from wam.storage.engine import normalise_url

PG_URL = os.environ.get("WAM_TEST_DATABASE_URL", "")
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def backend() -> str:
    return "postgresql" if PG_URL else "sqlite"


@contextmanager
def postgres_schema(prefix: str = "t") -> Iterator[str]:
    """A URL to a new, empty PostgreSQL schema of its own, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{normalise_url(PG_URL)}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(autouse=True)
def _keys_apart(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Signing keys made by default go to a folder of the test's, never the user's ~/.config/wam/keys."""
    monkeypatch.setenv("WAM_KEY_DIR", str(tmp_path_factory.mktemp("wam-keys")))
    monkeypatch.delenv("WAM_SIGNING_KEY", raising=False)
    monkeypatch.delenv("WAM_KEY_PASSPHRASE", raising=False)


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database that lives as long as the test.

    On PostgreSQL, a schema that may already hold the tables, without a row
    (``tests.builders.own_db_url``: schemas are checked against a freshly migrated one, emptied
    and handed on): migrating a new schema for each test took 0.55 s of the server's CPU, and CI
    came within a minute of its 30. A test of a database without any table (what ``init``,
    ``serve`` or the demo do to one) takes ``db_url_without_tables``.
    """
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'wam.db'}"
        return
    from tests.builders import own_db_url

    with own_db_url() as url:
        yield url


@pytest.fixture
def db_url_without_tables(tmp_path: Path) -> Iterator[str]:
    """A URL to a database without any table, that lives as long as the test: a new SQLite file
    (not created yet) or a new, empty PostgreSQL schema, dropped afterwards."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'wam.db'}"
        return
    with postgres_schema("t") as url:
        yield url


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, the browser flows are skipped: what they test (the pages in Chromium, their
    scripts, their layout and their audit) does not depend on the database, and the SQLite suite
    runs them; the requests behind them run on PostgreSQL in tests/web's other modules. Both
    suites together took more than CI's 30 minutes on a two-core machine."""
    if not PG_URL:
        return
    skip = pytest.mark.skip(reason="a browser flow does not depend on the database: it runs in the SQLite suite")
    for item in items:
        if item.module is not None and item.module.__name__.rsplit(".", 1)[-1].startswith("test_browser"):
            item.add_marker(skip)


@pytest.fixture
def ledger(db_url: str):  # noqa: ANN201
    """An initialised, empty ledger."""
    from wam.services.ledger import Ledger

    led = Ledger.open(db_url)
    led.init("test ledger")
    yield led
    led.engine.dispose()


@pytest.fixture
def world(ledger):  # noqa: ANN001, ANN201
    """A small mission with two contingents, stores and persons (see ``tests/factories.py``)."""
    from tests.factories import build_world

    return build_world(ledger)
