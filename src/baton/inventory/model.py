"""Stock levels per (location, SKU) and the inventory ledger that explains every change of on_hand."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from baton.shared.clock import utcnow
from baton.shared.errors import Conflict, InvalidInput
from baton.shared.ids import new_id
from baton.shared.messages import DomainEvent


class MovementKind(enum.StrEnum):
    RECEIPT = "receipt"  # goods arrived
    ADJUSTMENT = "adjustment"  # a correction by someone, with a reason
    COUNT = "count"  # a physical count replaced on_hand
    SHIPMENT = "shipment"  # units left in a parcel or were handed over
    RESTOCK = "restock"  # returned units went back on the shelf
    TRANSFER = "transfer"  # units moved between locations


@dataclass(eq=False)
class LedgerEntry:
    location: str
    sku: str
    kind: MovementKind
    delta: int
    on_hand_after: int
    reason: str
    actor: str
    reference: str | None = None
    id: str = field(default_factory=lambda: new_id("inv"))
    created_at: datetime = field(default_factory=utcnow)


class InsufficientStock(Conflict):
    code = "insufficient_stock"


@dataclass(eq=False)
class StockLevel:
    location: str
    sku: str
    on_hand: int = 0
    reserved: int = 0
    safety_stock: int = 0
    updated_at: datetime = field(default_factory=utcnow)
    reorder_point: int | None = None  # inventory.low_stock when available falls to it; None: no signal

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved - self.safety_stock

    @property
    def low(self) -> bool:
        """At or below its reorder point."""
        return self.reorder_point is not None and self.available <= self.reorder_point

    def set_reorder_point(self, units: int | None) -> None:
        if units is not None and units < 0:
            raise InvalidInput("reorder_point", "cannot be negative; send null to remove it.")
        self.reorder_point = units
        self.updated_at = utcnow()

    def low_stock(self) -> DomainEvent:
        """The signal for an operations team to reorder: available fell to or below the reorder point."""
        return DomainEvent("inventory.low_stock", None, {
            "sku": self.sku, "location_id": self.location, "available": self.available,
            "reorder_point": self.reorder_point})

    def reserve(self, quantity: int, *, may_oversell: bool) -> None:
        if quantity <= 0:
            raise ValueError("reserve a positive quantity")
        if not may_oversell and quantity > self.available:
            raise InsufficientStock(
                f"{self.location} has {max(self.available, 0)} of {self.sku} available, {quantity} needed."
            )
        self.reserved += quantity
        self.updated_at = utcnow()

    def release(self, quantity: int) -> None:
        # Never below zero: a drifting counter is a bug we refuse to hide.
        if quantity <= 0 or quantity > self.reserved:
            raise Conflict(f"cannot release {quantity} of {self.sku} at {self.location}: {self.reserved} reserved.")
        self.reserved -= quantity
        self.updated_at = utcnow()

    def ship(self, quantity: int, *, actor: str, reference: str) -> LedgerEntry:
        """Reserved units leave the building: both counters go down, through the ledger."""
        if quantity > self.on_hand:
            raise InsufficientStock(
                f"{self.location} has {self.on_hand} of {self.sku} on hand; cannot ship {quantity}.",
            )
        self.release(quantity)
        return self._move(MovementKind.SHIPMENT, -quantity, f"shipped for {reference}", actor, reference)

    def receive(self, quantity: int, *, reason: str, actor: str, reference: str | None = None) -> LedgerEntry:
        if quantity <= 0:
            raise InvalidInput("quantity", "a receipt adds a positive quantity.")
        return self._move(MovementKind.RECEIPT, quantity, reason, actor, reference)

    def adjust(self, delta: int, *, reason: str, actor: str, kind: MovementKind = MovementKind.ADJUSTMENT,
               reference: str | None = None) -> LedgerEntry:
        if delta == 0:
            raise InvalidInput("quantity", "an adjustment must change the quantity.")
        if self.on_hand + delta < 0:
            raise InvalidInput("quantity", f"would leave {self.on_hand + delta} on hand; on_hand cannot go below 0.")
        return self._move(kind, delta, reason, actor, reference)

    def count(self, on_hand: int, *, reason: str, actor: str) -> LedgerEntry:
        if on_hand < 0:
            raise InvalidInput("on_hand", "a counted quantity cannot be negative.")
        return self._move(MovementKind.COUNT, on_hand - self.on_hand, reason, actor, None)

    def set_safety_stock(self, units: int) -> None:
        if units < 0:
            raise InvalidInput("safety_stock", "cannot be negative.")
        self.safety_stock = units
        self.updated_at = utcnow()

    def _move(self, kind: MovementKind, delta: int, reason: str, actor: str, reference: str | None) -> LedgerEntry:
        self.on_hand += delta
        self.updated_at = utcnow()
        return LedgerEntry(self.location, self.sku, kind, delta, self.on_hand, reason, actor, reference)
