"""How much of an order's total its payments can be counted on for, and what is still unpaid.

A payment counts for what it captured plus what it still holds, once its authorisation went through:
- an authorisation still waiting for the gateway counts for nothing yet (it may never come);
- a failed one counts for nothing;
- a payment whose latest capture the provider refused counts only for what it captured (and captures still in
  flight): the rest of its hold stays on record, but the shop cannot count on it;
- refunds do not lower what a payment counts for: money given back was given back on purpose.

`unpaid` is what the retry route (POST /orders/{id}/payments) may add, and an order whose payments cover its
total has its payment holds released (baton.payments.flows)."""

from __future__ import annotations

from collections.abc import Iterable

from baton.payments.model import Payment
from baton.payments.status import PaymentStatus


def counted(payment: Payment) -> int:
    """What the order can count on from this payment, minor units."""
    if payment.status in (PaymentStatus.PENDING, PaymentStatus.FAILED):
        return 0
    if payment.capture_refused:
        return payment.captured + payment.capturing
    return payment.captured + payment.uncaptured


def unpaid(total: int, payments: Iterable[Payment]) -> int:
    """What of `total` no payment can be counted on for (never below zero)."""
    return max(0, total - sum(counted(p) for p in payments))


def taken(payments: Iterable[Payment]) -> int:
    """Captured, or being captured right now."""
    return sum(p.captured + p.capturing for p in payments)
