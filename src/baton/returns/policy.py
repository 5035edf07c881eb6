"""The return policy of a channel: how long after delivery a return may be opened, and what is kept back of the
refund (a restocking fee as a percentage of the units' value, a flat return shipping fee per currency for parcels
the customer sends back). A channel without a policy row gets the defaults: 30 days, no fees."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from baton.returns.model import ReturnMethod
from baton.shared.clock import utcnow
from baton.shared.errors import Conflict, InvalidInput

DEFAULT_WINDOW_DAYS = 30
MAX_WINDOW_DAYS = 3650


@dataclass(frozen=True)
class ReturnPolicy:
    channel: str
    window_days: int = DEFAULT_WINDOW_DAYS
    restocking_fee_percent: int = 0  # of the value of the units refunded, rounded down
    return_shipping_fee: dict[str, int] = field(default_factory=dict)  # currency -> minor units, ship_back only
    updated_at: datetime | None = None  # None: the defaults, never set

    def __post_init__(self) -> None:
        if not 0 <= self.window_days <= MAX_WINDOW_DAYS:
            raise InvalidInput("window_days", f"must be between 0 and {MAX_WINDOW_DAYS} days.")
        if not 0 <= self.restocking_fee_percent <= 100:
            raise InvalidInput("restocking_fee_percent", "must be between 0 and 100.")
        for currency, fee in self.return_shipping_fee.items():
            if fee < 0:
                raise InvalidInput(f"return_shipping_fee.{currency}", "must not be negative.")

    def check_window(self, delivered_at: datetime, number: str, now: datetime | None = None,
                     what: str | None = None) -> None:
        """Refuse a return opened after the window (counted from the delivery of the units, `what` names them)."""
        closes = delivered_at + timedelta(days=self.window_days)
        if (now or utcnow()) > closes:
            units = f" for {what}" if what else ""
            raise Conflict(f"The return window of order {number}{units} closed on {closes:%Y-%m-%d %H:%M} UTC: the "
                           f"{self.channel} channel allows returns for {self.window_days} day(s) after delivery.",
                           code="return_window_closed")

    def deductions(self, value: int, currency: str, method: ReturnMethod) -> tuple[int, int]:
        """(restocking fee, return shipping fee) kept back of a refund of `value`; never more than the value."""
        restocking = value * self.restocking_fee_percent // 100
        shipping = self.return_shipping_fee.get(currency, 0) if method == ReturnMethod.SHIP_BACK else 0
        return restocking, min(shipping, value - restocking)
