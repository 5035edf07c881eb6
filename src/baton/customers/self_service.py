"""What shoppers fix themselves, with their shopper access: change the shipping address before anything is packed
or shipped, and cancel while nothing has been picked. Each is refused with 409 once it is too late, and each is
on the timeline as done by the customer and in the audit log under the shopper."""

from __future__ import annotations

from typing import Any

from baton.adapters.db.uow import UnitOfWork
from baton.customers import queries
from baton.customers.services import ShopperOrderNotFound
from baton.fulfillment.model import FulfillmentOrderStatus as S
from baton.orders import services
from baton.orders.model import DeliveryMethod, Order, OrderChange
from baton.shared.actor import Actor
from baton.shared.errors import Conflict

PICKED = frozenset({S.ACCEPTED, S.PACKED, S.SHIPPED, S.DELIVERED})  # a location started on it
PACKED = frozenset({S.PACKED, S.SHIPPED, S.DELIVERED})  # a parcel exists, addressed


class TooLate(Conflict):
    code = "too_late"


def change_address(uow: UnitOfWork, shopper: Actor, number: str, address: dict[str, Any]) -> Order:
    """Ship the order to another address; the locations that fulfil it stay the same."""
    with uow:
        order = _own(uow, shopper, number)
        check_address_open(order)
        before = {**order.audit_view(), "shipping_address.country": _country(order.shipping_address)}
        order.shipping_address = address
        change = OrderChange(order.id, "address_change", shopper.label, "The customer changed the shipping address.",
                             [], 0)
        order.changes.append(change)
        order.tell(shopper.label, "address_changed", f"Shipping address changed by the customer: the order now goes "
                   f"to {address.get('city')}, {address.get('country')}.", change_id=change.id)
        order.announce("order.address_changed", change_id=change.id)
        order.touch()
        # no street or name in the audit log (it keeps no personal data): the country tells enough
        uow.audit.record("order.change_address", "order", order.id, before,
                         {**order.audit_view(), "shipping_address.country": _country(address)})
        uow.commit()
        return order


def cancel(uow: UnitOfWork, shopper: Actor, number: str, reason: str | None) -> Order:
    """Cancel every open unit while no location has accepted any part of the order."""
    with uow:
        order_id = _own(uow, shopper, number).id
    why = "Cancelled by the customer" + (f": {reason.strip()}" if reason and reason.strip() else "")
    return services.cancel_order(uow, order_id, None, why, shopper.label, check=check_cancellable)


def check_address_open(order: Order) -> None:
    if order.delivery_method != DeliveryMethod.SHIP:
        raise Conflict(f"Order {order.number} is picked up at a store; it has no shipping address to change.",
                       code="pickup_order")
    if order.is_fully_cancelled:
        raise Conflict(f"Order {order.number} is cancelled.", code="order_cancelled")
    if any(line.shipped for line in order.lines) or any(fo.status in PACKED for fo in order.fulfillment_orders):
        raise TooLate(f"Order {order.number} is already packed or on its way, so its address can no longer change. "
                      "Contact us and we will see what the carrier can do.")


def check_cancellable(order: Order) -> None:
    if any(line.shipped for line in order.lines) or any(fo.status in PICKED for fo in order.fulfillment_orders):
        raise TooLate(f"We have started picking order {order.number}, so it can no longer be cancelled here. "
                      "You can return it once it arrives, or contact us.")


def _own(uow: UnitOfWork, shopper: Actor, number: str) -> Order:
    """One of the shopper's orders, locked; someone else's answers exactly like one that does not exist."""
    if shopper.kind != "shopper":  # a programming error: the routes authenticate shoppers first
        raise ShopperOrderNotFound()
    order_id = queries.own_order_id(uow.session.connection(), shopper.id, number.strip().upper())
    order = uow.orders.get(order_id, lock=True) if order_id else None
    if order is None:
        raise ShopperOrderNotFound()
    return order


def _country(address: dict[str, Any] | None) -> str | None:
    return (address or {}).get("country")
