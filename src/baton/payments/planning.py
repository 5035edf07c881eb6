"""Which of an order's payments take an order-level capture or refund, when the order is paid several ways
(say a gift card and a card). Pure planners: they decide, the service then asks each payment in turn.

Captures take stored value first (gift card, store credit), then the other methods, each group in the order the
payments were added. Why: a gift card or store credit was given to the shop to spend, costs no card fees, and
is what customers expect to be used first ("the gift card pays, the card covers the rest"); if part of the
order is cancelled later, what is voided is the card's hold, which the customer sees released on their
statement. The known cost: a card authorisation expires (typically after 7 days), and with stored value taken
first the card is captured later in a slow multi-shipment order; re-authorising expired holds is the service's
job, not the planner's.

A payment whose latest capture the provider refused goes last of all: when the customer adds another payment
after a refused capture (POST /orders/{id}/payments), the new one pays what is owed, and the refused card is
asked again only if nothing else can pay.

Refunds take the exact reverse order (card first, stored value last), limited to what each payment can still
refund. Why: refunds then unwind captures last-in-first-out, so after any mix of captures and refunds every
payment stands exactly where it would if only the net amount had ever been captured — a return leaves the
order as if the returned goods had never been bought — and the customer gets real money back before the shop's
own balances."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from baton.payments.model import STORED_VALUE, Payment
from baton.shared.errors import Conflict, InvalidInput


@dataclass(frozen=True)
class Share:
    """`amount` (minor units) of an order-level capture or refund that `payment` takes."""

    payment: Payment
    amount: int


def capture_order(payments: Iterable[Payment]) -> list[Payment]:
    """Stored value first, then the rest, payments with a refused capture last; the sort is stable, so each group
    keeps the order payments were added."""
    return sorted(payments, key=lambda p: (p.capture_refused, _stored_value_first(p)))


def split_capture(payments: Iterable[Payment], amount: int) -> list[Share]:
    """Spread `amount` over the payments in capture order, never above a payment's `capturable`."""
    return _split(capture_order(payments), amount, lambda p: p.capturable, "captured", "capture_exceeds_authorized")


def split_refund(payments: Iterable[Payment], amount: int) -> list[Share]:
    """Spread `amount` over the payments in reverse capture order, never above a payment's `refundable`."""
    ordered = list(reversed(sorted(payments, key=_stored_value_first)))  # a refused capture changes nothing here
    return _split(ordered, amount, lambda p: p.refundable, "refunded", "refund_exceeds_captured")


def _stored_value_first(payment: Payment) -> int:
    return 0 if payment.method in STORED_VALUE else 1


def _split(ordered: list[Payment], amount: int, room: Callable[[Payment], int], verb: str, code: str) -> list[Share]:
    if not ordered:
        raise Conflict(f"This order has no payments recorded in Baton, so nothing can be {verb} here.",
                       code="no_payments")
    money = _formatter(ordered)
    if amount <= 0:
        raise InvalidInput("amount", "must be more than zero.", code="amount_not_positive")
    available = sum(room(p) for p in ordered)
    if amount > available:
        raise InvalidInput("amount", f"{money(amount)} is more than this order's payments allow; only "
                           f"{money(available)} can still be {verb}.", code=code)
    shares = []
    left = amount
    for payment in ordered:
        take = min(left, room(payment))
        if take > 0:
            shares.append(Share(payment, take))
            left -= take
    return shares


def _formatter(payments: list[Payment]) -> Callable[[int], str]:
    currencies = {p.currency for p in payments}
    if len(currencies) != 1:
        raise AssertionError(f"one order's payments are in several currencies: {sorted(currencies)}")
    return payments[0].money
