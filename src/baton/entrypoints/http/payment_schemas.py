"""Pydantic models of an order's payments and refunds."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from baton.entrypoints.http.schemas import Amount, Currency, In, Reason

PaymentMethodName = Literal["sandbox", "manual", "stripe", "external", "store_credit", "gift_card"]


class PaymentIn(In):
    """How the order is paid. `token` for a gateway (sandbox: `tok_approve` …; stripe: a PaymentMethod `pm_…`;
    manual: `manual:invoice:net30` …), or `reference` for an authorisation the storefront already holds (a Stripe
    PaymentIntent `pi_…`, an external provider's id). `store_credit` needs neither: it spends the customer's store
    credit balance in the order's currency (422 `insufficient_store_credit` naming `amount` when it falls short);
    `gift_card` takes the card's code as `token` (422 `insufficient_gift_card_balance` naming `amount`).
    `amount` defaults to the rest of the order's total."""

    method: PaymentMethodName
    token: str | None = None
    reference: str | None = None
    amount: Amount | None = None


class ShopperPaymentIn(In):
    """A customer paying their order again: a card through a gateway. `token` as at checkout (sandbox:
    `tok_approve` …; stripe: a PaymentMethod `pm_…`). `amount` defaults to all that is still unpaid."""

    method: Literal["sandbox", "stripe"]
    token: Annotated[str, Field(min_length=1, max_length=255)]
    amount: Amount | None = None


class LineUnitsIn(In):
    line_id: Annotated[str, Field(min_length=1, max_length=40)]
    quantity: Annotated[int, Field(ge=1, le=1_000_000)]


LinesIn = Annotated[list[LineUnitsIn], Field(min_length=1, max_length=200)]


class RefundIn(In):
    """An `amount`, or `lines` whose shipped units are refunded at what they cost the customer (price less their
    share of discounts, plus tax when it comes on top), or both when they agree. Shipping only by `amount`."""

    amount: Amount | None = None
    lines: LinesIn | None = None
    reason: Reason


class AppeasementIn(In):
    """Goodwill without a return: an `amount`, or a `percent` of what `lines` (default: every unit shipped)
    cost the customer."""

    amount: Amount | None = None
    percent: Annotated[Decimal, Field(gt=0, le=100, max_digits=5, decimal_places=2, examples=["10"])] | None = None
    lines: LinesIn | None = None
    reason: Reason


class TransactionOut(BaseModel):
    id: str
    kind: str
    amount: str
    status: str
    reason: str | None
    gateway_reference: str | None
    failure_code: str | None
    failure_message: str | None
    created_at: datetime
    settled_at: datetime | None


class PaymentOut(BaseModel):
    id: str
    method: str
    currency: str
    reference: str | None
    status: str
    authorized: str
    captured: str
    refunded: str
    voided: bool
    details: dict[str, str]
    transactions: list[TransactionOut]


class PaymentList(BaseModel):
    payment_status: str
    items: list[PaymentOut]


class PaymentAdded(PaymentList):
    """The order's payments after one was added; `payment_id` is the new one (its `status` says whether it was
    authorised: a refused one stays on record, failed)."""

    payment_id: str
    order_status: str  # still on_hold while the payments do not cover the total
    unpaid: str  # what the payments still do not cover, in the order's currency


class GiftCardIn(In):
    """A gift card the shop keeps itself: sold at a storefront (the money it took is booked), spent as a payment."""

    currency: Currency
    amount: Amount = Field(description="The opening balance.")
    note: Reason = Field(description="Why it is issued, e.g. `sold at the Hamburg store, receipt 1042`.")


class GiftCardEntryOut(BaseModel):
    id: str
    amount: str
    payment_id: str | None
    memo: str
    created_at: datetime


class GiftCardOut(BaseModel):
    id: str
    last4: str
    currency: str
    balance: str
    issued_by: str
    created_at: datetime
    entries: list[GiftCardEntryOut]


class GiftCardIssued(GiftCardOut):
    code: str | None = Field(description="Shown once: Baton keeps only its SHA-256. Pay with it as the `token` of a "
                                  "`gift_card` payment.")
