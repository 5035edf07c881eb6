"""Routes for orders: capture, read, search, timeline, cancel, hold and release."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from baton.adapters.db.uow import Replay
from baton.entrypoints.http import presenters
from baton.entrypoints.http.auth import allow
from baton.entrypoints.http.deps import ContainerDep, IdempotencyKey, fast_json, idempotent
from baton.entrypoints.http.order_schemas import CancelIn, HoldIn, OrderIn, OrderList, OrderOut, ReleaseIn, Timeline
from baton.entrypoints.http.payments import check_token
from baton.entrypoints.http.problems import guarded
from baton.entrypoints.http.schemas import units_per_line
from baton.identity.permissions import Action
from baton.orders import queries, services
from baton.orders.commands import DiscountRequest, LineRequest, PlaceOrder
from baton.orders.holds import HoldKind
from baton.orders.status import FulfillmentStatus, OrderStatus
from baton.payments import flows
from baton.payments.services import PaymentRequest
from baton.shared.actor import Actor
from baton.shared.errors import NotFound
from baton.shared.ids import new_id
from baton.shared.money import to_decimal_string, to_minor

router = APIRouter(prefix="/api/v1", tags=["orders"])
Reader = Annotated[Actor, allow(Action.ORDERS_READ)]
Holder = Annotated[Actor, allow(Action.ORDERS_HOLD)]


def _order(container: ContainerDep, order_id: str) -> dict:
    with container.reader() as uow:
        order = uow.orders.get(order_id)
        if order is None:
            raise NotFound(f"No order with id {order_id}.", code="order_not_found")
        return presenters.order(order)


@router.post("/orders", status_code=201, response_model=OrderOut, responses=guarded(409, 422))
def place_order(body: OrderIn, request: Request, response: Response, container: ContainerDep,
                actor: Annotated[Actor, allow(Action.ORDERS_CREATE)], idempotency_key: IdempotencyKey = None
                ) -> dict | Response:
    """Capture an order: price it, reserve stock atomically and route it. 409 with `shortages` when short.
    With `payment`, the payment is authorised right after; until it is, the order is on hold (a refusal keeps
    it on hold with the provider's reason, and nothing ships)."""
    cmd = PlaceOrder(
        channel=body.channel, currency=body.currency, email=str(body.customer.email), name=body.customer.name,
        phone=body.customer.phone, lines=[LineRequest(line.sku, line.quantity, line.price) for line in body.lines],
        shipping_address=body.shipping_address.model_dump(exclude_none=True) if body.shipping_address else None,
        billing_address=body.billing_address.model_dump(exclude_none=True) if body.billing_address else None,
        delivery_method=body.delivery_method, pickup_location=body.pickup_location, shipping=body.shipping,
        discounts=[DiscountRequest(d.code, d.amount) for d in body.discounts], actor=actor.label,
        order_id=new_id("ord"), payments=payment_requests(body),
    )
    for index, payment in enumerate(cmd.payments):  # an unconfigured gateway or a bad token places nothing
        check_token(container, payment, "payment.token" if len(cmd.payments) == 1 else f"payment[{index}].token")
    try:
        key = idempotent(request, idempotency_key, body, resource_id=cmd.order_id)
        order = services.place_order(container.uow(key, actor), cmd, container.strategy)
        if cmd.payments:
            order = flows.settle_pending(lambda: container.uow(actor=actor), container.gateway, order.id) or order
    except Replay as replay:
        assert replay.resource_id is not None
        response.headers["Idempotent-Replayed"] = "true"
        response.headers["Location"] = f"/api/v1/orders/{replay.resource_id}"
        return _order(container, replay.resource_id)
    created = fast_json(presenters.order(order), 201)  # as committed: no second read, and no re-validation
    created.headers["Location"] = f"/api/v1/orders/{order.id}"
    return created


@router.get("/orders", response_model=OrderList, responses=guarded(422))
def list_orders(
    container: ContainerDep,
    _actor: Reader,
    status: OrderStatus | None = None,
    fulfillment_status: FulfillmentStatus | None = None,
    channel: Literal["web", "app", "marketplace", "store", "phone", "b2b"] | None = None,
    email: Annotated[str | None, Query(max_length=320)] = None,
    sku: Annotated[str | None, Query(max_length=64)] = None,
    number: Annotated[str | None, Query(max_length=32)] = None,
    placed_from: datetime | None = None,
    placed_to: datetime | None = None,
    tag: Annotated[str | None, Query(max_length=40, description="Orders carrying this tag.")] = None,
    location: Annotated[str | None, Query(max_length=32, description=(
        "Orders with a fulfilment order at this location code, or picked up there."))] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> dict:
    """Newest first. Filters combine; `placed_from` is inclusive, `placed_to` exclusive."""
    f = queries.OrderFilter(status, fulfillment_status, channel, email, sku, number,
                            _aware(placed_from), _aware(placed_to), tag, location)
    with container.reads.connect() as conn:
        rows, next_cursor = queries.list_orders(conn, f, limit, cursor)
    for row in rows:
        row["total"] = to_decimal_string(row["total"], row["currency"])
    return {"items": rows, "next_cursor": next_cursor}


@router.get("/orders/{order_id}", response_model=OrderOut, responses=guarded(404))
def get_order(order_id: str, container: ContainerDep, _actor: Reader) -> dict:
    return _order(container, order_id)


@router.get("/orders/{order_id}/timeline", response_model=Timeline, responses=guarded(404))
def get_timeline(order_id: str, container: ContainerDep, _actor: Reader) -> dict:
    with container.reads.connect() as conn:
        if not queries.order_exists(conn, order_id):
            raise NotFound(f"No order with id {order_id}.", code="order_not_found")
        return {"items": queries.timeline(conn, order_id)}


@router.post("/orders/{order_id}/cancel", response_model=OrderOut, responses=guarded(404, 409, 422))
def cancel_order(order_id: str, body: CancelIn, request: Request, response: Response, container: ContainerDep,
                 actor: Annotated[Actor, allow(Action.ORDERS_CANCEL)], idempotency_key: IdempotencyKey = None) -> dict:
    """Cancel some units of some lines, or everything still open; shipped units cannot be cancelled."""
    lines = units_per_line(body.lines)
    try:
        order = services.cancel_order(container.uow(idempotent(request, idempotency_key, body), actor), order_id,
                                      lines, body.reason, actor.label)
    except Replay:  # a retry: answer with the current state, change nothing
        response.headers["Idempotent-Replayed"] = "true"
        return _order(container, order_id)
    settled = flows.settle_pending(lambda: container.uow(actor=actor), container.gateway, order_id)
    return presenters.order(settled or order)  # voids of what can no longer be captured, when nothing is left


@router.post("/orders/{order_id}/hold", response_model=OrderOut, responses=guarded(404, 409, 422))
def hold_order(order_id: str, body: HoldIn, request: Request, response: Response, container: ContainerDep,
               actor: Holder, idempotency_key: IdempotencyKey = None) -> dict:
    """Put the order on hold (kind `manual`): nothing of it is accepted, packed or shipped until it is released.
    Stock stays reserved. 409 when every unit has shipped or was cancelled."""
    try:
        order = services.hold_order(container.uow(idempotent(request, idempotency_key, body), actor), order_id,
                                    HoldKind.MANUAL, [body.reason], actor.label)
    except Replay:
        response.headers["Idempotent-Replayed"] = "true"
        return _order(container, order_id)
    return presenters.order(order)


@router.post("/orders/{order_id}/release", response_model=OrderOut, responses=guarded(404, 409, 422))
def release_order(order_id: str, body: ReleaseIn, request: Request, response: Response, container: ContainerDep,
                  actor: Holder, idempotency_key: IdempotencyKey = None) -> dict:
    """Release one hold (`hold_id`) or every active hold, with a note; fulfilment goes on once none is active.
    409 when the order is not on hold or that hold was released already."""
    try:
        order = services.release_order(container.uow(idempotent(request, idempotency_key, body), actor), order_id,
                                       body.hold_id, body.note, actor.label)
    except Replay:
        response.headers["Idempotent-Replayed"] = "true"
        return _order(container, order_id)
    return presenters.order(order)


def payment_requests(body: OrderIn) -> list[PaymentRequest]:
    """The order's `payment` (one or a list) in minor units of the order's currency."""
    given = body.payment if isinstance(body.payment, list) else [body.payment] if body.payment else []
    return [PaymentRequest(p.method, to_minor(p.amount, body.currency, f"payment[{i}].amount") if p.amount else None,
                           p.token, p.reference) for i, p in enumerate(given)]



def _aware(value: datetime | None) -> datetime | None:
    """Query times without an offset are taken as UTC, like every time in the API."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
