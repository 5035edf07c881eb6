"""API shapes of returns (RMA) and of the return policy per channel."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from baton.entrypoints.http.schemas import Amount, Code, Currency, In, Reason

Units = Annotated[int, Field(ge=0, le=1_000_000)]
LineId = Annotated[str, Field(min_length=1, max_length=40)]


class ReturnLineIn(In):
    line_id: LineId = Field(description="The order line the units belong to.")
    quantity: Annotated[int, Field(ge=1, le=1_000_000)]
    reason: Reason = Field(description="Why they come back, e.g. `too small`, `arrived damaged`.")
    comment: Annotated[str, Field(max_length=2000)] | None = None


class ReturnIn(In):
    """Delivered units to send back (`ship_back`, optionally with the parcel's tracking number) or to bring to a
    store (`drop_off` at `location`), and where the refund goes."""

    lines: Annotated[list[ReturnLineIn], Field(min_length=1, max_length=500)]
    method: Literal["ship_back", "drop_off"]
    tracking_number: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    location: Code | None = Field(None, description="The store of a drop-off.")
    refund_to: Literal["original_payment", "store_credit"] = "original_payment"


class RejectReturnIn(In):
    reason: Reason


class CountIn(In):
    line_id: LineId = Field(description="An order line (or return line) id of the return.")
    quantity: Annotated[int, Field(ge=1, le=1_000_000)]


class ReceiveIn(In):
    """Units that arrived now; more may arrive later. `location`: where (defaults to the drop-off store, or where
    the first units of this return were received)."""

    lines: Annotated[list[CountIn], Field(min_length=1, max_length=500)]
    location: Code | None = None


class VerdictIn(In):
    line_id: LineId
    resellable: Units = 0
    damaged: Units = 0


class InspectIn(In):
    """Per line, how many received units go back to stock (`resellable`) and how many are written off
    (`damaged`)."""

    lines: Annotated[list[VerdictIn], Field(min_length=1, max_length=500)]


class ReturnLineOut(BaseModel):
    id: str
    line_id: str
    sku: str
    quantity: int
    reason: str
    comment: str | None
    received: int
    resellable: int
    damaged: int
    refunded: int


class ReturnOut(BaseModel):
    id: str
    number: str
    order_id: str
    status: str
    method: str
    refund_to: str
    tracking_number: str | None
    location: str | None
    reject_reason: str | None
    currency: str
    refund_amount: str
    deductions: str
    lines: list[ReturnLineOut]
    requested_by: str
    created_at: datetime
    updated_at: datetime
    version: int


class ReturnList(BaseModel):
    items: list[ReturnOut]
    next_cursor: str | None = None


class ReturnPolicyIn(In):
    window_days: Annotated[int, Field(ge=0, le=3650)] = 30
    restocking_fee_percent: Annotated[int, Field(ge=0, le=100)] = 0
    return_shipping_fee: dict[Currency, Amount] = Field(
        default_factory=dict, description="Kept back of refunds of parcels sent back, per currency.")


class ReturnPolicyOut(BaseModel):
    channel: str
    window_days: int
    restocking_fee_percent: int
    return_shipping_fee: dict[str, str]
    updated_at: datetime | None = Field(None, description="None: the defaults, never set.")


class StoreCreditBalance(BaseModel):
    currency: str
    balance: str


class StoreCreditOut(BaseModel):
    customer_id: str
    balances: list[StoreCreditBalance]
