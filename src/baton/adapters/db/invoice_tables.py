"""Tables of invoices and credit memos (baton.invoicing) and their gapless yearly numbers.

Part of the one schema: `tables` re-exports them. Database triggers (migration 0007) refuse UPDATE and DELETE of
an issued document on both databases."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint

from baton.adapters.db.schema import TS, metadata

# Issued documents, one per booked invoice or credit memo journal entry; the snapshot is the document itself, the
# other columns copy what lists filter and sort by.
invoices = Table(
    "invoices", metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(16), nullable=False),  # invoice, credit_memo (DocumentKind)
    Column("number", String(32), nullable=False),  # INV-2026-000001
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=False, index=True),
    Column("entry_id", String(40), ForeignKey("journal_entries.id"), nullable=False, unique=True),
    Column("currency", String(3), nullable=False),
    Column("total", BigInteger, nullable=False),  # minor units
    Column("issued_at", TS, nullable=False),
    Column("document", JSON, nullable=False),  # the snapshot: seller, buyer, lines, totals … (Document.snapshot)
    UniqueConstraint("kind", "number"),  # no number twice, even if a counter were ever wrong
    Index("ix_invoices_kind_issued_at_id", "kind", "issued_at", "id"),
)

# The last number issued per kind and calendar year (UTC). Issuing increments its row in the issuing transaction:
# a rollback gives the number back, and the row lock makes racing issuers wait for each other.
invoice_numbers = Table(
    "invoice_numbers", metadata,
    Column("kind", String(16), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last_number", Integer, nullable=False),
)
