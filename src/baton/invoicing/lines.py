"""What a document lists, with line amounts that add up exactly to its goods (largest remainder, `allocate`).

An invoice is issued per capture, and each shipment captures what it ships, so an invoice lists the units shipped
and not on an earlier invoice of the order, its goods spread over them by their price after discount. Money
captured before those units were worth it (a storefront capturing at checkout, booked at the next settlement)
covers the units kept and not yet invoiced instead. When one shipment's capture is split over two payments (a gift
card and a card), the first invoice lists the units and the second one line for the rest of their price.

A credit memo lists one line: the refund with its reason (returns will name their units)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from baton.invoicing.model import Document, DocumentKind, DocumentLine
from baton.orders.model import OrderLine
from baton.shared.money import allocate

Units = list[tuple[OrderLine, int]]


def invoice_lines(order_lines: Sequence[OrderLine], earlier: Sequence[Document], net: int) -> tuple[DocumentLine, ...]:
    """The lines of an invoice of `net` goods (minor units) after the order's `earlier` documents."""
    if net == 0:
        return ()  # a capture of shipping only
    invoiced = _invoiced_units(earlier)
    shipped = _due(order_lines, invoiced, lambda line: line.shipped)
    kept = _due(order_lines, invoiced, lambda line: line.kept)
    if shipped and (net <= _value(shipped) or _value(kept) <= _value(shipped)):
        units = shipped
    elif kept and (shipped or not any(line.shipped for line in order_lines)):
        units = kept
    else:
        return (_rest(earlier, net),)
    weights = [_line_value(line, quantity) for line, quantity in units]
    if sum(weights) == 0:  # every unit given away by discounts: spread by units
        weights = [quantity for _line, quantity in units]
    amounts = allocate(net, weights)
    return tuple(DocumentLine(line.name, amount, quantity, line.sku, line.id)
                 for (line, quantity), amount in zip(units, amounts, strict=True))


def credit_memo_lines(reason: str | None, net: int, what: str = "Refund") -> tuple[DocumentLine, ...]:
    """One line of `net` (goods and shipping given back, without tax) that says why; `what`: "Refund", or
    "Goodwill" for an appeasement."""
    if net == 0:
        return ()  # only tax given back
    return (DocumentLine(f"{what}: {reason}" if reason else what, net),)


def _invoiced_units(earlier: Sequence[Document]) -> Counter[str]:
    invoiced: Counter[str] = Counter()
    for document in earlier:
        if document.kind is DocumentKind.INVOICE:
            for line in document.lines:
                if line.line_id and line.quantity:
                    invoiced[line.line_id] += line.quantity
    return invoiced


def _due(order_lines: Sequence[OrderLine], invoiced: Counter[str], basis: Callable[[OrderLine], int]) -> Units:
    due = [(line, basis(line) - invoiced[line.id]) for line in order_lines]
    return [(line, quantity) for line, quantity in due if quantity > 0]


def _line_value(line: OrderLine, quantity: int) -> int:
    """What `quantity` units of the line cost after their share of discounts (as flows.shipped_value counts)."""
    return line.unit_price * quantity - line.discount * quantity // line.quantity


def _value(units: Units) -> int:
    return sum(_line_value(line, quantity) for line, quantity in units)


def _rest(earlier: Sequence[Document], net: int) -> DocumentLine:
    numbers = [d.number for d in earlier if d.kind is DocumentKind.INVOICE]
    where = f" listed on {numbers[-1]}" if numbers else ""
    return DocumentLine(f"The rest of the price of the goods{where}", net)
