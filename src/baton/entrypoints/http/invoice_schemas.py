"""Pydantic models of invoices and credit memos, as issued (they never change)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from baton.invoicing.model import DocumentKind


class SellerOut(BaseModel):
    name: str
    address: str
    tax_id: str | None


class BuyerOut(BaseModel):
    name: str | None
    email: str
    billing_address: dict[str, Any] | None = Field(description="The order's billing address, else its shipping "
                                                               "address, as it was when the document was issued.")


class DocumentLineOut(BaseModel):
    description: str
    sku: str | None
    line_id: str | None = Field(description="The order line, when the line is about its units.")
    quantity: int | None = Field(description="Units this document covers; null when it is not about units.")
    amount: str = Field(description="Decimal string in the document's currency, without tax.")


class DocumentTotalsOut(BaseModel):
    net: str = Field(description="Goods without tax (a credit memo: goods and shipping given back, without tax); "
                                 "the lines add up to it.")
    shipping: str = Field(description="Shipping without tax.")
    tax: str
    total: str = Field(description="net + shipping + tax: what the journal entry books.")


class DocumentOut(BaseModel):
    id: str
    kind: DocumentKind
    number: str = Field(examples=["INV-2026-000001"], description="Per kind and calendar year (UTC), no gaps.")
    issued_at: datetime
    supplied_at: datetime = Field(description="When the money moved: the capture or the refund.")
    currency: str
    order_id: str
    order_number: str
    seller: SellerOut
    buyer: BuyerOut
    payment_method: str
    reason: str | None = Field(description="A credit memo: why the money went back.")
    refers_to: list[str] = Field(description="A credit memo: the numbers of the order's invoices it corrects.")
    lines: list[DocumentLineOut]
    totals: DocumentTotalsOut
    entry_id: str = Field(description="The journal entry this document is the paper of.")
    source_id: str | None = Field(description="The payment transaction (capture or refund).")


class DocumentList(BaseModel):
    items: list[DocumentOut]
    next_cursor: str | None = None
