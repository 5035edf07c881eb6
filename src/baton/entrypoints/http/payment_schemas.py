"""Pydantic models of an order's payments and refunds."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from baton.entrypoints.http.schemas import Amount, In, Reason

PaymentMethodName = Literal["sandbox", "manual", "stripe", "external"]


class PaymentIn(In):
    """How the order is paid. `token` for a gateway (sandbox: `tok_approve` …; stripe: a PaymentMethod `pm_…`;
    manual: `manual:invoice:net30` …), or `reference` for an authorisation the storefront already holds (a Stripe
    PaymentIntent `pi_…`, an external provider's id). `amount` defaults to the rest of the order's total."""

    method: PaymentMethodName
    token: str | None = None
    reference: str | None = None
    amount: Amount | None = None


class RefundIn(In):
    amount: Amount
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
