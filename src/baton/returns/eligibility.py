"""Opening a return: which units may come back (delivered, not already requested or returned, of a returnable
product, within the channel's window) and the order lines' buckets that count them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from baton.catalog.model import Product
from baton.orders.model import Order, OrderLine
from baton.returns.commands import LineRequest, RequestReturn
from baton.returns.model import Return, ReturnLine, ReturnMethod
from baton.returns.policy import ReturnPolicy
from baton.shared.clock import utcnow
from baton.shared.errors import Conflict, InvalidInput, NotFound


def open_return(order: Order, cmd: RequestReturn, products: Mapping[str, Product], policy: ReturnPolicy,
                number: str, actor: str, refunded: Mapping[str, int] | None = None) -> Return:
    """A new return of `cmd.lines`; the units move into their lines' return_requested bucket. `refunded`: units
    per line already refunded by lines (payments.refunds): money back once is enough, so they cannot return."""
    wanted = _wanted(order, cmd, products, refunded or {})
    if last_delivery(order) is None:
        raise Conflict(f"Nothing of order {order.number} has been delivered yet; a return opens once units have "
                       "arrived.", code="nothing_delivered")
    for line, _request in wanted:  # each line's window counts from the last parcel that brought its units
        policy.check_window(last_delivery(order, line.id) or utcnow(), order.number, what=line.sku)
    lines = [ReturnLine(line.id, line.sku, request.quantity, request.reason.strip(), request.comment)
             for line, request in wanted]
    rma = Return(order.id, number, order.currency, cmd.method, cmd.refund_to, lines, actor,
                 tracking_number=cmd.tracking_number, location=cmd.location)
    for line, request in wanted:
        line.return_requested += request.quantity
    what = ", ".join(f"{r.quantity} \u00d7 {line.sku} ({r.reason.strip()})" for line, r in wanted)
    how = (f"sent back{f' with tracking number {cmd.tracking_number}' if cmd.tracking_number else ''}"
           if cmd.method == ReturnMethod.SHIP_BACK else f"dropped off at {cmd.location}")
    refund = "store credit" if cmd.refund_to == "store_credit" else "the original payment"
    order.tell(actor, "return_requested", f"Return {number} requested: {what}, to be {how}; refund to {refund}.",
               return_id=rma.id)
    order.announce("return.requested", return_id=rma.id, number=number, method=str(cmd.method),
                   lines=[{"line_id": line.id, "sku": line.sku, "quantity": r.quantity} for line, r in wanted])
    return rma


def returnable_units(line: OrderLine, refunded: int = 0) -> int:
    """Delivered units not already asked back or returned, nor refunded by lines (of the shipped units)."""
    return min(line.delivered, line.shipped - refunded) - line.return_requested - line.returned


def last_delivery(order: Order, line_id: str | None = None) -> datetime | None:
    """When the order's last parcel (carrying units of `line_id`, when given) arrived or was handed over; a
    return window counts from then. Parcels delivered one by one each start their own units' window."""
    delivered = [s.delivered_at for fo in order.fulfillment_orders for s in fo.shipments if s.delivered_at
                 and (line_id is None or any(item["line_id"] == line_id for item in s.lines))]
    if delivered:
        return max(delivered)
    if any(line.delivered for line in order.lines if line_id in (None, line.id)):  # delivered before shipments
        return utcnow()  # carried a time: from now on
    return None


def _wanted(order: Order, cmd: RequestReturn, products: Mapping[str, Product],
            refunded: Mapping[str, int]) -> list[tuple[OrderLine, LineRequest]]:
    if not cmd.lines:
        raise InvalidInput("lines", "list at least one line to return.")
    seen: set[str] = set()
    wanted = []
    for index, request in enumerate(cmd.lines):
        try:
            line = order.line(request.line_id)
        except NotFound:
            raise InvalidInput(f"lines[{index}].line_id", f"order {order.number} has no line {request.line_id}.",
                               code="line_not_found") from None
        if line.id in seen:
            raise InvalidInput(f"lines[{index}].line_id", "each line may be listed once.")
        seen.add(line.id)
        if not request.reason.strip():
            raise InvalidInput(f"lines[{index}].reason", "say why the units come back.")
        product = products.get(line.sku)
        if product is not None and not product.returnable:
            raise InvalidInput(f"lines[{index}].line_id", f"{line.sku} is a final sale and cannot be returned.",
                               code="not_returnable")
        if request.quantity <= 0:
            raise InvalidInput(f"lines[{index}].quantity", "must be at least 1.")
        left = returnable_units(line, refunded.get(line.id, 0))
        if request.quantity > left:
            by_lines = f", {refunded[line.id]} refunded already" if refunded.get(line.id) else ""
            raise InvalidInput(f"lines[{index}].quantity", f"only {max(left, 0)} unit(s) of {line.sku} can be "
                               f"returned ({line.delivered} delivered, {line.return_requested} already asked back, "
                               f"{line.returned} returned{by_lines}); {request.quantity} requested.",
                               code="too_many_units")
        wanted.append((line, request))
    return wanted
