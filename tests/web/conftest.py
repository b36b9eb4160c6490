"""Web fixtures: the test world with more contingents, the app, users of every role, clients.

Positions used by the access tests (each a store holding one rifle, with a person below)::

    own        GAO-ARM      BGD-BATT (BGD), MINUSMA       the granted users' own subtree
    sibling    KIDAL-ARM    BGD-ENGR (BGD), MINUSMA       another contingent of the same country
    country    ANSONGO-ARM  SEN-BATT (SEN), MINUSMA       another country, same mission
    mission    JUBA-ARM     NPL-BATT (NPL), UNMISS        another mission
    abroad     MALAKAL-ARM  BGD-FPU  (BGD), UNMISS        same country, another mission
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.builders import own_db_url_fixture  # noqa: F401  (db_url, below)
from tests.factories import T0, rifle
from wam.domain.access import Grant, Role
from wam.domain.holders import make_holder

from .asgi import AppClient

# db_url: on PostgreSQL, the web tests take a schema that holds the tables and not one row
# (tests.builders.own_db_url: schemas are emptied and handed on), not a new one migrated for each
# test: migrating took 0.5 s of the server's CPU per test, and the two suites more than CI's 30
# minutes on a two-core machine. No web test needs a database without tables.

PASSWORD = "correct horse battery"

EXTRA_HOLDERS = [
    ("BGD-ENGR", "Bangladesh engineers", "contingent", "SEC-EAST", "BGD"),
    ("KIDAL", "Kidal camp", "site", "BGD-ENGR", None),
    ("KIDAL-ARM", "Kidal armoury", "store", "KIDAL", None),
    ("CPL-HOSSAIN", "Corporal Hossain", "person", "KIDAL-ARM", None),
    ("SGT-NDIAYE", "Sergeant Ndiaye", "person", "ANSONGO-ARM", None),
    ("PTE-GURUNG", "Private Gurung", "person", "JUBA-ARM", None),
    ("BGD-FPU", "Bangladesh police unit", "contingent", "UNMISS", "BGD"),
    ("MALAKAL", "Malakal camp", "site", "BGD-FPU", None),
    ("MALAKAL-ARM", "Malakal armoury", "store", "MALAKAL", None),
    ("PTE-KARIM", "Private Karim", "person", "MALAKAL-ARM", None),
]

# position -> (store, person, serial of the rifle received there)
POSITIONS = {
    "own": ("GAO-ARM", "PTE-RAHMAN", "56-00001"),
    "sibling": ("KIDAL-ARM", "CPL-HOSSAIN", "56-10001"),
    "country": ("ANSONGO-ARM", "SGT-NDIAYE", "56-20001"),
    "mission": ("JUBA-ARM", "PTE-GURUNG", "56-30001"),
    "abroad": ("MALAKAL-ARM", "PTE-KARIM", "56-40001"),
}

# position -> the site above its store (the store's parent: the same contingent, so in sight of the same users)
SITES = {"own": "GAO", "sibling": "KIDAL", "country": "ANSONGO", "mission": "JUBA", "abroad": "MALAKAL"}

# position -> serial of a rifle received at the position's site and transferred from there to its store
# by "setup" (site to store), which nobody has confirmed: only transfers await confirmation
PENDING = {name: serial[:-1] + "9" for name, (_store, _person, serial) in POSITIONS.items()}

# persona -> grants; the access matrix runs every persona against every position
PERSONAS: dict[str, tuple[Grant, ...]] = {
    "admin": (Grant(Role.ADMINISTRATOR),),
    "officer": (Grant(Role.MISSION_OFFICER, "MINUSMA"),),
    "quartermaster": (Grant(Role.QUARTERMASTER, "BGD-BATT"),),
    "armourer": (Grant(Role.ARMOURER, "GAO-ARM"),),
    "auditor": (Grant(Role.AUDITOR, "BGD-BATT"),),
    "researcher": (Grant(Role.RESEARCHER, "BGD-BATT"),),
    "viewer": (Grant(Role.VIEWER, "BGD-BATT"),),
    "hq-bgd": (Grant(Role.VIEWER, country="BGD"),),
    "mission-admin": (Grant(Role.ADMINISTRATOR, "MINUSMA"),),
    "nobody": (),
}


def add_positions(ledger) -> None:  # noqa: ANN001
    from wam.domain.movements import make_movement

    ledger.add_holders([make_holder(code=c, name=n, kind=k, parent=p, country=ctry) for c, n, k, p,
                        ctry in EXTRA_HOLDERS])
    for name, (store, _person, serial) in POSITIONS.items():
        for key, sent in ((serial, False), (PENDING[name], True)):
            if name == "own" and not sent:
                continue  # the shared world received it already
            item = rifle(key)
            ledger.register_items([item])
            ledger.post(make_movement(kind="receipt", item=item.key, quantity=1, source="supply:BGD",
                                      target=SITES[name] if sent else store, occurred_at=T0, actor="setup"))
            if sent:  # awaits confirmation by whoever records at the store (someone other than "setup")
                ledger.post(make_movement(kind="transfer", item=item.key, quantity=1, source=SITES[name], target=store,
                                          occurred_at=T0, actor="setup"))


@pytest.fixture
def web_world(world):  # noqa: ANN001, ANN201
    add_positions(world.ledger)
    return world


def fast_settings(db_url: str, tmp_path, **extra):  # noqa: ANN001, ANN003, ANN201
    from wam.web.settings import WebSettings

    return WebSettings(database_url=db_url, secret_key="x" * 40, argon2_time_cost=1, argon2_memory_kib=8192,
                       gzip=False, **extra)


@pytest.fixture
def app(web_world, db_url, tmp_path):  # noqa: ANN001, ANN201
    from wam.web.app import create_app

    return create_app(fast_settings(db_url, tmp_path), ledger=web_world.ledger)


@dataclass
class Persona:
    name: str
    token: str


@pytest.fixture
def personas(app) -> dict[str, Persona]:  # noqa: ANN001
    accounts = app.state.wam.accounts
    out = {}
    for name, grants in PERSONAS.items():
        accounts.add_user(name, PASSWORD)
        for grant in grants:
            accounts.grant(name, grant, by="test")
        token, _ = accounts.open_session(accounts.user(name), kind="token")
        out[name] = Persona(name, token)
    return out


@pytest.fixture
def client(app) -> Iterator[AppClient]:  # noqa: ANN001
    with AppClient(app) as c:
        yield c


def sign_in(client: AppClient, name: str, password: str = PASSWORD) -> str:
    """Sign in through the form; return the session's CSRF token."""
    import re

    page = client.get("/login")
    pre = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    done = client.post("/login", data={"name": name, "password": password, "csrf": pre, "next": "/"})
    assert done.status_code == 303, done.text
    home = client.get("/")
    return re.search(r'name="csrf" value="([^"]+)"', home.text).group(1)


def keep_screenshots(context, request) -> None:  # noqa: ANN001
    """Screenshot every open tab of a Playwright ``context`` as the test ends, named by the test, into
    the folder ``WAM_SCREENSHOTS`` names (``.ci/run`` sets it: the screenshots are CI artefacts)."""
    import os
    import re
    from pathlib import Path

    folder = os.environ.get("WAM_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.nodeid.rsplit("/", 1)[-1]).strip("-")
    for n, tab in enumerate(context.pages):
        tab.screenshot(path=str(Path(folder) / f"{name}{'-' + str(n) if n else ''}.png"), full_page=True)


# a live server, for the browser tests, schemathesis and the load benchmark -----------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving ``app`` in a thread on a free localhost port."""

    def __init__(self, app) -> None:  # noqa: ANN001
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60  # CI runs the two suites side by side on two cores
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def live(app, personas) -> Iterator[LiveServer]:  # noqa: ANN001
    with LiveServer(app) as server:
        yield server
