"""The PDF of an invoice or credit memo: read back with pypdf, it shows the number, lines and totals; the same
document gives the same bytes; names outside Latin-1 render instead of failing."""

from __future__ import annotations

import io
from dataclasses import replace

from pypdf import PdfReader

from baton.adapters.documents.pdf import printable, render
from baton.invoicing.model import Buyer, DocumentKind, DocumentLine, DocumentTotals
from tests.unit.test_invoice_documents import AT, document


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


INVOICE = document((DocumentLine("Red tee (M)", 3000, 1, "TEE-RED-M", "line_A"),
                    DocumentLine("Mug", 1200, 2, "MUG", "line_B")), DocumentTotals(4200, 499, 798, 5497))


def test_the_pdf_shows_number_seller_buyer_lines_and_totals() -> None:
    text = text_of(render(INVOICE))
    for expected in ("Invoice INV-2026-000001", "Shop GmbH", "Tax ID: DE1", "BT-100001", "sandbox",
                     "Red tee (M)", "TEE-RED-M", "EUR 30.00", "Mug", "EUR 12.00", "EUR 42.00", "EUR 4.99",
                     "EUR 7.98", "EUR 54.97", "2026-11-22", "zoe@example.com", "Krak"):
        assert expected in text, expected


def test_the_same_document_renders_to_the_same_bytes_dated_as_issued() -> None:
    first, again = render(INVOICE), render(INVOICE)
    assert first == again
    assert PdfReader(io.BytesIO(first)).metadata.creation_date == AT
    assert render(replace(INVOICE, number="INV-2026-000002")) != first


def test_names_outside_latin_1_render_without_failing() -> None:
    # Given a buyer and a seller whose names the core fonts cannot all show
    foreign = replace(INVOICE, buyer=Buyer("山田 太郎", "yamada@example.jp", None),
                      seller=replace(INVOICE.seller, name="Zoë Łukasik Handel"))
    # When it is rendered, Then it renders: accents kept where the font has them, dropped where not, else "?"
    text = text_of(render(foreign))
    assert "Zoë Lukasik Handel" in text and "?? ??" in text and "yamada@example.jp" in text
    assert printable("Zoë Łukasik, 山田, Müller, €") == "Zoë Lukasik, ??, Müller, €"


def test_a_credit_memo_says_what_it_corrects_and_why() -> None:
    memo = replace(INVOICE, kind=DocumentKind.CREDIT_MEMO, number="CN-2026-000003", reason="damaged in transit",
                   refers_to=("INV-2026-000001", "INV-2026-000002"), lines=(DocumentLine("Refund: damaged", 4000),),
                   totals=DocumentTotals(4000, 0, 0, 4000))
    text = text_of(render(memo))
    for expected in ("Credit memo CN-2026-000003", "INV-2026-000001, INV-2026-000002", "damaged in transit",
                     "Refund: damaged", "Total credited", "EUR 40.00"):
        assert expected in text, expected


def test_a_long_description_is_cut_to_its_column_and_many_lines_flow_onto_more_pages() -> None:
    many = tuple(DocumentLine("A very long product name " * 8, 100, 1, f"SKU-{i}", f"line_{i}") for i in range(80))
    text = text_of(render(replace(INVOICE, lines=many, totals=DocumentTotals(8000, 0, 0, 8000))))
    assert "page 2 of" in text and "SKU-79" in text and "..." in text
