"""Page weight: bytes of HTML + CSS + JS of each page, raw and gzip-compressed, as a browser loads it.

Signs in as an armourer on the test world and fetches each page and the assets it links
(stylesheets, scripts), once each, as on a first visit. A 256 kbit/s link moves 32 kB/s.

Example::

    python bench/page_weight.py
"""

from __future__ import annotations

import gzip
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PAGES = ["/login", "/", "/holders", "/holders/GAO-ARM", "/items/W|NORINCO|TYPE 56|56-00001", "/record",
         "/verification", "/admin/users"]


def main() -> None:
    from tests.factories import build_world
    from tests.web.asgi import AppClient
    from tests.web.conftest import PASSWORD, PERSONAS, add_positions, sign_in
    from wam.services.ledger import Ledger
    from wam.web.app import create_app
    from wam.web.settings import WebSettings

    url = f"sqlite:///{tempfile.mkdtemp()}/weight.db"
    ledger = Ledger.open(url)
    ledger.init("page weight")
    build_world(ledger)
    add_positions(ledger)
    app = create_app(WebSettings(database_url=url, secret_key="w" * 40, gzip=False), ledger=ledger)
    accounts = app.state.wam.accounts
    accounts.add_user("armourer", PASSWORD)
    for grant in PERSONAS["admin"]:
        accounts.grant("armourer", grant, by="bench")
    print("| page | HTML | CSS+JS | total | gzip total | s at 256 kbit/s (gzip) |")
    print("|---|---:|---:|---:|---:|---:|")
    with AppClient(app) as client:
        for path in PAGES:
            if path != "/login":
                sign_in(client, "armourer")
            html = client.get(path).content
            assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
            bodies = [client.get(a.decode()).content for a in assets]
            raw = len(html) + sum(map(len, bodies))
            packed = len(gzip.compress(html)) + sum(len(gzip.compress(b)) for b in bodies)
            print(f"| `{path}` | {len(html):,} | {sum(map(len, bodies)):,} | {raw:,} | {packed:,} "
                  f"| {packed / 32000:.2f} |")
            if path == "/login":
                client.cookies.clear()


if __name__ == "__main__":
    main()
