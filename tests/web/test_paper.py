"""Paper: the PDF hand receipt of an issue and a return, a store's holdings list and its QR label
sheet, in English and French; each parses (pypdf) and renders (pdftoppm, when installed)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import pytest

from tests.factories import rifle

from .conftest import sign_in


def _text(body: bytes) -> str:
    from pypdf import PdfReader

    assert body.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def _renders(body: bytes, tmp_path, name: str) -> None:  # noqa: ANN001
    """pdftoppm draws the first page (CI installs poppler-utils; skipped elsewhere without it)."""
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but pdftoppm is missing: apt-get install -y poppler-utils")
        return
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(body)
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / name)],
                   check=True, timeout=60)
    pngs = list(tmp_path.glob(f"{name}*.png"))
    assert pngs and pngs[0].stat().st_size > 1000
    if os.environ.get("WAM_SCREENSHOTS"):  # kept with the browser screenshots as CI artefacts
        os.makedirs(os.environ["WAM_SCREENSHOTS"], exist_ok=True)
        shutil.copy(pngs[0], os.path.join(os.environ["WAM_SCREENSHOTS"], f"paper-{name}.png"))


def _issue_and_return(client, personas) -> tuple[str, str]:  # noqa: ANN001
    headers = {"Authorization": f"Bearer {personas['armourer'].token}"}
    key = rifle("56-00002").key
    issued = client.post("/api/movements", headers=headers, json={
        "kind": "issue", "item": key, "source": "GAO-ARM", "target": "PTE-RAHMAN", "document": "HR-0042",
        "witness": "Sgt Alam"})
    assert issued.status_code == 201, issued.text
    back = client.post("/api/movements", headers=headers, json={
        "kind": "return", "item": key, "source": "PTE-RAHMAN", "target": "GAO-ARM"})
    assert back.status_code == 201, back.text
    return issued.json()["id"], back.json()["id"]


def test_it_prints_a_hand_receipt_for_an_issue_and_a_return(client, personas, tmp_path) -> None:  # noqa: ANN001
    issued, returned = _issue_and_return(client, personas)
    sign_in(client, "armourer")
    holder = client.get("/holders/GAO-ARM").text
    assert f'href="/paper/receipt.pdf?movement={issued.replace(":", "%3A")}"' in holder
    listed = client.get("/lists/movements", params={"kind": "issue"}).text
    assert f'href="/paper/receipt.pdf?movement={issued.replace(":", "%3A")}"' in listed
    answer = client.get("/paper/receipt.pdf", params={"movement": issued, "lang": "en"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    text = _text(answer.content)
    for expected in ("Hand receipt: Issue", "56-00002", "Norinco", "Type 56", "Gao armoury (GAO-ARM)",
                     "Private Rahman (PTE-RAHMAN)", "HR-0042", "Sgt Alam", "Handed over by", "Received by",
                     "Witness", "Signature"):
        assert expected in text, expected
    _renders(answer.content, tmp_path, "receipt-issue")
    french = _text(client.get("/paper/receipt.pdf", params={"movement": returned, "lang": "fr"}).content)
    for expected in ("Reçu de remise : Réintégration", "56-00002", "Remis par", "Reçu par", "Témoin", "Private Rahman"):
        assert expected in french, expected


def test_the_receipt_keeps_to_the_readers_scope(client, personas) -> None:  # noqa: ANN001
    issued, _ = _issue_and_return(client, personas)
    for who, status in (("researcher", 403), ("viewer", 200), ("hq-bgd", 200), ("officer", 200), ("nobody", 403)):
        answer = client.get("/paper/receipt.pdf", params={"movement": issued},
                            headers={"Authorization": f"Bearer {personas[who].token}"})
        assert answer.status_code == status, who
    juba = client.get("/api/holders/JUBA-ARM/movements", headers={"Authorization": f"Bearer {personas['admin'].token}"})
    hidden = juba.json()["items"][0]["id"]
    answer = client.get("/paper/receipt.pdf", params={"movement": hidden},
                        headers={"Authorization": f"Bearer {personas['armourer'].token}"})
    assert answer.status_code == 404


def test_it_prints_a_stores_holdings_list_and_its_qr_labels(client, personas, tmp_path) -> None:  # noqa: ANN001
    sign_in(client, "quartermaster")
    page = client.get("/holders/GAO-ARM").text
    assert 'href="/paper/holdings.pdf?holder=GAO-ARM"' in page and 'href="/paper/labels.pdf?holder=GAO-ARM"' in page
    listing = client.get("/paper/holdings.pdf", params={"holder": "GAO-ARM", "lang": "fr"})
    text = _text(listing.content)
    for expected in ("Détentions de Gao armoury", "56-00001", "56-00003", "Compté par", "Total : 4 ligne(s)"):
        assert expected in text, expected
    _renders(listing.content, tmp_path, "holdings")
    sheet = client.get("/paper/labels.pdf", params={"holder": "GAO-ARM"})
    text = _text(sheet.content)
    assert all(f"56-0000{n}" in text for n in (1, 2, 3, 9))
    assert text.count("Norinco Type 56") == 4  # one label per weapon held there
    _renders(sheet.content, tmp_path, "labels")
    if shutil.which("zbarimg") and shutil.which("pdftoppm"):  # the printed codes read back as the items' keys
        (tmp_path / "sheet.pdf").write_bytes(sheet.content)
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(tmp_path / "sheet.pdf"),
                        str(tmp_path / "sheet")], check=True, timeout=60)
        read = subprocess.run(["zbarimg", "-q", "--raw", *map(str, tmp_path.glob("sheet*.png"))],
                              capture_output=True, text=True, timeout=60).stdout.split("\n")
        assert {line for line in read if line} == {rifle(f"56-0000{n}").key for n in (1, 2, 3, 9)}
    assert client.get("/paper/labels.pdf", params={"holder": "JUBA-ARM"}).status_code == 404


def test_the_qr_holds_the_items_key() -> None:
    import segno

    from wam.web.paper import qr_matrix

    key = rifle("56-00001").key
    matrix = qr_matrix(key)
    assert matrix == [[bool(v) for v in row] for row in segno.make(key, error="m", micro=False, mask=0).matrix]
    assert len(matrix) == len(matrix[0]) >= 21 and matrix[0][:7] == [True] * 7  # a finder pattern in its corner
