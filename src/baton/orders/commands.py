"""Commands: what a caller asks ordering to do, already shaped by the entrypoint."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from baton.payments.services import PaymentRequest


@dataclass(frozen=True)
class LineRequest:
    sku: str
    quantity: int
    price: str | None = None  # the channel's own price; catalog price otherwise


@dataclass(frozen=True)
class DiscountRequest:
    code: str
    amount: str


@dataclass(frozen=True)
class PlaceOrder:
    channel: str
    currency: str
    email: str
    lines: list[LineRequest]
    name: str | None = None
    phone: str | None = None
    shipping_address: dict[str, Any] | None = None
    billing_address: dict[str, Any] | None = None
    delivery_method: str = "ship"
    pickup_location: str | None = None
    shipping: str = "0"
    discounts: list[DiscountRequest] = field(default_factory=list)
    actor: str = "api"
    order_id: str | None = None  # chosen by the caller, so an Idempotency-Key can be claimed with it
    payments: list[PaymentRequest] = field(default_factory=list)  # none: settled outside Baton, as before

