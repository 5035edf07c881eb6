"""Tables of returns: return authorisations (RMA) and their lines, the return policy per channel, store credit.

Part of the one schema: `tables` re-exports them."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text

from baton.adapters.db.schema import TS, metadata

returns = Table(
    "returns", metadata,
    Column("id", String(40), primary_key=True),
    Column("number", String(40), nullable=False, unique=True),  # RMA-…, what the customer writes on the parcel
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),
    Column("method", String(16), nullable=False),  # ship_back | drop_off
    Column("refund_to", String(24), nullable=False),  # original_payment | store_credit
    Column("tracking_number", String(120)),
    Column("location", String(32), ForeignKey("locations.code")),  # drop-off store, or where units were received
    Column("reject_reason", Text),
    Column("refund_amount", BigInteger, nullable=False),
    Column("deductions", BigInteger, nullable=False),
    Column("requested_by", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_returns_status_created_at", "status", "created_at"),
)

return_lines = Table(
    "return_lines", metadata,
    Column("id", String(40), primary_key=True),
    Column("return_id", String(40), ForeignKey("returns.id"), nullable=False, index=True),
    Column("order_line_id", String(40), ForeignKey("order_lines.id"), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("comment", Text),
    Column("received", Integer, nullable=False),
    Column("resellable", Integer, nullable=False),
    Column("damaged", Integer, nullable=False),
    Column("refunded", Integer, nullable=False),
)

# A channel's return policy; a channel without a row gets the defaults (baton.returns.policy).
return_policies = Table(
    "return_policies", metadata,
    Column("channel", String(16), primary_key=True),
    Column("window_days", Integer, nullable=False),
    Column("restocking_fee_percent", Integer, nullable=False),
    Column("return_shipping_fee", JSON, nullable=False),  # {"EUR": 495}: minor units per currency
    Column("updated_at", TS, nullable=False),
)

# Store credit: entries per customer and currency (a refund issues +, a payment with it spends − when authorised
# and gets + back when voided or refunded); the balance is their sum. The money ledger books the same amounts on
# its store credit account (a payment's spend when it is captured).
store_credit = Table(
    "store_credit", metadata,
    Column("id", String(40), primary_key=True),
    Column("customer_id", String(40), ForeignKey("customers.id"), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("order_id", String(40), ForeignKey("orders.id")),
    Column("return_id", String(40), ForeignKey("returns.id")),
    Column("memo", Text, nullable=False),
    Column("created_at", TS, nullable=False),
    # the store credit payment this entry spends (−), releases or gets a refund of (+); None: issued by a return
    Column("payment_id", String(40), ForeignKey("payments.id")),
    Index("ix_store_credit_customer_id_currency", "customer_id", "currency"),
)

# Gift cards: stored value the shop keeps, spent by whoever holds the code (only its SHA-256 is kept). The balance
# is the sum of the card's entries: + issued, − held by a payment, + released or refunded to it.
gift_cards = Table(
    "gift_cards", metadata,
    Column("id", String(40), primary_key=True),
    Column("code_hash", String(64), nullable=False, unique=True),  # SHA-256 of the code, upper case, no dashes
    Column("last4", String(4), nullable=False),  # what an agent may see and say
    Column("currency", String(3), nullable=False),
    Column("issued_by", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
)

gift_card_entries = Table(
    "gift_card_entries", metadata,
    Column("id", String(40), primary_key=True),
    Column("gift_card_id", String(40), ForeignKey("gift_cards.id"), nullable=False, index=True),
    Column("amount", BigInteger, nullable=False),
    Column("payment_id", String(40), ForeignKey("payments.id")),  # None: the issue
    Column("memo", Text, nullable=False),
    Column("created_at", TS, nullable=False),
)
