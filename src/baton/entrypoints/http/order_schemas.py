"""API shapes of orders, fulfilment orders, shipments, the timeline and public tracking."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, EmailStr, Field

from baton.entrypoints.http.payment_schemas import PaymentIn
from baton.entrypoints.http.schemas import Address, Amount, Code, Currency, In, Reason, Sku, Text

Quantity = Annotated[int, Field(ge=1, le=100_000)]


class CustomerIn(In):
    email: EmailStr
    name: Text | None = None
    phone: Annotated[str, Field(max_length=40)] | None = None


class LineIn(In):
    sku: Sku
    quantity: Quantity
    price: Amount | None = Field(None, description="The channel's unit price; the catalog price when left out.")


class DiscountIn(In):
    code: Text
    amount: Amount


class OrderIn(In):
    channel: Literal["web", "app", "marketplace", "store", "phone", "b2b"]
    currency: Currency
    customer: CustomerIn
    shipping_address: Address | None = None
    billing_address: Address | None = None
    delivery_method: Literal["ship", "pickup"] = "ship"
    pickup_location: Code | None = None
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=500)]
    shipping: Amount = Field("0", description="Shipping charge.")
    discounts: Annotated[list[DiscountIn], Field(max_length=20)] = []
    payment: PaymentIn | Annotated[list[PaymentIn], Field(min_length=1, max_length=5)] | None = Field(
        default=None, description="How it is paid; leave out for an order settled outside Baton.")


class LineQuantity(In):
    line_id: Annotated[str, Field(min_length=1, max_length=40)]
    quantity: Quantity


class CancelIn(In):
    reason: Reason
    lines: Annotated[list[LineQuantity], Field(min_length=1)] | None = Field(
        None, description="Leave out to cancel every open unit.")


class ShipIn(In):
    carrier: Annotated[str, Field(min_length=1, max_length=64)]
    tracking_number: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    service: Annotated[str, Field(max_length=64)] | None = None
    lines: Annotated[list[LineQuantity], Field(min_length=1)] | None = Field(
        None, description="Leave out to ship everything left.")


class RejectIn(In):
    reason: Reason


class HoldIn(In):
    reason: Annotated[Reason, Field(description="Why, in a sentence the next agent understands.")]


class ReleaseIn(In):
    hold_id: Annotated[str, Field(min_length=1, max_length=40)] | None = Field(
        None, description="Leave out to release every active hold.")
    note: Annotated[Reason, Field(description="Why the order may go ahead.")]


class Quantities(BaseModel):
    ordered: int
    cancelled: int
    allocated: int
    unallocated: int
    shipped: int
    delivered: int
    return_requested: int
    returned: int
    written_off: int


class LineOut(BaseModel):
    id: str
    sku: str
    name: str
    stock_policy: str
    unit_price: str
    quantity: int
    discount: str
    tax_class: str
    tax_rate: str = Field(description="the rate applied, an exact decimal: \"0.19\" is 19 %")
    tax: str = Field(description="tax of the units kept, contained in `total` when prices include tax")
    total: str = Field(description="what the units kept cost the customer, after discount, with tax")
    awaiting_stock: int
    quantities: Quantities


class Totals(BaseModel):
    subtotal: str
    discount: str
    shipping: str
    shipping_tax: str
    tax: str = Field(description="every line's and the shipping's tax; part of `total` either way")
    total: str
    currency: str
    prices_include: Literal["tax_inclusive", "tax_exclusive"] = Field(
        description="tax_exclusive: total = subtotal − discount + shipping + tax; tax_inclusive: the prices "
                    "contain the tax and total = subtotal − discount + shipping")


class FulfillmentLineOut(BaseModel):
    line_id: str
    sku: str
    quantity: int
    shipped: int
    cancelled: int
    remaining: int
    awaiting_stock: int


class ShipmentLineOut(BaseModel):
    line_id: str
    sku: str
    quantity: int


class ShipmentOut(BaseModel):
    id: str
    carrier: str
    service: str | None
    tracking_number: str | None
    status: str
    lines: list[ShipmentLineOut]
    shipped_at: datetime
    delivered_at: datetime | None


class FulfillmentOrderOut(BaseModel):
    id: str
    order_id: str
    location: str
    status: str
    reject_reason: str | None
    lines: list[FulfillmentLineOut]
    shipments: list[ShipmentOut]
    created_at: datetime
    updated_at: datetime


class ChangeOut(BaseModel):
    id: str
    kind: str
    actor: str
    reason: str
    lines: list[dict[str, Any]]
    amount_delta: str
    created_at: datetime


class HoldOut(BaseModel):
    id: str
    kind: Literal["risk", "payment", "manual"]
    reasons: list[str]
    active: bool
    placed_at: datetime
    placed_by: str
    released_at: datetime | None
    released_by: str | None
    release_note: str | None


class CustomerOut(BaseModel):
    id: str
    email: str
    name: str | None
    phone: str | None


class OrderOut(BaseModel):
    id: str
    number: str
    tracking_id: str
    channel: str
    status: str
    fulfillment_status: str
    payment_status: str
    currency: str
    customer: CustomerOut
    shipping_address: dict[str, Any] | None
    billing_address: dict[str, Any] | None
    delivery_method: str
    pickup_location: str | None
    lines: list[LineOut]
    discounts: list[dict[str, str]]
    totals: Totals
    fulfillment_orders: list[FulfillmentOrderOut]
    changes: list[ChangeOut]
    holds: list[HoldOut] = Field(description="Risk, payment and manual holds, released ones included; while one is "
                                             "active the status is on_hold and nothing is accepted, packed or "
                                             "shipped.")
    placed_at: datetime
    updated_at: datetime
    version: int


class OrderSummary(BaseModel):
    id: str
    number: str
    tracking_id: str
    channel: str
    status: str
    fulfillment_status: str
    currency: str
    total: str
    customer_email: str
    customer_name: str | None
    delivery_method: str
    placed_at: datetime
    updated_at: datetime


class OrderList(BaseModel):
    items: list[OrderSummary]
    next_cursor: str | None = None


class FulfillmentOrderSummary(BaseModel):
    id: str
    order_id: str
    order_number: str
    location: str
    status: str
    delivery_method: str
    on_hold: bool = Field(description="The order is on hold: this fulfilment order cannot be worked until it is "
                                      "released.")
    lines: list[FulfillmentLineOut]
    created_at: datetime
    updated_at: datetime


class FulfillmentOrderList(BaseModel):
    items: list[FulfillmentOrderSummary]
    next_cursor: str | None = None


class TimelineEntryOut(BaseModel):
    id: str
    at: datetime
    actor: str
    kind: str
    message: str
    data: dict[str, Any]


class Timeline(BaseModel):
    items: list[TimelineEntryOut]


class TrackedShipment(BaseModel):
    carrier: str
    tracking_number: str | None
    status: str
    units: int
    shipped_at: datetime
    delivered_at: datetime | None


class Tracking(BaseModel):
    number: str
    status: str
    fulfillment_status: str
    delivery_method: str
    pickup_location: str | None
    placed_at: datetime
    destination_city: str | None
    first_name: str | None
    shipments: list[TrackedShipment]


