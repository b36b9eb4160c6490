"""Paper where missions need it: PDF hand receipts, holdings lists and QR label sheets.

Built with fpdf2 (pure Python, no system library, nothing fetched at run time) in the PDF core
font Helvetica, whose Latin-1 covers English and French; a character outside it (a name in
another script) is printed as "?" rather than failing the print. QR codes are made by segno
(pure Python), drawn as vector rectangles, and hold the item's key, which the record form's
scanner reads back as one line.

Each builder takes what to print (already scoped by the caller) and a translator, and returns
the PDF's bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fpdf import FPDF

from .i18n import Translator

MAX_LINES = 5000  # a holdings list longer than this is an export's job (CSV, XLSX)
MAX_LABELS = 2400  # 100 sheets
LABEL_COLUMNS, LABEL_ROWS = 3, 8  # A4: 70 mm x 37 mm labels, the common 24-up sheet
LABEL_W, LABEL_H = 70.0, 297.0 / 8


def latin(text: object) -> str:
    """Text the core fonts can print: Latin-1, anything else as '?'."""
    return str(text).encode("latin-1", "replace").decode("latin-1")


class _Paper(FPDF):
    def __init__(self, t: Translator, user: str, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.t = t
        self.printed = latin(t("paper.printed", at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M"), user=user))
        self.set_title(latin(title))
        self.set_creator("wam")
        self.set_auto_page_break(auto=True, margin=18)
        self.alias_nb_pages()
        self.set_margins(15, 15, 15)
        self.plain = False

    def footer(self) -> None:
        if self.plain:
            return
        self.set_y(-12)
        self.set_font("Helvetica", size=7)
        self.set_text_color(90)
        self.cell(0, 4, self.printed, align="L")
        self.set_x(-60)
        self.cell(45, 4, latin(self.t("paper.page", n=self.page_no(), total="{nb}")), align="R")
        self.set_text_color(0)

    def heading(self, text: str, sub: str = "") -> None:
        self.set_font("Helvetica", "B", 16)
        self.multi_cell(0, 8, latin(text), align="L", new_x="LMARGIN", new_y="NEXT")
        if sub:
            self.set_font("Helvetica", size=9)
            self.set_text_color(70)
            self.multi_cell(0, 5, latin(sub), align="L", new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(0)
        self.ln(3)

    def fields(self, rows: Iterable[tuple[str, str]]) -> None:
        for label, value in rows:
            if not value:
                continue
            self.set_font("Helvetica", "B", 9)
            self.cell(42, 6, latin(label))
            self.set_font("Helvetica", size=10)
            self.multi_cell(0, 6, latin(value), align="L", new_x="LMARGIN", new_y="NEXT")

    def grid(self, heads: list[tuple[str, float, str]], rows: Iterable[list[str]]) -> int:
        """A table with its header repeated on each page; returns the number of rows printed."""

        def header() -> None:
            self.set_font("Helvetica", "B", 8.5)
            self.set_fill_color(228, 234, 241)
            for text, width, align in heads:
                self.cell(width, 6.5, latin(text), border=1, align=align, fill=True)
            self.ln()
            self.set_font("Helvetica", size=9)

        header()
        count = 0
        for row in rows:
            if self.will_page_break(6):
                self.add_page()
                header()
            for (_, width, align), value in zip(heads, row, strict=True):
                text = latin(value)
                while text and self.get_string_width(text) > width - 2:
                    text = text[:-1]
                self.cell(width, 6, text, border=1, align=align)
            self.ln()
            count += 1
        return count

    def signatures(self, roles: list[tuple[str, str]]) -> None:
        """Signature blocks side by side: a role, a name (printed when known), signature and date lines."""
        if self.will_page_break(42):
            self.add_page()
        self.ln(6)
        width = (self.w - self.l_margin - self.r_margin) / len(roles)
        top = self.get_y()
        for n, (role, name) in enumerate(roles):
            x = self.l_margin + n * width
            self.set_xy(x, top)
            self.set_font("Helvetica", "B", 10)
            self.cell(width - 4, 6, latin(role))
            for k, label in enumerate(("paper.name", "paper.signature", "paper.date")):
                y = top + 9 + k * 10
                self.set_xy(x, y)
                self.set_font("Helvetica", size=8)
                self.set_text_color(80)
                self.cell(18, 6, latin(self.t(label)))
                self.set_text_color(0)
                if k == 0 and name:
                    self.set_font("Helvetica", size=10)
                    self.cell(width - 24, 5, _fit(self, latin(name), width - 26))
                self.line(x + 18, y + 6, x + width - 6, y + 6)
        self.set_xy(self.l_margin, top + 42)


@dataclass(frozen=True, slots=True)
class ReceiptParty:
    name: str  # the holder's name (or code, out of sight)
    code: str
    person: bool  # a person signs for themselves; for a store, the recorder signs


def receipt(t: Translator, *, user: str, entry: Any, item: Any, source: ReceiptParty, target: ReceiptParty,
            when: str) -> bytes:
    """A hand receipt for one movement: what moved, from whom to whom, and lines to sign."""
    kind = t(f"kind.{entry.kind}")
    pdf = _Paper(t, user, t("paper.receipt_title", kind=kind))
    pdf.add_page()
    pdf.heading(t("paper.receipt_title", kind=kind), f"{t('paper.movement')} {entry.uid}")
    reason = t(f"reason.{entry.reason}") if entry.reason else ""
    pdf.fields([(t("entry.when"), f"{when} UTC"), (t("entry.kind"), kind),
                (t("record.document"), entry.document or ""),
                (t("entry.from"), f"{source.name} ({source.code})" if source.name != source.code else source.code),
                (t("entry.to"), f"{target.name} ({target.code})" if target.name != target.code else target.code),
                (t("paper.recorded_by"), entry.actor), (t("record.witness"), entry.witness or ""),
                (t("record.reason"), reason), (t("record.note"), entry.note or "")])
    pdf.ln(4)
    ident = item.serial or item.lot or ""
    pdf.grid([(t("item.make"), 38, "L"), (t("item.model"), 46, "L"), (t("item.serial"), 34, "L"),
               (t("item.calibre"), 22, "L"), (t("item.category"), 26, "L"), (t("entry.quantity"), 14, "R")],
              [[item.make, item.model, ident, item.calibre or "", item.category or "", str(entry.quantity)]])
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(0, 5, latin(t("paper.statement")), new_x="LMARGIN", new_y="NEXT")
    handed = source.name if source.person else entry.actor
    received = target.name if target.person else entry.actor
    pdf.signatures([(t("paper.handed_by"), handed), (t("paper.received_by"), received),
                    (t("paper.witness"), entry.witness or "")])
    return bytes(pdf.output())


def holdings(t: Translator, *, user: str, holder: Any, rows: Iterable[dict[str, Any]], as_of: str) -> bytes:
    """A store's (a holder's) holdings list, to count against and sign."""
    pdf = _Paper(t, user, t("paper.holdings_title", name=holder.name))
    pdf.add_page()
    pdf.heading(t("paper.holdings_title", name=holder.name),
                f"{holder.code} · {t('kindh.' + holder.kind.value)} · {t('paper.as_of', at=as_of)}")
    total = {"lines": 0, "quantity": 0, "more": False}

    def lines() -> Iterable[list[str]]:
        for n, row in enumerate(rows, start=1):
            if n > MAX_LINES:
                total["more"] = True
                return
            total["lines"] = n
            total["quantity"] += row["quantity"]
            yield [str(n), row["make"], row["model"], row["ident"], row["calibre"], row["category"],
                   t.number(row["quantity"]), ""]

    pdf.grid([("#", 10, "R"), (t("item.make"), 26, "L"), (t("item.model"), 28, "L"), (t("item.serial"), 32, "L"),
               (t("item.calibre"), 20, "L"), (t("item.category"), 38, "L"), (t("entry.quantity"), 16, "R"),
               ("OK", 10, "C")], lines())
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, latin(t("paper.total", count=t.number(total["lines"]), quantity=t.number(total["quantity"]))),
             new_x="LMARGIN", new_y="NEXT")
    if total["more"]:
        pdf.set_font("Helvetica", "I", 9)
        pdf.cell(0, 6, latin(t("paper.truncated", count=t.number(MAX_LINES))), new_x="LMARGIN", new_y="NEXT")
    pdf.signatures([(t("paper.counted_by"), ""), (t("paper.checked_by"), ""), (t("paper.witness"), "")])
    return bytes(pdf.output())


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut to ``width`` in the current font (a label has no room for a second line)."""
    while text and pdf.get_string_width(text) > width:
        text = text[:-1]
    return text


def qr_matrix(text: str) -> list[list[bool]]:
    """The modules of a QR code of ``text`` (segno, pure Python), dark as True, with no border.

    The mask is fixed (pattern 0, valid for every reader): choosing the best of eight makes each
    code five times slower, and a sheet of a thousand labels then takes tens of seconds."""
    import segno

    return [[bool(v) for v in row] for row in segno.make(text, error="m", micro=False, mask=0).matrix]


def _draw_qr(pdf: FPDF, text: str, x: float, y: float, side: float) -> None:
    """Draw a QR code as one filled path of rectangles, one per run of dark modules in a row
    (vector, sharp in print; written as raw path operators: a rect() call per run takes seconds
    for a sheet of a thousand labels)."""
    matrix = qr_matrix(text)
    quiet = 2  # modules of white margin each side, inside ``side``
    cell = side / (len(matrix) + 2 * quiet)
    k, height = pdf.k, pdf.h
    ops = []
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            left, top = x + (quiet + start) * cell, y + (quiet + r) * cell
            ops.append(f"{left * k:.2f} {(height - top - cell) * k:.2f} {(c - start) * cell * k:.2f} {cell * k:.2f} re")
    pdf._out("q 0 g " + " ".join(ops) + " f Q")  # noqa: SLF001  (fpdf2's page content writer)


def labels(t: Translator, *, user: str, holder: Any, rows: Iterable[dict[str, Any]]) -> bytes:
    """A sheet of QR labels (3 x 8 on A4) for the weapons a holder holds: the QR holds the item's key."""
    pdf = _Paper(t, user, t("paper.labels"))
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(0, 0, 0)
    pdf.plain = True  # a label sheet has no footer
    count = 0
    for row in rows:
        if not row["serial"]:
            continue
        if count >= MAX_LABELS:
            break
        slot = count % (LABEL_COLUMNS * LABEL_ROWS)
        if slot == 0:
            pdf.add_page()
        x, y = (slot % LABEL_COLUMNS) * LABEL_W, (slot // LABEL_COLUMNS) * LABEL_H
        side = LABEL_H - 8
        _draw_qr(pdf, row["item"], x + 3, y + 3, side + 2)
        left, width = x + side + 7, LABEL_W - side - 10
        for n, (style, size, text) in enumerate((("B", 8, f"{row['make']} {row['model']}"), ("B", 11, row["serial"]),
                                                  ("", 7, " · ".join(p for p in (row["calibre"], holder.code) if p)))):
            pdf.set_font("Helvetica", style, size)
            pdf.set_xy(left, y + 5 + n * 6)
            pdf.cell(width, 5, _fit(pdf, latin(text), width))
        count += 1
    if count == 0:
        pdf.add_page()
        pdf.set_xy(15, 20)
        pdf.set_font("Helvetica", size=12)
        pdf.cell(0, 8, latin(t("paper.labels_none")))
    return bytes(pdf.output())


__all__ = ["MAX_LABELS", "MAX_LINES", "ReceiptParty", "holdings", "labels", "latin", "qr_matrix", "receipt"]


def trace_request(t: Translator, *, user: str, request: dict[str, Any]) -> bytes:
    """A tracing request with the content the International Tracing Instrument asks for
    (:func:`wam.domain.recoveries.trace_request`): addressed state, the illicit nature of the materiel
    and its legal justification, each item's identifying information and markings, the photos by
    SHA-256, the intended use, and a signature block."""
    pdf = _Paper(t, user, t("paper.trace_title", number=request["request"]))
    pdf.add_page()
    pdf.heading(t("paper.trace_title", number=request["request"]), str(request["instrument"]))
    found = request["illicit_nature"]
    pdf.fields([
        (t("paper.trace_to"), f"{request.get('addressed_to') or '?'} ({request.get('basis') or '?'})"),
        (t("paper.trace_reference"), request.get("reference") or ""),
        (t("paper.trace_requesting"), request.get("requesting") or ""),
        (t("paper.trace_how"), f"{found.get('how') or ''}, {(found.get('recovered_at') or '')[:16].replace('T', ' ')}"),
        (t("paper.trace_where"), ", ".join(str(v) for v in (found.get("place"), found.get("latitude"),
                                                              found.get("longitude")) if v is not None)),
        (t("paper.trace_from"), found.get("from_whom") or ""),
        (t("paper.trace_unit"), found.get("unit") or ""),
        (t("paper.trace_legal"), found.get("legal_basis") or ""),
    ])
    pdf.ln(2)
    heads: list[tuple[str, float, str]] = [
        ("#", 8, "R"), (t("paper.trace_item"), 58, "L"), (t("paper.trace_serial"), 30, "L"),
        (t("paper.trace_calibre"), 22, "L"), (t("paper.trace_markings"), 62, "L")]
    rows = []
    for item in request["items"]:
        markings = "; ".join(f"{k}: {v}" for k, v in sorted((item.get("markings") or {}).items()))
        if item.get("mission_mark"):
            markings = f"mark {item['mission_mark']}; {markings}".rstrip("; ")
        rows.append([str(item["line"]), f"{item.get('make') or ''} {item.get('model') or ''} ({item.get('type')})",
                     item.get("serial_as_read") or item.get("lot") or "", item.get("calibre") or "", markings])
    pdf.grid(heads, rows)
    if request["photos"]:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(0, 6, latin(t("paper.trace_photos")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Courier", size=7.5)
        for photo in request["photos"]:
            pdf.multi_cell(0, 4, latin(f"{photo['name']}  SHA-256 {photo['sha256']}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(0, 5, latin(f"{t('paper.trace_use')}: {request['intended_use']}"), new_x="LMARGIN", new_y="NEXT")
    pdf.signatures([(t("paper.trace_signed"), user)])
    return bytes(pdf.output())
