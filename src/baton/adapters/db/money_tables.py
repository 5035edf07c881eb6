"""Tables of money: payments and their transactions, holds, risk rules, the journal.

Part of the one schema: `tables` re-exports them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from baton.adapters.db.schema import TS, metadata

# --- money ---------------------------------------------------------------------------------------------------

payments = Table(
    "payments", metadata,
    Column("id", String(40), primary_key=True),
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=False, index=True),
    Column("method", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("requested", BigInteger, nullable=False),
    Column("reference", String(120), index=True),  # the provider's id (pi_…, sbx_…); never card data
    Column("authorized", BigInteger, nullable=False),
    Column("captured", BigInteger, nullable=False),
    Column("refunded", BigInteger, nullable=False),
    Column("voided", Boolean, nullable=False),
    Column("status", String(24), nullable=False),
    Column("details", JSON, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
)

payment_transactions = Table(
    "payment_transactions", metadata,
    Column("id", String(40), primary_key=True),
    Column("payment_id", String(40), ForeignKey("payments.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("idempotency_key", String(255), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text),
    Column("gateway_reference", String(120)),
    Column("failure_code", String(64)),
    Column("failure_message", Text),
    Column("created_at", TS, nullable=False),
    Column("settled_at", TS),
    # a retried capture or refund finds its first attempt instead of moving money twice
    Index("ix_payment_transactions_payment_id_key", "payment_id", "idempotency_key", unique=True),
    # the sweep (baton.payments.sweep) looks for transactions pending too long: a few among very many settled
    Index("ix_payment_transactions_pending", "created_at", postgresql_where=text("status = 'pending'"),
          sqlite_where=text("status = 'pending'")),
)

# What each refund or appeasement of an order asked for, beyond the amounts its transactions hold: why the money
# goes back (purpose: the ledger books a refund as a credit memo, an appeasement on its own contra account) and,
# for a refund by lines, which units it gives back, so that no unit is refunded by lines twice.
order_refunds = Table(
    "order_refunds", metadata,
    Column("id", String(40), primary_key=True),
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=False, index=True),
    Column("purpose", String(16), nullable=False),  # refund, appeasement (baton.payments.refunds.Purpose)
    Column("amount", BigInteger, nullable=False),  # minor units of the order's currency
    Column("lines", JSON, nullable=False),  # {line_id: units} given back by lines; {} for an amount
    Column("transactions", JSON, nullable=False),  # ids of the refund transactions that carry it
    Column("reason", Text, nullable=False),
    Column("created_at", TS, nullable=False),
)

# An order on hold ships nothing until every hold is released (risk rules, failed payment, an agent's hold).
order_holds = Table(
    "order_holds", metadata,
    Column("id", String(40), primary_key=True),
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # "risk", "payment", "manual"
    Column("reasons", JSON, nullable=False),  # sentences an agent understands
    Column("placed_at", TS, nullable=False),
    Column("placed_by", String(200), nullable=False),
    Column("released_at", TS),
    Column("released_by", String(200)),
    Column("release_note", Text),
)

# The configurable fraud and risk rules that can put a new order on hold.
risk_rules = Table(
    "risk_rules", metadata,
    Column("code", String(64), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("params", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("updated_at", TS, nullable=False),
)

# The money ledger (baton.finance.ledger): balanced journal entries, written once and never changed.
journal_entries = Table(
    "journal_entries", metadata,
    Column("id", String(40), primary_key=True),
    Column("order_id", String(40), ForeignKey("orders.id"), index=True),  # None: not about one order
    Column("currency", String(3), nullable=False),  # every posting of the entry is in this currency
    Column("occurred_at", TS, nullable=False),
    Column("kind", String(24), nullable=False),  # invoice, capture, credit_memo, refund, … (EntryKind)
    Column("source_id", String(40)),  # the payment transaction it books
    Column("memo", Text, nullable=False),
    UniqueConstraint("source_id", "kind"),  # a retried step never books the same transaction twice
    Index("ix_journal_entries_occurred_at_id", "occurred_at", "id"),
)

journal_postings = Table(
    "journal_postings", metadata,
    Column("entry_id", String(40), ForeignKey("journal_entries.id"), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("account", String(32), nullable=False),
    Column("debit", BigInteger, nullable=False),  # minor units of the entry's currency
    Column("credit", BigInteger, nullable=False),
    CheckConstraint("debit >= 0 AND credit >= 0 AND (debit = 0) <> (credit = 0)", name="one_side"),
)
