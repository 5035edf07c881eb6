"""Tables of identity and access: tokens, users, sessions, shopper access, the audit log.

Part of the one schema: `tables` re-exports them."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from baton.adapters.db.schema import TS, metadata

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
    # sending (migration 0016, notifications): queued | sent | failed | dropped (written before mail was sent)
    Column("status", String(16), nullable=False, server_default="queued"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", TS),  # None: due now
    Column("last_error", Text),
    Index("ix_mail_outbox_status_created_at", "status", "created_at"),
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
