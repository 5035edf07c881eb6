"""Pydantic models of customers and their privacy requests (export, erasure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

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


class EraseIn(In):
    reason: Reason = Field(description="Why, e.g. the request's reference. Do not write personal data here: "
                                       "the audit log keeps it.")
