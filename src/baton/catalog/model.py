"""Catalog: products and the locations that hold them. Plain Python; invariants live here."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from baton.shared.clock import utcnow
from baton.shared.errors import InvalidInput


class StockPolicy(enum.StrEnum):
    STOCKED = "stocked"  # never sold beyond available stock
    BACKORDER = "backorder"  # may go below zero and ship when stock arrives
    PREORDER = "preorder"  # sells before the product exists

    @property
    def may_oversell(self) -> bool:
        return self is not StockPolicy.STOCKED


class LocationType(enum.StrEnum):
    WAREHOUSE = "warehouse"  # ships parcels
    STORE = "store"  # ships and/or hands over pickups
    DROPSHIP = "dropship"  # a supplier that ships on our behalf


@dataclass(eq=False)
class Product:
    sku: str
    name: str
    category: str
    stock_policy: StockPolicy
    prices: dict[str, int]  # currency -> unit price in minor units
    weight_grams: int | None = None
    tax_class: str = "standard"
    active: bool = True
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    returnable: bool = True  # False: a final sale, no return can be opened for it

    def __post_init__(self) -> None:
        if not self.sku.strip():
            raise InvalidInput("sku", "must not be blank.")
        for currency, amount in self.prices.items():
            if amount < 0:
                raise InvalidInput("price", f"the {currency} price must not be negative.")

    def price_in(self, currency: str) -> int | None:
        return self.prices.get(currency)

    def set_price(self, currency: str, amount: int) -> None:
        if amount < 0:
            raise InvalidInput("price", "must not be negative.")
        self.prices = {**self.prices, currency: amount}  # a new dict, so the change is persisted
        self.updated_at = utcnow()


@dataclass(eq=False)
class Location:
    code: str
    name: str
    type: LocationType
    address: dict[str, str]
    latitude: float | None = None
    longitude: float | None = None
    ships: bool = True
    pickup: bool = False
    priority: int = 100  # lower is preferred when everything else is equal
    daily_capacity: int | None = None
    active: bool = True
    created_at: datetime = field(default_factory=utcnow)

    def __post_init__(self) -> None:
        if not self.code.strip():
            raise InvalidInput("code", "must not be blank.")
        if (self.latitude is None) != (self.longitude is None):
            raise InvalidInput("latitude", "give both latitude and longitude, or neither.")
        if not self.ships and not self.pickup:
            raise InvalidInput("ships", "a location must ship, offer pickup, or both.")
