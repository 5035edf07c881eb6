"""Table definitions: the one schema for SQLite and PostgreSQL. Every change needs an Alembic migration.

The core tables live here; identity_tables and money_tables hold the rest, re-exported so that
`from baton.adapters.db import tables as t` reaches every table."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Float, ForeignKey, Index, Integer, String, Table, Text, true

from baton.adapters.db.care_tables import *  # noqa: F403
from baton.adapters.db.exchange_tables import *  # noqa: F403
from baton.adapters.db.identity_tables import *  # noqa: F403  (re-exported: one namespace of tables)
from baton.adapters.db.invoice_tables import *  # noqa: F403
from baton.adapters.db.money_tables import *  # noqa: F403
from baton.adapters.db.notification_tables import *  # noqa: F403
from baton.adapters.db.returns_tables import *  # noqa: F403
from baton.adapters.db.schema import TS
from baton.adapters.db.schema import metadata as metadata  # re-exported: migrations and tests import it here
from baton.adapters.db.settings_tables import *  # noqa: F403
from baton.adapters.db.stream_tables import *  # noqa: F403
from baton.adapters.db.webhook_tables import *  # noqa: F403  (events out: sequences, webhooks)

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
    Column("returnable", Boolean, nullable=False, server_default=true()),  # False: final sale, no returns
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
    Column("reorder_point", Integer),  # inventory.low_stock when available falls to it; None: no signal
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
    Column("language", String(35), nullable=False, server_default="en"),  # preferred, BCP 47
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
    Column("shipping_tax", BigInteger, nullable=False, server_default="0"),
    Column("prices_include", String(16), nullable=False, server_default="tax_exclusive"),  # the channel's tax mode
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
    Column("tax_class", String(32), nullable=False, server_default="standard"),
    Column("tax_rate", String(16), nullable=False, server_default="0"),  # exact decimal: "0.19"
    Column("tax", BigInteger, nullable=False, server_default="0"),  # of all units ordered, after discount
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
    Column("published_at", TS),  # when the worker fanned it out to the webhook subscriptions
    Column("sequence", Integer),  # 1, 2, 3 ... per order, in commit order; None for an event of no order
    Column("version", Integer, nullable=False, server_default="1"),  # of the payload's schema (docs/events.md)
    Index("ix_outbox_published_at_occurred_at", "published_at", "occurred_at"),
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
