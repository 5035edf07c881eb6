"""API shapes of order edits (POST /orders/{id}/edits)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from baton.entrypoints.http.order_schemas import LineIn, OrderOut
from baton.entrypoints.http.schemas import Address, Code, In, Reason


class EditLineIn(In):
    line_id: Annotated[str, Field(min_length=1, max_length=40)]
    quantity: Annotated[int, Field(ge=0, le=100_000, description="The line's new quantity (shipped units included); "
                                                                 "0 removes its open units.")]


class EditIn(In):
    version: Annotated[int, Field(ge=1, description="The order's version the agent saw; 409 stale_order when it "
                                                    "moved on.")]
    reason: Reason
    lines: Annotated[list[EditLineIn], Field(max_length=500)] = []
    add_lines: Annotated[list[LineIn], Field(max_length=500)] = []
    shipping_address: Address | None = None
    delivery_method: Literal["ship", "pickup"] | None = None
    pickup_location: Code | None = None


class EditOut(BaseModel):
    preview: bool = Field(description="True: the order as it would be; nothing was written.")
    change_id: str = Field(description="The order change the edit recorded (or would record).")
    amount_delta: str = Field(description="Change of the order's total, signed decimal in its currency.")
    currency: str
    money: str | None = Field(description="What happens to the money: nothing, an extra authorisation, or a "
                                          "payment hold naming what to add.")
    order: OrderOut
