"""Routes for an order's payments: read them, refund."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Request, Response

from baton.adapters.db.uow import Replay
from baton.entrypoints.http.auth import allow
from baton.entrypoints.http.deps import ContainerDep, IdempotencyKey, idempotent
from baton.entrypoints.http.payment_schemas import PaymentList, RefundIn
from baton.entrypoints.http.problems import guarded
from baton.identity.permissions import Action, check_money
from baton.payments import flows
from baton.payments.model import Payment
from baton.payments.status import derive_payment_status
from baton.shared.actor import Actor
from baton.shared.errors import NotFound
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
    """Give money back to the order's payments (card first, then stored value), never more than was captured.
    A role's money limit applies (an agent: up to 50.00 without an admin)."""
    with container.reader() as uow:
        order = uow.orders.get(order_id)
        if order is None:
            raise NotFound(f"No order with id {order_id}.", code="order_not_found")
        currency = order.currency
    amount = to_minor(body.amount, currency, "amount")
    check_money(actor.role, Action.REFUNDS_ISSUE, Decimal(body.amount), currency)
    key = idempotent(request, idempotency_key, body)
    try:
        _order, payments = flows.refund(container.uow(key, actor), lambda: container.uow(actor=actor),
                                        container.gateway, order_id, amount, body.reason,
                                        key.key if key else new_id("rfd"))
    except Replay:  # a retry: answer with the current state, refund nothing again
        response.headers["Idempotent-Replayed"] = "true"
        return payment_list(_payments(container, order_id))
    return payment_list(payments)
