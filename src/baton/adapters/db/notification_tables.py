"""Tables of customer notifications: templates edited by an admin, customers' preferences and consent, the
messages queued per event and channel, and what the SMS sandbox would have sent. Re-exported from tables.py,
like the other table modules."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from baton.adapters.db.schema import TS, metadata

__all__ = ["notification_messages", "notification_preferences", "notification_templates", "sms_sandbox"]

# An admin's version of a built-in template; deleting the row restores the built-in one.
notification_templates = Table(
    "notification_templates", metadata,
    Column("moment", String(32), primary_key=True),
    Column("language", String(8), primary_key=True),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("sms", Text, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("updated_by", String(120), nullable=False),
)

# No row: the defaults (email on, no SMS consent).
notification_preferences = Table(
    "notification_preferences", metadata,
    Column("customer_id", String(40), ForeignKey("customers.id"), primary_key=True),
    Column("email", Boolean, nullable=False),
    Column("sms_consent_at", TS),
    Column("sms_consent_by", String(120)),
    Column("updated_at", TS, nullable=False),
)

notification_messages = Table(
    "notification_messages", metadata,
    Column("id", String(40), primary_key=True),
    # "<event id>:<channel>" (a resend: its own id): an event fanned out twice still queues one message
    Column("key", String(100), nullable=False, unique=True),
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=False),
    Column("event_id", String(40)),
    Column("moment", String(32), nullable=False),
    Column("channel", String(8), nullable=False),  # email | sms
    Column("language", String(8), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("subject", String(300)),  # None for SMS
    Column("body", Text, nullable=False),  # rendered when queued: what is sent is what the agent sees
    Column("status", String(16), nullable=False),  # queued | sent | failed | skipped
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", TS, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("sent_at", TS),
    Column("last_error", Text),
    Column("resend_of", String(40)),
    Index("ix_notification_messages_status_next_attempt_at", "status", "next_attempt_at"),
    Index("ix_notification_messages_order_id_created_at", "order_id", "created_at"),
)

# Without BATON_SMS_URL the SMS sandbox records here what it would have sent (demo, tests).
sms_sandbox = Table(
    "sms_sandbox", metadata,
    Column("id", String(40), primary_key=True),
    Column("message_id", String(40), nullable=False, index=True),
    Column("to_number", String(40), nullable=False),
    Column("text", Text, nullable=False),
    Column("at", TS, nullable=False),
)
