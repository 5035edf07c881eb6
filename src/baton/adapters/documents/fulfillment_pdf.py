"""A fulfilment order's pick list and packing slip as PDFs, rendered on request with fpdf2.

The pick list is what the associate walks the shelves with: every unit still to leave, by SKU, with a box to tick.
The packing slip goes into the parcel: the order number, who it is for, and what this location sends. Like the
invoice (pdf.py) they use the PDF core fonts, so nothing is bundled; the same fulfilment order in the same state
gives the same bytes (the creation date is the fulfilment order's)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from baton.adapters.documents.pdf import ENCODING, FONT, fit, printable
from baton.fulfillment.model import FulfillmentLine, FulfillmentOrder
from baton.orders.model import Order

PICK_WIDTHS = (10.0, 45.0, 105.0, 20.0)  # tick box, SKU, name, quantity: the 180 mm between the margins
SLIP_WIDTHS = (45.0, 105.0, 30.0)  # SKU, name, quantity


@dataclass(frozen=True)
class Row:
    sku: str
    name: str
    quantity: int


def pick_list(order: Order, fo: FulfillmentOrder, location_name: str) -> bytes:
    """Every unit of `fo` still to leave its location, in SKU order (how shelves are usually labelled)."""
    rows = sorted(_rows(order, fo, lambda line: line.remaining), key=lambda row: row.sku)
    pdf = _Pdf(f"Pick list {order.number}", fo)
    pdf.add_page()
    _title(pdf, "Pick list", order, fo, location_name)
    pdf.write_line(f"Delivery: {_delivery(order)}", 9)
    pdf.ln(4)
    _table(pdf, PICK_WIDTHS, ("", "SKU", "Item", "Qty"), "LLLR",
           [("[  ]", row.sku, row.name, str(row.quantity)) for row in rows])
    pdf.ln(3)
    pdf.write_line(f"{sum(row.quantity for row in rows)} unit(s) to pick.", 9, "B")
    return bytes(pdf.output())


def packing_slip(order: Order, fo: FulfillmentOrder, location_name: str) -> bytes:
    """What this location sends for the order: units still to leave, or (once shipped) what it sent."""
    rows = _rows(order, fo, lambda line: line.remaining or line.shipped)
    pdf = _Pdf(f"Packing slip {order.number}", fo)
    pdf.add_page()
    _title(pdf, "Packing slip", order, fo, location_name)
    pdf.ln(2)
    heading = "Pick up at" if order.delivery_method == "pickup" else "Ship to"
    pdf.write_line(heading, 9, "B")
    for text in _recipient(order):
        pdf.write_line(text, 10)
    pdf.ln(4)
    _table(pdf, SLIP_WIDTHS, ("SKU", "Item", "Qty"), "LLR", [(row.sku, row.name, str(row.quantity)) for row in rows])
    pdf.ln(6)
    pdf.write_line("Thank you for your order. To return an item, follow the link in your order confirmation.", 9)
    return bytes(pdf.output())


class _Pdf(FPDF):
    def __init__(self, title: str, fo: FulfillmentOrder):
        super().__init__(format="A4")
        self.core_fonts_encoding = ENCODING
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=20)
        self.set_creation_date(fo.created_at)  # deterministic: the same fulfilment order, the same bytes
        self.set_title(printable(title))
        self.set_creator("Baton")
        self.footer_text = printable(title)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT, "", 8)
        self.cell(0, 5, f"{self.footer_text} - page {self.page_no()} of {{nb}}", align="C")

    def write_line(self, text: str, size: float = 10, style: str = "", height: float = 5) -> None:
        self.set_font(FONT, style, size)
        self.multi_cell(0, height, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _rows(order: Order, fo: FulfillmentOrder, units: Callable[[FulfillmentLine], int]) -> list[Row]:
    rows = [Row(line.sku, order.line(line.order_line_id).name, units(line)) for line in fo.lines]
    return [row for row in rows if row.quantity]


def _title(pdf: _Pdf, kind: str, order: Order, fo: FulfillmentOrder, location_name: str) -> None:
    pdf.write_line(f"{kind} {order.number}", 18, "B", 9)
    pdf.ln(2)
    facts = [("Order", order.number), ("Placed", f"{order.placed_at:%Y-%m-%d}"),
             ("From", f"{location_name} ({fo.location})"), ("Fulfilment order", fo.id)]
    for label, value in facts:
        pdf.set_font(FONT, "B", 9)
        pdf.cell(35, 5, label)
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(0, 5, printable(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _delivery(order: Order) -> str:
    if order.delivery_method == "pickup":
        return f"pickup at {order.pickup_location}"
    address = order.shipping_address or {}
    return f"ship to {address.get('city', '')}, {address.get('country', '')}".rstrip(", ")


def _recipient(order: Order) -> list[str]:
    if order.delivery_method == "pickup":
        return [order.customer_name or order.customer_email, str(order.pickup_location or "")]
    address = order.shipping_address or {}
    town = " ".join(str(address[k]) for k in ("postal_code", "city") if address.get(k))
    parts = [address.get("name") or order.customer_name, address.get("company"), address.get("line1"),
             address.get("line2"), town, address.get("region"), address.get("country")]
    return [str(part) for part in parts if part]


def _table(pdf: _Pdf, widths: tuple[float, ...], titles: tuple[str, ...], aligns: str,
           rows: list[tuple[str, ...]]) -> None:
    pdf.set_font(FONT, "B", 9)
    for width, title, align in zip(widths, titles, aligns, strict=True):
        pdf.cell(width, 7, title, border="B", align=align)
    pdf.ln(7)
    pdf.set_font(FONT, "", 10)
    for cells in rows:
        for width, text, align in zip(widths, cells, aligns, strict=True):
            pdf.cell(width, 7, fit(pdf, printable(text), width - 1), border="B", align=align)
        pdf.ln(7)

