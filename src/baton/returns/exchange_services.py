"""Use cases of exchanges: open one (a return plus a replacement order, in one transaction), place the
replacement when the return is received (`on_received`, called by the return's receipt, or `retry` once stock is
back), complete it (the return becomes `exchanged`; a negative price difference is refunded to the original
payment), or end it when its return is rejected (`on_rejected`: the replacement is cancelled)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baton.adapters.db.uow import UnitOfWork
from baton.adapters.payments import stateless_gateway
from baton.finance import postings
from baton.finance.journal import BookedEntry, EntryKind
from baton.invoicing import services as invoicing
from baton.orders import cancellation
from baton.orders import services as ordering
from baton.orders.errors import OutOfStock
from baton.orders.holds import HoldKind
from baton.orders.model import Order
from baton.payments import bookkeeping, flows
from baton.payments.model import PaymentMethod
from baton.payments.reauthorization import reusable_token
from baton.payments.refunds import MoneyBack, Purpose
from baton.payments.services import Gateways, PaymentRequest
from baton.returns import replacement
from baton.returns import services as returns
from baton.returns.commands import LineRequest, RequestReturn
from baton.returns.exchanges import Exchange, ExchangeStatus, Reserve, Swap
from baton.returns.model import RefundTo, Return, ReturnMethod, ReturnStatus
from baton.shared.clock import utcnow
from baton.shared.errors import Conflict, InvalidInput, NotFound


@dataclass(frozen=True)
class SwapRequest:
    line_id: str
    quantity: int
    sku: str  # the replacement
    reason: str


@dataclass(frozen=True)
class OpenExchange:
    order_id: str
    swaps: list[SwapRequest]
    method: ReturnMethod
    reserve: Reserve
    location: str | None = None
    tracking_number: str | None = None


def open_exchange(uow: UnitOfWork, cmd: OpenExchange, gateways: Gateways) -> Exchange:
    """Open the return of the swapped units and, with reserve `now`, place the replacement; all or nothing."""
    with uow:
        request = RequestReturn(cmd.order_id, [LineRequest(s.line_id, s.quantity, s.reason) for s in cmd.swaps],
                                cmd.method, RefundTo.ORIGINAL_PAYMENT, cmd.tracking_number, cmd.location)
        rma = returns.request_return(replacement.lent(uow), request)
        original = uow.orders.get(cmd.order_id, lock=True)
        assert original is not None, "the return was just opened for it"
        _check_skus(uow, original, cmd.swaps)
        value = sum(original.value_of(original.line(line.order_line_id), line.quantity) for line in rma.lines)
        swaps = [Swap(rma.lines[i].order_line_id, s.sku, s.quantity) for i, s in enumerate(cmd.swaps)]
        exchange = Exchange(rma.id, original.id, original.currency, cmd.reserve, swaps, value, uow.actor.label)
        if cmd.reserve == Reserve.NOW:
            _place(uow, original, exchange, rma, gateways)
        else:
            original.tell(uow.actor.label, "exchange_opened", f"Exchange for return {rma.number} opened: "
                          f"{_swapped(original, exchange)}; the replacement is reserved once the return is received.",
                          exchange_id=exchange.id, return_id=rma.id)
        uow.exchanges.add(exchange)
        uow.created_id = exchange.id
        uow.audit.record("exchange.open", "exchange", exchange.id, None, view(exchange))
        uow.commit()
        return exchange


def on_received(uow: UnitOfWork, order: Order, rma: Return, gateways: Gateways | None = None) -> None:
    """Inside the receipt's transaction: once every unit of an `on_receipt` exchange has arrived, the replacement
    is placed. Out of stock then, the receipt still counts; the timeline says so and the exchange keeps waiting
    (`retry` places it once stock is back)."""
    exchange = uow.exchanges.of_return(rma.id)
    if exchange is None or exchange.status != ExchangeStatus.WAITING or any(line.outstanding for line in rma.lines):
        return
    before = view(exchange)
    try:
        _place(uow, order, exchange, rma, gateways or stateless_gateway)
    except OutOfStock as short:
        order.tell(uow.actor.label, "exchange_waiting", f"Exchange for return {rma.number}: the replacement could "
                   f"not be reserved ({short.detail}); it waits for stock. Retry it once stock is back "
                   f"(POST /api/v1/exchanges/{exchange.id}/retry).", exchange_id=exchange.id)
        return
    uow.exchanges.save(exchange)
    uow.audit.record("exchange.place", "exchange", exchange.id, before, view(exchange))


def retry(uow: UnitOfWork, exchange_id: str, gateways: Gateways) -> Exchange:
    """Place the replacement of a waiting exchange whose returned units have all arrived (it was out of stock at
    receipt). Still out of stock: OutOfStock (409 with the shortages), and nothing changes."""
    with uow:
        found = uow.exchanges.get(exchange_id)
        if found is None:
            raise NotFound(f"No exchange with id {exchange_id}.", code="exchange_not_found")
        order, rma = returns.locked(uow, found.return_id)
        exchange = uow.exchanges.get(exchange_id)
        assert exchange is not None
        exchange.check_retry()
        if any(line.outstanding for line in rma.lines):
            left = sum(line.outstanding for line in rma.lines)
            raise Conflict(f"Return {rma.number} still expects {left} unit(s): the replacement is placed once every "
                           "unit has arrived.", code="exchange_not_ready")
        before = view(exchange)
        order.tell(uow.actor.label, "exchange_retried", f"Exchange for return {rma.number}: stock is back, the "
                   "replacement is reserved now.", exchange_id=exchange.id)
        _place(uow, order, exchange, rma, gateways)
        order.touch()
        uow.exchanges.save(exchange)
        uow.audit.record("exchange.retry", "exchange", exchange.id, before, view(exchange))
        uow.commit()
        return exchange


def settle_replacement(uows: flows.UnitsOfWork, gateways: Gateways, return_id: str) -> None:
    """After a return was received or rejected: an exchange reserved on receipt placed its replacement (its
    payments — the exchange credit and any charge of a dearer replacement's difference — are authorised at once,
    as for any new order), or a rejected return cancelled it (its voids are asked at once)."""
    with uows() as uow:
        exchange = uow.exchanges.of_return(return_id)
    if exchange is not None and exchange.replacement_order_id:
        flows.settle_pending(uows, gateways, exchange.replacement_order_id)


def on_rejected(uow: UnitOfWork, order: Order, rma: Return) -> None:
    """Inside the rejection's transaction: the exchange of a rejected return ends. A placed replacement is
    cancelled (its stock released; its payments, the exchange credit and any charge of the difference, voided:
    nothing is left to ship, the caller settles the voids after commit), and both timelines say why. Refused
    (409) once the replacement has shipped: the customer has it, so the return is received instead."""
    exchange = uow.exchanges.of_return(rma.id)
    if exchange is None or exchange.status not in (ExchangeStatus.WAITING, ExchangeStatus.PLACED):
        return
    before, actor = view(exchange), uow.actor.label
    why = f"return {rma.number} of order {order.number} was rejected ({rma.reject_reason})"
    placed = uow.orders.get(exchange.replacement_order_id, lock=True) if exchange.replacement_order_id else None
    if placed is not None:
        shipped = sum(line.shipped for line in placed.lines)
        if shipped:
            raise Conflict(f"Replacement order {placed.number} of exchange {exchange.id} already shipped {shipped} "
                           f"unit(s): return {rma.number} cannot be rejected now. Receive it, or settle the "
                           "replacement with the customer first.", code="exchange_replacement_shipped")
        _cancel_replacement(uow, placed, why, actor)
    exchange.cancel()
    ended = (f"replacement order {placed.number} cancelled, its stock released and its payments voided"
             if placed is not None else "no replacement was placed")
    order.tell(actor, "exchange_cancelled", f"Exchange for return {rma.number} cancelled, the return being "
               f"rejected ({rma.reject_reason}): {ended}.", exchange_id=exchange.id,
               **({"replacement_order_id": placed.id} if placed else {}))
    if placed is not None:
        placed.tell(actor, "exchange_cancelled", f"Exchange cancelled: {why}, so this replacement is not sent and "
                    "nothing is charged for it.", exchange_id=exchange.id, original_order_id=order.id)
        replacement.write_messages(uow, placed)
    uow.exchanges.save(exchange)
    uow.audit.record("exchange.cancel", "exchange", exchange.id, before, view(exchange))


def _cancel_replacement(uow: UnitOfWork, placed: Order, why: str, actor: str) -> None:
    if not any(line.open for line in placed.lines):
        return  # cancelled already (by an agent)
    order_before = placed.audit_view()
    change, effects = cancellation.cancel(placed, None, f"exchange ended: {why}", actor)
    ordering.apply_stock_effects(uow, effects, actor, placed.number)
    flows.begin_due_captures(uow, placed, f"cancellation {change.id}")  # nothing shipped: voids every payment
    uow.audit.record("order.cancel", "order", placed.id, order_before, placed.audit_view())


def complete(first: UnitOfWork, uows: flows.UnitsOfWork, gateways: Gateways, exchange_id: str,
             key: str) -> Exchange:
    """Every returned unit arrived and was inspected: the return becomes `exchanged` (it refunds nothing to the
    customer; the units paid for the replacement) and a negative price difference goes back to the original
    payment, in the same transaction."""
    with uows() as reader:
        found = reader.exchanges.get(exchange_id)
        if found is None:
            raise NotFound(f"No exchange with id {exchange_id}.", code="exchange_not_found")
    done: list[Exchange] = []

    def settle(uow: UnitOfWork) -> None:
        order, rma = returns.locked(uow, found.return_id)
        exchange = uow.exchanges.get(exchange_id)
        assert exchange is not None
        before, return_before = view(exchange), returns.view(rma)
        exchange.complete()  # a waiting or cancelled exchange is refused first (the refusal rolls back)
        if any(line.outstanding or line.uninspected for line in rma.lines):
            raise Conflict(f"Return {rma.number} is {rma.status}: every unit must arrive and be inspected before "
                           "the exchange completes.", code="exchange_not_ready")
        rma.move(ReturnStatus.EXCHANGED)
        _book_credit(uow, order, exchange, rma)
        refund = -min(exchange.price_difference or 0, 0)
        order.tell(uow.actor.label, "exchange_completed", f"Return {rma.number} exchanged for order "
                   f"{_number(uow, exchange.replacement_order_id)}"
                   + (f"; the price difference of {order.money(refund)} goes back to the original payment."
                      if refund else "; nothing is refunded."), exchange_id=exchange.id, return_id=rma.id)
        uow.returns.save(rma)
        uow.exchanges.save(exchange)
        uow.audit.record("return.exchange", "return", rma.id, return_before, returns.view(rma))
        uow.audit.record("exchange.complete", "exchange", exchange.id, before, view(exchange))
        done.append(exchange)

    if -min(found.price_difference or 0, 0):
        ask = MoneyBack(Purpose.REFUND, f"price difference of exchange {exchange_id}",
                        amount=-min(found.price_difference or 0, 0))
        # `limit` runs with the order locked in the refund's own transaction: the exchange completes with it
        flows.give_back(first, uows, gateways, found.original_order_id, ask, key, limit=lambda _amount: settle(first))
    else:
        with first as uow:
            settle(uow)
            uow.commit()
    return done[0]


def _book_credit(uow: UnitOfWork, order: Order, exchange: Exchange, rma: Return) -> None:
    """The returned units paid for the replacement: on the original order, a credit memo of the exchange credit
    and its payment to the replacement (the receivable against gateway clearing, where the replacement's
    exchange-credit capture booked it). So revenue counts the units once, on the replacement, and the clearing
    nets to zero across the two orders."""
    credit = exchange.credit
    if not credit or not uow.payments.of_order(order.id):  # paid outside Baton: its books are kept there
        return
    bookkeeping.book(uow, order, uow.payments.of_order(order.id))  # captures settled elsewhere come first
    entries = [booked.entry for booked in uow.journal.of_order(order.id)]
    memo = f"Return {rma.number}: {order.money(credit)} of exchange credit paid for replacement order " \
           f"{_number(uow, exchange.replacement_order_id)}."
    context = postings.Context(order.currency, order.id, utcnow(), memo)
    document = BookedEntry(postings.credit_memo(bookkeeping.refund_amounts(credit, entries), context),
                           EntryKind.CREDIT_MEMO, exchange.id)
    if uow.journal.add(document):
        uow.journal.add(BookedEntry(postings.refund(credit, context), EntryKind.REFUND, exchange.id))
        invoicing.issue_for(uow, order, document, "exchange_credit", f"exchange for return {rma.number}")


# -- the replacement ---------------------------------------------------------------------------------------
def _place(uow: UnitOfWork, original: Order, exchange: Exchange, rma: Return, gateways: Gateways) -> None:
    charge: list[PaymentRequest] = []

    def paid_by(total: int) -> list[PaymentRequest]:
        credit = min(exchange.returned_value, total)
        requests = [PaymentRequest(str(PaymentMethod.EXTERNAL), credit, reference=rma.number)] if credit else []
        if total > credit:
            charge.extend(_charge(uow, gateways, original.id, total - credit))
        return requests + charge

    placed = replacement.place(uow, original, [(s.sku, s.quantity) for s in exchange.swaps], paid_by)
    exchange.placed(placed.id, placed.total)
    actor, diff = uow.actor.label, exchange.price_difference or 0
    if diff > 0 and not charge:  # the original method cannot authorise again: an agent collects it
        placed.hold(HoldKind.PAYMENT, [f"The exchange credit covers {placed.money(exchange.credit)} of the total "
                                       f"{placed.money(placed.total)}. Add a payment of {placed.money(diff)}, or "
                                       "cancel the order."], actor)
    money = ("no price difference" if diff == 0 else f"{placed.money(diff)} more to pay on {placed.number}"
             if diff > 0 else f"{placed.money(-diff)} to refund once the exchange completes")
    original.tell(actor, "exchange_placed", f"Exchange for return {rma.number}: replacement order {placed.number} "
                  f"placed with {_swapped(original, exchange)}; {money}.", exchange_id=exchange.id,
                  replacement_order_id=placed.id)
    how = (f"; the difference of {placed.money(diff)} is charged to a {charge[0].method} payment" if charge
           else f"; {placed.money(diff)} is still to pay" if diff > 0 else "")
    placed.tell(actor, "exchange_replacement", f"Replacement for return {rma.number} of order {original.number} "
                f"(exchange), paid by {placed.money(exchange.credit)} of exchange credit{how}.",
                exchange_id=exchange.id, original_order_id=original.id)
    replacement.write_messages(uow, placed)


def _charge(uow: UnitOfWork, gateways: Gateways, order_id: str, amount: int) -> list[PaymentRequest]:
    """A payment of `amount` with the original payment's method, when its gateway can authorise again without the
    customer (manual terms; a sandbox card); none otherwise."""
    for payment in uow.payments.of_order(order_id):
        token = reusable_token(payment, gateways) if payment.authorized > 0 else None
        if token is not None:
            return [PaymentRequest(str(payment.method), amount, token=token)]
    return []


def _check_skus(uow: UnitOfWork, order: Order, swaps: list[SwapRequest]) -> None:
    products = uow.products.get_many(s.sku for s in swaps)
    for index, swap in enumerate(swaps):
        product = products.get(swap.sku)
        if product is None or not product.active:
            raise InvalidInput(f"lines[{index}].sku", f"no product with SKU '{swap.sku}' is for sale.",
                               code="unknown_sku")
        if product.price_in(order.currency) is None:
            raise InvalidInput(f"lines[{index}].sku", f"{swap.sku} has no {order.currency} price.",
                               code="no_price")


def _swapped(order: Order, exchange: Exchange) -> str:
    return ", ".join(f"{s.quantity} × {s.sku} for {s.quantity} × {order.line(s.line_id).sku}" for s in exchange.swaps)


def _number(uow: UnitOfWork, order_id: str | None) -> str:
    placed = uow.orders.get(order_id) if order_id else None
    return placed.number if placed else "(not placed)"


def view(exchange: Exchange) -> dict[str, Any]:
    """What the audit log compares before and after a step of an exchange."""
    return {"return_id": exchange.return_id, "status": str(exchange.status), "reserve": str(exchange.reserve),
            "replacement_order_id": exchange.replacement_order_id, "returned_value": exchange.returned_value,
            "price_difference": exchange.price_difference,
            "lines": [{"line_id": s.line_id, "sku": s.sku, "quantity": s.quantity} for s in exchange.swaps]}
