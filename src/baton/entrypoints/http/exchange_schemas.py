"""API shapes of exchanges and claims."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from baton.entrypoints.http.schemas import Code, In, Reason

LineId = Annotated[str, Field(min_length=1, max_length=40)]
Units = Annotated[int, Field(ge=1, le=1_000_000)]
Sku = Annotated[str, Field(min_length=1, max_length=64)]


class SwapIn(In):
    line_id: LineId = Field(description="The order line whose delivered units come back.")
    quantity: Units
    sku: Sku = Field(description="The SKU sent instead (e.g. the next size), at its catalog price.")
    reason: Reason = Field(description="Why they come back, e.g. `too small`.")


class ExchangeIn(In):
    """Delivered units to swap for other SKUs: they come back in a return (`ship_back` or `drop_off` at
    `location`) and the replacement SKUs go out in a replacement order, reserved `now` or `on_receipt`."""

    lines: Annotated[list[SwapIn], Field(min_length=1, max_length=500)]
    method: Literal["ship_back", "drop_off"]
    location: Code | None = Field(None, description="The store of a drop-off.")
    tracking_number: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    reserve: Literal["now", "on_receipt"] = "now"


class SwapOut(BaseModel):
    line_id: str
    sku: str
    quantity: int


class ExchangeOut(BaseModel):
    id: str
    status: Literal["waiting", "placed", "completed", "cancelled"] = Field(
        description="`waiting` for the returned units (or for stock: retry it), `placed`, `completed`, or "
                    "`cancelled` (its return was rejected; the replacement was cancelled).")
    reserve: Literal["now", "on_receipt"]
    return_id: str
    return_number: str
    original_order_id: str
    replacement_order_id: str | None
    currency: str
    returned_value: str = Field(description="What the returned units cost the customer: the exchange credit.")
    price_difference: str | None = Field(description="Replacement total − returned value: more is charged on "
                                                     "the replacement, less is refunded when the exchange completes; "
                                                     "null until the replacement is placed.")
    lines: list[SwapOut]
    created_by: str
    created_at: datetime
    updated_at: datetime


class ExchangeList(BaseModel):
    items: list[ExchangeOut]
    next_cursor: str | None = None


class ClaimLineIn(In):
    line_id: LineId
    quantity: Units


class ClaimIn(In):
    """Shipped units lost or damaged in transit, or the wrong item sent: replaced at no charge or refunded, at
    once, without a return."""

    kind: Literal["lost", "damaged", "wrong_item"]
    lines: Annotated[list[ClaimLineIn], Field(min_length=1, max_length=500)]
    resolution: Literal["replace", "refund"]
    note: Annotated[str, Field(min_length=1, max_length=2000)]


class ClaimOut(BaseModel):
    id: str
    number: str
    order_id: str
    kind: Literal["lost", "damaged", "wrong_item"]
    resolution: Literal["replace", "refund"]
    note: str
    lines: list[ClaimLineIn]
    currency: str
    value: str = Field(description="What the claimed units cost the customer.")
    replacement_order_id: str | None
    created_by: str
    created_at: datetime


class ClaimList(BaseModel):
    items: list[ClaimOut]
    next_cursor: str | None = None
