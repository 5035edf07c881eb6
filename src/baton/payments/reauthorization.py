"""Authorising again without the customer: which payments of an order can be asked for more on the same method
(an order edit that raised the total, a dearer exchange), and with which token. The token is the gateway's to
give (`PaymentGateway.reauthorization_token`): each adapter owns the format of its references."""

from __future__ import annotations

from baton.payments.model import Payment, PaymentStatus
from baton.payments.services import NO_GATEWAY, Gateways
from baton.shared.errors import InvalidInput

SPENT = frozenset({PaymentStatus.FAILED, PaymentStatus.PENDING, PaymentStatus.VOIDED})


def reusable_token(payment: Payment, gateways: Gateways) -> str | None:
    """A token that authorises again on the same method without the customer, or None (never authorised,
    released, book-only, or a gateway that needs the customer or is not configured here)."""
    if payment.status in SPENT or not payment.reference or payment.method in NO_GATEWAY:
        return None
    try:
        gateway = gateways(str(payment.method))
    except InvalidInput:  # the method's gateway is not configured in this deployment
        return None
    return gateway.reauthorization_token(payment.reference)
