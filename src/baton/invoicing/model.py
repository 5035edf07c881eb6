"""Invoices and credit memos as documents: what one says, and the numbering rule.

A document is issued once, in the transaction that books its journal entry (an invoice per capture, a credit memo
per refund), and never changes: seller, buyer, lines and totals are a snapshot of the moment it was issued. Its
money is its journal entry's money, so a document and the ledger agree to the minor unit. Numbers run per kind and
per calendar year (UTC) of issue without gaps: INV-2026-000001, CN-2026-000001."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from baton.shared.money import to_decimal_string

SNAPSHOT_VERSION = 1  # bump when the stored snapshot's shape changes; old documents keep theirs


class DocumentKind(enum.StrEnum):
    INVOICE = "invoice"  # money invoiced for a capture: revenue, shipping and tax recognised
    CREDIT_MEMO = "credit_memo"  # money given back by a refund: refunds and the tax no longer owed

    @property
    def prefix(self) -> str:
        return "INV" if self is DocumentKind.INVOICE else "CN"

    @property
    def label(self) -> str:
        return "Invoice" if self is DocumentKind.INVOICE else "Credit memo"


NUMBER = re.compile(r"^(INV|CN)-(\d{4})-(\d{6,})$")


def document_number(kind: DocumentKind, year: int, sequence: int) -> str:
    """The human number: prefix, year of issue, the sequence of that kind and year (from 1, no gaps)."""
    if sequence < 1:
        raise AssertionError(f"document sequences start at 1, not {sequence}")
    return f"{kind.prefix}-{year:04d}-{sequence:06d}"


def kind_of_number(text: str) -> DocumentKind | None:
    """The kind a document number names, or None when `text` is no document number."""
    match = NUMBER.match(text.strip().upper())
    if match is None:
        return None
    return DocumentKind.INVOICE if match.group(1) == "INV" else DocumentKind.CREDIT_MEMO


@dataclass(frozen=True)
class Seller:
    name: str
    address: str  # one line, as configured (BATON_SELLER_ADDRESS)
    tax_id: str | None = None


@dataclass(frozen=True)
class Buyer:
    name: str | None
    email: str
    billing_address: dict[str, Any] | None  # the order's billing address, else its shipping address


@dataclass(frozen=True)
class DocumentLine:
    description: str
    amount: int  # minor units, without tax
    quantity: int | None = None  # units of the order line this document covers; None: not about units
    sku: str | None = None
    line_id: str | None = None  # the order line


@dataclass(frozen=True)
class DocumentTotals:
    """The document's money, as its journal entry books it (minor units)."""

    net: int  # goods without tax (a credit memo: goods and shipping given back, without tax)
    shipping: int  # shipping without tax
    tax: int
    total: int  # what the customer owes (invoice) or is owed (credit memo)

    def __post_init__(self) -> None:
        parts = (self.net, self.shipping, self.tax)
        if min(parts) < 0 or sum(parts) != self.total or self.total <= 0:
            raise AssertionError(f"document totals do not add up: {self}")


@dataclass(frozen=True)
class Document:
    """An invoice or credit memo as issued."""

    id: str
    kind: DocumentKind
    number: str
    issued_at: datetime  # UTC; its year is the number's year
    supplied_at: datetime  # when the money moved: the capture or refund
    currency: str
    order_id: str
    order_number: str
    seller: Seller
    buyer: Buyer
    payment_method: str
    lines: tuple[DocumentLine, ...]
    totals: DocumentTotals
    entry_id: str  # the journal entry it documents
    source_id: str | None  # the payment transaction (capture or refund)
    reason: str | None = None  # a credit memo: why the money went back
    refers_to: tuple[str, ...] = field(default=())  # a credit memo: the order's invoices it corrects

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))
        object.__setattr__(self, "refers_to", tuple(self.refers_to))
        if sum(line.amount for line in self.lines) != self.totals.net:
            raise AssertionError(f"the lines of {self.number} do not add up to its goods {self.totals.net}")

    def money(self, minor: int) -> str:
        """The amount as people read it, e.g. "EUR 42.00" (in the currency's own exponent)."""
        return f"{self.currency} {to_decimal_string(minor, self.currency)}"

    # -- the stored snapshot (minor units) -----------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        return {
            "version": SNAPSHOT_VERSION, "id": self.id, "kind": str(self.kind), "number": self.number,
            "issued_at": self.issued_at.isoformat(), "supplied_at": self.supplied_at.isoformat(),
            "currency": self.currency, "order": {"id": self.order_id, "number": self.order_number},
            "seller": {"name": self.seller.name, "address": self.seller.address, "tax_id": self.seller.tax_id},
            "buyer": {"name": self.buyer.name, "email": self.buyer.email,
                      "billing_address": self.buyer.billing_address},
            "payment_method": self.payment_method, "reason": self.reason, "refers_to": list(self.refers_to),
            "lines": [{"description": ln.description, "sku": ln.sku, "line_id": ln.line_id,
                       "quantity": ln.quantity, "amount": ln.amount} for ln in self.lines],
            "totals": {"net": self.totals.net, "shipping": self.totals.shipping, "tax": self.totals.tax,
                       "total": self.totals.total},
            "entry_id": self.entry_id, "source_id": self.source_id,
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Document:
        return cls(
            id=data["id"], kind=DocumentKind(data["kind"]), number=data["number"],
            issued_at=datetime.fromisoformat(data["issued_at"]),
            supplied_at=datetime.fromisoformat(data["supplied_at"]), currency=data["currency"],
            order_id=data["order"]["id"], order_number=data["order"]["number"], seller=Seller(**data["seller"]),
            buyer=Buyer(**data["buyer"]), payment_method=data["payment_method"],
            lines=tuple(DocumentLine(**line) for line in data["lines"]), totals=DocumentTotals(**data["totals"]),
            entry_id=data["entry_id"], source_id=data["source_id"], reason=data["reason"],
            refers_to=tuple(data["refers_to"]),
        )

    # -- what readers see (decimal strings in the currency) ------------------------------------------------------
    def view(self) -> dict[str, Any]:
        def amount(minor: int) -> str:
            return to_decimal_string(minor, self.currency)

        snapshot = self.snapshot()
        return {
            "id": self.id, "kind": str(self.kind), "number": self.number, "issued_at": self.issued_at,
            "supplied_at": self.supplied_at, "currency": self.currency, "order_id": self.order_id,
            "order_number": self.order_number, "seller": snapshot["seller"], "buyer": snapshot["buyer"],
            "payment_method": self.payment_method, "reason": self.reason, "refers_to": list(self.refers_to),
            "lines": [{**line, "amount": amount(line["amount"])} for line in snapshot["lines"]],
            "totals": {name: amount(value) for name, value in snapshot["totals"].items()},
            "entry_id": self.entry_id, "source_id": self.source_id,
        }
