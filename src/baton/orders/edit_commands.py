"""The command of an order edit, already shaped by the entrypoint (see baton.orders.edits for the rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from baton.orders.commands import LineRequest


@dataclass(frozen=True)
class LineQuantity:
    line_id: str
    quantity: int  # the line's new quantity: units kept on it, shipped ones included (0 removes its open units)


@dataclass(frozen=True)
class EditOrder:
    order_id: str
    version: int  # the order's version the agent saw: a different current version is a stale edit (409)
    reason: str
    actor: str
    lines: list[LineQuantity] = field(default_factory=list)
    add_lines: list[LineRequest] = field(default_factory=list)
    shipping_address: dict[str, Any] | None = None
    delivery_method: str | None = None
    pickup_location: str | None = None
    preview: bool = False  # answer the order as it would be, write nothing

    @property
    def changes_delivery(self) -> bool:
        return any(v is not None for v in (self.shipping_address, self.delivery_method, self.pickup_location))
