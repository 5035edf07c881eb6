"""Products and locations, read and written with SQLAlchemy Core: plain domain objects, no ORM state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from sqlalchemy import Row, bindparam, insert, select, update

from baton.adapters.db import tables as t
from baton.adapters.db.hot import Prepared
from baton.adapters.db.sql import CoreRepository
from baton.catalog.model import Location, LocationType, Product, StockPolicy
from baton.routing.model import Candidate

P, L = t.products.c, t.locations.c
_PRODUCTS = Prepared(select(t.products).where(P.sku.in_(bindparam("skus", expanding=True))))
# routing needs only the country of each address: the database extracts it, no JSON document per location
_CANDIDATES = Prepared(select(L.code, L.name, L.latitude, L.longitude, L.priority, L.ships, L.pickup,
                              L.address["country"].as_string().label("country")).where(L.active.is_(True)))


def _product(row: Row[Any]) -> Product:
    values = row._asdict()
    values["stock_policy"] = StockPolicy(values["stock_policy"])
    return Product(**values)


def _location(row: Row[Any]) -> Location:
    values = dict(row._mapping)
    values["type"] = LocationType(values["type"])
    return Location(**values)


class Products(CoreRepository):
    def add(self, product: Product) -> None:
        self.db.execute(insert(t.products).values(**_columns(product)))

    def save(self, product: Product) -> None:
        self.db.execute(update(t.products).where(P.sku == product.sku).values(**_columns(product)))

    def get(self, sku: str) -> Product | None:
        row = self.db.execute(select(t.products).where(P.sku == sku)).first()
        return _product(row) if row else None

    def get_many(self, skus: Iterable[str]) -> dict[str, Product]:
        rows = _PRODUCTS.rows(self.db, {"skus": sorted(set(skus))})
        return {row.sku: _product(row) for row in rows}

    def page(self, limit: int, after: str | None, category: str | None) -> list[Product]:
        stmt = select(t.products).order_by(P.sku).limit(limit)
        if category:
            stmt = stmt.where(P.category == category)
        if after:
            stmt = stmt.where(P.sku > after)
        return [_product(row) for row in self.db.execute(stmt)]


class Locations(CoreRepository):
    def add(self, location: Location) -> None:
        self.db.execute(insert(t.locations).values(**_columns(location)))

    def save(self, location: Location) -> None:
        self.db.execute(update(t.locations).where(L.code == location.code).values(**_columns(location)))

    def get(self, code: str) -> Location | None:
        row = self.db.execute(select(t.locations).where(L.code == code)).first()
        return _location(row) if row else None

    def page(self, limit: int, after: str | None) -> list[Location]:
        stmt = select(t.locations).order_by(L.code).limit(limit)
        if after:
            stmt = stmt.where(L.code > after)
        return [_location(row) for row in self.db.execute(stmt)]

    def candidates(self) -> list[Candidate]:
        """The active locations as routing sees them."""
        return [Candidate(*row) for row in _CANDIDATES.rows(self.db)]


def _columns(obj: Product | Location) -> dict[str, Any]:
    values = asdict(obj)
    for name in ("stock_policy", "type"):
        if name in values:
            values[name] = str(values[name])
    return values
