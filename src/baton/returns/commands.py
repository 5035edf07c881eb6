"""What an agent or a shopper asks for when opening a return."""

from __future__ import annotations

from dataclasses import dataclass

from baton.returns.model import RefundTo, ReturnMethod


@dataclass(frozen=True)
class LineRequest:
    line_id: str
    quantity: int
    reason: str
    comment: str | None = None


@dataclass(frozen=True)
class RequestReturn:
    order_id: str
    lines: list[LineRequest]
    method: ReturnMethod
    refund_to: RefundTo = RefundTo.ORIGINAL_PAYMENT
    tracking_number: str | None = None
    location: str | None = None  # the store of a drop-off
