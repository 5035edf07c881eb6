"""Use cases of fulfilment: a location works its fulfilment orders; rejected ones are re-routed."""

from __future__ import annotations

from collections.abc import Callable

from baton.adapters.db.uow import UnitOfWork
from baton.fulfillment import actions
from baton.fulfillment.model import FulfillmentOrder, ShipmentStatus
from baton.orders.model import Order
from baton.orders.services import apply_stock_effects, reserve, routing_request
from baton.payments import flows as payment_flows
from baton.routing.model import RoutingStrategy
from baton.shared.errors import NotFound


def _load(uow: UnitOfWork, fo_id: str) -> Order:
    """The order of a fulfilment order the actor may work on; another location's is as good as absent."""
    order_id = uow.orders.order_id_of_fulfillment_order(fo_id)
    order = uow.orders.get(order_id, lock=True) if order_id else None
    if order is None or not uow.actor.reaches(order.fulfillment_order(fo_id).location):
        raise NotFound(f"No fulfilment order with id {fo_id}.", code="fulfillment_order_not_found")
    return order


Action = Callable[[Order, str, str], FulfillmentOrder]


def _simple(action: Action) -> Callable[[UnitOfWork, str, str], FulfillmentOrder]:
    def run(uow: UnitOfWork, fo_id: str, actor: str) -> FulfillmentOrder:
        with uow:
            order = _load(uow, fo_id)
            before = order.audit_view()
            fo = action(order, fo_id, actor)
            uow.audit.record(f"fulfillment_order.{action.__name__}", "order", order.id, before, order.audit_view())
            uow.commit()
            return fo

    return run


accept = _simple(actions.accept)
pack = _simple(actions.pack)


def ship(uow: UnitOfWork, fo_id: str, *, carrier: str, tracking_number: str | None, service: str | None,
         lines: dict[str, int] | None, actor: str) -> FulfillmentOrder:
    with uow:
        order = _load(uow, fo_id)
        before = order.audit_view()
        shipment, effects = actions.ship(order, fo_id, carrier=carrier, tracking_number=tracking_number,
                                         service=service, lines=lines, actor=actor)
        apply_stock_effects(uow, effects, actor, order.number)
        payment_flows.begin_due_captures(uow, order, f"shipment {shipment.id}")  # exactly the value it ships
        uow.audit.record("fulfillment_order.ship", "order", order.id, before,
                         {**order.audit_view(), f"shipments.{shipment.id}": f"{shipment.units} unit(s)"})
        uow.commit()
        return order.fulfillment_order(fo_id)


def deliver(uow: UnitOfWork, fo_id: str, actor: str) -> FulfillmentOrder:
    with uow:
        order = _load(uow, fo_id)
        before = order.audit_view()
        effects = actions.deliver(order, fo_id, actor)
        apply_stock_effects(uow, effects, actor, order.number)
        payment_flows.begin_due_captures(uow, order, f"handover {fo_id}")  # a pickup ships at the handover
        uow.audit.record("fulfillment_order.deliver", "order", order.id, before, order.audit_view())
        uow.commit()
        return order.fulfillment_order(fo_id)


def track(uow: UnitOfWork, fo_id: str, shipment_id: str, status: ShipmentStatus, detail: str | None,
          actor: str) -> FulfillmentOrder:
    """Record a carrier's tracking event (out for delivery, exception) on a parcel of the fulfilment order."""
    with uow:
        order = _load(uow, fo_id)
        if not any(s.id == shipment_id for s in order.fulfillment_order(fo_id).shipments):
            raise NotFound(f"No shipment {shipment_id} in fulfilment order {fo_id}.", code="shipment_not_found")
        before = order.audit_view()
        actions.track(order, shipment_id, status, detail, actor)
        uow.audit.record("shipment.track", "order", order.id, before,
                         {**order.audit_view(), f"shipments.{shipment_id}": str(status)})
        uow.commit()
        return order.fulfillment_order(fo_id)


def deliver_parcel(uow: UnitOfWork, fo_id: str, shipment_id: str, actor: str) -> FulfillmentOrder:
    """One parcel of the fulfilment order arrived (actions.deliver_parcel)."""
    with uow:
        order = _load(uow, fo_id)
        before = order.audit_view()
        actions.deliver_parcel(order, fo_id, shipment_id, actor)
        uow.audit.record("shipment.deliver", "order", order.id, before,
                         {**order.audit_view(), f"shipments.{shipment_id}": "delivered"})
        uow.commit()
        return order.fulfillment_order(fo_id)


def reject(uow: UnitOfWork, fo_id: str, reason: str, actor: str, strategy: RoutingStrategy) -> FulfillmentOrder:
    """Release the location's reservations and route the units elsewhere; what nobody can take waits."""
    with uow:
        order = _load(uow, fo_id)
        before = order.audit_view()
        # Lock every level of these SKUs first, in the same order placement does: no deadlock.
        uow.stock.lock_skus(line.sku for line in order.fulfillment_order(fo_id).lines)
        effects = actions.reject(order, fo_id, reason, actor)
        apply_stock_effects(uow, effects, actor, order.number)
        _reroute(uow, order, strategy, actor)
        uow.audit.record("fulfillment_order.reject", "order", order.id, before, order.audit_view())
        uow.commit()
        return order.fulfillment_order(fo_id)


def _reroute(uow: UnitOfWork, order: Order, strategy: RoutingStrategy, actor: str) -> None:
    skus = {line.sku for line, _ in order.unallocated_demands()}
    if not skus:
        return
    products = uow.products.get_many(skus)
    levels = uow.stock.lock_skus(skus)
    request = routing_request(order, uow.locations.candidates(), levels, products,
                              excluded=order.rejected_locations, allow_unallocated=True)
    plan = strategy.plan(request)
    reserve(uow, order, plan, levels, products, actor)
    if plan.unallocated:
        waiting = ", ".join(f"{d.quantity} \u00d7 {d.sku}" for d in plan.unallocated)
        order.tell(actor, "backordered", f"No other location can take {waiting} now; the units wait for stock.")
