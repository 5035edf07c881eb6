"""What an order change asks of stock, applied by the service to locked stock levels."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StockEffect:
    location: str
    sku: str
    quantity: int
    kind: str  # "release": give reserved units back; "ship": reserved units leave through the ledger
