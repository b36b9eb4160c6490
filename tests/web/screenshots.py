"""Screenshots for docs/web.md: ``python -m tests.web.screenshots URL ACCOUNTS.json [OUT]``.

Takes each page of the running application (``wam serve`` on the demo's database) with Debian's
headless Chromium as the role that uses it, on a desktop (1280x800) and for a few pages a phone
(390x844), and keeps them small: the visible part only, scaled to 960 px wide at most and reduced to
a 64-colour palette. ACCOUNTS.json maps a role's name in SHOTS to [user, password]. The PDFs are
drawn with pdftoppm. Not a test: docs/web.md says how the images were made.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
STORE = "MONUSCO-PAK-ADIKIVU/ARM"
# file name -> (role, path, viewport, language)
SHOTS = {
    "login": (None, "/login", DESKTOP, "en"),
    "home": ("officer", "/", DESKTOP, "en"),
    "dashboard": ("officer", "/dashboard?until=2018-12-31", DESKTOP, "en"),
    "dashboard-map-fr": ("officer", "/dashboard?until=2018-12-31#map", DESKTOP, "fr"),
    "tree": ("quartermaster", "/holders", DESKTOP, "en"),
    "holder": ("quartermaster", f"/holders/{STORE}", DESKTOP, "en"),
    "holder-phone": ("armourer", f"/holders/{STORE}", PHONE, "en"),
    "list-holdings": ("quartermaster", f"/lists/holdings?holder={STORE}&q=56", DESKTOP, "en"),
    "list-movements-fr": ("auditor", "/lists/movements?kind=issue", DESKTOP, "fr"),
    "list-holders": ("officer", "/lists/holders?parent=MONUSCO&kind=site", DESKTOP, "en"),
    "item": ("quartermaster", None, DESKTOP, "en"),
    "record": ("armourer", f"/record?source={STORE}", DESKTOP, "en"),
    "record-phone-fr": ("armourer", f"/record?source={STORE}", PHONE, "fr"),
    "confirmations": ("quartermaster", "/confirmations", DESKTOP, "en"),
    "verification": ("auditor", "/verification", DESKTOP, "en"),
    "users": ("admin", "/admin/users", DESKTOP, "en"),
    "user": ("admin", "/admin/users/armourer", DESKTOP, "en"),
}


def small(png: bytes, out: Path, width: int = 960) -> None:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)


def main(url: str, accounts_file: str, out: str = "docs/img", only: str = "") -> None:
    from playwright.sync_api import sync_playwright

    accounts = json.loads(Path(accounts_file).read_text())
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, (role, path, viewport, lang) in SHOTS.items():
            if only and name not in only.split(","):
                continue
            context = browser.new_context(base_url=url, viewport=viewport, locale={"en": "en-GB", "fr": "fr-FR"}[lang])
            page = context.new_page()
            page.set_default_timeout(120_000)
            if role:
                user, password = accounts[role]
                page.goto("/login")
                page.fill("input[name=name]", user)
                page.fill("input[name=password]", password)
                page.click("button[type=submit]")
                page.wait_for_url("**/")
            if path is None:  # the item page: the first weapon of the store
                page.goto(f"/lists/holdings?holder={STORE}")
                path = page.get_attribute("tbody a", "href")
            page.goto(path)
            if name.startswith("record"):
                page.locator("input[name=target]").press_sequentially("soldier 001")
                page.wait_for_selector("#pick-target option", state="attached")
                page.locator("input[name=pick]").press_sequentially("5")
                page.wait_for_selector("#pick-items option", state="attached")
                first = page.get_attribute("#pick-items option", "value")
                page.locator("input[name=pick]").fill(first)
                page.locator("input[name=pick]").press("Enter")
                page.wait_for_selector("#checked li")
            if "#" in path:
                page.locator("#" + path.split("#")[1]).scroll_into_view_if_needed()
            small(page.screenshot(), folder / f"{name}.png")
            if name == "holder":
                for pdf in ("holdings", "labels"):
                    body = page.request.get(f"/paper/{pdf}.pdf?holder={STORE}").body()
                    _pdf_page(body, folder / f"paper-{pdf}.png", top=0.4 if pdf == "labels" else 1.0)
            if name == "list-movements-fr":
                issues = page.request.get("/api/lists/movements?kind=issue&per=1").json()
                body = page.request.get(f"/paper/receipt.pdf?movement={issues['items'][0]['id']}&lang=fr").body()
                _pdf_page(body, folder / "paper-receipt-fr.png")
            context.close()
        browser.close()


def _pdf_page(body: bytes, out: Path, top: float = 1.0) -> None:
    """The first page drawn by pdftoppm (``top``: only that fraction of it, from the top)."""
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "x.pdf"
        pdf.write_bytes(body)
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf), str(Path(tmp) / "p")],
                       check=True)
        png = next(Path(tmp).glob("p*.png")).read_bytes()
        if top < 1.0:
            from PIL import Image

            image = Image.open(io.BytesIO(png))
            buffer = io.BytesIO()
            image.crop((0, 0, image.width, round(image.height * top))).save(buffer, format="PNG")
            png = buffer.getvalue()
        small(png, out, width=660)


if __name__ == "__main__":
    main(*sys.argv[1:])
