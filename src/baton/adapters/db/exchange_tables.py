"""Tables of exchanges (a return swapped for a replacement order) and claims (lost, damaged or wrong units
replaced or refunded without a return).

Part of the one schema: `tables` re-exports them."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, String, Table, Text

from baton.adapters.db.schema import TS, metadata

exchanges = Table(
    "exchanges", metadata,
    Column("id", String(40), primary_key=True),
    Column("return_id", String(40), ForeignKey("returns.id"), nullable=False, unique=True),
    Column("original_order_id", String(40), ForeignKey("orders.id"), nullable=False, index=True),
    Column("replacement_order_id", String(40), ForeignKey("orders.id"), index=True),  # None until placed
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reserve", String(16), nullable=False),  # now | on_receipt
    Column("lines", JSON, nullable=False),  # [{"line_id", "sku", "quantity"}]: the replacement SKUs per line
    Column("returned_value", BigInteger, nullable=False),  # what the returned units cost the customer
    Column("price_difference", BigInteger),  # replacement total − returned value; None until placed
    Column("created_by", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
)

claims = Table(
    "claims", metadata,
    Column("id", String(40), primary_key=True),
    Column("number", String(40), nullable=False, unique=True),  # CLM-…
    Column("order_id", String(40), ForeignKey("orders.id"), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("kind", String(16), nullable=False),  # lost | damaged | wrong_item
    Column("resolution", String(16), nullable=False),  # replace | refund
    Column("note", Text, nullable=False),
    Column("lines", JSON, nullable=False),  # {order line id: units}
    Column("value", BigInteger, nullable=False),  # what the claimed units cost the customer
    Column("replacement_order_id", String(40), ForeignKey("orders.id"), index=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
)
