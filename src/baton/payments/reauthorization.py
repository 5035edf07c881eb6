"""Authorising again without the customer: which payments of an order can be asked for more on the same method
(an order edit that raised the total, a dearer exchange), and with which token."""

from __future__ import annotations

import re

from baton.payments.model import Payment, PaymentMethod, PaymentStatus

_SANDBOX = re.compile(r"^sbx_(?P<kind>[a-z_]+)_\d+_[A-Z]{3}_[0-9a-f]{16}$")
_MANUAL = re.compile(r"^man_(?P<kind>cod|bank_transfer|invoice)_(?P<days>\d+)_\d+_[A-Z]{3}_[0-9a-f]{16}$")


def reusable_token(payment: Payment) -> str | None:
    """A token that authorises again on the same method without the customer, or None."""
    if payment.status in (PaymentStatus.FAILED, PaymentStatus.PENDING, PaymentStatus.VOIDED) or not payment.reference:
        return None
    if payment.method == PaymentMethod.SANDBOX and (found := _SANDBOX.match(payment.reference)):
        return f"tok_{found['kind']}"
    if payment.method == PaymentMethod.MANUAL and (found := _MANUAL.match(payment.reference)):
        kind = found["kind"]
        return f"manual:invoice:net{found['days']}" if kind == "invoice" else f"manual:{kind}"
    return None
