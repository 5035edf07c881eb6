"""Placing a replacement order (for an exchange or a claim) inside the caller's transaction: the order is placed
through `orders.services.place_order`, so it is priced, taxed, reserved and routed like any order, for the
original order's customer, channel, currency and addresses; the caller says how it is paid."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, cast

from baton.adapters.db.uow import UnitOfWork
from baton.orders import services as ordering
from baton.orders.commands import LineRequest, PlaceOrder
from baton.orders.model import Order
from baton.payments import flows
from baton.payments import services as payments
from baton.payments.services import PaymentRequest
from baton.routing.model import get_strategy
from baton.shared.ids import new_id


class Lent:
    """The caller's open unit of work, lent to a use case that opens and commits its own (place_order,
    request_return): entering does nothing and committing only flushes, so everything commits once, or not at all."""

    def __init__(self, uow: UnitOfWork):
        self._uow = uow

    def __enter__(self) -> Lent:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        return None

    def commit(self) -> None:
        self._uow.stock.flush()
        self._uow.session.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)


def lent(uow: UnitOfWork) -> UnitOfWork:
    return cast(UnitOfWork, Lent(uow))


def place(uow: UnitOfWork, original: Order, lines: list[tuple[str, int]],
          paid_by: Callable[[int], list[PaymentRequest]], *, free: bool = False) -> Order:
    """A new order of `lines` (SKU, units) at catalog prices, or at no price when `free` (a claim's replacement
    is no sale: it books no revenue and takes no money); `paid_by(total)` gives its payments. Returns the
    placed order, locked and loaded in this unit of work (its timeline entries are written at commit).
    OutOfStock (409) or InvalidInput naming `lines[i].sku` when it cannot be placed."""
    actor = uow.actor.label
    cmd = PlaceOrder(
        channel=str(original.channel), currency=original.currency, email=original.customer_email,
        name=original.customer_name, phone=original.customer_phone,
        lines=[LineRequest(sku, quantity, "0" if free else None) for sku, quantity in lines],
        shipping_address=original.shipping_address, billing_address=original.billing_address,
        delivery_method=str(original.delivery_method), pickup_location=original.pickup_location,
        actor=actor, order_id=new_id("ord"))
    ordering.place_order(lent(uow), cmd, get_strategy(uow.settings.routing_strategy))
    placed = uow.orders.get(cmd.order_id or "", lock=True)
    assert placed is not None, "placed in this transaction"
    requests = paid_by(placed.total)
    if requests:
        flows.await_authorization(placed, requests, actor)
        payments.open_payments(uow, placed.id, placed.currency, placed.total, requests)
    return placed


def write_messages(uow: UnitOfWork, placed: Order) -> None:
    """The replacement's timeline entries and events, written now: the session holds a loaded order only weakly,
    so one nobody changes any more would be gone (with what it recorded) by the commit."""
    uow.messages.add(*placed.pop_messages())
