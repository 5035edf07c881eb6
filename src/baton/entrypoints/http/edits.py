"""Routes for order edits before shipment (issue 6): quantities, new lines, address, delivery method."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from baton.adapters.db.uow import Replay
from baton.entrypoints.http import presenters
from baton.entrypoints.http.auth import allow
from baton.entrypoints.http.deps import ContainerDep, IdempotencyKey, idempotent
from baton.entrypoints.http.edit_schemas import EditIn, EditOut
from baton.entrypoints.http.problems import guarded
from baton.identity.permissions import Action
from baton.orders.commands import LineRequest
from baton.orders.edit_commands import EditOrder, LineQuantity
from baton.orders.edit_services import edit_order
from baton.orders.model import Order
from baton.shared.actor import Actor
from baton.shared.errors import NotFound
from baton.shared.money import to_decimal_string

router = APIRouter(prefix="/api/v1", tags=["orders"])


@router.post("/orders/{order_id}/edits", response_model=EditOut, responses=guarded(404, 409, 422))
def edit(order_id: str, body: EditIn, request: Request, response: Response, container: ContainerDep,
         actor: Annotated[Actor, allow(Action.ORDERS_EDIT)], preview: Annotated[bool, Query()] = False,
         idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    """Edit the order before it ships: new quantities (`lines`), new lines (`add_lines`), the shipping address,
    the delivery method or pickup store. Stock is released and reserved, new units are routed, the money delta
    becomes an extra authorisation or a payment hold. `version` is the order's version the agent saw (409
    `stale_order` when it moved on); packed or shipped units cannot change (409). `?preview=true` answers the
    order as it would be and writes nothing."""
    cmd = EditOrder(
        order_id=order_id, version=body.version, reason=body.reason, actor=actor.label,
        lines=[LineQuantity(item.line_id, item.quantity) for item in body.lines],
        add_lines=[LineRequest(item.sku, item.quantity, item.price) for item in body.add_lines],
        shipping_address=body.shipping_address.model_dump(exclude_none=True) if body.shipping_address else None,
        delivery_method=body.delivery_method, pickup_location=body.pickup_location, preview=preview)
    claim = None if preview else idempotent(request, idempotency_key, body)
    try:
        edited = edit_order(container.uow(claim, actor), lambda: container.uow(actor=actor), container.gateway,
                            cmd, container.strategy, presenters.order)
    except Replay as replay:  # a retry: answer with the current state, change nothing
        response.headers["Idempotent-Replayed"] = "true"
        return _replayed(container, order_id, replay.resource_id)
    return _out(preview, edited.change_id, edited.amount_delta, edited.view["currency"], edited.money, edited.view)


def _replayed(container: ContainerDep, order_id: str, change_id: str | None) -> dict[str, Any]:
    with container.reader() as uow:
        order: Order | None = uow.orders.get(order_id)
        if order is None:
            raise NotFound(f"No order with id {order_id}.", code="order_not_found")
        change = next((c for c in order.changes if c.id == change_id), None)
        delta = change.amount_delta if change else 0
        return _out(False, change_id or "", delta, order.currency, None, presenters.order(order))


def _out(preview: bool, change_id: str, delta: int, currency: str, money: str | None,
         order: dict[str, Any]) -> dict[str, Any]:
    signed = ("-" if delta < 0 else "") + to_decimal_string(abs(delta), currency)
    return {"preview": preview, "change_id": change_id, "amount_delta": signed, "currency": currency,
            "money": money, "order": order}
