"""Cancelling some or all open units of an order, recorded as an order change."""

from __future__ import annotations

from typing import Any

from baton.orders.model import Order, OrderChange, OrderLine
from baton.shared.errors import Conflict, InvalidInput, NotFound
from baton.shared.stock_effects import StockEffect


def cancel(
    order: Order, lines: dict[str, int] | None, reason: str, actor: str
) -> tuple[OrderChange, list[StockEffect]]:
    """Cancel {line_id: quantity}, or every open unit when `lines` is None. Shipped units cannot be cancelled."""
    wanted = _wanted(order, lines)
    total_before = order.totals.total
    effects: list[StockEffect] = []
    removed: list[dict[str, Any]] = []
    for line, quantity in wanted:
        effects.extend(take_units(order, line, quantity))
        line.cancelled += quantity
        removed.append({"line_id": line.id, "sku": line.sku, "quantity": quantity})
    delta = order.totals.total - total_before
    change = OrderChange(order.id, "cancellation", actor, reason, removed, delta)
    order.changes.append(change)
    units = sum(int(item["quantity"]) for item in removed)
    what = ", ".join(f"{item['quantity']} \u00d7 {item['sku']}" for item in removed)
    whole = order.is_fully_cancelled
    order.tell(
        actor, "cancelled",
        f"{'Order cancelled' if whole else 'Cancelled'}: {what} (reason: {reason}). "
        f"Total now {order.money(order.totals.total)} ({order.money(delta)}).",
        change_id=change.id, units=units,
    )
    order.announce("order.cancelled" if whole else "order.lines_cancelled", change_id=change.id,
                   lines=removed, amount_delta=delta)
    order.touch()
    return change, effects


def _wanted(order: Order, lines: dict[str, int] | None) -> list[tuple[OrderLine, int]]:
    if lines is None:
        wanted = [(line, line.open) for line in order.lines if line.open > 0]
        if not wanted:
            raise Conflict(f"Order {order.number} has nothing left to cancel: every unit has shipped or was "
                           "cancelled already.", code="nothing_to_cancel")
        return wanted
    if not lines:
        raise InvalidInput("lines", "list at least one line, or leave lines out to cancel everything open.")
    result = []
    for index, (line_id, quantity) in enumerate(lines.items()):
        try:
            line = order.line(line_id)
        except NotFound:
            raise InvalidInput(f"lines[{index}].line_id", f"order {order.number} has no line {line_id}.") from None
        if quantity <= 0:
            raise InvalidInput(f"lines[{index}].quantity", "must be at least 1.")
        if quantity > line.open:
            raise Conflict(
                f"Only {line.open} unit(s) of {line.sku} can still be cancelled ({line.shipped} shipped, "
                f"{line.cancelled} cancelled already); {quantity} requested.", code="not_cancellable",
            )
        result.append((line, quantity))
    return result


def take_units(order: Order, line: OrderLine, quantity: int) -> list[StockEffect]:
    """Units come from what no location holds first, then from fulfilment orders that have not shipped them."""
    quantity -= min(quantity, line.unallocated)
    effects = []
    for fo in order.fulfillment_orders:
        fo_line = fo.line_for(line.id)
        if quantity == 0 or not fo.active or fo_line is None or fo_line.remaining == 0:
            continue
        taken = min(quantity, fo_line.remaining)
        fo_line.cancelled += taken
        fo_line.awaiting_stock = min(fo_line.awaiting_stock, fo_line.remaining)
        line.allocated -= taken
        quantity -= taken
        effects.append(StockEffect(fo.location, line.sku, taken, "release"))
        fo.settle()
    return effects
