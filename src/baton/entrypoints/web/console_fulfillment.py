"""The console's fulfilment queue (issue 8): a location's fulfilment orders by status, one fulfilment order with
its lines and shipments, and what the location does with it — accept, reject with a reason, pack, ship a parcel
(carrier, tracking number, some or all units), hand over a pickup — plus its pick list and packing slip as PDFs.
A parcel on its way gets the carrier's news by hand: out for delivery, delivered, or a delivery problem with a note.

Everything goes through `baton.fulfillment.services`. A user of a location-scoped role sees only the queues and
fulfilment orders of their own locations: another location's is answered with the 404 page, as the API does."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from starlette.datastructures import URL

from baton.adapters.db.uow import Replay, UnitOfWork
from baton.adapters.documents import fulfillment_pdf
from baton.bootstrap import Container
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.web import console_ops as ops
from baton.entrypoints.web.console import CONSOLE, CsrfChecked, PageRoute, SignedInDep, page, require, required_text
from baton.fulfillment import queries, services
from baton.fulfillment.model import FulfillmentOrder, FulfillmentOrderStatus, Shipment, ShipmentStatus
from baton.identity.console import SignedIn
from baton.identity.permissions import Action, allows
from baton.orders.model import Order
from baton.payments import flows
from baton.shared.actor import Actor
from baton.shared.errors import InvalidInput, NotFound
from baton.shared.ids import new_id

router = APIRouter(prefix="/console", tags=["console"], route_class=PageRoute, include_in_schema=False)
TABS = ("open", "accepted", "packed", "shipped")  # what is still to be done at the location, then what is on its way
DONE = {"accept": "Accepted: the order is yours to pick.", "reject": "Rejected: the units are being re-routed.",
        "pack": "Packed.", "ship": "The parcel was shipped.", "handover": "Handed over to the customer.",
        "out_for_delivery": "The parcel is out for delivery; the customer will be told.",
        "delivered": "The parcel was delivered.",
        "problem": "The delivery problem was recorded; the customer will be told."}
PARCEL_STATUS = {ShipmentStatus.IN_TRANSIT: "in transit", ShipmentStatus.OUT_FOR_DELIVERY: "out for delivery",
                 ShipmentStatus.EXCEPTION: "delivery problem", ShipmentStatus.DELIVERED: "delivered"}
SHIP_FIELDS = {"carrier", "service", "tracking_number", "quantity"}
S = FulfillmentOrderStatus


# -- the queue ------------------------------------------------------------------------------------------------
@router.get("/fulfillment", openapi_extra=CONSOLE)
def queue(request: Request, container: ContainerDep, signed: SignedInDep, location: str = "", status: str = "open",
          cursor: str = "") -> Response:
    actor = require(signed, Action.FULFILLMENT_READ)
    if status not in TABS:
        raise NotFound(f"The queue has no tab {status[:20]}.")
    with container.reads.connect() as conn:
        choices, notice = ops.locations(conn, actor), ""
        if not location and actor.locations and len(choices) == 1:
            location = choices[0]["code"]  # a one-location associate lands on their own queue
        if location:
            ops.location_or_404(conn, actor, location)
        try:
            rows, next_cursor = queries.list_fulfillment_orders(conn, location or None, status, ops.PAGE_SIZE,
                                                                cursor or None, actor.locations)
        except InvalidInput as bad:  # a cursor that is not ours
            rows, next_cursor, notice = [], None, bad.reason
    here = URL("/console/fulfillment").include_query_params(**({"location": location} if location else {}))
    return page(request, "console_fulfillment.html", {
        "signed": signed, "locations": choices, "location": location, "status": status, "tabs": TABS,
        "tab_urls": {tab: str(here.include_query_params(status=tab)) for tab in TABS},
        "rows": [_queue_row(row, "shipped" if status == "shipped" else "remaining") for row in rows],
        "notice": notice, "first_page": not cursor,
        "first_url": str(here.include_query_params(status=status)),
        "next_url": str(here.include_query_params(status=status, cursor=next_cursor)) if next_cursor else None})


def _queue_row(row: dict[str, Any], bucket: str) -> dict[str, Any]:
    """`bucket`: the units to list, those still to ship or (on the shipped tab) those on their way."""
    units = sum(line[bucket] for line in row["lines"])
    return {"id": row["id"], "order_number": row["order_number"], "location": row["location"],
            "status": row["status"], "created": ops.when(row["created_at"]), "on_hold": row["on_hold"],
            "delivery_method": row["delivery_method"], "units": units,
            "contents": ", ".join(f"{line[bucket]} × {line['sku']}" for line in sorted(row["lines"], key=_sku)
                               if line[bucket])}


def _sku(line: dict[str, Any]) -> str:
    return str(line["sku"])


# -- one fulfilment order -------------------------------------------------------------------------------------
@router.get("/fulfillment/{fo_id}", openapi_extra=CONSOLE)
def fulfillment_order(fo_id: str, request: Request, container: ContainerDep, signed: SignedInDep,
                      done: str = "") -> Response:
    require(signed, Action.FULFILLMENT_READ)
    return _fo_page(request, container, signed, fo_id, done=DONE.get(done))


@router.get("/fulfillment/{fo_id}/pick-list.pdf", openapi_extra=CONSOLE)
def pick_list(fo_id: str, container: ContainerDep, signed: SignedInDep) -> Response:
    actor = require(signed, Action.FULFILLMENT_READ)
    order, fo = _load(container, actor, fo_id)
    return _pdf(fulfillment_pdf.pick_list(order, fo, _location_name(container, fo.location)),
                f"pick-list-{order.number}.pdf")


@router.get("/fulfillment/{fo_id}/packing-slip.pdf", openapi_extra=CONSOLE)
def packing_slip(fo_id: str, container: ContainerDep, signed: SignedInDep) -> Response:
    actor = require(signed, Action.FULFILLMENT_READ)
    order, fo = _load(container, actor, fo_id)
    return _pdf(fulfillment_pdf.packing_slip(order, fo, _location_name(container, fo.location)),
                f"packing-slip-{order.number}.pdf")


@router.post("/fulfillment/{fo_id}/accept", openapi_extra=CONSOLE)
def accept(fo_id: str, request: Request, container: ContainerDep, signed: CsrfChecked) -> Response:
    actor = require(signed, Action.FULFILLMENT_ACT)
    return _act(request, container, signed, fo_id, "accept", set(), {}, lambda: (
        services.accept(container.uow(actor=actor), fo_id, actor.label)))


@router.post("/fulfillment/{fo_id}/pack", openapi_extra=CONSOLE)
def pack(fo_id: str, request: Request, container: ContainerDep, signed: CsrfChecked) -> Response:
    actor = require(signed, Action.FULFILLMENT_ACT)
    return _act(request, container, signed, fo_id, "pack", set(), {}, lambda: (
        services.pack(container.uow(actor=actor), fo_id, actor.label)))


@router.post("/fulfillment/{fo_id}/reject", openapi_extra=CONSOLE)
def reject(fo_id: str, request: Request, container: ContainerDep, signed: CsrfChecked,
           reason: Annotated[str, Form()] = "") -> Response:
    actor = require(signed, Action.FULFILLMENT_ACT)
    return _act(request, container, signed, fo_id, "reject", {"reason"}, {"reject.reason": reason}, lambda: (
        services.reject(container.uow(actor=actor), fo_id, required_text("reason", reason), actor.label,
                        container.strategy)))


@router.post("/fulfillment/{fo_id}/ship", openapi_extra=CONSOLE)
def ship(fo_id: str, request: Request, container: ContainerDep, signed: CsrfChecked,
         carrier: Annotated[str, Form()] = "", service: Annotated[str, Form()] = "",
         tracking_number: Annotated[str, Form()] = "", line_id: Annotated[list[str] | None, Form()] = None,
         quantity: Annotated[list[str] | None, Form()] = None, form_key: Annotated[str, Form()] = "") -> Response:
    actor = require(signed, Action.FULFILLMENT_ACT)
    ids, counts = line_id or [], quantity or []
    typed = {"ship.carrier": carrier, "ship.service": service, "ship.tracking_number": tracking_number,
             **{f"ship.quantity.{i}": q for i, q in zip(ids, counts, strict=False)}}

    def send() -> None:
        parcel = ops.units_per_line(ids, counts, "put at least one unit in the parcel.")
        name = required_text("carrier", carrier, 64)
        tracking = required_text("tracking_number", tracking_number, 120)
        key = ops.once(request, form_key, [carrier, service, tracking_number, ids, counts])
        with contextlib.suppress(Replay):  # a double-submitted form: the first one shipped
            fo = services.ship(container.uow(key, actor), fo_id, carrier=name, tracking_number=tracking,
                               service=service.strip()[:64] or None, lines=parcel, actor=actor.label)
            flows.settle_pending(lambda: container.uow(actor=actor), container.gateway, fo.order_id)  # captures

    return _act(request, container, signed, fo_id, "ship", SHIP_FIELDS | {f"quantity.{i}" for i in ids}, typed, send)


@router.post("/fulfillment/{fo_id}/handover", openapi_extra=CONSOLE)
def handover(fo_id: str, request: Request, container: ContainerDep, signed: CsrfChecked) -> Response:
    actor = require(signed, Action.FULFILLMENT_ACT)

    def hand_over() -> None:
        fo = services.deliver(container.uow(actor=actor), fo_id, actor.label)
        flows.settle_pending(lambda: container.uow(actor=actor), container.gateway, fo.order_id)  # captures

    return _act(request, container, signed, fo_id, "handover", set(), {}, hand_over)


# -- a parcel on its way -------------------------------------------------------------------------------------
@router.post("/fulfillment/{fo_id}/shipments/{shipment_id}/out-for-delivery", openapi_extra=CONSOLE)
def out_for_delivery(fo_id: str, shipment_id: str, request: Request, container: ContainerDep, signed: CsrfChecked,
                     form_key: Annotated[str, Form()] = "") -> Response:
    actor = require(signed, Action.FULFILLMENT_ACT)
    return _parcel_act(request, container, signed, fo_id, "out_for_delivery", form_key, [shipment_id], {}, (
        lambda uow: services.track(uow, fo_id, shipment_id, ShipmentStatus.OUT_FOR_DELIVERY, None, actor.label)))


@router.post("/fulfillment/{fo_id}/shipments/{shipment_id}/deliver", openapi_extra=CONSOLE)
def deliver_parcel(fo_id: str, shipment_id: str, request: Request, container: ContainerDep, signed: CsrfChecked,
                   form_key: Annotated[str, Form()] = "") -> Response:
    actor = require(signed, Action.FULFILLMENT_ACT)
    return _parcel_act(request, container, signed, fo_id, "delivered", form_key, [shipment_id], {}, (
        lambda uow: services.deliver_parcel(uow, fo_id, shipment_id, actor.label)))


@router.post("/fulfillment/{fo_id}/shipments/{shipment_id}/problem", openapi_extra=CONSOLE)
def delivery_problem(fo_id: str, shipment_id: str, request: Request, container: ContainerDep, signed: CsrfChecked,
                     note: Annotated[str, Form()] = "", form_key: Annotated[str, Form()] = "") -> Response:
    """The carrier reported a problem (delay, damage, address): the note goes on the timeline and to the customer."""
    actor = require(signed, Action.FULFILLMENT_ACT)
    field = f"note.{shipment_id[:64]}"

    def record(uow: UnitOfWork) -> object:
        said = required_text(field, note)
        return services.track(uow, fo_id, shipment_id, ShipmentStatus.EXCEPTION, said, actor.label)

    return _parcel_act(request, container, signed, fo_id, "problem", form_key, [shipment_id, note],
                       {f"problem.{field}": note}, record, fields={field})


def _parcel_act(request: Request, container: Container, signed: SignedIn, fo_id: str, name: str, form_key: str,
                values: list[str], typed: dict[str, str], change: Callable[[UnitOfWork], object],
                fields: set[str] | None = None) -> Response:
    """A tracking event typed in by hand; a double-submitted form records it once."""
    def run() -> None:
        key = ops.once(request, form_key, values)
        with contextlib.suppress(Replay):  # the first submit recorded it
            change(container.uow(key, signed.actor))

    return _act(request, container, signed, fo_id, name, fields or set(), typed, run)


# -- helpers --------------------------------------------------------------------------------------------------
def _act(request: Request, container: Container, signed: SignedIn, fo_id: str, name: str, fields: set[str],
         typed: dict[str, str], change: Callable[[], object]) -> Response:
    return ops.act(name, fields, change, lambda errors, status: _fo_page(
        request, container, signed, fo_id, errors=errors, typed=typed, status=status),
        f"/console/fulfillment/{fo_id}?done={name}")


def _load(container: Container, actor: Actor, fo_id: str) -> tuple[Order, FulfillmentOrder]:
    """The fulfilment order and its order; another location's is as good as absent."""
    with container.reader() as uow:
        order_id = uow.orders.order_id_of_fulfillment_order(fo_id[:64])
        order = uow.orders.get(order_id) if order_id else None
    fo = next((fo for fo in order.fulfillment_orders if fo.id == fo_id), None) if order else None
    if order is None or fo is None or not actor.reaches(fo.location):
        raise NotFound(f"There is no fulfilment order {fo_id[:64]} at your locations.")
    return order, fo


def _location_name(container: Container, code: str) -> str:
    with container.reads.connect() as conn:
        return ops.location_name(conn, code)


def _fo_page(request: Request, container: Container, signed: SignedIn, fo_id: str, *, done: str | None = None,
             errors: dict[str, str] | None = None, typed: dict[str, str] | None = None,
             status: int = 200) -> Response:
    actor = signed.actor
    order, fo = _load(container, actor, fo_id)
    may_act = allows(actor.role, Action.FULFILLMENT_ACT)
    held = order.status == "on_hold"
    pickup = order.delivery_method == "pickup"
    actions: set[str] = set()
    if may_act and not held:
        actions |= {S.OPEN: {"accept"}, S.ACCEPTED: {"pack"} | (set() if pickup else {"ship"}),
                    S.PACKED: {"handover"} if pickup else {"ship"}}.get(fo.status, set())
    if may_act and fo.status in (S.OPEN, S.ACCEPTED) and not fo.shipped_units:
        actions.add("reject")
    return page(request, "console_fulfillment_order.html", {
        "signed": signed, "csrf_token": signed.csrf_token, "fo": _fo_view(order, fo),
        "location_name": _location_name(container, fo.location), "actions": actions, "held": held, "may_act": may_act,
        "may_read_orders": allows(actor.role, Action.ORDERS_READ), "done": done, "errors": errors or {},
        "typed": typed or {}, "form_key": new_id("shp")}, status=status)


def _fo_view(order: Order, fo: FulfillmentOrder) -> dict[str, Any]:
    return {
        "id": fo.id, "status": str(fo.status), "location": fo.location, "order_number": order.number,
        "order_status": str(order.status), "placed": ops.when(order.placed_at), "created": ops.when(fo.created_at),
        "customer": order.customer_name or order.customer_email, "delivery_method": str(order.delivery_method),
        "pickup_location": order.pickup_location, "address": order.shipping_address or {},
        "reject_reason": fo.reject_reason, "remaining": fo.remaining,
        "lines": [{"id": line.order_line_id, "sku": line.sku, "name": order.line(line.order_line_id).name,
                   "quantity": line.quantity, "shipped": line.shipped, "cancelled": line.cancelled,
                   "remaining": line.remaining, "awaiting_stock": line.awaiting_stock} for line in fo.lines],
        "shipments": [_shipment_view(s) for s in fo.shipments],
    }


def _shipment_view(s: Shipment) -> dict[str, Any]:
    return {"id": s.id, "carrier": s.carrier, "service": s.service, "tracking_number": s.tracking_number,
            "units": s.units, "status": PARCEL_STATUS.get(s.status, str(s.status)), "shipped": ops.when(s.shipped_at),
            "delivered": ops.when(s.delivered_at),
            "on_its_way": s.status != ShipmentStatus.DELIVERED and s.carrier != "pickup",  # may get tracking news
            "out_for_delivery": s.status == ShipmentStatus.OUT_FOR_DELIVERY,
            "contents": ", ".join(f"{item['quantity']} × {item['sku']}" for item in s.lines)}


def _pdf(content: bytes, filename: str) -> Response:
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
