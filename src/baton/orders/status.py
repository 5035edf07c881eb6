"""The order's statuses, derived from its lines and fulfilment orders, never set by hand."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from baton.orders.model import Order


class OrderStatus(enum.StrEnum):
    PLACED = "placed"  # captured; no location has started on it
    PROCESSING = "processing"  # a location accepted or packed part of it
    PARTIALLY_SHIPPED = "partially_shipped"  # some units left, others are still open
    SHIPPED = "shipped"  # every unit not cancelled has left
    DELIVERED = "delivered"  # every unit not cancelled has arrived or was picked up
    ON_HOLD = "on_hold"  # a hold (risk, payment, an agent) is active: nothing is accepted, packed or shipped
    CANCELLED = "cancelled"  # every unit was cancelled


class FulfillmentStatus(enum.StrEnum):
    BACKORDERED = "backordered"  # some open units have no location yet (waiting for stock)
    ALLOCATED = "allocated"  # every open unit is with a location, nothing shipped yet
    READY_FOR_PICKUP = "ready_for_pickup"  # a pickup order, packed and waiting at the store
    PARTIALLY_SHIPPED = "partially_shipped"  # some units shipped, others still open
    SHIPPED = "shipped"  # every unit not cancelled shipped, not all delivered
    DELIVERED = "delivered"  # every unit not cancelled delivered
    CANCELLED = "cancelled"  # every unit was cancelled


def _units(order: Order) -> tuple[int, int, int, int]:
    kept = sum(line.kept for line in order.lines)
    shipped = sum(line.shipped for line in order.lines)
    delivered = sum(line.delivered for line in order.lines)
    unallocated = sum(line.unallocated for line in order.lines)
    return kept, shipped, delivered, unallocated


def derive_order_status(order: Order) -> OrderStatus:
    kept, shipped, delivered, _ = _units(order)
    if kept == 0:
        return OrderStatus.CANCELLED
    if delivered == kept:
        return OrderStatus.DELIVERED
    if shipped == kept:
        return OrderStatus.SHIPPED
    if any(hold.active for hold in order.holds):
        return OrderStatus.ON_HOLD
    if shipped > 0:
        return OrderStatus.PARTIALLY_SHIPPED
    if any(fo.status in ("accepted", "packed") for fo in order.fulfillment_orders):
        return OrderStatus.PROCESSING
    return OrderStatus.PLACED


def derive_fulfillment_status(order: Order) -> FulfillmentStatus:
    kept, shipped, delivered, unallocated = _units(order)
    if kept == 0:
        return FulfillmentStatus.CANCELLED
    if delivered == kept:
        return FulfillmentStatus.DELIVERED
    if shipped == kept:
        return FulfillmentStatus.SHIPPED
    if shipped > 0:
        return FulfillmentStatus.PARTIALLY_SHIPPED
    if unallocated > 0:
        return FulfillmentStatus.BACKORDERED
    active = [fo for fo in order.fulfillment_orders if fo.active]
    if order.delivery_method == "pickup" and active and all(fo.status == "packed" for fo in active):
        return FulfillmentStatus.READY_FOR_PICKUP
    return FulfillmentStatus.ALLOCATED
