"""Classical (imperative) mapping: the domain classes stay plain Python, the ORM learns them here."""

from __future__ import annotations

from sqlalchemy.orm import registry, relationship

from baton.adapters.db import tables as t
from baton.catalog.model import Location, Product
from baton.fulfillment.model import FulfillmentLine, FulfillmentOrder, Shipment
from baton.inventory.model import StockLevel
from baton.orders.model import Order, OrderChange, OrderLine

mapper_registry = registry(metadata=t.metadata)
_started = False


def start_mappers() -> None:
    global _started
    if _started:
        return
    _started = True
    m = mapper_registry.map_imperatively
    m(Product, t.products)
    m(Location, t.locations)
    m(StockLevel, t.stock_levels)
    m(OrderLine, t.order_lines)
    m(OrderChange, t.order_changes)
    m(FulfillmentLine, t.fulfillment_lines)
    m(Shipment, t.shipments)
    m(
        FulfillmentOrder, t.fulfillment_orders,
        properties={
            "lines": relationship(FulfillmentLine, lazy="selectin", order_by=t.fulfillment_lines.c.id),
            "shipments": relationship(Shipment, lazy="selectin", order_by=(t.shipments.c.shipped_at, t.shipments.c.id)),
        },
    )
    fos, changes = t.fulfillment_orders.c, t.order_changes.c
    m(
        Order, t.orders,
        properties={
            "lines": relationship(OrderLine, lazy="selectin", order_by=t.order_lines.c.position),
            "fulfillment_orders": relationship(
                FulfillmentOrder, lazy="selectin", order_by=(fos.created_at, fos.id)
            ),
            "changes": relationship(OrderChange, lazy="selectin", order_by=(changes.created_at, changes.id)),
        },
    )
