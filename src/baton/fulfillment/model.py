"""Fulfilment orders (the part of an order one location fulfils) and the shipments that leave for them."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from baton.shared.clock import utcnow
from baton.shared.errors import Conflict
from baton.shared.ids import new_id


class FulfillmentOrderStatus(enum.StrEnum):
    OPEN = "open"  # routed to the location, not yet accepted
    ACCEPTED = "accepted"  # the location will fulfil it; may ship in several parcels
    PACKED = "packed"  # packed; for a pickup order this means ready for pickup
    SHIPPED = "shipped"  # every remaining unit left the location (or was handed over)
    DELIVERED = "delivered"  # every shipment arrived
    REJECTED = "rejected"  # the location cannot fulfil it; its units were re-routed
    CANCELLED = "cancelled"  # every unit was cancelled before leaving


S = FulfillmentOrderStatus
# Allowed transitions; anything else is refused with 409.
TRANSITIONS: dict[FulfillmentOrderStatus, frozenset[FulfillmentOrderStatus]] = {
    S.OPEN: frozenset({S.ACCEPTED, S.REJECTED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.PACKED, S.SHIPPED, S.REJECTED, S.CANCELLED}),
    S.PACKED: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset(),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
}
ACTIVE = frozenset({S.OPEN, S.ACCEPTED, S.PACKED})  # still holds reserved stock


class ShipmentStatus(enum.StrEnum):
    IN_TRANSIT = "in_transit"  # handed to the carrier
    OUT_FOR_DELIVERY = "out_for_delivery"  # the carrier reported it is on the van today
    EXCEPTION = "exception"  # the carrier reported a problem (delay, damage, address); it may still arrive
    DELIVERED = "delivered"  # arrived (or picked up by the customer)


@dataclass(eq=False)
class FulfillmentLine:
    order_line_id: str
    sku: str
    quantity: int  # units routed to this location
    awaiting_stock: int = 0  # of those, units the location does not have yet (backorder / preorder)
    shipped: int = 0
    cancelled: int = 0
    id: str = field(default_factory=lambda: new_id("fol"))

    @property
    def remaining(self) -> int:
        return self.quantity - self.shipped - self.cancelled


@dataclass(eq=False)
class Shipment:
    fulfillment_order_id: str
    order_id: str
    location: str
    carrier: str
    tracking_number: str | None
    lines: list[dict[str, Any]]  # [{"line_id", "sku", "quantity"}]
    service: str | None = None
    status: ShipmentStatus = ShipmentStatus.IN_TRANSIT
    id: str = field(default_factory=lambda: new_id("shp"))
    shipped_at: datetime = field(default_factory=utcnow)
    delivered_at: datetime | None = None

    @property
    def units(self) -> int:
        return sum(int(line["quantity"]) for line in self.lines)


@dataclass(eq=False)
class FulfillmentOrder:
    order_id: str
    location: str
    lines: list[FulfillmentLine]
    status: FulfillmentOrderStatus = FulfillmentOrderStatus.OPEN
    reject_reason: str | None = None
    shipments: list[Shipment] = field(default_factory=list)
    id: str = field(default_factory=lambda: new_id("fo"))
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def remaining(self) -> int:
        return sum(line.remaining for line in self.lines)

    @property
    def shipped_units(self) -> int:
        return sum(line.shipped for line in self.lines)

    def line_for(self, order_line_id: str) -> FulfillmentLine | None:
        return next((line for line in self.lines if line.order_line_id == order_line_id), None)

    def move_to(self, target: FulfillmentOrderStatus) -> None:
        if target not in TRANSITIONS[self.status]:
            raise Conflict(
                f"Fulfilment order {self.id} is {self.status}; it cannot become {target}.",
                code="invalid_transition",
            )
        self.status = target
        self.updated_at = utcnow()

    def settle(self) -> None:
        """After cancelling units: a fulfilment order with nothing left ends, as shipped or cancelled."""
        if self.active and self.remaining == 0:
            self.status = S.SHIPPED if self.shipped_units else S.CANCELLED
            self.updated_at = utcnow()
