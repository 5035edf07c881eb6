"""Use cases of payments: authorise at placement, capture what each shipment ships, void what can no longer be
captured, refund.

Every money movement runs in three steps, so a slow or silent gateway never holds a database lock and a crash
never loses track of money:
1. decide, in a transaction: the domain checks the amount and records a *pending* transaction that already
   holds its amount (a racing refund sees less left), the payment rows locked FOR UPDATE; commit;
2. call the gateway, outside any transaction, with the pending transaction's id as the idempotency key;
3. record the outcome, in a second transaction: confirmed, or failed (the amount is free again). No answer at all
   (timeout) leaves it pending; `settle` retries it with the same key, which the gateway answers idempotently."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from baton.adapters.db.uow import UnitOfWork
from baton.payments import gift_cards, store_credit
from baton.payments.gateway import Authorization, GatewayState, GatewayUnavailable, PaymentFailed, PaymentGateway
from baton.payments.model import (
    STORED_VALUE,
    Payment,
    PaymentMethod,
    PaymentTransaction,
    TransactionKind,
    TransactionStatus,
)
from baton.payments.planning import split_capture, split_refund
from baton.shared.errors import InvalidInput, NotFound

Gateways = Callable[[str], PaymentGateway]  # the composition root's way to find a gateway by method name
# Book-only: Baton keeps the books and calls nobody (external: authorised elsewhere; store credit and gift cards:
# balances the shop keeps itself, baton.payments.store_credit and baton.payments.gift_cards).
NO_GATEWAY = frozenset({PaymentMethod.EXTERNAL, PaymentMethod.STORE_CREDIT, PaymentMethod.GIFT_CARD})


@dataclass(frozen=True)
class PaymentRequest:
    """How the buyer pays, as the order arrived: `token` for a gateway, `reference` for an authorisation the
    storefront already holds (a Stripe PaymentIntent, an external provider's id)."""

    method: str
    amount: int | None = None  # minor units; None: the rest of the order's total
    token: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What the gateway said about one pending transaction."""

    transaction_id: str
    payment_id: str
    confirmed: str | None = None  # the provider's reference, when it did it
    authorization: Authorization | None = None
    failure: tuple[str, str] | None = None  # (code, message) when it refused
    unanswered: str | None = None  # the gateway did not answer: try again later with the same key


def open_payments(uow: UnitOfWork, order_id: str, currency: str, total: int,
                  requests: Iterable[PaymentRequest]) -> list[Payment]:
    """Step 1 at placement, inside the order's transaction: one pending payment per request. External
    authorisations are recorded at once (nobody to call)."""
    requests = list(requests)
    explicit = sum(r.amount or 0 for r in requests)
    if explicit > total:
        raise InvalidInput("payment", "the payments add up to more than the order's total.")
    return [open_payment(uow, order_id, currency, request.amount if request.amount is not None else total - explicit,
                         request, key=f"{order_id}:auth:{index}", field=f"payment[{index}].")
            for index, request in enumerate(requests)]


def open_payment(uow: UnitOfWork, order_id: str, currency: str, amount: int, request: PaymentRequest, *, key: str,
                 field: str = "") -> Payment:
    """Step 1 of one payment of `amount`: pending, its token kept until the gateway answers. `key` is unique per
    order; `field` prefixes the names of refused fields ("payment[0].")."""
    payment = Payment.start(order_id=order_id, method=PaymentMethod(request.method), currency=currency,
                            amount=amount, idempotency_key=key)
    if payment.method in STORED_VALUE:  # the row first: the balance entry names it
        uow.payments.add(payment)
        if payment.method == PaymentMethod.GIFT_CARD:
            gift_cards.authorize(uow, payment, request.token or request.reference or "", field)
        else:
            store_credit.authorize(uow, payment, field)
        uow.payments.save(payment, {tx.id for tx in payment.transactions})
        return payment
    if payment.method in NO_GATEWAY:
        if not request.reference:
            raise InvalidInput(f"{field}reference", "an external payment names the provider's id of its "
                               "authorisation.")
        payment.record_authorization(Authorization(request.reference, amount, currency))
    else:
        payment.details = {"token": request.reference or request.token or ""}
    uow.payments.add(payment)
    return payment


def call_gateways(gateways: Gateways, payments: Iterable[Payment], *, abandon: bool = False) -> list[Outcome]:
    """Step 2: every pending transaction of these payments, asked of its gateway (no database work here).
    With `abandon` (the order no longer needs the authorisations still pending), an authorisation the provider
    says it never made is failed instead of being asked again later."""
    outcomes = []
    for payment in payments:
        for tx in payment.transactions:
            if tx.status != TransactionStatus.PENDING:
                continue
            if payment.method in NO_GATEWAY:  # the books move; the money moves at the storefront's provider
                outcomes.append(Outcome(tx.id, payment.id, confirmed=payment.reference))
            else:
                outcomes.append(_ask(gateways(payment.method), payment, tx, abandon))
    return outcomes


def record(uow: UnitOfWork, outcomes: Iterable[Outcome]) -> list[Payment]:
    """Step 3, inside the caller's transaction: the gateway's answers onto the locked payments."""
    changed: dict[str, tuple[Payment, set[str]]] = {}
    for outcome in outcomes:
        if outcome.payment_id not in changed:
            payment = uow.payments.get(outcome.payment_id, lock=True)
            if payment is None:
                raise NotFound(f"No payment {outcome.payment_id}.", code="payment_not_found")
            changed[outcome.payment_id] = (payment, {tx.id for tx in payment.transactions})
        payment, _known = changed[outcome.payment_id]
        _apply(payment, outcome)
    for payment, known in changed.values():
        if payment.authorization.status != TransactionStatus.PENDING:
            payment.details.pop("token", None)  # needed only to authorise; kept no longer than that
        uow.payments.save(payment, known)
        settled = [payment.transaction(o.transaction_id) for o in outcomes if o.payment_id == payment.id]
        succeeded = [tx for tx in settled if tx.status == TransactionStatus.SUCCEEDED]
        store_credit.give_back(uow, payment, succeeded)
        gift_cards.give_back(uow, payment, succeeded)
    return [payment for payment, _known in changed.values()]


def begin_captures(uow: UnitOfWork, order_id: str, amount: int, reason: str) -> list[Payment]:
    """Step 1 of a shipment's capture: `amount` spread over the order's payments (stored value first)."""
    payments = uow.payments.of_order(order_id, lock=True)
    live = [p for p in payments if p.capturable > 0]
    if amount <= 0 or not live:
        return []
    known = {p.id: {tx.id for tx in p.transactions} for p in live}
    for share in split_capture(live, min(amount, sum(p.capturable for p in live))):
        share.payment.capture(share.amount, idempotency_key=f"{reason}:{share.payment.id}", reason=reason)
    for payment in live:
        uow.payments.save(payment, known[payment.id])
    return live


def begin_voids(uow: UnitOfWork, order_id: str, reason: str) -> list[Payment]:
    """Step 1 of releasing what can no longer be captured (the order has nothing left to ship)."""
    voided = []
    for payment in uow.payments.of_order(order_id, lock=True):
        if payment.uncaptured > 0 and payment.capturable == payment.uncaptured:  # nothing in flight
            known = {tx.id for tx in payment.transactions}
            payment.void(idempotency_key=f"{order_id}:void:{payment.id}", reason=reason)
            uow.payments.save(payment, known)
            voided.append(payment)
    return voided


def begin_refund(uow: UnitOfWork, order_id: str, amount: int, reason: str, key: str) -> list[Payment]:
    """Step 1 of a refund: spread over the order's payments (card first), each share held by its pending
    transaction. The payments are locked, so two refunds of one order run one after the other."""
    payments = uow.payments.of_order(order_id, lock=True)
    known = {p.id: {tx.id for tx in p.transactions} for p in payments}
    touched = []
    for share in split_refund(payments, amount):
        share.payment.refund(share.amount, idempotency_key=f"{key}:{share.payment.id}", reason=reason)
        touched.append(share.payment)
    for payment in touched:
        uow.payments.save(payment, known[payment.id])
    return touched


def _ask(gateway: PaymentGateway, payment: Payment, tx: PaymentTransaction, abandon: bool = False) -> Outcome:
    try:
        if tx.kind == TransactionKind.AUTHORIZE:
            token = payment.details.get("token", "")
            authorization = gateway.authorize(token=token, amount=tx.amount, currency=payment.currency,
                                              idempotency_key=tx.id)
            return Outcome(tx.id, payment.id, authorization=authorization)
        assert payment.reference is not None, "only an authorised payment has captures, voids or refunds"
        if tx.kind == TransactionKind.CAPTURE:
            moved = gateway.capture(reference=payment.reference, amount=tx.amount, currency=payment.currency,
                                    idempotency_key=tx.id)
            return Outcome(tx.id, payment.id, confirmed=moved.reference)
        if tx.kind == TransactionKind.REFUND:
            moved = gateway.refund(reference=payment.reference, amount=tx.amount, currency=payment.currency,
                                   idempotency_key=tx.id)
            return Outcome(tx.id, payment.id, confirmed=moved.reference)
        gateway.void(reference=payment.reference, idempotency_key=tx.id)
        return Outcome(tx.id, payment.id, confirmed=payment.reference)
    except PaymentFailed as refused:
        return Outcome(tx.id, payment.id, failure=(refused.code, refused.message))
    except GatewayUnavailable as silent:
        if tx.kind == TransactionKind.AUTHORIZE and silent.reference:
            return _look_up(gateway, payment, tx, silent.reference, str(silent), abandon)
        return Outcome(tx.id, payment.id, unanswered=str(silent))


ABANDONED = ("abandoned", "The gateway never made this authorisation and the order no longer needs it; "
             "nothing is held.")


def _look_up(gateway: PaymentGateway, payment: Payment, tx: PaymentTransaction, reference: str,
             why: str, abandon: bool) -> Outcome:
    """An authorisation that timed out may still have happened: ask the provider what it knows."""
    try:
        view = gateway.lookup(reference=reference)
    except GatewayUnavailable:
        return Outcome(tx.id, payment.id, unanswered=why)
    if view.state in (GatewayState.AUTHORIZED, GatewayState.PENDING, GatewayState.CAPTURED):
        return Outcome(tx.id, payment.id,
                       authorization=Authorization(view.reference, view.authorized, payment.currency, view.state))
    if view.state == GatewayState.FAILED:
        return Outcome(tx.id, payment.id, failure=("declined", "The provider refused the payment."))
    if view.state == GatewayState.UNKNOWN and abandon:
        return Outcome(tx.id, payment.id, failure=ABANDONED)
    return Outcome(tx.id, payment.id, unanswered=why)  # unknown to the provider: safe to retry with the same key


def _apply(payment: Payment, outcome: Outcome) -> None:
    tx = payment.transaction(outcome.transaction_id)
    if tx.status != TransactionStatus.PENDING or outcome.unanswered:
        return  # settled already (a retry raced us), or still unknown: stays pending
    if outcome.authorization is not None:
        payment.record_authorization(outcome.authorization)
    elif outcome.failure is not None:
        payment.fail(tx.id, *outcome.failure)
    else:
        payment.confirm(tx.id, outcome.confirmed)
