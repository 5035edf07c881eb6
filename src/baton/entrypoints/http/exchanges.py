"""Routes for exchanges (a return swapped for a replacement order) and claims (lost, damaged or wrong units
replaced or refunded at once)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response

from baton.adapters.db.uow import Replay
from baton.bootstrap import Container
from baton.entrypoints.http.auth import allow
from baton.entrypoints.http.deps import ContainerDep, IdempotencyKey, idempotent
from baton.entrypoints.http.exchange_schemas import ClaimIn, ClaimList, ClaimOut, ExchangeIn, ExchangeList, ExchangeOut
from baton.entrypoints.http.problems import guarded
from baton.identity.permissions import Action
from baton.payments import flows
from baton.returns import claim_services, exchange_services
from baton.returns.claims import Claim, ClaimKind, Resolution
from baton.returns.exchange_services import OpenExchange, SwapRequest
from baton.returns.exchanges import Exchange, Reserve
from baton.returns.model import Return, ReturnMethod
from baton.shared.actor import Actor
from baton.shared.errors import InvalidInput, NotFound
from baton.shared.ids import new_id
from baton.shared.money import to_decimal_string

router = APIRouter(tags=["returns"])
ERRORS = guarded(404, 409, 422)
Manager = Annotated[Actor, allow(Action.RETURNS_MANAGE)]
Reader = Annotated[Actor, allow(Action.ORDERS_READ)]


def present_exchange(exchange: Exchange, return_number: str) -> dict[str, Any]:
    money = lambda minor: to_decimal_string(minor, exchange.currency)  # noqa: E731
    diff = exchange.price_difference
    return {"id": exchange.id, "status": str(exchange.status), "reserve": str(exchange.reserve),
            "return_id": exchange.return_id, "return_number": return_number,
            "original_order_id": exchange.original_order_id, "replacement_order_id": exchange.replacement_order_id,
            "currency": exchange.currency, "returned_value": money(exchange.returned_value),
            "price_difference": money(diff) if diff is not None else None,
            "lines": [{"line_id": s.line_id, "sku": s.sku, "quantity": s.quantity} for s in exchange.swaps],
            "created_by": exchange.created_by, "created_at": exchange.created_at, "updated_at": exchange.updated_at}


def present_claim(claim: Claim) -> dict[str, Any]:
    return {"id": claim.id, "number": claim.number, "order_id": claim.order_id, "kind": str(claim.kind),
            "resolution": str(claim.resolution), "note": claim.note, "currency": claim.currency,
            "lines": [{"line_id": line_id, "quantity": units} for line_id, units in claim.lines.items()],
            "value": to_decimal_string(claim.value, claim.currency),
            "replacement_order_id": claim.replacement_order_id, "created_by": claim.created_by,
            "created_at": claim.created_at}


def _exchange(container: Container, exchange_id: str) -> dict:
    with container.reader() as uow:
        exchange = uow.exchanges.get(exchange_id)
        if exchange is None:
            raise NotFound(f"No exchange with id {exchange_id}.", code="exchange_not_found")
        rma = uow.returns.get(exchange.return_id)
        return present_exchange(exchange, _return_number(rma))


def _claim(container: Container, claim_id: str) -> dict:
    with container.reader() as uow:
        claim = uow.claims.get(claim_id)
        if claim is None:
            raise NotFound(f"No claim with id {claim_id}.", code="claim_not_found")
        return present_claim(claim)


def _settle(container: Container, actor: Actor, order_id: str | None) -> None:
    """A charge of the price difference on the replacement is authorised right after the commit."""
    if order_id:
        flows.settle_pending(lambda: container.uow(actor=actor), container.gateway, order_id)


@router.post("/api/v1/orders/{order_id}/exchanges", status_code=201, response_model=ExchangeOut, responses=ERRORS)
def open_exchange(order_id: str, body: ExchangeIn, request: Request, response: Response, container: ContainerDep,
                  actor: Manager, idempotency_key: IdempotencyKey = None) -> dict:
    """Swap delivered units for other SKUs: a return of the units and a replacement order (same customer,
    channel and address; the replacement SKUs at their catalog price), reserved and routed now or once the return
    is received. Both orders' timelines link them. The replacement is paid by the returned units' value
    (exchange credit); a higher total is charged to the original payment method when it can authorise again,
    else the replacement waits on a payment hold; a lower one is refunded when the exchange completes.
    409 `out_of_stock` when a replacement SKU is short: nothing is created."""
    cmd = OpenExchange(order_id, [SwapRequest(s.line_id, s.quantity, s.sku, s.reason) for s in body.lines],
                       ReturnMethod(body.method), Reserve(body.reserve), body.location, body.tracking_number)
    try:
        exchange = exchange_services.open_exchange(container.uow(idempotent(request, idempotency_key, body),
                                                                 actor), cmd, container.gateway)
    except Replay as replay:  # a retry: answer with the exchange the first request opened
        assert replay.resource_id is not None
        response.headers["Idempotent-Replayed"] = "true"
        return _exchange(container, replay.resource_id)
    _settle(container, actor, exchange.replacement_order_id)
    return _exchange(container, exchange.id)


@router.get("/api/v1/exchanges/{exchange_id}", response_model=ExchangeOut, responses=guarded(404))
def get_exchange(exchange_id: str, container: ContainerDep, _actor: Reader) -> dict:
    return _exchange(container, exchange_id)


@router.post("/api/v1/exchanges/{exchange_id}/complete", response_model=ExchangeOut, responses=ERRORS)
def complete_exchange(exchange_id: str, request: Request, response: Response, container: ContainerDep,
                      actor: Manager, idempotency_key: IdempotencyKey = None) -> dict:
    """Once every returned unit arrived and was inspected: the return becomes `exchanged` (nothing is refunded
    for its units, they paid for the replacement) and a negative price difference goes back to the original
    payment."""
    key = idempotent(request, idempotency_key, None, exchange_id)
    try:
        exchange_services.complete(container.uow(key, actor), lambda: container.uow(actor=actor), container.gateway,
                                   exchange_id, key.key if key else new_id("exr"))
    except Replay:  # a retry: answer with the current state, refund nothing again
        response.headers["Idempotent-Replayed"] = "true"
    return _exchange(container, exchange_id)


@router.post("/api/v1/exchanges/{exchange_id}/retry", response_model=ExchangeOut, responses=ERRORS)
def retry_exchange(exchange_id: str, request: Request, response: Response, container: ContainerDep,
                   actor: Manager, idempotency_key: IdempotencyKey = None) -> dict:
    """An exchange reserved on receipt whose replacement was out of stock when the units arrived (it stays
    `waiting`): reserve and route the replacement now, charged as at receipt. 409 `out_of_stock` with the
    shortages while still short (nothing changes), 409 `exchange_wrong_state` unless it is waiting, 409
    `exchange_not_ready` while returned units are still expected."""
    key = idempotent(request, idempotency_key, None, exchange_id)
    try:
        exchange = exchange_services.retry(container.uow(key, actor), exchange_id, container.gateway)
    except Replay:  # a retry of the request: answer with the current state, place nothing again
        response.headers["Idempotent-Replayed"] = "true"
        return _exchange(container, exchange_id)
    _settle(container, actor, exchange.replacement_order_id)
    return _exchange(container, exchange_id)


@router.get("/api/v1/orders/{order_id}/exchanges", response_model=ExchangeList, responses=guarded(404))
def list_exchanges(order_id: str, container: ContainerDep, _actor: Reader) -> dict:
    """Exchanges the order is the original or the replacement of, oldest first."""
    with container.reader() as uow:
        if uow.orders.get(order_id) is None:
            raise NotFound(f"No order with id {order_id}.", code="order_not_found")
        items = [present_exchange(e, _return_number(uow.returns.get(e.return_id))) for e in
                 uow.exchanges.of_order(order_id)]
    return {"items": items, "next_cursor": None}


def _return_number(rma: Return | None) -> str:
    return rma.number if rma else ""


@router.post("/api/v1/orders/{order_id}/claims", status_code=201, response_model=ClaimOut, responses=ERRORS)
def open_claim(order_id: str, body: ClaimIn, request: Request, response: Response, container: ContainerDep,
               actor: Manager, idempotency_key: IdempotencyKey = None) -> dict:
    """Shipped units lost or damaged in transit, or the wrong item sent: `replace` places a replacement order at
    no charge, `refund` gives their value back to the original payment. Each unit can be claimed once."""
    lines: dict[str, int] = {}
    for index, line in enumerate(body.lines):
        if line.line_id in lines:
            raise InvalidInput(f"lines[{index}].line_id", "each line may be listed once.")
        lines[line.line_id] = line.quantity
    cmd = claim_services.OpenClaim(order_id, ClaimKind(body.kind), lines, Resolution(body.resolution), body.note)
    key = idempotent(request, idempotency_key, body)
    try:
        claim = claim_services.open_claim(container.uow(key, actor), lambda: container.uow(actor=actor),
                                          container.gateway, cmd, key.key if key else new_id("clr"))
    except Replay as replay:  # a retry: answer with the claim the first request recorded
        assert replay.resource_id is not None
        response.headers["Idempotent-Replayed"] = "true"
        return _claim(container, replay.resource_id)
    return present_claim(claim)


@router.get("/api/v1/claims/{claim_id}", response_model=ClaimOut, responses=guarded(404))
def get_claim(claim_id: str, container: ContainerDep, _actor: Reader) -> dict:
    return _claim(container, claim_id)


@router.get("/api/v1/orders/{order_id}/claims", response_model=ClaimList, responses=guarded(404))
def list_claims(order_id: str, container: ContainerDep, _actor: Reader) -> dict:
    with container.reader() as uow:
        if uow.orders.get(order_id) is None:
            raise NotFound(f"No order with id {order_id}.", code="order_not_found")
        return {"items": [present_claim(c) for c in uow.claims.of_order(order_id)], "next_cursor": None}
