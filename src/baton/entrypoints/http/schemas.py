"""Pydantic models: the shape of the API. They check shape only; the domain checks meaning."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

Amount = Annotated[str, Field(pattern=r"^\d{1,13}(\.\d{1,4})?$", examples=["19.99"],
                              description="A non-negative decimal amount in the currency, as a string.")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["USD"], description="ISO 4217 code.")]
Code = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-/]*$")]
Text = Annotated[str, Field(min_length=1, max_length=200)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]


class In(BaseModel):
    """Base of every request body: unknown fields and NUL characters are refused."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError("must not contain NUL characters")
        return value


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class Address(In):
    name: Text | None = None
    line1: Text
    line2: Annotated[str, Field(max_length=200)] | None = None
    city: Text
    region: Annotated[str, Field(max_length=100)] | None = None
    postal_code: Annotated[str, Field(max_length=20)] | None = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None


# -- catalog ------------------------------------------------------------------------------------
class LocationIn(In):
    code: Code
    name: Text
    type: Literal["warehouse", "store", "dropship"]
    address: Address
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    ships: bool = True
    pickup: bool = False
    priority: Annotated[int, Field(ge=0, le=10000, description="Lower is preferred.")] = 100
    daily_capacity: Annotated[int, Field(ge=0, le=10_000_000)] | None = None


class LocationUpdate(In):
    name: Text | None = None
    address: Address | None = None
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    ships: bool | None = None
    pickup: bool | None = None
    priority: Annotated[int, Field(ge=0, le=10000)] | None = None
    daily_capacity: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    active: bool | None = None


class LocationOut(BaseModel):
    code: str
    name: str
    type: str
    address: dict[str, Any]
    latitude: float | None
    longitude: float | None
    ships: bool
    pickup: bool
    priority: int
    daily_capacity: int | None
    active: bool


class LocationList(BaseModel):
    items: list[LocationOut]
    next_cursor: str | None = None


StockPolicy = Literal["stocked", "backorder", "preorder"]


class ProductIn(In):
    sku: Sku
    name: Text
    category: Text
    price: Amount
    currency: Currency
    stock_policy: StockPolicy = "stocked"
    prices: dict[Currency, Amount] | None = Field(None, description="Prices in more currencies.")
    weight_grams: Annotated[int, Field(ge=0, le=1_000_000_000)] | None = None
    tax_class: Annotated[str, Field(min_length=1, max_length=32)] = "standard"
    returnable: bool = Field(True, description="False: a final sale, no return can be opened for it.")


class ProductUpdate(In):
    name: Text | None = None
    category: Text | None = None
    price: Amount | None = None
    currency: Currency | None = None
    stock_policy: StockPolicy | None = None
    weight_grams: Annotated[int, Field(ge=0, le=1_000_000_000)] | None = None
    tax_class: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    active: bool | None = None
    returnable: bool | None = None


class ProductOut(BaseModel):
    sku: str
    name: str
    category: str
    price: str | None
    currency: str | None
    prices: dict[str, str]
    stock_policy: str
    weight_grams: int | None
    tax_class: str
    active: bool
    returnable: bool = True


class ProductList(BaseModel):
    items: list[ProductOut]
    next_cursor: str | None = None


# -- inventory ----------------------------------------------------------------------------------
class CountIn(In):
    on_hand: Annotated[int, Field(ge=0, le=10_000_000)]
    reason: Reason = "count"
    safety_stock: Annotated[int, Field(ge=0, le=10_000_000)] | None = None


class ReorderPointIn(In):
    reorder_point: Annotated[int, Field(ge=0, le=10_000_000)] | None = Field(
        description="inventory.low_stock is announced when available falls to this; null removes it.")


class MovementIn(In):
    kind: Literal["receipt", "adjustment"]
    quantity: Annotated[
        int, Field(ge=-10_000_000, le=10_000_000, description="Receipts add; adjustments add or remove.")
    ]
    reason: Reason
    reference: Annotated[str, Field(max_length=120)] | None = None


class StockLevelOut(BaseModel):
    location: str
    sku: str
    on_hand: int
    reserved: int
    safety_stock: int
    available: int
    updated_at: datetime
    reorder_point: int | None = None  # inventory.low_stock when available falls to it


class LedgerEntryOut(BaseModel):
    id: str
    kind: str
    delta: int
    on_hand_after: int
    reason: str
    actor: str
    reference: str | None
    created_at: datetime


class LedgerList(BaseModel):
    items: list[LedgerEntryOut]
    next_cursor: str | None = None


class LocationAvailability(BaseModel):
    location: str
    available: int


class SkuAvailability(BaseModel):
    sku: str
    available: int
    locations: list[LocationAvailability]


class AvailabilityList(BaseModel):
    items: list[SkuAvailability]


class LineUnits(Protocol):
    line_id: str
    quantity: int


def units_per_line(lines: Iterable[LineUnits] | None) -> dict[str, int] | None:
    """Units per line id from a request's `lines`; a line named twice counts once with both quantities."""
    if lines is None:
        return None
    merged: dict[str, int] = {}
    for line in lines:
        merged[line.line_id] = merged.get(line.line_id, 0) + line.quantity
    return merged
