"""The exchange: a return whose units the customer swaps for other SKUs (a size swap). The returned units come
back through an ordinary return; the replacement SKUs go out in a replacement order of their own, placed like
any order (reserved, routed, taxed), at once or when the return is received.

Money: the returned units' value is the customer's credit towards the replacement. The replacement order is
paid by an `external` payment named after the return number ("exchange credit") for up to that value, so its
captures book against it. The price difference is the replacement's total less the returned value: more is
charged on the replacement (the original payment's method when it can authorise again, else a payment hold
asks for it); less is refunded to the original payment when the exchange completes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from baton.shared.clock import utcnow
from baton.shared.errors import Conflict
from baton.shared.ids import new_id


class ExchangeStatus(enum.StrEnum):
    WAITING = "waiting"  # the replacement is placed once every returned unit has arrived
    PLACED = "placed"  # the replacement order exists: reserved and routed
    COMPLETED = "completed"  # the returned units are inspected; the return is exchanged, the difference settled
    CANCELLED = "cancelled"  # its return was rejected: the replacement (if placed) was cancelled, nothing is owed


class Reserve(enum.StrEnum):
    NOW = "now"  # the replacement is reserved and routed when the exchange is opened
    ON_RECEIPT = "on_receipt"  # ... when the returned units have arrived


@dataclass(frozen=True)
class Swap:
    """One returned line and the SKU sent instead."""

    line_id: str
    sku: str
    quantity: int


@dataclass(eq=False)
class Exchange:
    return_id: str
    original_order_id: str
    currency: str
    reserve: Reserve
    swaps: list[Swap]
    returned_value: int  # minor units: what the returned units cost the customer
    created_by: str
    replacement_order_id: str | None = None
    price_difference: int | None = None  # replacement total − returned value, once placed
    status: ExchangeStatus = ExchangeStatus.WAITING
    id: str = field(default_factory=lambda: new_id("exc"))
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)

    def placed(self, order_id: str, total: int) -> None:
        self.replacement_order_id = order_id
        self.price_difference = total - self.returned_value
        self.status = ExchangeStatus.PLACED
        self.updated_at = utcnow()

    @property
    def credit(self) -> int:
        """The exchange credit the replacement is paid with: the returned value, at most its total."""
        assert self.price_difference is not None, "only a placed replacement has a total"
        return self.returned_value + min(self.price_difference, 0)

    def complete(self) -> None:
        if self.status != ExchangeStatus.PLACED:
            raise Conflict(f"Exchange {self.id} is {self.status}; only an exchange whose replacement was placed can "
                           "complete.", code="exchange_wrong_state", extra={"exchange_status": str(self.status)})
        self.status = ExchangeStatus.COMPLETED
        self.updated_at = utcnow()

    def check_retry(self) -> None:
        """Only an exchange still waiting for its replacement can be placed again."""
        if self.status != ExchangeStatus.WAITING:
            raise Conflict(f"Exchange {self.id} is {self.status}; only a waiting exchange places its replacement "
                           "again.", code="exchange_wrong_state", extra={"exchange_status": str(self.status)})

    def cancel(self) -> None:
        """Its return was rejected: the exchange ends (a completed one has nothing left to reject)."""
        if self.status not in (ExchangeStatus.WAITING, ExchangeStatus.PLACED):
            raise Conflict(f"Exchange {self.id} is {self.status}; it cannot be cancelled.",
                           code="exchange_wrong_state", extra={"exchange_status": str(self.status)})
        self.status = ExchangeStatus.CANCELLED
        self.updated_at = utcnow()
