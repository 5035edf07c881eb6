"""The event catalogue: every type Baton emits (docs/events.md describes each) and the envelope it travels in."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

PAYLOAD_VERSION = 1  # of every payload's schema; a breaking change to one type's payload bumps its version

EVENT_TYPES = frozenset({
    "order.placed", "order.edited", "order.cancelled", "order.lines_cancelled", "order.held", "order.released",
    "order.address_changed", "fulfillment_order.routed", "fulfillment_order.accepted", "fulfillment_order.packed",
    "fulfillment_order.rejected", "fulfillment_order.cancelled", "shipment.shipped", "shipment.delivered",
    "payment.authorized", "payment.captured", "payment.voided", "refund.issued", "invoice.issued",
    "credit_memo.issued", "return.requested", "return.approved", "return.rejected", "return.received",
    "return.inspected", "return.refunded", "return.closed", "store_credit.issued", "customer.erased",
    "inventory.low_stock", "payment.failed", "shipment.out_for_delivery", "shipment.exception",
})
ALL = "*"  # a subscription to every type, present and future


@dataclass(frozen=True)
class Published:
    """An outbox event as the worker's fan-out hands it to every consumer (webhooks, notifications, the stream)."""

    id: str
    type: str
    version: int
    order_id: str | None
    sequence: int | None
    occurred_at: datetime
    payload: dict[str, Any]


def envelope(event_id: str, event_type: str, version: int, order_id: str | None, sequence: int | None,
             occurred_at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """What a consumer receives: the event id (to de-duplicate), its type and payload version, its place in the
    order's sequence, and the payload as `data`."""
    return {"id": event_id, "type": event_type, "version": version, "order_id": order_id, "sequence": sequence,
            "occurred_at": occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"), "data": data}


def body(message: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False, default=str).encode()
