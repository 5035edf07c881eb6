"""Invoices and credit memos as documents: numbers, the stored snapshot, and lines that add up exactly."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baton.entrypoints.http.invoices import wants_pdf
from baton.invoicing.lines import credit_memo_lines, invoice_lines
from baton.invoicing.model import (
    Buyer,
    Document,
    DocumentKind,
    DocumentLine,
    DocumentTotals,
    Seller,
    document_number,
    kind_of_number,
)
from baton.orders.model import OrderLine

AT = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)


def order_line(sku: str, price: int, quantity: int, *, shipped: int = 0, discount: int = 0,
               cancelled: int = 0) -> OrderLine:
    return OrderLine(sku=sku, name=f"Product {sku}", unit_price=price, quantity=quantity, stock_policy="stocked",
                     discount=discount, shipped=shipped, cancelled=cancelled, id=f"line_{sku}")


def document(lines: tuple[DocumentLine, ...], totals: DocumentTotals, *, kind: DocumentKind = DocumentKind.INVOICE,
             number: str = "INV-2026-000001", currency: str = "EUR") -> Document:
    return Document(id="inv_1", kind=kind, number=number, issued_at=AT, supplied_at=AT, currency=currency,
                    order_id="ord_1", order_number="BT-100001", seller=Seller("Shop GmbH", "Street 1, Berlin", "DE1"),
                    buyer=Buyer("Zoë Łukasik", "zoe@example.com", {"line1": "Rynek 1", "city": "Kraków",
                                                                   "country": "PL"}),
                    payment_method="sandbox", lines=lines, totals=totals, entry_id="je_1", source_id="ptx_1")


# -- numbers ------------------------------------------------------------------------------------------------------
def test_numbers_name_the_kind_the_year_and_a_six_digit_sequence() -> None:
    assert document_number(DocumentKind.INVOICE, 2026, 7) == "INV-2026-000007"
    assert document_number(DocumentKind.CREDIT_MEMO, 2027, 1) == "CN-2027-000001"
    assert document_number(DocumentKind.INVOICE, 2026, 1_234_567) == "INV-2026-1234567"
    with pytest.raises(AssertionError):
        document_number(DocumentKind.INVOICE, 2026, 0)


def test_a_number_tells_its_kind_and_anything_else_is_no_number() -> None:
    assert kind_of_number("INV-2026-000007") is DocumentKind.INVOICE
    assert kind_of_number(" cn-2026-000001 ") is DocumentKind.CREDIT_MEMO
    for text in ("inv_01jd", "INV-26-000001", "BT-100042", "INV-2026-1", ""):
        assert kind_of_number(text) is None


# -- the document -------------------------------------------------------------------------------------------------
def test_the_snapshot_round_trips_to_the_same_document() -> None:
    original = document((DocumentLine("Product A", 3000, 1, "A", "line_A"),), DocumentTotals(3000, 500, 0, 3500))
    credit = replace(original, id="cn_1", kind=DocumentKind.CREDIT_MEMO, number="CN-2026-000001",
                     lines=(DocumentLine("Refund: late", 1000),), totals=DocumentTotals(1000, 0, 0, 1000),
                     reason="late", refers_to=("INV-2026-000001",))
    for doc in (original, credit):
        assert Document.from_snapshot(doc.snapshot()) == doc


def test_the_view_speaks_decimal_strings_in_the_currencys_exponent() -> None:
    yen = document((DocumentLine("Tea", 4200, 3, "T", "line_T"),), DocumentTotals(4200, 0, 0, 4200), currency="JPY")
    view = yen.view()
    assert view["totals"] == {"net": "4200", "shipping": "0", "tax": "0", "total": "4200"}
    assert view["lines"][0]["amount"] == "4200" and yen.money(4200) == "JPY 4200"
    dinar = document((DocumentLine("Tea", 1005, 1),), DocumentTotals(1005, 0, 0, 1005), currency="KWD")
    assert dinar.view()["totals"]["total"] == "1.005"


def test_a_document_whose_lines_or_totals_do_not_add_up_cannot_exist() -> None:
    with pytest.raises(AssertionError, match="do not add up to its goods"):
        document((DocumentLine("A", 2999, 1),), DocumentTotals(3000, 0, 0, 3000))
    with pytest.raises(AssertionError, match="totals do not add up"):
        DocumentTotals(3000, 500, 0, 3400)
    with pytest.raises(AssertionError):
        DocumentTotals(0, 0, 0, 0)


# -- invoice lines ------------------------------------------------------------------------------------------------
def test_an_invoice_lists_the_units_shipped_and_not_invoiced_before() -> None:
    a, b = order_line("A", 3000, 2, shipped=2), order_line("B", 2000, 1, shipped=1)
    first = document((DocumentLine("Product A", 3000, 1, "A", "line_A"),), DocumentTotals(3000, 500, 0, 3500))
    lines = invoice_lines([a, b], [first], 5000)
    assert [(ln.sku, ln.quantity, ln.amount) for ln in lines] == [("A", 1, 3000), ("B", 1, 2000)]


def test_goods_with_tax_taken_out_are_spread_by_value_and_add_up_to_the_minor_unit() -> None:
    lines = invoice_lines([order_line("A", 999, 3, shipped=3), order_line("B", 1, 7, shipped=7)], [], 2521)
    assert sum(ln.amount for ln in lines) == 2521
    assert [ln.quantity for ln in lines] == [3, 7]


def test_money_captured_before_anything_shipped_covers_the_units_kept() -> None:
    lines = invoice_lines([order_line("A", 3000, 2), order_line("B", 2000, 2, cancelled=1)], [], 8000)
    assert [(ln.sku, ln.quantity, ln.amount) for ln in lines] == [("A", 2, 6000), ("B", 1, 2000)]


def test_more_money_than_the_shipped_units_are_worth_covers_the_units_kept() -> None:
    lines = invoice_lines([order_line("A", 3000, 2, shipped=1)], [], 6000)
    assert [(ln.quantity, ln.amount) for ln in lines] == [(2, 6000)]


def test_the_second_payment_of_a_split_capture_gets_one_line_for_the_rest() -> None:
    a = order_line("A", 3000, 1, shipped=1)
    first = document((DocumentLine("Product A", 1000, 1, "A", "line_A"),), DocumentTotals(1000, 0, 0, 1000))
    [rest] = invoice_lines([a], [first], 2000)
    assert rest == DocumentLine("The rest of the price of the goods listed on INV-2026-000001", 2000)


def test_a_capture_of_shipping_alone_and_a_refund_of_tax_alone_list_no_lines() -> None:
    assert invoice_lines([order_line("A", 3000, 1, shipped=1)], [], 0) == ()
    assert credit_memo_lines("late", 0) == ()
    assert credit_memo_lines("damaged in transit", 1250) == (DocumentLine("Refund: damaged in transit", 1250),)
    assert credit_memo_lines(None, 1) == (DocumentLine("Refund", 1),)


@given(prices=st.lists(st.integers(0, 10**6), min_size=1, max_size=6), net=st.integers(1, 10**8))
def test_invoice_lines_always_add_up_to_the_goods(prices: list[int], net: int) -> None:
    order = [order_line(str(i), price, 2, shipped=1) for i, price in enumerate(prices)]
    assert sum(line.amount for line in invoice_lines(order, [], net)) == net


# -- content negotiation ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("accept", "pdf"), [
    ("application/pdf", True), ("application/pdf, */*;q=0.1", True), ("text/html, application/pdf", True),
    ("", False), ("*/*", False), ("application/json", False), ("application/json, application/pdf", False),
    ("application/pdf;q=0.5, application/json", False), ("application/pdf;q=x", False), ("text/html", False),
])
def test_the_pdf_is_sent_only_when_the_client_prefers_it_to_json(accept: str, pdf: bool) -> None:
    assert wants_pdf(accept) is pdf
