"""An invoice or credit memo as a PDF, rendered on request from its stored snapshot with fpdf2.

The same document gives the same bytes: the PDF's creation date is the issue date and its file id is derived from
its content. It uses the PDF core fonts (Helvetica, Windows-1252), so nothing is bundled and nothing depends on the
fonts of the machine; a character they cannot show is written without its accent (Ł → L) or as "?" (山田 → ??).
The JSON of the document always keeps the exact text."""

from __future__ import annotations

import unicodedata
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from baton.invoicing.model import Document, DocumentKind

ENCODING = "windows-1252"
FONT = "Helvetica"
WIDTHS = (95.0, 35.0, 15.0, 35.0)  # description, SKU, quantity, amount: the 180 mm between the margins
_NO_DECOMPOSITION = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i",
                                   "Ŧ": "T", "ŧ": "t", "ĸ": "k", "Ŋ": "N", "ŋ": "n"})


def render(document: Document) -> bytes:
    """The document as a PDF."""
    pdf = _Pdf(document)
    pdf.add_page()
    _heading(pdf, document)
    _parties(pdf, document)
    _lines(pdf, document)
    _totals(pdf, document)
    return bytes(pdf.output())


def printable(text: str) -> str:
    """`text` in what the core fonts can show: unchanged where possible, else without accents, else "?"."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        if unicodedata.combining(char):
            continue  # an accent NFC could not join to its letter: the letter alone
        bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        candidates = (char, bare, char.translate(_NO_DECOMPOSITION))
        out.append(next((c for c in candidates if c and _encodable(c)), "?"))
    return "".join(out)


def _encodable(text: str) -> bool:
    try:
        text.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return True


class _Pdf(FPDF):
    def __init__(self, document: Document):
        super().__init__(format="A4")
        self.document = document
        self.core_fonts_encoding = ENCODING
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=20)
        self.set_creation_date(document.issued_at)  # deterministic: the same document, the same bytes
        self.set_title(printable(f"{document.kind.label} {document.number}"))
        self.set_author(printable(document.seller.name))
        self.set_creator("Baton")

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT, "", 8)
        self.cell(0, 5, f"{self.document.number} - page {self.page_no()} of {{nb}}", align="C")

    def write_line(self, text: str, size: float = 10, style: str = "", height: float = 5) -> None:
        self.set_font(FONT, style, size)
        self.multi_cell(0, height, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _heading(pdf: _Pdf, document: Document) -> None:
    seller = document.seller
    pdf.write_line(seller.name, 11, "B")
    pdf.write_line(seller.address, 9)
    if seller.tax_id:
        pdf.write_line(f"Tax ID: {seller.tax_id}", 9)
    pdf.ln(6)
    pdf.write_line(f"{document.kind.label} {document.number}", 18, "B", 9)
    pdf.ln(2)
    supplied = "Date of supply" if document.kind is DocumentKind.INVOICE else "Date of refund"
    facts = [("Date of issue", f"{document.issued_at:%Y-%m-%d}"), (supplied, f"{document.supplied_at:%Y-%m-%d}"),
             ("Order", document.order_number), ("Payment", document.payment_method)]
    if document.refers_to:
        facts.append(("Corrects", ", ".join(document.refers_to)))
    if document.reason:
        facts.append(("Reason", document.reason))
    for label, value in facts:
        pdf.set_font(FONT, "B", 9)
        pdf.cell(35, 5, label)
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(0, 5, printable(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _parties(pdf: _Pdf, document: Document) -> None:
    buyer = document.buyer
    pdf.ln(4)
    pdf.write_line("Bill to", 9, "B")
    for text in [buyer.name or "", buyer.email, *_address(buyer.billing_address, buyer.name)]:
        if text:
            pdf.write_line(text, 10)
    pdf.ln(6)


def _address(address: dict[str, Any] | None, buyer_name: str | None) -> list[str]:
    if not address:
        return []
    town = " ".join(str(address[k]) for k in ("postal_code", "city") if address.get(k))
    parts = [address.get("name") if address.get("name") != buyer_name else None, address.get("line1"),
             address.get("line2"), town, address.get("region"), address.get("country")]
    return [str(part) for part in parts if part]


def _lines(pdf: _Pdf, document: Document) -> None:
    pdf.set_font(FONT, "B", 9)
    for width, title, align in zip(WIDTHS, ("Description", "SKU", "Qty", "Amount"), "LLRR", strict=True):
        pdf.cell(width, 7, title, border="B", align=align)
    pdf.ln(7)
    pdf.set_font(FONT, "", 9)
    for line in document.lines:
        quantity = "" if line.quantity is None else str(line.quantity)
        cells = (line.description, line.sku or "", quantity, document.money(line.amount))
        for width, text, align in zip(WIDTHS, cells, "LLRR", strict=True):
            pdf.cell(width, 6, fit(pdf, printable(text), width - 1), align=align)
        pdf.ln(6)


def fit(pdf: FPDF, text: str, width: float) -> str:
    """`text` cut to `width` (with "..."), so a long product name never runs into the next column."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text + "..."


def _totals(pdf: _Pdf, document: Document) -> None:
    totals = document.totals
    goods = "Goods, without tax" if document.kind is DocumentKind.INVOICE else "Given back, without tax"
    rows = [(goods, totals.net, "")]
    if document.kind is DocumentKind.INVOICE:
        rows.append(("Shipping, without tax", totals.shipping, ""))
    rows += [("Tax", totals.tax, ""), ("Total" if document.kind is DocumentKind.INVOICE else "Total credited",
                                        totals.total, "B")]
    pdf.set_draw_color(0)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + sum(WIDTHS), pdf.get_y())
    pdf.ln(2)
    for label, amount, style in rows:
        pdf.set_font(FONT, style, 10 if style else 9)
        pdf.cell(sum(WIDTHS[:3]), 6, label, align="R")
        pdf.cell(WIDTHS[3], 6, document.money(amount), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.write_line(f"All amounts in {document.currency}.", 8)
