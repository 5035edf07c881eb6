"""The moments worth a customer message, and which domain event (of which order) is which moment."""

from __future__ import annotations

import enum
from typing import Any


class Moment(enum.StrEnum):
    ORDER_CONFIRMED = "order_confirmed"  # the order was placed
    PAYMENT_PROBLEM = "payment_problem"  # an authorisation or capture was refused: pay again
    READY_FOR_PICKUP = "ready_for_pickup"  # a pickup order is packed at its store
    SHIPPED = "shipped"  # a parcel left, with its tracking link
    OUT_FOR_DELIVERY = "out_for_delivery"  # the carrier is bringing it today
    DELIVERED = "delivered"  # a parcel arrived
    DELAYED = "delayed"  # the carrier reported an exception: late, damaged, undeliverable
    RETURN_RECEIVED = "return_received"  # returned units arrived at a location
    REFUND_ISSUED = "refund_issued"  # money went back


# What an agent reads on the timeline: "Shipping confirmation emailed to j•••@example.com in German."
TITLES: dict[Moment, str] = {
    Moment.ORDER_CONFIRMED: "Order confirmation",
    Moment.PAYMENT_PROBLEM: "Payment problem notice",
    Moment.READY_FOR_PICKUP: "Ready-for-pickup notice",
    Moment.SHIPPED: "Shipping confirmation",
    Moment.OUT_FOR_DELIVERY: "Out-for-delivery notice",
    Moment.DELIVERED: "Delivery confirmation",
    Moment.DELAYED: "Delay notice",
    Moment.RETURN_RECEIVED: "Return receipt",
    Moment.REFUND_ISSUED: "Refund confirmation",
}

_DIRECT = {
    "order.placed": Moment.ORDER_CONFIRMED,
    "shipment.shipped": Moment.SHIPPED,
    "shipment.out_for_delivery": Moment.OUT_FOR_DELIVERY,
    "shipment.exception": Moment.DELAYED,
    "return.received": Moment.RETURN_RECEIVED,
    "refund.issued": Moment.REFUND_ISSUED,
}
WANTED = frozenset({*_DIRECT, "payment.failed", "fulfillment_order.packed", "shipment.delivered"})
_CUSTOMER_FACING_PAYMENTS = frozenset({"authorize", "capture"})  # a refused refund or void is the shop's problem


def moment_of(event_type: str, payload: dict[str, Any], delivery_method: str) -> Moment | None:
    """The moment an event of an order is, or None when the customer need not hear of it. A packed parcel matters
    only when it waits for pickup; a pickup handed over needs no 'delivered' message (the customer was there)."""
    if event_type in _DIRECT:
        return _DIRECT[event_type]
    if event_type == "payment.failed" and payload.get("kind") in _CUSTOMER_FACING_PAYMENTS:
        return Moment.PAYMENT_PROBLEM
    if event_type == "fulfillment_order.packed" and delivery_method == "pickup":
        return Moment.READY_FOR_PICKUP
    if event_type == "shipment.delivered" and delivery_method != "pickup":
        return Moment.DELIVERED
    return None
