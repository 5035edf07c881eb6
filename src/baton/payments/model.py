"""The payment aggregate: one payment method on an order, its transactions, and the money invariants
(captured ≤ authorised, refunded ≤ captured), checked here and nowhere else.

Every money movement is two-phase, so a gateway call never happens without a record and a timeout never loses
track of money:

    tx = payment.capture(amount, idempotency_key=key)    # checks the invariants, records a *pending* transaction
    movement = gateway.capture(..., idempotency_key=key)  # the service calls the provider
    payment.confirm(tx.id, movement.reference)            # or payment.fail(tx.id, code, message)

A pending capture or refund already holds its amount (it counts against what can still be captured or refunded),
so two requests can never promise the same money twice; if the gateway does not answer, the transaction stays
pending and is retried with the same idempotency key. The counters (`authorized`, `captured`, `refunded`) count
succeeded transactions only.

Statuses and the order-level payment_status live in baton.payments.status (re-exported here); planning an
order-level capture or refund over several payments lives in baton.payments.planning."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from baton.payments.gateway import Authorization, GatewayState
from baton.payments.status import PaymentStatus as PaymentStatus
from baton.payments.status import derive_payment_status as derive_payment_status
from baton.payments.status import status_from_amounts
from baton.shared.clock import utcnow
from baton.shared.errors import Conflict, InvalidInput
from baton.shared.ids import new_id
from baton.shared.money import check_currency, to_decimal_string


class PaymentMethod(enum.StrEnum):
    SANDBOX = "sandbox"  # Baton's deterministic test gateway (documented test tokens)
    MANUAL = "manual"  # cash on delivery, bank transfer or invoice with terms; money arrives outside any gateway
    STRIPE = "stripe"  # a Stripe PaymentIntent with manual capture
    EXTERNAL = "external"  # authorised by the storefront with a provider Baton does not call; Baton keeps the books
    GIFT_CARD = "gift_card"  # a gift card balance held for the order
    STORE_CREDIT = "store_credit"  # the customer's store credit held for the order


STORED_VALUE = frozenset({PaymentMethod.GIFT_CARD, PaymentMethod.STORE_CREDIT})  # balances the shop itself keeps


class TransactionKind(enum.StrEnum):
    AUTHORIZE = "authorize"  # hold (or, for manual methods, promise) an amount
    CAPTURE = "capture"  # take held money; partial and repeated captures allowed
    VOID = "void"  # release what is held and not captured
    REFUND = "refund"  # give captured money back


class TransactionStatus(enum.StrEnum):
    PENDING = "pending"  # asked of the gateway, no answer yet: its amount is already held back
    SUCCEEDED = "succeeded"  # the gateway did it; the payment's counters include it
    FAILED = "failed"  # the gateway refused or never did it; nothing moved


S = PaymentStatus
# The payment's lifecycle. Staying in the same status is always allowed; anything else is refused with 409.
# refunded → partially_refunded: what is still authorised may be captured after a refund (ship, return, ship).
TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    S.PENDING: frozenset({S.AUTHORIZED, S.CAPTURED, S.FAILED}),
    S.AUTHORIZED: frozenset({S.PARTIALLY_CAPTURED, S.CAPTURED, S.VOIDED}),
    S.PARTIALLY_CAPTURED: frozenset({S.CAPTURED, S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.CAPTURED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.PARTIALLY_REFUNDED: frozenset({S.REFUNDED}),
    S.REFUNDED: frozenset({S.PARTIALLY_REFUNDED}),
    S.VOIDED: frozenset(),
    S.FAILED: frozenset(),
}  # `none` is never a payment's status, only an order's (no payments at all)


@dataclass(eq=False)
class PaymentTransaction:
    payment_id: str
    kind: TransactionKind
    amount: int  # minor units; for a void, what it releases
    idempotency_key: str  # unique per payment: a retry with the same key gets this transaction back
    status: TransactionStatus = TransactionStatus.PENDING
    reason: str | None = None  # why, in words: "shipment shp_…", "damaged in transit"
    gateway_reference: str | None = None  # the provider's id of this movement
    failure_code: str | None = None  # stable code when it failed: declined, insufficient_funds …
    failure_message: str | None = None
    id: str = field(default_factory=lambda: new_id("ptx"))
    created_at: datetime = field(default_factory=utcnow)
    settled_at: datetime | None = None


@dataclass(eq=False)
class Payment:
    order_id: str
    method: PaymentMethod
    currency: str
    requested: int  # the amount asked to be authorised, minor units
    reference: str | None = None  # the provider's id of the payment, once authorised
    authorized: int = 0  # succeeded authorisations, minor units
    captured: int = 0  # succeeded captures
    refunded: int = 0  # succeeded refunds
    voided: bool = False  # what was not captured has been released
    status: PaymentStatus = PaymentStatus.PENDING
    details: dict[str, str] = field(default_factory=dict)  # from the provider: terms, instructions; never card data
    transactions: list[PaymentTransaction] = field(default_factory=list)
    id: str = field(default_factory=lambda: new_id("pay"))
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)

    @classmethod
    def start(
        cls, *, order_id: str, method: PaymentMethod, currency: str, amount: int, idempotency_key: str
    ) -> Payment:
        """A payment whose authorisation is about to be asked for: pending, with a pending authorize transaction."""
        check_currency(currency)
        _check_positive(amount)
        try:
            method = PaymentMethod(method)
        except ValueError:
            raise InvalidInput("method", f"'{method}' is not a payment method; use one of {', '.join(PaymentMethod)}.",
                               code="unknown_payment_method") from None
        payment = cls(order_id, method, currency, amount)
        payment.transactions.append(PaymentTransaction(payment.id, TransactionKind.AUTHORIZE, amount, idempotency_key))
        return payment

    # -- what can still happen ----------------------------------------------------------------
    @property
    def authorization(self) -> PaymentTransaction:
        return next(tx for tx in self.transactions if tx.kind == TransactionKind.AUTHORIZE)

    @property
    def uncaptured(self) -> int:
        """Authorised, not captured and not released: what a void would release."""
        return 0 if self.voided else self.authorized - self.captured

    @property
    def capturable(self) -> int:
        """What a new capture may take: not captured, not released, not held by a pending capture or void."""
        if self._pending(TransactionKind.VOID):
            return 0
        return self.uncaptured - self._pending(TransactionKind.CAPTURE)

    @property
    def capture_refused(self) -> bool:
        """The provider refused this payment's latest settled capture: what it still holds is not counted on
        (baton.payments.coverage) and it is asked last for new captures (baton.payments.planning)."""
        settled = [tx for tx in self.transactions
                   if tx.kind == TransactionKind.CAPTURE and tx.status != TransactionStatus.PENDING]
        return bool(settled) and settled[-1].status == TransactionStatus.FAILED

    @property
    def capturing(self) -> int:
        """Held by captures asked of the provider and not yet answered."""
        return self._pending(TransactionKind.CAPTURE)

    @property
    def refundable(self) -> int:
        """What a new refund may give back: captured, not refunded, not held by a pending refund."""
        return self.captured - self.refunded - self._pending(TransactionKind.REFUND)

    def money(self, minor: int) -> str:
        return f"{self.currency} {to_decimal_string(minor, self.currency)}"

    def transaction(self, transaction_id: str) -> PaymentTransaction:
        for tx in self.transactions:
            if tx.id == transaction_id:
                return tx
        raise InvalidInput("transaction_id", f"payment {self.id} has no transaction {transaction_id}.")

    # -- authorisation --------------------------------------------------------------------------
    def record_authorization(self, authorization: Authorization) -> PaymentTransaction:
        """The provider's answer (or a `lookup` after a timeout). A manual method's PENDING state counts as
        authorised (money promised, `capture` records its arrival); CAPTURED (a storefront that captured at
        checkout) records the capture too. A partial authorisation (a gift card with less on it) is accepted."""
        tx = self.authorization
        if tx.status == TransactionStatus.SUCCEEDED and authorization.reference == self.reference:
            return tx  # the same answer twice: a retry, or a lookup racing the original response
        if tx.status != TransactionStatus.PENDING:
            raise Conflict(f"Payment {self.id} is {self.status}; its authorisation was already settled.",
                           code="authorization_settled")
        _check_authorization(self, authorization)
        self._check_move(self._status_from(authorization.amount, self._captured_by(authorization), 0, False))
        self.reference = authorization.reference
        self.details = dict(authorization.details)
        tx.amount = authorization.amount
        self._succeed(tx, authorization.reference)
        self.authorized = authorization.amount
        if authorization.state == GatewayState.CAPTURED:
            capture = self._begin(TransactionKind.CAPTURE, authorization.amount, f"{tx.idempotency_key}:captured",
                                  "captured by the provider at authorisation")
            self._succeed(capture, authorization.reference)
            self.captured = authorization.amount
        self._settle()
        return tx

    # -- money movements (phase one: check and hold) -----------------------------------------
    def capture(self, amount: int, *, idempotency_key: str, reason: str | None = None) -> PaymentTransaction:
        """Ask to capture `amount`: 0 < amount ≤ capturable, never after a void."""
        replay = self._replay(TransactionKind.CAPTURE, idempotency_key, amount)
        if replay is not None:
            return replay
        self._require_authorized("captured")
        if self.voided or self._pending(TransactionKind.VOID):
            raise Conflict(f"Payment {self.id} was voided: what it had not captured was released, so nothing more "
                           "can be captured. Authorise a new payment instead.", code="payment_voided")
        _check_positive(amount)
        if amount > self.capturable:
            raise InvalidInput("amount", f"{self.money(amount)} is more than this payment can still capture; "
                               f"only {self.money(self.capturable)} can still be captured.",
                               code="capture_exceeds_authorized")
        self._check_move(self._status_from(self.authorized, self.captured + amount, self.refunded, False))
        return self._begin(TransactionKind.CAPTURE, amount, idempotency_key, reason)

    def void(self, *, idempotency_key: str, reason: str | None = None) -> PaymentTransaction:
        """Ask to release what is authorised and not captured. Captured money is refunded, never voided."""
        replay = self._replay(TransactionKind.VOID, idempotency_key, None)
        if replay is not None:
            return replay
        self._require_authorized("voided")
        if self.voided or self._pending(TransactionKind.VOID):
            raise Conflict(f"Payment {self.id} was already voided.", code="payment_voided")
        if self._pending(TransactionKind.CAPTURE):
            raise Conflict(f"Payment {self.id} has a capture in progress; void it once that capture is settled.",
                           code="transaction_in_progress")
        if self.uncaptured == 0:
            raise Conflict(f"Payment {self.id} is fully captured: there is nothing left to void; refund instead.",
                           code="nothing_to_void")
        self._check_move(self._status_from(self.authorized, self.captured, self.refunded, True))
        return self._begin(TransactionKind.VOID, self.uncaptured, idempotency_key, reason)

    def refund(self, amount: int, *, idempotency_key: str, reason: str | None = None) -> PaymentTransaction:
        """Ask to give back `amount`: 0 < amount ≤ refundable."""
        replay = self._replay(TransactionKind.REFUND, idempotency_key, amount)
        if replay is not None:
            return replay
        self._require_authorized("refunded")
        _check_positive(amount)
        if amount > self.refundable:
            if self.captured == 0:
                detail = "nothing has been captured on this payment, so nothing can be refunded."
            else:
                detail = (f"{self.money(amount)} is more than this payment can still refund; "
                          f"only {self.money(self.refundable)} can still be refunded.")
            raise InvalidInput("amount", detail, code="refund_exceeds_captured")
        self._check_move(self._status_from(self.authorized, self.captured, self.refunded + amount, self.voided))
        return self._begin(TransactionKind.REFUND, amount, idempotency_key, reason)

    # -- phase two: the provider's answer ------------------------------------------------------
    def confirm(self, transaction_id: str, gateway_reference: str | None = None) -> PaymentTransaction:
        """The provider did it: the counters move. Confirming twice is harmless. (Authorisations are confirmed
        with `record_authorization`, which carries the provider's amount and reference.)"""
        tx = self.transaction(transaction_id)
        if tx.kind == TransactionKind.AUTHORIZE:
            raise InvalidInput("transaction_id", "an authorisation is confirmed with record_authorization.")
        if tx.status == TransactionStatus.SUCCEEDED:
            return tx
        self._require_pending(tx)
        self._succeed(tx, gateway_reference)
        if tx.kind == TransactionKind.CAPTURE:
            self.captured += tx.amount
        elif tx.kind == TransactionKind.REFUND:
            self.refunded += tx.amount
        else:
            self.voided = True
        self._settle()
        return tx

    def fail(self, transaction_id: str, code: str, message: str) -> PaymentTransaction:
        """The provider refused, or never did it: nothing moved and the held amount is free again.
        A failed authorisation fails the payment (retry with a new payment). Failing twice is harmless."""
        tx = self.transaction(transaction_id)
        if tx.status == TransactionStatus.FAILED:
            return tx
        self._require_pending(tx)
        tx.status = TransactionStatus.FAILED
        tx.failure_code, tx.failure_message = code, message
        tx.settled_at = utcnow()
        self._settle()
        return tx

    # -- invariants -----------------------------------------------------------------------------
    def check_invariants(self) -> None:
        """captured ≤ authorised, refunded ≤ captured, and the counters are the sums of what succeeded."""
        sums = {kind: 0 for kind in TransactionKind}
        for tx in self.transactions:
            if tx.status == TransactionStatus.SUCCEEDED:
                sums[tx.kind] += tx.amount
        ok = (
            0 <= self.refunded <= self.captured <= self.authorized
            and sums[TransactionKind.AUTHORIZE] == self.authorized
            and sums[TransactionKind.CAPTURE] == self.captured
            and sums[TransactionKind.REFUND] == self.refunded
            and sums[TransactionKind.VOID] == (self.authorized - self.captured if self.voided else 0)
            and self.capturable >= 0 and self.refundable >= 0
            and self.status == self._own_status()
        )
        if not ok:
            raise AssertionError(f"payment {self.id} broke its invariants: authorized {self.authorized}, captured "
                                 f"{self.captured}, refunded {self.refunded}, voided {self.voided}, sums {sums}")

    # -- helpers ---------------------------------------------------------------------------------
    def _pending(self, kind: TransactionKind) -> int:
        return sum(tx.amount for tx in self.transactions
                   if tx.kind == kind and tx.status == TransactionStatus.PENDING)

    def _replay(self, kind: TransactionKind, key: str, amount: int | None) -> PaymentTransaction | None:
        """The transaction made earlier with this idempotency key, if any; the same key for another request
        is refused (422), as the API refuses a reused Idempotency-Key with a different body."""
        tx = next((tx for tx in self.transactions if tx.idempotency_key == key), None)
        if tx is None:
            return None
        if tx.kind != kind or (amount is not None and tx.amount != amount):
            raise InvalidInput("idempotency_key", f"'{key}' was already used for a {tx.kind} of "
                               f"{self.money(tx.amount)}; a retry must repeat the same request, and a new request "
                               "needs a new key.", code="idempotency_key_reused")
        return tx

    def _require_authorized(self, verb: str) -> None:
        if self.status in (S.PENDING, S.FAILED):
            raise Conflict(f"Payment {self.id} is {self.status}: it was never authorised, so it cannot be {verb}.",
                           code="payment_not_authorized")

    def _require_pending(self, tx: PaymentTransaction) -> None:
        if tx.status != TransactionStatus.PENDING:
            raise Conflict(f"Transaction {tx.id} already {tx.status}; its outcome cannot change.",
                           code="transaction_settled")

    def _captured_by(self, authorization: Authorization) -> int:
        return authorization.amount if authorization.state == GatewayState.CAPTURED else 0

    def _begin(self, kind: TransactionKind, amount: int, key: str, reason: str | None) -> PaymentTransaction:
        tx = PaymentTransaction(self.id, kind, amount, key, reason=reason)
        self.transactions.append(tx)
        self.updated_at = utcnow()
        return tx

    def _succeed(self, tx: PaymentTransaction, reference: str | None) -> None:
        tx.status = TransactionStatus.SUCCEEDED
        tx.gateway_reference = reference
        tx.settled_at = utcnow()

    def _status_from(self, authorized: int, captured: int, refunded: int, voided: bool) -> PaymentStatus:
        uncaptured = 0 if voided else authorized - captured
        return status_from_amounts(captured, refunded, uncaptured, voided)

    def _own_status(self) -> PaymentStatus:
        authorization = self.authorization.status
        if authorization == TransactionStatus.FAILED:
            return S.FAILED
        if authorization == TransactionStatus.PENDING:
            return S.PENDING
        return self._status_from(self.authorized, self.captured, self.refunded, self.voided)

    def _check_move(self, target: PaymentStatus) -> None:
        if target != self.status and target not in TRANSITIONS[self.status]:
            raise Conflict(f"Payment {self.id} is {self.status}; it cannot become {target}.",
                           code="invalid_transition")

    def _settle(self) -> None:
        """After a confirmed outcome: follow the transition table (a move outside it is a bug) and re-check."""
        target = self._own_status()
        if target != self.status and target not in TRANSITIONS[self.status]:
            raise AssertionError(f"payment {self.id} moved from {self.status} to {target}, outside its table")
        self.status = target
        self.updated_at = utcnow()
        self.check_invariants()


def _check_positive(amount: int) -> None:
    if amount <= 0:
        raise InvalidInput("amount", "must be more than zero.", code="amount_not_positive")


def _check_authorization(payment: Payment, authorization: Authorization) -> None:
    if authorization.state not in (GatewayState.AUTHORIZED, GatewayState.PENDING, GatewayState.CAPTURED):
        raise Conflict(f"The provider reports payment {authorization.reference} as {authorization.state}, not "
                       "authorised; record it with fail().", code="authorization_not_usable")
    if authorization.currency != payment.currency:
        raise Conflict(f"The provider authorised {authorization.currency}, the payment is in {payment.currency}.",
                       code="currency_mismatch")
    if not 0 < authorization.amount <= payment.requested:
        raise Conflict(f"The provider authorised {payment.money(authorization.amount)}, but "
                       f"{payment.money(payment.requested)} was asked for.", code="authorization_mismatch")
