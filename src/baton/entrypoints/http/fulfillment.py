"""Routes for a location's fulfilment orders: queue, accept, pack, ship, deliver, reject."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from baton.adapters.db.uow import Replay
from baton.entrypoints.http import presenters
from baton.entrypoints.http.auth import allow
from baton.entrypoints.http.deps import ContainerDep, IdempotencyKey, idempotent
from baton.entrypoints.http.order_schemas import FulfillmentOrderList, FulfillmentOrderOut, RejectIn, ShipIn
from baton.entrypoints.http.problems import guarded
from baton.entrypoints.http.schemas import In, units_per_line
from baton.fulfillment import queries, services
from baton.fulfillment.model import FulfillmentOrder, FulfillmentOrderStatus, ShipmentStatus
from baton.identity.permissions import Action
from baton.payments import flows
from baton.shared.actor import Actor
from baton.shared.errors import NotFound

router = APIRouter(prefix="/api/v1/fulfillment-orders", tags=["fulfillment"])
ERRORS = guarded(404, 409, 422)
Reader = Annotated[Actor, allow(Action.FULFILLMENT_READ)]
Worker = Annotated[Actor, allow(Action.FULFILLMENT_ACT)]


def _fo(container: ContainerDep, actor: Actor, fo_id: str) -> dict:
    with container.reader() as uow:
        order_id = uow.orders.order_id_of_fulfillment_order(fo_id)
        order = uow.orders.get(order_id) if order_id else None
        if order is None or not actor.reaches(order.fulfillment_order(fo_id).location):
            raise NotFound(f"No fulfilment order with id {fo_id}.", code="fulfillment_order_not_found")
        return presenters.fulfillment_order(order.fulfillment_order(fo_id))


def _captured(container: ContainerDep, actor: Actor, fo: FulfillmentOrder) -> dict:
    """After a shipment (or a pickup's handover): the captures it decided, asked of the gateways."""
    settled = flows.settle_pending(lambda: container.uow(actor=actor), container.gateway, fo.order_id)
    return presenters.fulfillment_order(settled.fulfillment_order(fo.id) if settled else fo)


@router.get("", response_model=FulfillmentOrderList, responses=guarded(422))
def list_fulfillment_orders(container: ContainerDep, actor: Reader,
                            location: Annotated[str | None, Query(max_length=32)] = None,
                            status: FulfillmentOrderStatus | None = None,
                            limit: Annotated[int, Query(ge=1, le=200)] = 50, cursor: str | None = None) -> dict:
    """A location's queue, oldest first."""
    if location is not None and not actor.reaches(location):
        return {"items": [], "next_cursor": None}  # another location's queue is empty for a scoped actor
    with container.reads.connect() as conn:
        rows, next_cursor = queries.list_fulfillment_orders(conn, location, status, limit, cursor, actor.locations)
    return {"items": rows, "next_cursor": next_cursor}


@router.get("/{fo_id}", response_model=FulfillmentOrderOut, responses=guarded(404))
def get_fulfillment_order(fo_id: str, container: ContainerDep, actor: Reader) -> dict:
    return _fo(container, actor, fo_id)


@router.post("/{fo_id}/accept", response_model=FulfillmentOrderOut, responses=ERRORS)
def accept(fo_id: str, container: ContainerDep, actor: Worker) -> dict:
    return presenters.fulfillment_order(services.accept(container.uow(actor=actor), fo_id, actor.label))


@router.post("/{fo_id}/pack", response_model=FulfillmentOrderOut, responses=ERRORS)
def pack(fo_id: str, container: ContainerDep, actor: Worker) -> dict:
    return presenters.fulfillment_order(services.pack(container.uow(actor=actor), fo_id, actor.label))


@router.post("/{fo_id}/ship", response_model=FulfillmentOrderOut, responses=ERRORS)
def ship(fo_id: str, body: ShipIn, request: Request, response: Response, container: ContainerDep, actor: Worker,
         idempotency_key: IdempotencyKey = None) -> dict:
    """Record a parcel: every unit left, or the listed lines and quantities. Stock leaves through the ledger."""
    try:
        fo = services.ship(container.uow(idempotent(request, idempotency_key, body), actor), fo_id,
                           carrier=body.carrier, tracking_number=body.tracking_number, service=body.service,
                           lines=units_per_line(body.lines), actor=actor.label)
    except Replay:  # a retry: answer with the current state, change nothing
        response.headers["Idempotent-Replayed"] = "true"
        return _fo(container, actor, fo_id)
    return _captured(container, actor, fo)


@router.post("/{fo_id}/deliver", response_model=FulfillmentOrderOut, responses=ERRORS)
def deliver(fo_id: str, container: ContainerDep, actor: Worker) -> dict:
    """Shipped parcels arrived; for a pickup order, the packed order was handed over."""
    return _captured(container, actor, services.deliver(container.uow(actor=actor), fo_id, actor.label))


class TrackingEventIn(In):
    status: Annotated[Literal["out_for_delivery", "exception"], Field(
        description="What the carrier reported: out for delivery today, or a problem (delay, damage, address).")]
    detail: Annotated[str | None, Field(max_length=500, description="The carrier's words (exceptions).")] = None


@router.post("/{fo_id}/shipments/{shipment_id}/tracking-events", response_model=FulfillmentOrderOut,
             responses=ERRORS)
def tracking_event(fo_id: str, shipment_id: str, body: TrackingEventIn, container: ContainerDep,
                   actor: Worker) -> dict:
    """A carrier's tracking event for a parcel on its way (emits shipment.out_for_delivery or shipment.exception,
    which notify the customer). A delivered parcel answers 409."""
    fo = services.track(container.uow(actor=actor), fo_id, shipment_id, ShipmentStatus(body.status), body.detail,
                        actor.label)
    return presenters.fulfillment_order(fo)


@router.post("/{fo_id}/shipments/{shipment_id}/deliver", response_model=FulfillmentOrderOut, responses=ERRORS)
def deliver_parcel(fo_id: str, shipment_id: str, container: ContainerDep, actor: Worker) -> dict:
    """One parcel arrived, while others of the fulfilment order are on their way or still to ship: its units count
    as delivered (and may be returned) from now. 409 when it was delivered already."""
    return presenters.fulfillment_order(services.deliver_parcel(container.uow(actor=actor), fo_id, shipment_id,
                                                                actor.label))


@router.post("/{fo_id}/reject", response_model=FulfillmentOrderOut, responses=ERRORS)
def reject(fo_id: str, body: RejectIn, container: ContainerDep, actor: Worker) -> dict:
    """The location cannot fulfil it: the units are re-routed, or wait for stock when nobody can take them."""
    fo = services.reject(container.uow(actor=actor), fo_id, body.reason, actor.label, container.strategy)
    return presenters.fulfillment_order(fo)
