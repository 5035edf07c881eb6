"""Payment statuses: one payment's, and the order's payment_status derived from all its payments, never set by hand."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from baton.payments.model import Payment


class PaymentStatus(enum.StrEnum):
    """The status of one payment, and (derive_payment_status) of an order's payments together."""

    NONE = "none"  # orders only: no payment recorded in Baton, the order is settled outside it
    PENDING = "pending"  # an authorisation was asked for and has no answer yet (gateway timeout: look it up)
    AUTHORIZED = "authorized"  # money held (or promised, for manual methods), nothing captured yet
    PARTIALLY_CAPTURED = "partially_captured"  # some captured, more can still be captured
    CAPTURED = "captured"  # all that will be captured is: the full amount, or part with the rest voided
    PARTIALLY_REFUNDED = "partially_refunded"  # some of the captured money went back
    REFUNDED = "refunded"  # all the captured money went back
    VOIDED = "voided"  # the hold was released before anything was captured
    FAILED = "failed"  # the authorisation was declined or errored; nothing is held


S = PaymentStatus


def status_from_amounts(captured: int, refunded: int, uncaptured: int, all_voided: bool) -> PaymentStatus:
    """Rules 4 to 9 below, for one payment's amounts or an order's summed over its payments."""
    if captured == 0:
        return S.VOIDED if all_voided else S.AUTHORIZED
    if refunded == captured:
        return S.REFUNDED
    if refunded > 0:
        return S.PARTIALLY_REFUNDED
    return S.CAPTURED if uncaptured == 0 else S.PARTIALLY_CAPTURED


def derive_payment_status(payments: Iterable[Payment]) -> PaymentStatus:
    """An order's payment_status from all its payments (say a gift card and a card), first rule that holds:

    1. no payments at all                        → none (settled outside Baton, as before payments existed)
    2. every payment failed                      → failed
       (from here on failed payments are ignored: a declined card replaced by another method says nothing)
    3. nothing captured, an authorisation pending → pending
    4. nothing captured, every payment voided     → voided
    5. nothing captured                           → authorized
    6. refunded == captured (> 0)                 → refunded
    7. refunded > 0                               → partially_refunded
    8. nothing left to capture (captured, or the rest voided) → captured
    9. otherwise                                  → partially_captured

    Amounts are summed over the payments; a single payment's own status follows the same rules."""
    payments = list(payments)
    if not payments:
        return S.NONE
    live = [p for p in payments if p.status != S.FAILED]
    if not live:
        return S.FAILED
    captured = sum(p.captured for p in live)
    if captured == 0 and any(p.status == S.PENDING for p in live):
        return S.PENDING
    return status_from_amounts(
        captured, sum(p.refunded for p in live), sum(p.uncaptured for p in live), all(p.voided for p in live)
    )
