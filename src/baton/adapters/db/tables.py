"""Table definitions: the one schema for SQLite and PostgreSQL. Every change needs an Alembic migration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)



class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both databases (SQLite would otherwise hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; Baton stores UTC only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


TS = UTCDateTime()

products = Table(
    "products", metadata,
    Column("sku", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("category", String(100), nullable=False, index=True),
    Column("stock_policy", String(16), nullable=False),
    Column("prices", JSON, nullable=False),  # {"USD": 1999, ...} minor units
    Column("weight_grams", Integer),
    Column("tax_class", String(32), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
)

locations = Table(
    "locations", metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("type", String(16), nullable=False),
    Column("address", JSON, nullable=False),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("ships", Boolean, nullable=False),
    Column("pickup", Boolean, nullable=False),
    Column("priority", Integer, nullable=False),
    Column("daily_capacity", Integer),
    Column("active", Boolean, nullable=False),
    Column("created_at", TS, nullable=False),
)

stock_levels = Table(
    "stock_levels", metadata,
    Column("location", String(32), ForeignKey("locations.code"), primary_key=True),
    Column("sku", String(64), ForeignKey("products.sku"), primary_key=True),
    Column("on_hand", Integer, nullable=False),
    Column("reserved", Integer, nullable=False),
    Column("safety_stock", Integer, nullable=False),
    Column("updated_at", TS, nullable=False),
    Index("ix_stock_levels_sku_location", "sku", "location"),
)

inventory_ledger = Table(
    "inventory_ledger", metadata,
    Column("id", String(40), primary_key=True),
    Column("location", String(32), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("delta", Integer, nullable=False),
    Column("on_hand_after", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", String(120), nullable=False),
    Column("reference", String(120)),
    Column("created_at", TS, nullable=False),
    Index("ix_inventory_ledger_location_sku", "location", "sku", "created_at"),
)

customers = Table(
    "customers", metadata,
    Column("id", String(40), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(200)),
    Column("phone", String(40)),
    Column("created_at", TS, nullable=False),
    Column("erased_at", TS),  # personal data pseudonymised on request; orders and money stay intact
)

orders = Table(
    "orders", metadata,
    Column("id", String(40), primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("tracking_id", String(64), nullable=False, unique=True),
    Column("channel", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("customer_id", String(40), ForeignKey("customers.id"), nullable=False, index=True),
    Column("customer_email", String(320), nullable=False, index=True),
    Column("customer_name", String(200)),
    Column("customer_phone", String(40)),
    Column("shipping_address", JSON(none_as_null=True)),
    Column("billing_address", JSON(none_as_null=True)),
    Column("delivery_method", String(16), nullable=False),
    Column("pickup_location", String(32)),
    Column("shipping", BigInteger, nullable=False),
    Column("discounts", JSON, nullable=False),
    Column("status", String(24), nullable=False),
    Column("fulfillment_status", String(24), nullable=False),
    Column("payment_status", String(24), nullable=False, server_default="none"),  # derived from its payments
    Column("total", BigInteger, nullable=False),  # derived, kept for lists and reports
    Column("placed_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_orders_placed_at_id", "placed_at", "id"),
    Index("ix_orders_status_placed_at", "status", "placed_at"),
    Index("ix_orders_channel_placed_at", "channel", "placed_at"),
)

order_lines = Table(
    "order_lines", metadata,
    Column("id", String(40), primary_key=True),
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("sku", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("unit_price", BigInteger, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("stock_policy", String(16), nullable=False),
    Column("discount", BigInteger, nullable=False),
    Column("cancelled", Integer, nullable=False),
    Column("allocated", Integer, nullable=False),
    Column("shipped", Integer, nullable=False),
    Column("delivered", Integer, nullable=False),
    Column("return_requested", Integer, nullable=False),
    Column("returned", Integer, nullable=False),
    Column("written_off", Integer, nullable=False),
    # search by SKU reads (sku, order_id) from the index alone, never the wide line rows
    Index("ix_order_lines_sku_order_id", "sku", "order_id"),
)

order_changes = Table(
    "order_changes", metadata,
    Column("id", String(40), primary_key=True),
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=False, index=True),
    Column("kind", String(24), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("reason", Text, nullable=False),
    Column("lines", JSON, nullable=False),
    Column("amount_delta", BigInteger, nullable=False),
    Column("created_at", TS, nullable=False),
)

fulfillment_orders = Table(
    "fulfillment_orders", metadata,
    Column("id", String(40), primary_key=True),
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=False, index=True),
    Column("location", String(32), ForeignKey("locations.code"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reject_reason", Text),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Index("ix_fulfillment_orders_location_status", "location", "status", "created_at"),
)

fulfillment_lines = Table(
    "fulfillment_lines", metadata,
    Column("id", String(40), primary_key=True),
    Column("fulfillment_order_id", String(40), ForeignKey("fulfillment_orders.id"), nullable=False, index=True),
    Column("order_line_id", String(40), ForeignKey("order_lines.id"), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("awaiting_stock", Integer, nullable=False),
    Column("shipped", Integer, nullable=False),
    Column("cancelled", Integer, nullable=False),
)

shipments = Table(
    "shipments", metadata,
    Column("id", String(40), primary_key=True),
    Column("fulfillment_order_id", String(40), ForeignKey("fulfillment_orders.id"), nullable=False, index=True),
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=False, index=True),
    Column("location", String(32), nullable=False),
    Column("carrier", String(64), nullable=False),
    Column("service", String(64)),
    Column("tracking_number", String(120), index=True),
    Column("status", String(16), nullable=False),
    Column("lines", JSON, nullable=False),
    Column("shipped_at", TS, nullable=False),
    Column("delivered_at", TS),
)

timeline = Table(
    "timeline", metadata,
    Column("id", String(40), primary_key=True),
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=False),
    Column("at", TS, nullable=False),
    Column("actor", String(120), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("message", Text, nullable=False),
    Column("data", JSON, nullable=False),
    Index("ix_timeline_order_id_at", "order_id", "at", "id"),
)

outbox = Table(
    "outbox", metadata,
    Column("id", String(40), primary_key=True),
    Column("type", String(64), nullable=False),
    Column("order_id", String(40), index=True),
    Column("payload", JSON, nullable=False),
    Column("occurred_at", TS, nullable=False),
    Column("published_at", TS),
)

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("scope", String(120), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("resource_id", String(40)),
    Column("created_at", TS, nullable=False),
)

# Human order numbers: a sequence on PostgreSQL, an AUTOINCREMENT table on SQLite (see repositories).
order_number_seq = Table(
    "order_number_seq", metadata,
    Column("value", Integer, primary_key=True, autoincrement=True),
    sqlite_autoincrement=True,
)


# --- identity and access -------------------------------------------------------------------------------------

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("role", String(16), nullable=False),
    Column("locations", JSON, nullable=False),  # [] = every location
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256; the token itself is never stored
    Column("created_by", String(120), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS),
    Column("revoked_at", TS),
    Column("last_used_at", TS),
)

users = Table(
    "users", metadata,
    Column("id", String(40), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("locations", JSON, nullable=False),
    Column("password_hash", String(200), nullable=False),  # argon2id
    Column("failed_sign_ins", Integer, nullable=False),
    Column("locked_until", TS),
    Column("active", Boolean, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
)

console_sessions = Table(
    "console_sessions", metadata,
    Column("id_hash", String(64), primary_key=True),  # SHA-256 of the cookie value
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
    Column("revoked_at", TS),
    Column("source_address", String(64)),
)

shopper_codes = Table(
    "shopper_codes", metadata,
    Column("id", String(40), primary_key=True),
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=False, index=True),
    Column("code_hash", String(64), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
    Column("used_at", TS),
)

# Mail waiting to be sent: the notifications issue delivers it; until then tests and operators read it here.
mail_outbox = Table(
    "mail_outbox", metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("to_address", String(320), nullable=False, index=True),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("sent_at", TS),
)

# Fixed-window counters shared by every process (lookups, sign-ins).
rate_limits = Table(
    "rate_limits", metadata,
    Column("bucket", String(200), primary_key=True),
    Column("window_start", TS, primary_key=True),
    Column("hits", Integer, nullable=False),
)

# Append-only: no route edits or deletes it, and triggers refuse UPDATE and DELETE on both databases.
audit_log = Table(
    "audit_log", metadata,
    Column("id", String(40), primary_key=True),
    Column("at", TS, nullable=False),
    Column("actor_kind", String(16), nullable=False),
    Column("actor_id", String(120), nullable=False),
    Column("actor_name", String(200), nullable=False),
    Column("actor_role", String(16)),
    Column("action", String(64), nullable=False),
    Column("target_type", String(32), nullable=False),
    Column("target_id", String(120), nullable=False),
    Column("before", JSON, nullable=False),
    Column("after", JSON, nullable=False),
    Column("source_address", String(64)),
    Column("request_id", String(64), index=True),
    Index("ix_audit_log_at_id", "at", "id"),
    Index("ix_audit_log_actor_id_at", "actor_id", "at"),
    Index("ix_audit_log_target_at", "target_type", "target_id", "at"),
)

# Secrets Baton generates for itself when none is configured (development only; production requires them).
app_secrets = Table(
    "app_secrets", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
)


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
