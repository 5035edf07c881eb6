"""Self-service: what a shopper does with their own orders, with their shopper access token (`shp_…`, see
`shopper.py`): read an order, change its shipping address before it is packed, cancel it before it is picked,
ask for a return of delivered units.
Any order that is not the shopper's answers 404, as if it did not exist; too late answers 409."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field

from baton.customers import self_service
from baton.customers import services as shopper_services
from baton.entrypoints.http import presenters
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.http.order_schemas import OrderOut
from baton.entrypoints.http.problems import responses
from baton.entrypoints.http.return_schemas import ReturnIn, ReturnOut
from baton.entrypoints.http.returns import present
from baton.entrypoints.http.schemas import Address, In
from baton.entrypoints.http.shopper import SHOPPER, Shopper
from baton.payments import flows
from baton.returns import services as returns
from baton.returns.commands import LineRequest, RequestReturn
from baton.returns.model import RefundTo, ReturnMethod

router = APIRouter(prefix="/api/v1/self-service", tags=["self-service"])


class AddressIn(In):
    shipping_address: Address


class SelfCancelIn(In):
    reason: Annotated[str, Field(max_length=500, description="Why, in the customer's words (optional).")] | None = None


@router.get("/orders/{order_number}", response_model=OrderOut, responses=responses(401, 404), openapi_extra=SHOPPER)
def get_order(order_number: str, container: ContainerDep, shopper: Shopper) -> dict[str, Any]:
    """One of the shopper's orders (without the reasons of holds, which are for staff)."""
    return presenters.order(shopper_services.own_order(container.reader(), shopper, order_number), holds=False)


@router.post("/orders/{order_number}/address", response_model=OrderOut, responses=responses(401, 404, 409, 422),
             openapi_extra=SHOPPER)
def change_address(order_number: str, body: AddressIn, container: ContainerDep, shopper: Shopper) -> dict[str, Any]:
    """Send the order to another address, until any part of it is packed or shipped (then 409 `too_late`)."""
    address = body.shipping_address.model_dump(exclude_none=True)
    order = self_service.change_address(container.uow(actor=shopper), shopper, order_number, address)
    return presenters.order(order, holds=False)


@router.post("/orders/{order_number}/cancel", response_model=OrderOut, responses=responses(401, 404, 409, 422),
             openapi_extra=SHOPPER)
def cancel_order(order_number: str, container: ContainerDep, shopper: Shopper,
                 body: SelfCancelIn | None = None) -> dict[str, Any]:
    """Cancel the whole order while no location has started on it (accepted, packed or shipped: 409 `too_late`).
    A payment is voided or refunded as for any cancellation."""
    reason = body.reason if body else None
    order = self_service.cancel(container.uow(actor=shopper), shopper, order_number, reason)
    settled = flows.settle_pending(lambda: container.uow(actor=shopper), container.gateway, order.id)
    return presenters.order(settled or order, holds=False)


@router.post("/orders/{order_number}/returns", status_code=201, response_model=ReturnOut,
             responses=responses(401, 404, 409, 422), openapi_extra=SHOPPER)
def request_return(order_number: str, body: ReturnIn, container: ContainerDep, shopper: Shopper) -> dict[str, Any]:
    """Ask for a return of delivered units, under the same rules as an agent's (return window, returnable
    products, units not already asked back); the shop approves it."""
    order = shopper_services.own_order(container.reader(), shopper, order_number)
    cmd = RequestReturn(order.id, [LineRequest(line.line_id, line.quantity, line.reason, line.comment)
                                   for line in body.lines], ReturnMethod(body.method), RefundTo(body.refund_to),
                        body.tracking_number, body.location)
    return present(returns.request_return(container.uow(actor=shopper), cmd))
