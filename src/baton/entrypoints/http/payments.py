"""Routes for an order's payments: read them, add one when the order is not paid, refund."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Request, Response

from baton.adapters.db.uow import Replay
from baton.bootstrap import Container
from baton.customers import services as customer_services
from baton.entrypoints.http.auth import allow
from baton.entrypoints.http.deps import ContainerDep, IdempotencyKey, idempotent
from baton.entrypoints.http.payment_schemas import (
    AppeasementIn,
    PaymentAdded,
    PaymentIn,
    PaymentList,
    RefundIn,
    ShopperPaymentIn,
)
from baton.entrypoints.http.problems import guarded
from baton.entrypoints.http.schemas import units_per_line
from baton.identity.permissions import Action, check_money
from baton.payments import coverage, flows, retry
from baton.payments.gateway import PaymentFailed
from baton.payments.model import Payment, PaymentMethod
from baton.payments.refunds import MoneyBack, Purpose
from baton.payments.services import NO_GATEWAY, PaymentRequest
from baton.payments.status import derive_payment_status
from baton.shared.actor import Actor
from baton.shared.errors import InvalidInput, NotFound
from baton.shared.ids import new_id
from baton.shared.money import to_decimal_string, to_minor

router = APIRouter(prefix="/api/v1/orders", tags=["payments"])


def payment_list(payments: list[Payment]) -> dict:
    return {"payment_status": str(derive_payment_status(payments)), "items": [_payment(p) for p in payments]}


def _payment(p: Payment) -> dict:
    money = lambda minor: to_decimal_string(minor, p.currency)  # noqa: E731
    return {"id": p.id, "method": str(p.method), "currency": p.currency, "reference": p.reference,
            "status": str(p.status), "authorized": money(p.authorized), "captured": money(p.captured),
            "refunded": money(p.refunded), "voided": p.voided,
            "details": {k: v for k, v in p.details.items() if k != "token"},
            "transactions": [{"id": tx.id, "kind": str(tx.kind), "amount": money(tx.amount), "status": str(tx.status),
                              "reason": tx.reason, "gateway_reference": tx.gateway_reference,
                              "failure_code": tx.failure_code, "failure_message": tx.failure_message,
                              "created_at": tx.created_at, "settled_at": tx.settled_at} for tx in p.transactions]}


def _payments(container: ContainerDep, order_id: str) -> list[Payment]:
    with container.reader() as uow:
        if uow.orders.get(order_id) is None:
            raise NotFound(f"No order with id {order_id}.", code="order_not_found")
        return uow.payments.of_order(order_id)


@router.get("/{order_id}/payments", response_model=PaymentList, responses=guarded(404))
def get_payments(order_id: str, container: ContainerDep,
                 _actor: Annotated[Actor, allow(Action.ORDERS_READ)]) -> dict:
    """Every payment of the order with its transactions, and the order's derived `payment_status`."""
    return payment_list(_payments(container, order_id))


@router.post("/{order_id}/refunds", status_code=201, response_model=PaymentList,
             responses=guarded(404, 409, 422))
def refund(order_id: str, body: RefundIn, request: Request, response: Response, container: ContainerDep,
           actor: Annotated[Actor, allow(Action.REFUNDS_ISSUE)], idempotency_key: IdempotencyKey = None) -> dict:
    """Give money back to the order's payments (card first, then stored value), never more than was captured:
    an `amount`, or the shipped `lines` (units not refunded by lines before) at what they cost the customer, or
    both when they agree. Shipping is refunded only by amount. A role's money limit applies (an agent: up to
    50.00 without an admin)."""
    currency = _currency(container, order_id)
    ask = MoneyBack(Purpose.REFUND, body.reason, _minor(body.amount, currency), units_per_line(body.lines))
    return _give_back(container, actor, Action.REFUNDS_ISSUE, order_id, currency, ask, body, request, response,
                      idempotency_key)


@router.post("/{order_id}/appeasements", status_code=201, response_model=PaymentList,
             responses=guarded(404, 409, 422))
def appease(order_id: str, body: AppeasementIn, request: Request, response: Response, container: ContainerDep,
            actor: Annotated[Actor, allow(Action.APPEASEMENTS_ISSUE)], idempotency_key: IdempotencyKey = None) -> dict:
    """Goodwill money back without a return: an `amount`, or a `percent` of what the shipped `lines` (default:
    every unit shipped) cost the customer. Paid back like a refund, booked on the appeasements account and
    issued as a credit memo. A role's money limit applies (an agent: up to 50.00, finance: up to 500.00)."""
    currency = _currency(container, order_id)
    ask = MoneyBack(Purpose.APPEASEMENT, body.reason, _minor(body.amount, currency), units_per_line(body.lines),
                    body.percent)
    return _give_back(container, actor, Action.APPEASEMENTS_ISSUE, order_id, currency, ask, body, request,
                      response, idempotency_key)


def _give_back(container: Container, actor: Actor, action: Action, order_id: str, currency: str, ask: MoneyBack,
               body: RefundIn | AppeasementIn, request: Request, response: Response,
               idempotency_key: str | None) -> dict:
    def limit(amount: int) -> None:  # the role's money limit, once the amount is known (lines, percent)
        check_money(actor.role, action, Decimal(to_decimal_string(amount, currency)), currency)

    key = idempotent(request, idempotency_key, body)
    try:
        _order, payments, _amount = flows.give_back(container.uow(key, actor), lambda: container.uow(actor=actor),
                                                    container.gateway, order_id, ask,
                                                    key.key if key else new_id("rfd"), limit)
    except Replay:  # a retry: answer with the current state, give nothing back again
        response.headers["Idempotent-Replayed"] = "true"
        return payment_list(_payments(container, order_id))
    return payment_list(payments)


def _currency(container: Container, order_id: str) -> str:
    with container.reader() as uow:
        order = uow.orders.get(order_id)
        if order is None:
            raise NotFound(f"No order with id {order_id}.", code="order_not_found")
        return order.currency


def _minor(amount: str | None, currency: str) -> int | None:
    return to_minor(amount, currency, "amount") if amount is not None else None



# Adding a payment resolves a payment hold (it releases the hold once the order is paid), so it needs the
# permission that releases holds: agents and finance (who collect what a refused capture left owing), not
# integrations — a storefront's customer pays through the shopper route below.
@router.post("/{order_id}/payments", status_code=201, response_model=PaymentAdded, responses=guarded(404, 409, 422))
def add_payment(order_id: str, body: PaymentIn, request: Request, response: Response, container: ContainerDep,
                actor: Annotated[Actor, allow(Action.ORDERS_HOLD)], idempotency_key: IdempotencyKey = None) -> dict:
    """Pay an order again with another method when its payment failed, fell short of its total, or a capture was
    refused at shipment. The body is a placement's `payment`; `amount` defaults to all that is still unpaid.
    The payment is authorised at once: once the order's payments cover its total its payment hold is released,
    what has shipped and is not captured is captured from it, and fulfilment goes on. A refused payment stays on
    record (its `status` is `failed`) and the order stays on hold. 409 when the order was cancelled or is paid;
    422 for an amount above what is unpaid, or an unknown method or token."""
    with container.reader() as uow:
        order = uow.orders.get(order_id)
        if order is None:
            raise NotFound(f"No order with id {order_id}.", code="order_not_found")
        currency = order.currency
    amount = to_minor(body.amount, currency, "amount") if body.amount is not None else None
    return _add(container, actor, order_id, PaymentRequest(body.method, amount, body.token, body.reference), body,
                request, response, idempotency_key)


def add_shopper_payment(container: Container, shopper: Actor, order_number: str, body: ShopperPaymentIn,
                        request: Request, response: Response, idempotency_key: str | None) -> dict:
    """The shopper route (POST /api/v1/shopper/orders/{number}/payments): the same for one of the shopper's own
    orders, with a card only (a storefront's PaymentIntent is taken over by the shop, not the customer)."""
    order = customer_services.own_order(container.reader(), shopper, order_number)
    if body.token.startswith("pi_"):
        raise InvalidInput("token", "send the card's payment method (pm_…); a PaymentIntent is taken over only by "
                           "the shop.", code="invalid_token")
    amount = to_minor(body.amount, order.currency, "amount") if body.amount is not None else None
    return _add(container, shopper, order.id, PaymentRequest(body.method, amount, body.token), body, request,
                response, idempotency_key)


def _add(container: Container, actor: Actor, order_id: str, payment: PaymentRequest, body: PaymentIn | ShopperPaymentIn,
         request: Request, response: Response, idempotency_key: str | None) -> dict:
    check_token(container, payment)
    key = idempotent(request, idempotency_key, body)
    try:
        payment_id = retry.add_payment(container.uow(key, actor), lambda: container.uow(actor=actor),
                                       container.gateway, order_id, payment)
    except Replay as replay:  # a retry: answer with the current state, add nothing again
        assert replay.resource_id is not None, "the first request stored the payment it added"
        response.headers["Idempotent-Replayed"] = "true"
        payment_id = replay.resource_id
    with container.reader() as uow:
        order = uow.orders.get(order_id)
        assert order is not None
        payments = uow.payments.of_order(order_id)
        return {**payment_list(payments), "payment_id": payment_id, "order_status": str(order.status),
                "unpaid": to_decimal_string(coverage.unpaid(order.total, payments), order.currency)}


def check_token(container: Container, payment: PaymentRequest, field: str = "token") -> None:
    """A gateway that is not configured, or a token it could never authorise, is refused before anything is
    recorded (at placement too: `field` is then "payment.token")."""
    if PaymentMethod(payment.method) in NO_GATEWAY:
        return  # an external authorisation names its reference: checked when it is recorded
    gateway = container.gateway(payment.method)
    token = payment.reference or payment.token
    if not token:
        raise InvalidInput(field, f"a {payment.method} payment needs the token of what pays (see the README's "
                           "sandbox tokens).", code="invalid_token")
    try:
        gateway.check_token(token)
    except PaymentFailed as refused:
        raise InvalidInput(field, refused.message, code=refused.code) from None
