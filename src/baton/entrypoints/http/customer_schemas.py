"""Pydantic models of customers and their privacy requests (export, erasure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from baton.entrypoints.http.order_schemas import OrderSummary
from baton.entrypoints.http.schemas import In, Reason


class CustomerDetail(BaseModel):
    id: str
    email: str = Field(description="After erasure, a pseudonym: erased+{id}@erased.invalid.")
    name: str | None
    phone: str | None
    created_at: datetime
    erased_at: datetime | None
    erased: bool
    orders: int = Field(description="How many orders the customer placed.")


class CustomerList(BaseModel):
    items: list[CustomerDetail]
    next_cursor: str | None = None


class LifetimeValue(BaseModel):
    currency: str
    amount: str = Field(description="The sum of the totals of the customer's orders in this currency that were "
                                    "not cancelled, as a decimal string.")
    orders: int


class CustomerRecord(CustomerDetail):
    """The customer as an agent sees them: history, value, returns, addresses and language."""

    language: str = Field(description="Preferred language, a BCP 47 tag (default en).")
    returns: int = Field(description="Units the customer returned.")
    lifetime_value: list[LifetimeValue]
    addresses: list[dict[str, Any]] = Field(description="Distinct shipping addresses of their orders, newest first.")
    recent_orders: list[OrderSummary] = Field(description="The newest orders (up to 10); all of them with "
                                                          "GET /api/v1/orders?email=.")


class CustomerUpdate(In):
    language: str = Field(min_length=1, max_length=35, examples=["de-DE"],
                          description="Preferred language, a BCP 47 tag that CLDR knows: en, de-DE, pt-BR …")


class ExportedCustomer(BaseModel):
    id: str
    email: str
    name: str | None
    phone: str | None
    created_at: datetime
    erased_at: datetime | None


class CustomerExport(BaseModel):
    """Everything Baton holds about one customer. Money is in decimal strings of each order's currency."""

    exported_at: datetime
    customer: ExportedCustomer
    orders: list[dict[str, Any]] = Field(description="Each order with its lines, changes, fulfilment orders, "
                                                     "shipments, timeline and events.")
    mails: list[dict[str, Any]] = Field(description="Mail Baton holds to the customer's address.")
    notifications: dict[str, Any] = Field(description="Notification preferences and every message of the orders.")


class EraseIn(In):
    reason: Reason = Field(description="Why, e.g. the request's reference. Do not write personal data here: "
                                       "the audit log keeps it.")
