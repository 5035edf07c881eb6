"""Tables of customer care: internal notes and tags on orders.

Part of the one schema: `tables` re-exports them."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text

from baton.adapters.db.schema import TS, metadata

order_notes = Table(
    "order_notes", metadata,
    Column("id", String(40), primary_key=True),
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=False),
    Column("author", String(120), nullable=False),  # the actor's label, as the timeline names them
    Column("text", Text, nullable=False),  # internal: never shown to the shopper
    Column("created_at", TS, nullable=False),
    Index("ix_order_notes_order_id_created_at", "order_id", "created_at", "id"),
)

order_tags = Table(
    "order_tags", metadata,
    Column("order_id", String(40), ForeignKey("orders.id"), primary_key=True),
    Column("tag", String(40), primary_key=True),
    Column("tagged_by", String(120), nullable=False),
    Column("created_at", TS, nullable=False),
    # `GET /orders?tag=` reads (tag, order_id) from the index alone
    Index("ix_order_tags_tag_order_id", "tag", "order_id"),
)
