"""Editing a placed order before it ships: quantities, new lines, the shipping address, the delivery method.

The order as placed is never rewritten (DESIGN.md §2); an edit is one OrderChange (kind "edit") with its
quantity and money delta:
- a lower quantity cancels open units, exactly as a partial cancellation does (orders.cancellation): units no
  location holds go first, then reserved ones, whose stock is released;
- a higher quantity, and a new line, add units: the extra units of an existing line come as a new line of the same
  SKU at that line's price snapshot and tax class, so `OrderLine.quantity` stays "ordered on this line" and the
  prorated discount and tax of units already shipped or captured never move. New lines carry no share of the
  order's discounts; their tax comes from the same rates as the order's (see baton.orders.edit_services);
- `lines` in the change: `quantity` > 0 units removed from a line, < 0 units added (a new line's id);
- only units neither shipped nor packed change: a fulfilment order already packed is never changed under the
  warehouse (409 `fulfillment_packed`); units below what has shipped cannot go (409 `line_shipped`);
- a stale edit (the order's version moved on since the agent saw it) is refused with 409 `stale_order`;
- a new shipping address before any fulfilment order is accepted, a new delivery method or pickup store: the open
  units are withdrawn from their locations and routed again (`replan`); a new address after acceptance only
  updates the order (the warehouse reads it when it ships).
Pure domain: the service (orders.edit_services) prices, taxes, routes, moves stock and money."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baton.fulfillment.model import FulfillmentOrderStatus
from baton.orders.cancellation import take_units
from baton.orders.edit_commands import LineQuantity
from baton.orders.model import MAX_LINE_AMOUNT, DeliveryMethod, Order, OrderChange, OrderLine
from baton.shared.errors import Conflict, InvalidInput, NotFound
from baton.shared.stock_effects import StockEffect


@dataclass(frozen=True)
class Delivery:
    """Where the open units go after the edit: the whole target, resolved and checked by the service."""

    method: DeliveryMethod
    shipping_address: dict[str, Any] | None
    pickup_location: str | None


@dataclass(frozen=True)
class EditResult:
    change: OrderChange
    effects: list[StockEffect]  # reservations to release
    replan: bool  # every open unit was withdrawn and must be routed again


def check_version(order: Order, version: int) -> None:
    if version != order.version:
        raise Conflict(
            f"Order {order.number} changed since version {version} (it is at version {order.version} now): "
            "reload it and edit again.", code="stale_order", extra={"current_version": order.version})


def check_editable(order: Order) -> None:
    if all(line.open == 0 for line in order.lines):
        raise Conflict(f"Order {order.number} has nothing left to edit: every unit has shipped or was cancelled.",
                       code="not_editable")


def new_quantities(order: Order, wanted: list[LineQuantity]) -> list[tuple[OrderLine, int]]:
    """(line, new quantity) for each line whose quantity changes; refuses unknown lines and shipped units."""
    result, seen = [], set()
    for index, item in enumerate(wanted):
        try:
            line = order.line(item.line_id)
        except NotFound:
            raise InvalidInput(f"lines[{index}].line_id", f"order {order.number} has no line {item.line_id}.") from None
        if item.line_id in seen:
            raise InvalidInput(f"lines[{index}].line_id", "each line may be listed once.")
        seen.add(item.line_id)
        if item.quantity < 0:
            raise InvalidInput(f"lines[{index}].quantity", "must be 0 (remove its open units) or more.")
        if item.quantity < line.shipped:
            raise Conflict(f"{line.shipped} unit(s) of {line.sku} have shipped already; the line cannot go below "
                           f"{line.shipped} ({item.quantity} asked). Returns take shipped units back.",
                           code="line_shipped")
        if item.quantity != line.kept:
            result.append((line, item.quantity))
    return result


def apply_edit(order: Order, quantities: list[tuple[OrderLine, int]], added: list[OrderLine],
               delivery: Delivery | None, reason: str, actor: str) -> EditResult:
    """Apply the edit to the aggregate (nothing routed yet: new and withdrawn units wait unallocated)."""
    total_before = order.totals.total
    effects: list[StockEffect] = []
    entries: list[dict[str, Any]] = []
    said: list[str] = []
    for line, quantity in quantities:
        if quantity < line.kept:
            removed = line.kept - quantity
            _check_not_packed(order, line)
            effects.extend(take_units(order, line, removed))
            line.cancelled += removed
            entries.append({"line_id": line.id, "sku": line.sku, "quantity": removed})
            said.append(f"{line.sku} {line.kept + removed} \u2192 {line.kept}")
    for line in added:
        _add_line(order, line)
        entries.append({"line_id": line.id, "sku": line.sku, "quantity": -line.quantity})
        said.append(f"added {line.quantity} \u00d7 {line.sku} at {order.money(line.unit_price)}")
    replan = False
    if delivery is not None:
        replan, what = _change_delivery(order, delivery, actor)
        said.extend(what)
        if replan:
            effects.extend(_withdraw(order, actor))
    if not said:
        raise InvalidInput("lines", "the edit changes nothing: give new quantities, lines to add, a new address or "
                           "a new delivery method.", code="nothing_to_edit")
    delta = order.totals.total - total_before
    change = OrderChange(order.id, "edit", actor, reason, entries, delta)
    order.changes.append(change)
    order.tell(actor, "edited", f"Order edited ({reason}): {'; '.join(said)}. Total now "
               f"{order.money(order.totals.total)} ({'+' if delta >= 0 else ''}{order.money(delta)}).",
               change_id=change.id)
    order.announce("order.edited", change_id=change.id, lines=entries, amount_delta=delta,
                   total=order.totals.total, currency=order.currency, rerouted=replan)
    order.touch()
    return EditResult(change, effects, replan)


def _check_not_packed(order: Order, line: OrderLine) -> None:
    for fo in order.fulfillment_orders:
        fo_line = fo.line_for(line.id)
        if fo.status == FulfillmentOrderStatus.PACKED and fo_line is not None and fo_line.remaining:
            raise Conflict(f"{fo.location} has packed {line.sku} already (fulfilment order {fo.id}); the line cannot "
                           "change under the warehouse. Ask the location to unpack, or return it after delivery.",
                           code="fulfillment_packed")


def _add_line(order: Order, line: OrderLine) -> None:
    if line.unit_price * line.quantity > MAX_LINE_AMOUNT:
        raise InvalidInput("add_lines", "price × quantity is beyond what one order line may carry.",
                           code="amount_too_large")
    line.position = max(existing.position for existing in order.lines) + 1
    order.lines.append(line)


def _change_delivery(order: Order, target: Delivery, actor: str) -> tuple[bool, list[str]]:
    """Whether the open units must be routed again, and what changed, in words."""
    said = []
    method_changed = target.method != order.delivery_method
    store_changed = target.method == DeliveryMethod.PICKUP and target.pickup_location != order.pickup_location
    address_changed = target.shipping_address is not None and target.shipping_address != order.shipping_address
    if method_changed or store_changed or address_changed:
        packed = [fo for fo in order.fulfillment_orders if fo.status == FulfillmentOrderStatus.PACKED]
        if packed:
            raise Conflict(f"{packed[0].location} has packed this order already (fulfilment order {packed[0].id}); "
                           "its delivery cannot change under the warehouse.", code="fulfillment_packed")
    if method_changed and any(line.shipped for line in order.lines):
        raise Conflict(f"Part of order {order.number} has shipped; the rest keeps its delivery method.",
                       code="line_shipped")
    if address_changed:
        order.shipping_address = target.shipping_address
        said.append(f"shipping address now {_where(target.shipping_address)}")
    if method_changed or store_changed:
        order.delivery_method = target.method
        order.pickup_location = target.pickup_location if target.method == DeliveryMethod.PICKUP else None
        said.append(f"pickup at {target.pickup_location}" if target.method == DeliveryMethod.PICKUP
                    else "delivery method now ship")
    accepted = any(fo.active and fo.status != FulfillmentOrderStatus.OPEN for fo in order.fulfillment_orders)
    replan = method_changed or store_changed or (address_changed and not accepted)
    if address_changed and accepted and not replan:
        said.append("a location accepted the order already: it ships from there to the new address")
    return replan, said


def _withdraw(order: Order, actor: str) -> list[StockEffect]:
    """Take every open unit back from its location (open or accepted), to be routed again."""
    effects = []
    for fo in order.fulfillment_orders:
        if not fo.active:
            continue
        for fo_line in fo.lines:
            if fo_line.remaining:
                order.line(fo_line.order_line_id).allocated -= fo_line.remaining
                effects.append(StockEffect(fo.location, fo_line.sku, fo_line.remaining, "release"))
                fo_line.cancelled += fo_line.remaining
                fo_line.awaiting_stock = 0
        fo.settle()
        order.tell(actor, "withdrawn", f"The fulfilment order at {fo.location} was withdrawn: the edit routes its "
                   "units again.", fulfillment_order_id=fo.id)
        order.announce("fulfillment_order.cancelled", fulfillment_order_id=fo.id, location=fo.location)
    return effects


def _where(address: dict[str, Any] | None) -> str:
    address = address or {}
    return ", ".join(str(address[k]) for k in ("line1", "city", "country") if address.get(k))
