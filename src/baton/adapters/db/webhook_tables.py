"""Tables of events out: per-order event sequences, webhook subscriptions, their deliveries and attempts.

Re-exported from tables.py, like the other table modules."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from baton.adapters.db.schema import TS, metadata

__all__ = ["order_event_sequences", "webhook_attempts", "webhook_deliveries", "webhook_subscriptions"]

# The last sequence number given to an event of each order; bumped by an upsert in the writing transaction, whose
# row lock serialises concurrent writers of one order (so sequences follow commit order, without gaps).
order_event_sequences = Table(
    "order_event_sequences", metadata,
    Column("order_id", String(40), primary_key=True),
    Column("last_sequence", Integer, nullable=False),
)

webhook_subscriptions = Table(
    "webhook_subscriptions", metadata,
    Column("id", String(40), primary_key=True),
    Column("url", String(2000), nullable=False),
    Column("event_types", JSON, nullable=False),  # ["order.placed", ...] or ["*"]
    Column("description", String(200), nullable=False),
    Column("secret", String(100), nullable=False),  # signs every payload; shown once at creation
    Column("status", String(16), nullable=False),  # active | disabled | removed
    Column("failing_since", TS),  # first failure of the current run of failures; None when healthy
    Column("created_at", TS, nullable=False),
    Column("disabled_at", TS),
)

webhook_deliveries = Table(
    "webhook_deliveries", metadata,
    Column("id", String(40), primary_key=True),
    Column("subscription_id", String(40), ForeignKey("webhook_subscriptions.id"), nullable=False),
    Column("event_id", String(40), ForeignKey("outbox.id"), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("order_id", String(40)),
    Column("sequence", Integer),
    Column("status", String(16), nullable=False),  # pending | delivered | dead
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", TS, nullable=False),
    Column("window_start", TS, nullable=False),  # retries run for RETRY_WINDOW from here (reset by redelivery)
    Column("created_at", TS, nullable=False),
    Column("delivered_at", TS),
    Column("last_status_code", Integer),
    Column("last_error", Text),
    UniqueConstraint("subscription_id", "event_id"),
    Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_subscription_id_order_id", "subscription_id", "order_id", "sequence"),
    Index("ix_webhook_deliveries_subscription_id_created_at", "subscription_id", "created_at", "id"),
)

webhook_attempts = Table(
    "webhook_attempts", metadata,
    Column("id", String(40), primary_key=True),
    Column("delivery_id", String(40), ForeignKey("webhook_deliveries.id"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("at", TS, nullable=False),
    Column("status_code", Integer),  # None when no answer came (connection refused, timeout)
    Column("latency_ms", Integer, nullable=False),
    Column("response_excerpt", Text),  # the first 500 characters of the answer
    Column("error", Text),
    Index("ix_webhook_attempts_delivery_id_attempt", "delivery_id", "attempt"),
)
