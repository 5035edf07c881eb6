"""What a location does with its fulfilment order, applied to the order aggregate so that the
order's quantity buckets and derived statuses always move together with the fulfilment order.

While the order is on hold nothing is accepted, packed, shipped or handed over; rejecting stays possible
(the units are re-routed and wait for the release like the rest), and so does recording that parcels which
left before the hold have arrived."""

from __future__ import annotations

from baton.fulfillment.model import FulfillmentOrder, FulfillmentOrderStatus, Shipment, ShipmentStatus
from baton.orders.model import Order
from baton.shared.clock import utcnow
from baton.shared.errors import Conflict, InvalidInput, NotFound
from baton.shared.stock_effects import StockEffect

S = FulfillmentOrderStatus


def accept(order: Order, fo_id: str, actor: str) -> FulfillmentOrder:
    fo = order.fulfillment_order(fo_id)
    order.check_not_held("accepted")
    fo.move_to(S.ACCEPTED)
    order.tell(actor, "accepted", f"{fo.location} accepted its fulfilment order ({fo.remaining} unit(s)).",
               fulfillment_order_id=fo.id)
    order.announce("fulfillment_order.accepted", fulfillment_order_id=fo.id, location=fo.location)
    order.touch()
    return fo


def pack(order: Order, fo_id: str, actor: str) -> FulfillmentOrder:
    fo = order.fulfillment_order(fo_id)
    order.check_not_held("packed")
    fo.move_to(S.PACKED)
    if order.delivery_method == "pickup":
        message = f"Ready for pickup at {fo.location}: {fo.remaining} unit(s) packed."
    else:
        message = f"{fo.location} packed {fo.remaining} unit(s)."
    order.tell(actor, "packed", message, fulfillment_order_id=fo.id)
    order.announce("fulfillment_order.packed", fulfillment_order_id=fo.id, location=fo.location)
    order.touch()
    return fo


def ship(
    order: Order, fo_id: str, *, carrier: str, tracking_number: str | None, service: str | None,
    lines: dict[str, int] | None, actor: str,
) -> tuple[Shipment, list[StockEffect]]:
    """One parcel leaves: all remaining units, or the given {order_line_id: quantity}."""
    fo = order.fulfillment_order(fo_id)
    order.check_not_held("shipped")
    if fo.status not in (S.ACCEPTED, S.PACKED):
        raise Conflict(f"Fulfilment order {fo.id} is {fo.status}; accept it before shipping.",
                       code="invalid_transition")
    if order.delivery_method == "pickup":
        raise Conflict("This is a pickup order: hand it over with 'deliver' once it is packed.",
                       code="pickup_order")
    wanted = _shipment_quantities(fo, lines)
    shipment = _leave(order, fo, wanted, carrier=carrier, tracking_number=tracking_number, service=service)
    tracking = f", tracking {tracking_number}" if tracking_number else ""
    order.tell(actor, "shipped", f"{fo.location} shipped {shipment.units} unit(s) with {carrier}{tracking}.",
               fulfillment_order_id=fo.id, shipment_id=shipment.id)
    order.announce("shipment.shipped", shipment_id=shipment.id, fulfillment_order_id=fo.id, carrier=carrier,
                   tracking_number=tracking_number, units=shipment.units)
    order.touch()
    return shipment, [StockEffect(fo.location, line["sku"], line["quantity"], "ship") for line in shipment.lines]


def deliver(order: Order, fo_id: str, actor: str) -> list[StockEffect]:
    """Shipped parcels arrived; or, for pickup, the packed order is handed to the customer."""
    fo = order.fulfillment_order(fo_id)
    effects: list[StockEffect] = []
    if order.delivery_method == "pickup":
        order.check_not_held("handed over")
        if fo.status != S.PACKED:
            raise Conflict(f"Fulfilment order {fo.id} is {fo.status}; pack it before the handover.",
                           code="invalid_transition")
        wanted = {line.order_line_id: line.remaining for line in fo.lines if line.remaining}
        shipment = _leave(order, fo, wanted, carrier="pickup", tracking_number=None, service=None)
        effects = [StockEffect(fo.location, line["sku"], line["quantity"], "ship") for line in shipment.lines]
    fo.move_to(S.DELIVERED)
    delivered_units = 0
    for shipment in fo.shipments:
        if shipment.status == ShipmentStatus.DELIVERED:
            continue
        shipment.status = ShipmentStatus.DELIVERED
        shipment.delivered_at = utcnow()
        for item in shipment.lines:
            order.line(item["line_id"]).delivered += int(item["quantity"])
            delivered_units += int(item["quantity"])
        order.announce("shipment.delivered", shipment_id=shipment.id, fulfillment_order_id=fo.id)
    verb = "Handed over" if order.delivery_method == "pickup" else "Delivered"
    order.tell(actor, "delivered", f"{verb} {delivered_units} unit(s) from {fo.location}.", fulfillment_order_id=fo.id)
    order.touch()
    return effects


def track(order: Order, shipment_id: str, status: ShipmentStatus, detail: str | None, actor: str) -> Shipment:
    """A carrier's tracking event for a parcel still on its way: out for delivery, or an exception."""
    shipment = next((s for fo in order.fulfillment_orders for s in fo.shipments if s.id == shipment_id), None)
    if shipment is None or shipment.carrier == "pickup":
        raise NotFound(f"No shipment {shipment_id} on order {order.number}.", code="shipment_not_found")
    if shipment.status == ShipmentStatus.DELIVERED:
        raise Conflict(f"Shipment {shipment_id} was delivered already.", code="invalid_transition")
    shipment.status = status
    parcel = f"{shipment.carrier} parcel {shipment.tracking_number or shipment.id}"
    if status == ShipmentStatus.OUT_FOR_DELIVERY:
        order.tell(actor, "out_for_delivery", f"The {parcel} is out for delivery.", shipment_id=shipment.id)
        order.announce("shipment.out_for_delivery", shipment_id=shipment.id,
                       fulfillment_order_id=shipment.fulfillment_order_id)
    else:
        order.tell(actor, "shipment_exception", f"The carrier reported a problem with the {parcel}: "
                   f"\u201c{detail or 'no detail given'}\u201d.", shipment_id=shipment.id)
        order.announce("shipment.exception", shipment_id=shipment.id,
                       fulfillment_order_id=shipment.fulfillment_order_id, reason=detail)
    order.touch()
    return shipment


def deliver_parcel(order: Order, fo_id: str, shipment_id: str, actor: str) -> Shipment:
    """One parcel arrived while others are still on their way (or still to leave): its units count as delivered
    from now (returns count them, and their window, from its arrival). The fulfilment order is delivered once
    everything has shipped and every parcel arrived."""
    fo = order.fulfillment_order(fo_id)
    shipment = next((s for s in fo.shipments if s.id == shipment_id), None)
    if shipment is None or shipment.carrier == "pickup":
        raise NotFound(f"No shipment {shipment_id} in fulfilment order {fo_id}.", code="shipment_not_found")
    if shipment.status == ShipmentStatus.DELIVERED:
        raise Conflict(f"Shipment {shipment_id} was delivered already.", code="invalid_transition")
    shipment.status = ShipmentStatus.DELIVERED
    shipment.delivered_at = utcnow()
    for item in shipment.lines:
        order.line(item["line_id"]).delivered += int(item["quantity"])
    order.announce("shipment.delivered", shipment_id=shipment.id, fulfillment_order_id=fo.id)
    if fo.status == S.SHIPPED and all(s.status == ShipmentStatus.DELIVERED for s in fo.shipments):
        fo.move_to(S.DELIVERED)
    parcel = f"{shipment.carrier} parcel {shipment.tracking_number or shipment.id}"
    order.tell(actor, "delivered", f"Delivered the {parcel}: {shipment.units} unit(s) from {fo.location}.",
               fulfillment_order_id=fo.id, shipment_id=shipment.id)
    order.touch()
    return shipment


def reject(order: Order, fo_id: str, reason: str, actor: str) -> list[StockEffect]:
    """The location cannot fulfil: its units go back to the order for re-routing."""
    fo = order.fulfillment_order(fo_id)
    if fo.shipped_units:
        raise Conflict(f"{fo.location} already shipped part of fulfilment order {fo.id}; it cannot be rejected.",
                       code="invalid_transition")
    fo.move_to(S.REJECTED)
    fo.reject_reason = reason
    effects = []
    for fo_line in fo.lines:
        if fo_line.remaining:
            order.line(fo_line.order_line_id).allocated -= fo_line.remaining
            effects.append(StockEffect(fo.location, fo_line.sku, fo_line.remaining, "release"))
    order.tell(actor, "rejected", f"{fo.location} rejected its fulfilment order: \u201c{reason}\u201d. "
               "Its units are being re-routed.", fulfillment_order_id=fo.id)
    order.announce("fulfillment_order.rejected", fulfillment_order_id=fo.id, location=fo.location, reason=reason)
    order.touch()
    return effects


def _shipment_quantities(fo: FulfillmentOrder, lines: dict[str, int] | None) -> dict[str, int]:
    if lines is None:
        wanted = {line.order_line_id: line.remaining for line in fo.lines if line.remaining}
        if not wanted:
            raise Conflict(f"Fulfilment order {fo.id} has nothing left to ship.", code="nothing_to_ship")
        return wanted
    if not lines:
        raise InvalidInput("lines", "list at least one line to ship, or leave lines out to ship everything left.")
    for index, (line_id, quantity) in enumerate(lines.items()):
        fo_line = fo.line_for(line_id)
        if fo_line is None:
            raise InvalidInput(f"lines[{index}].line_id", f"line {line_id} is not part of fulfilment order {fo.id}.")
        if quantity <= 0:
            raise InvalidInput(f"lines[{index}].quantity", "must be at least 1.")
        if quantity > fo_line.remaining:
            raise Conflict(
                f"Only {fo_line.remaining} unit(s) of {fo_line.sku} are left to ship from {fo.location}; "
                f"{quantity} requested.", code="over_shipment",
            )
    return lines


def _leave(order: Order, fo: FulfillmentOrder, wanted: dict[str, int], *, carrier: str,
           tracking_number: str | None, service: str | None) -> Shipment:
    items = []
    for line_id, quantity in wanted.items():
        fo_line = fo.line_for(line_id)
        assert fo_line is not None
        fo_line.shipped += quantity
        fo_line.awaiting_stock = min(fo_line.awaiting_stock, fo_line.remaining)
        order_line = order.line(line_id)
        order_line.allocated -= quantity
        order_line.shipped += quantity
        items.append({"line_id": line_id, "sku": fo_line.sku, "quantity": quantity})
    shipment = Shipment(fo.id, order.id, fo.location, carrier, tracking_number, items, service=service)
    fo.shipments.append(shipment)
    if fo.remaining == 0:
        fo.move_to(S.SHIPPED)
    return shipment
