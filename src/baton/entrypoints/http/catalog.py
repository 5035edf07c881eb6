"""Routes for products and locations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from baton.catalog import services
from baton.catalog.model import LocationType, StockPolicy
from baton.entrypoints.http import presenters
from baton.entrypoints.http.auth import allow
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.http.problems import guarded
from baton.entrypoints.http.schemas import (
    LocationIn,
    LocationList,
    LocationOut,
    LocationUpdate,
    ProductIn,
    ProductList,
    ProductOut,
    ProductUpdate,
)
from baton.identity.permissions import Action
from baton.shared import cursor as cursors
from baton.shared.actor import Actor
from baton.shared.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["catalog"])
Limit = Annotated[int, Query(ge=1, le=500)]
Reader = Annotated[Actor, allow(Action.CATALOG_READ)]
Writer = Annotated[Actor, allow(Action.CATALOG_WRITE)]


@router.post("/locations", status_code=201, response_model=LocationOut, responses=guarded(409, 422))
def create_location(body: LocationIn, container: ContainerDep, actor: Writer) -> dict:
    data = services.LocationData(
        body.code, body.name, LocationType(body.type), body.address.model_dump(exclude_none=True),
        body.latitude, body.longitude, body.ships, body.pickup, body.priority, body.daily_capacity,
    )
    return presenters.location(services.create_location(container.uow(actor=actor), data))


@router.get("/locations", response_model=LocationList, responses=guarded(422))
def list_locations(container: ContainerDep, _actor: Reader, limit: Limit = 100, cursor: str | None = None) -> dict:
    with container.reader() as uow:
        found = uow.locations.page(limit + 1, str(cursors.decode(cursor, 1)[0]) if cursor else None)
    next_cursor = cursors.encode([found[limit - 1].code]) if len(found) > limit else None
    return {"items": [presenters.location(loc) for loc in found[:limit]], "next_cursor": next_cursor}


@router.get("/locations/{code}", response_model=LocationOut, responses=guarded(404))
def get_location(code: str, container: ContainerDep, _actor: Reader) -> dict:
    with container.reader() as uow:
        location = uow.locations.get(code)
        if location is None:
            raise NotFound(f"No location with code {code}.", code="location_not_found")
        return presenters.location(location)


@router.patch("/locations/{code}", response_model=LocationOut, responses=guarded(404, 422))
def update_location(code: str, body: LocationUpdate, container: ContainerDep, actor: Writer) -> dict:
    """Change only the fields sent; a location must still ship, offer pickup, or both."""
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    return presenters.location(services.update_location(container.uow(actor=actor), code, changes))


@router.post("/products", status_code=201, response_model=ProductOut, responses=guarded(409, 422))
def create_product(body: ProductIn, container: ContainerDep, actor: Writer) -> dict:
    data = services.ProductData(body.sku, body.name, body.category, body.price, body.currency,
                                StockPolicy(body.stock_policy), body.prices, body.weight_grams, body.tax_class,
                                body.returnable)
    return presenters.product(services.create_product(container.uow(actor=actor), data))


@router.get("/products", response_model=ProductList, responses=guarded(422))
def list_products(container: ContainerDep, _actor: Reader, limit: Limit = 100, cursor: str | None = None,
                  category: str | None = None) -> dict:
    with container.reader() as uow:
        found = uow.products.page(limit + 1, str(cursors.decode(cursor, 1)[0]) if cursor else None, category)
    next_cursor = cursors.encode([found[limit - 1].sku]) if len(found) > limit else None
    return {"items": [presenters.product(p) for p in found[:limit]], "next_cursor": next_cursor}


@router.get("/products/{sku}", response_model=ProductOut, responses=guarded(404))
def get_product(sku: str, container: ContainerDep, _actor: Reader) -> dict:
    with container.reader() as uow:
        product = uow.products.get(sku)
        if product is None:
            raise NotFound(f"No product with SKU {sku}.", code="product_not_found")
        return presenters.product(product)


@router.patch("/products/{sku}", response_model=ProductOut, responses=guarded(404, 422))
def update_product(sku: str, body: ProductUpdate, container: ContainerDep, actor: Writer) -> dict:
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    return presenters.product(services.update_product(container.uow(actor=actor), sku, changes))
