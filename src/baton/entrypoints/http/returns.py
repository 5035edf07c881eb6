"""Routes for returns (RMA): open one for delivered units, approve or reject it, receive and inspect the units at a
location, refund and close it; and the return policy of each channel (settings)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response

from baton.adapters.db.uow import Replay
from baton.entrypoints.http.auth import allow
from baton.entrypoints.http.deps import ContainerDep, IdempotencyKey, idempotent
from baton.entrypoints.http.problems import guarded
from baton.entrypoints.http.return_schemas import (
    InspectIn,
    ReceiveIn,
    RejectReturnIn,
    ReturnIn,
    ReturnList,
    ReturnOut,
    ReturnPolicyIn,
    ReturnPolicyOut,
    StoreCreditOut,
)
from baton.identity.permissions import Action, check_money
from baton.orders.model import Channel
from baton.returns import exchange_services, refunds, services, settings
from baton.returns.commands import LineRequest, RequestReturn
from baton.returns.model import RefundTo, Return, ReturnMethod
from baton.returns.policy import ReturnPolicy
from baton.shared.actor import Actor
from baton.shared.errors import InvalidInput, NotFound
from baton.shared.ids import new_id
from baton.shared.money import to_decimal_string, to_minor

router = APIRouter(tags=["returns"])
ERRORS = guarded(404, 409, 422)
Manager = Annotated[Actor, allow(Action.RETURNS_MANAGE)]
Receiver = Annotated[Actor, allow(Action.RETURNS_RECEIVE)]
Reader = Annotated[Actor, allow(Action.ORDERS_READ)]


def present(rma: Return) -> dict[str, Any]:
    money = lambda minor: to_decimal_string(minor, rma.currency)  # noqa: E731
    return {
        "id": rma.id, "number": rma.number, "order_id": rma.order_id, "status": str(rma.status),
        "method": str(rma.method), "refund_to": str(rma.refund_to), "tracking_number": rma.tracking_number,
        "location": rma.location, "reject_reason": rma.reject_reason, "currency": rma.currency,
        "refund_amount": money(rma.refund_amount), "deductions": money(rma.deductions),
        "requested_by": rma.requested_by, "created_at": rma.created_at, "updated_at": rma.updated_at,
        "version": rma.version,
        "lines": [{"id": line.id, "line_id": line.order_line_id, "sku": line.sku, "quantity": line.quantity,
                   "reason": line.reason, "comment": line.comment, "received": line.received,
                   "resellable": line.resellable, "damaged": line.damaged, "refunded": line.refunded}
                  for line in rma.lines],
    }


def _current(container: ContainerDep, return_id: str) -> dict:
    with container.reader() as uow:
        rma = uow.returns.get(return_id)
        if rma is None:
            raise NotFound(f"No return with id {return_id}.", code="return_not_found")
        return present(rma)


@router.post("/api/v1/orders/{order_id}/returns", status_code=201, response_model=ReturnOut, responses=ERRORS)
def request_return(order_id: str, body: ReturnIn, request: Request, response: Response, container: ContainerDep,
                   actor: Manager, idempotency_key: IdempotencyKey = None) -> dict:
    """Open a return for delivered units not already asked back, of returnable products, within the channel's
    return window. The units count as `return_requested` on their order lines until received (or given back)."""
    cmd = RequestReturn(order_id, [LineRequest(line.line_id, line.quantity, line.reason, line.comment)
                                   for line in body.lines], ReturnMethod(body.method), RefundTo(body.refund_to),
                        body.tracking_number, body.location)
    try:
        rma = services.request_return(container.uow(idempotent(request, idempotency_key, body), actor), cmd)
    except Replay as replay:  # a retry: answer with the return the first request opened
        assert replay.resource_id is not None
        response.headers["Idempotent-Replayed"] = "true"
        return _current(container, replay.resource_id)
    return present(rma)


@router.get("/api/v1/orders/{order_id}/returns", response_model=ReturnList, responses=guarded(404))
def list_returns(order_id: str, container: ContainerDep, _actor: Reader) -> dict:
    """Every return of the order, oldest first."""
    with container.reader() as uow:
        if uow.orders.get(order_id) is None:
            raise NotFound(f"No order with id {order_id}.", code="order_not_found")
        return {"items": [present(rma) for rma in uow.returns.of_order(order_id)], "next_cursor": None}


@router.get("/api/v1/returns/{return_id}", response_model=ReturnOut, responses=guarded(404))
def get_return(return_id: str, container: ContainerDep, _actor: Reader) -> dict:
    return _current(container, return_id)


@router.post("/api/v1/returns/{return_id}/approve", response_model=ReturnOut, responses=ERRORS)
def approve(return_id: str, container: ContainerDep, actor: Manager) -> dict:
    """The customer may send the units back (or drop them off)."""
    return present(services.approve(container.uow(actor=actor), return_id))


@router.post("/api/v1/returns/{return_id}/reject", response_model=ReturnOut, responses=ERRORS)
def reject(return_id: str, body: RejectReturnIn, container: ContainerDep, actor: Manager) -> dict:
    """Refuse the return with a reason; its units go back to the order as delivered. The exchange of the return,
    if any, ends: its replacement order is cancelled (stock released, its payments voided). 409
    `exchange_replacement_shipped` once that replacement has shipped."""
    rma = services.reject(container.uow(actor=actor), return_id, body.reason)
    exchange_services.settle_replacement(lambda: container.uow(actor=actor), container.gateway, return_id)
    return present(rma)


@router.post("/api/v1/returns/{return_id}/receive", response_model=ReturnOut, responses=ERRORS)
def receive(return_id: str, body: ReceiveIn, request: Request, response: Response, container: ContainerDep,
            actor: Receiver, idempotency_key: IdempotencyKey = None) -> dict:
    """Units arrived (all, or some now and more later). A fulfilment user receives only at their own locations."""
    counts = _counts([(line.line_id, line.quantity) for line in body.lines])
    try:
        rma = services.receive(container.uow(idempotent(request, idempotency_key, body, return_id), actor),
                               return_id, counts, body.location, actor, container.gateway)
    except Replay:  # a retry: answer with the current state, receive nothing again
        response.headers["Idempotent-Replayed"] = "true"
        return _current(container, return_id)
    exchange_services.settle_replacement(lambda: container.uow(actor=actor), container.gateway, return_id)
    return present(rma)


@router.post("/api/v1/returns/{return_id}/inspect", response_model=ReturnOut, responses=ERRORS)
def inspect(return_id: str, body: InspectIn, request: Request, response: Response, container: ContainerDep,
            actor: Receiver, idempotency_key: IdempotencyKey = None) -> dict:
    """Judge received units: resellable ones go back to the receiving location's stock through the inventory
    ledger, damaged ones are written off."""
    verdicts = {line.line_id: (line.resellable, line.damaged) for line in body.lines}
    if len(verdicts) != len(body.lines):
        raise InvalidInput("lines", "each line may be listed once.")
    try:
        rma = services.inspect(container.uow(idempotent(request, idempotency_key, body, return_id), actor),
                               return_id, verdicts, actor)
    except Replay:  # a retry: answer with the current state, restock nothing again
        response.headers["Idempotent-Replayed"] = "true"
        return _current(container, return_id)
    return present(rma)


@router.post("/api/v1/returns/{return_id}/refund", response_model=ReturnOut, responses=ERRORS)
def refund(return_id: str, request: Request, response: Response, container: ContainerDep, actor: Manager,
           idempotency_key: IdempotencyKey = None) -> dict:
    """Give back the value of the inspected units (what they cost the customer, with tax) less the channel's
    restocking and return shipping fees: to the original payment, or as store credit when the customer chose it.
    A role's money limit for refunds applies. 409 when the order was paid outside Baton."""
    rma, quoted = refunds.quote(container.reader(), return_id)
    check_money(actor.role, Action.REFUNDS_ISSUE, Decimal(to_decimal_string(quoted.amount, rma.currency)),
                rma.currency)
    key = idempotent(request, idempotency_key, None)
    try:
        done = refunds.refund(container.uow(key, actor), lambda: container.uow(actor=actor), container.gateway,
                              return_id, key.key if key else new_id("rfd"))
    except Replay:  # a retry: answer with the current state, refund nothing again
        response.headers["Idempotent-Replayed"] = "true"
        return _current(container, return_id)
    return present(done)


@router.post("/api/v1/returns/{return_id}/close", response_model=ReturnOut, responses=ERRORS)
def close(return_id: str, container: ContainerDep, actor: Manager) -> dict:
    """Finish the return; units never received go back to the order as delivered."""
    return present(services.close(container.uow(actor=actor), return_id))


@router.get("/api/v1/customers/{customer_id}/store-credit", response_model=StoreCreditOut, responses=guarded(404),
            tags=["customers"])
def store_credit(customer_id: str, container: ContainerDep,
                 _actor: Annotated[Actor, allow(Action.CUSTOMERS_READ)]) -> dict:
    """The customer's store credit balance per currency (refunds of returns paid as store credit)."""
    with container.reader() as uow:
        if uow.customer_records.get(customer_id) is None:
            raise NotFound(f"No customer with id {customer_id}.", code="customer_not_found")
        balances = uow.store_credit.balances(customer_id)
    listed = [{"currency": c, "balance": to_decimal_string(amount, c)} for c, amount in balances.items()]
    return {"customer_id": customer_id, "balances": listed}


# -- settings ------------------------------------------------------------------------------------------------
def _policy(policy: ReturnPolicy) -> dict[str, Any]:
    return {"channel": policy.channel, "window_days": policy.window_days,
            "restocking_fee_percent": policy.restocking_fee_percent, "updated_at": policy.updated_at,
            "return_shipping_fee": {c: to_decimal_string(fee, c) for c, fee in policy.return_shipping_fee.items()}}


@router.get("/api/v1/settings/return-policies/{channel}", response_model=ReturnPolicyOut, responses=guarded(422),
            tags=["settings"])
def get_return_policy(channel: Channel, container: ContainerDep, _actor: Annotated[Actor, allow(
        Action.SETTINGS_MANAGE)]) -> dict:
    """The channel's return policy (the defaults, 30 days without fees, until one is set)."""
    return _policy(settings.get_policy(container.reader(), str(channel)))


@router.put("/api/v1/settings/return-policies/{channel}", response_model=ReturnPolicyOut, responses=guarded(422),
            tags=["settings"])
def put_return_policy(channel: Channel, body: ReturnPolicyIn, container: ContainerDep,
                      actor: Annotated[Actor, allow(Action.SETTINGS_MANAGE)]) -> dict:
    """Set the channel's return window and the fees kept back of refunds; returns opened from now on follow it."""
    fees = {currency: to_minor(amount, currency, f"return_shipping_fee.{currency}")
            for currency, amount in body.return_shipping_fee.items()}
    policy = settings.set_policy(container.uow(actor=actor), str(channel), body.window_days,
                                 body.restocking_fee_percent, fees)
    return _policy(policy)


def _counts(pairs: list[tuple[str, int]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line_id, quantity in pairs:
        counts[line_id] = counts.get(line_id, 0) + quantity
    return counts
