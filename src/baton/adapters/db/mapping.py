"""Classical (imperative) mapping of the order aggregate: the domain classes stay plain Python, the ORM
learns them here. Catalog and stock are read and written with Core (see their repositories)."""

from __future__ import annotations

from sqlalchemy.orm import registry, relationship

from baton.adapters.db import tables as t
from baton.fulfillment.model import FulfillmentLine, FulfillmentOrder, Shipment
from baton.orders.holds import OrderHold
from baton.orders.model import Order, OrderChange, OrderLine

mapper_registry = registry(metadata=t.metadata)
_started = False


def start_mappers() -> None:
    global _started
    if _started:
        return
    _started = True
    m = mapper_registry.map_imperatively
    m(OrderLine, t.order_lines)
    m(OrderChange, t.order_changes)
    m(OrderHold, t.order_holds)
    m(FulfillmentLine, t.fulfillment_lines)
    m(Shipment, t.shipments)
    m(
        FulfillmentOrder, t.fulfillment_orders,
        properties={
            "lines": relationship(FulfillmentLine, lazy="selectin", order_by=t.fulfillment_lines.c.id),
            "shipments": relationship(Shipment, lazy="selectin", order_by=(t.shipments.c.shipped_at, t.shipments.c.id)),
        },
    )
    fos, changes, holds = t.fulfillment_orders.c, t.order_changes.c, t.order_holds.c
    m(
        Order, t.orders,
        properties={
            "lines": relationship(OrderLine, lazy="selectin", order_by=t.order_lines.c.position),
            "fulfillment_orders": relationship(
                FulfillmentOrder, lazy="selectin", order_by=(fos.created_at, fos.id)
            ),
            "changes": relationship(OrderChange, lazy="selectin", order_by=(changes.created_at, changes.id)),
            "holds": relationship(OrderHold, lazy="selectin", order_by=(holds.placed_at, holds.id)),
        },
    )
