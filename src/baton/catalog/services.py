"""Use cases of the catalog: products and locations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baton.adapters.db.uow import UnitOfWork
from baton.catalog.model import Location, LocationType, Product, StockPolicy
from baton.shared.audit import view
from baton.shared.clock import utcnow
from baton.shared.errors import Conflict, NotFound
from baton.shared.money import check_currency, to_minor


@dataclass(frozen=True)
class ProductData:
    sku: str
    name: str
    category: str
    price: str
    currency: str
    stock_policy: StockPolicy = StockPolicy.STOCKED
    prices: dict[str, str] | None = None  # more currencies
    weight_grams: int | None = None
    tax_class: str = "standard"
    returnable: bool = True


def _prices(data: ProductData) -> dict[str, int]:
    prices = {check_currency(data.currency): to_minor(data.price, data.currency, "price")}
    for currency, amount in (data.prices or {}).items():
        prices[check_currency(currency, f"prices.{currency}")] = to_minor(amount, currency, f"prices.{currency}")
    return prices


PRODUCT_FIELDS = ("name", "category", "stock_policy", "prices", "weight_grams", "tax_class", "active", "returnable")


def create_product(uow: UnitOfWork, data: ProductData) -> Product:
    with uow:
        if uow.products.get(data.sku):
            raise Conflict(f"A product with SKU {data.sku} exists already; update it with PUT.", code="duplicate_sku")
        product = Product(data.sku, data.name, data.category, data.stock_policy, _prices(data),
                          data.weight_grams, data.tax_class, returnable=data.returnable)
        uow.products.add(product)
        uow.audit.record("product.create", "product", product.sku, None, view(product, *PRODUCT_FIELDS))
        uow.commit()
        return product


def update_product(uow: UnitOfWork, sku: str, changes: dict[str, Any]) -> Product:
    with uow:
        product = uow.products.get(sku)
        if product is None:
            raise NotFound(f"No product with SKU {sku}.")
        before = view(product, *PRODUCT_FIELDS)
        for name in ("name", "category", "weight_grams", "tax_class", "active", "returnable"):
            if name in changes:
                setattr(product, name, changes[name])
        if "stock_policy" in changes:
            product.stock_policy = StockPolicy(changes["stock_policy"])
        if "price" in changes:
            currency = check_currency(changes.get("currency") or next(iter(product.prices), "USD"))
            product.set_price(currency, to_minor(changes["price"], currency, "price"))
        product.updated_at = utcnow()
        uow.products.save(product)
        uow.audit.record("product.update", "product", sku, before, view(product, *PRODUCT_FIELDS))
        uow.commit()
        return product


@dataclass(frozen=True)
class LocationData:
    code: str
    name: str
    type: LocationType
    address: dict[str, str]
    latitude: float | None = None
    longitude: float | None = None
    ships: bool = True
    pickup: bool = False
    priority: int = 100
    daily_capacity: int | None = None


def create_location(uow: UnitOfWork, data: LocationData) -> Location:
    with uow:
        if uow.locations.get(data.code):
            raise Conflict(f"A location with code {data.code} exists already.", code="duplicate_location")
        location = Location(data.code, data.name, data.type, data.address, data.latitude, data.longitude,
                            data.ships, data.pickup, data.priority, data.daily_capacity)
        uow.locations.add(location)
        uow.audit.record("location.create", "location", location.code, None, view(location, *LOCATION_VIEW))
        uow.commit()
        return location


LOCATION_FIELDS = (
    "name", "address", "latitude", "longitude", "ships", "pickup", "priority", "daily_capacity", "active",
)
LOCATION_VIEW = ("type", *LOCATION_FIELDS)


def update_location(uow: UnitOfWork, code: str, changes: dict[str, Any]) -> Location:
    """Change what a location is or can do; its invariants are checked again before anything is saved."""
    with uow:
        location = uow.locations.get(code)
        if location is None:
            raise NotFound(f"No location with code {code}.", code="location_not_found")
        before = view(location, *LOCATION_VIEW)
        for name in LOCATION_FIELDS:
            if name in changes:
                setattr(location, name, changes[name])
        location.__post_init__()
        uow.locations.save(location)
        uow.audit.record("location.update", "location", code, before, view(location, *LOCATION_VIEW))
        uow.commit()
        return location
