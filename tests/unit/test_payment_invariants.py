"""Random sequences of authorise / capture / void / refund — valid and invalid, confirmed, failed or left pending,
per payment and split over an order's payments — keep the money invariants after every step:
captured ≤ authorised and refunded ≤ captured (per payment and in total), the counters are the sums of the
succeeded transactions, and a refused step changes nothing."""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from baton.payments.gateway import Authorization, GatewayState
from baton.payments.model import (
    Payment,
    PaymentMethod,
    PaymentStatus,
    PaymentTransaction,
    TransactionKind,
    TransactionStatus,
    derive_payment_status,
)
from baton.payments.planning import split_capture, split_refund
from baton.shared.errors import BatonError

METHODS = st.sampled_from([PaymentMethod.STRIPE, PaymentMethod.GIFT_CARD, PaymentMethod.STORE_CREDIT,
                           PaymentMethod.MANUAL, PaymentMethod.SANDBOX])
# Amounts: mostly plausible, often exactly at the edge (what is left, one more), sometimes zero or negative.
AMOUNTS = st.one_of(st.integers(-3, 10_500), st.sampled_from(["all", "all+1", "1"]))


class PaymentMachine(RuleBasedStateMachine):
    """Drives one order's payments; `expected` is an independent tally of what confirmed transactions moved."""

    payment_count = st.integers(1, 3)

    def __init__(self) -> None:
        super().__init__()
        self.payments: list[Payment] = []
        self.expected: dict[str, dict[TransactionKind, int]] = {}
        self.keys = 0

    # -- set-up and helpers ----------------------------------------------------------------------
    @initialize(data=st.data())
    def place(self, data: st.DataObject) -> None:
        for _ in range(data.draw(self.payment_count)):
            amount = data.draw(st.integers(1, 10_000))
            payment = Payment.start(order_id="ord_1", method=data.draw(METHODS), currency="EUR", amount=amount,
                                    idempotency_key=self.key())
            self.payments.append(payment)
            self.expected[payment.id] = {kind: 0 for kind in TransactionKind}
            if data.draw(st.booleans()):  # most sequences start from an authorised payment, as most orders do
                payment.record_authorization(Authorization(f"ref_{payment.id}", amount, "EUR"))
                self.expected[payment.id][TransactionKind.AUTHORIZE] = amount

    def key(self) -> str:
        self.keys += 1
        return f"k{self.keys}"

    def snapshot(self) -> list[Any]:
        return [(p.status, p.authorized, p.captured, p.refunded, p.voided, p.reference, dict(p.details),
                 [(tx.id, tx.kind, tx.amount, tx.status, tx.gateway_reference) for tx in p.transactions])
                for p in self.payments]

    def attempt(self, action: Any) -> Any:
        """Run `action`; if the domain refuses it, nothing at all may have changed."""
        before = self.snapshot()
        try:
            return action()
        except BatonError:
            assert self.snapshot() == before, "a refused step changed something"
            return None

    def resolve(self, amount: int | str, room: int) -> int:
        return {"all": room, "all+1": room + 1, "1": 1}.get(amount, amount) if isinstance(amount, str) else amount

    def pending(self) -> list[tuple[Payment, PaymentTransaction]]:
        return [(p, tx) for p in self.payments for tx in p.transactions
                if tx.status is TransactionStatus.PENDING and tx.kind is not TransactionKind.AUTHORIZE]

    def settled(self) -> list[tuple[Payment, PaymentTransaction]]:
        return [(p, tx) for p in self.payments for tx in p.transactions
                if tx.kind is not TransactionKind.AUTHORIZE and tx.idempotency_key.startswith("k")]

    def confirm(self, payment: Payment, tx: PaymentTransaction) -> None:
        was_pending = tx.status is TransactionStatus.PENDING
        payment.confirm(tx.id, f"mv_{tx.id}")
        if was_pending:
            self.expected[payment.id][tx.kind] += tx.amount

    # -- authorisation ---------------------------------------------------------------------------
    @rule(data=st.data(), outcome=st.sampled_from(["approve", "partial", "captured", "decline", "too_much"]))
    def answer_authorisation(self, data: st.DataObject, outcome: str) -> None:
        payment = data.draw(st.sampled_from(self.payments))
        amount = {"partial": max(1, payment.requested // 2), "too_much": payment.requested + 1}.get(
            outcome, payment.requested)
        if outcome == "decline":
            was_pending = payment.status is PaymentStatus.PENDING
            self.attempt(lambda: payment.fail(payment.authorization.id, "declined", "no"))
            assert payment.status is PaymentStatus.FAILED or not was_pending
            return
        state = GatewayState.CAPTURED if outcome == "captured" else GatewayState.AUTHORIZED
        authorization = Authorization(f"ref_{payment.id}_{outcome}", amount, "EUR", state)
        if self.attempt(lambda: payment.record_authorization(authorization)) and payment.authorized == amount:
            tally = self.expected[payment.id]
            if tally[TransactionKind.AUTHORIZE] == 0:
                tally[TransactionKind.AUTHORIZE] = amount
                tally[TransactionKind.CAPTURE] += amount if state is GatewayState.CAPTURED else 0

    # -- one payment -------------------------------------------------------------------------------
    @rule(data=st.data(), amount=AMOUNTS, confirm=st.booleans())
    def capture(self, data: st.DataObject, amount: int | str, confirm: bool) -> None:
        payment = data.draw(st.sampled_from(self.payments))
        value = self.resolve(amount, payment.capturable)
        tx = self.attempt(lambda: payment.capture(value, idempotency_key=self.key()))
        if tx and confirm:
            self.confirm(payment, tx)

    @rule(data=st.data(), amount=AMOUNTS, confirm=st.booleans())
    def refund(self, data: st.DataObject, amount: int | str, confirm: bool) -> None:
        payment = data.draw(st.sampled_from(self.payments))
        value = self.resolve(amount, payment.refundable)
        tx = self.attempt(lambda: payment.refund(value, idempotency_key=self.key()))
        if tx and confirm:
            self.confirm(payment, tx)

    @rule(data=st.data(), confirm=st.booleans())
    def void(self, data: st.DataObject, confirm: bool) -> None:
        payment = data.draw(st.sampled_from(self.payments))
        tx = self.attempt(lambda: payment.void(idempotency_key=self.key()))
        if tx and confirm:
            self.confirm(payment, tx)

    @precondition(lambda self: self.pending())
    @rule(data=st.data(), succeed=st.booleans())
    def provider_answers(self, data: st.DataObject, succeed: bool) -> None:
        payment, tx = data.draw(st.sampled_from(self.pending()))
        if succeed:
            self.confirm(payment, tx)
        else:
            payment.fail(tx.id, "declined", "no")

    @precondition(lambda self: self.settled())
    @rule(data=st.data(), same_request=st.booleans())
    def retry_with_a_used_key(self, data: st.DataObject, same_request: bool) -> None:
        payment, tx = data.draw(st.sampled_from(self.settled()))
        amount = tx.amount if same_request else tx.amount + 1
        retries = {TransactionKind.CAPTURE: lambda: payment.capture(amount, idempotency_key=tx.idempotency_key),
                   TransactionKind.REFUND: lambda: payment.refund(amount, idempotency_key=tx.idempotency_key),
                   TransactionKind.VOID: lambda: payment.void(idempotency_key=tx.idempotency_key)}
        before = self.snapshot()
        again = self.attempt(retries[tx.kind])
        if tx.kind is TransactionKind.VOID or same_request:
            assert again is tx, "a retry with the same key must return the first transaction"
        else:
            assert again is None, "the same key for another amount must be refused"
        assert self.snapshot() == before

    # -- the order's payments together ------------------------------------------------------------------
    @rule(amount=AMOUNTS)
    def capture_across_payments(self, amount: int | str) -> None:
        value = self.resolve(amount, sum(p.capturable for p in self.payments))
        shares = self.attempt(lambda: split_capture(self.payments, value))
        for share in shares or []:
            assert 0 < share.amount <= share.payment.capturable
            self.confirm(share.payment, share.payment.capture(share.amount, idempotency_key=self.key()))
        assert shares is None or sum(share.amount for share in shares) == value

    @rule(amount=AMOUNTS)
    def refund_across_payments(self, amount: int | str) -> None:
        value = self.resolve(amount, sum(p.refundable for p in self.payments))
        shares = self.attempt(lambda: split_refund(self.payments, value))
        for share in shares or []:
            assert 0 < share.amount <= share.payment.refundable
            self.confirm(share.payment, share.payment.refund(share.amount, idempotency_key=self.key()))
        assert shares is None or sum(share.amount for share in shares) == value

    # -- after every step ---------------------------------------------------------------------------
    @invariant()
    def captured_never_exceeds_authorised_and_refunded_never_exceeds_captured(self) -> None:
        for p in self.payments:
            assert 0 <= p.refunded <= p.captured <= p.authorized
            assert p.capturable >= 0 and p.refundable >= 0
        authorized, captured, refunded = (sum(getattr(p, name) for p in self.payments)
                                          for name in ("authorized", "captured", "refunded"))
        assert 0 <= refunded <= captured <= authorized

    @invariant()
    def counters_are_the_sums_of_succeeded_transactions(self) -> None:
        for p in self.payments:
            sums = {kind: 0 for kind in TransactionKind}
            for tx in p.transactions:
                if tx.status is TransactionStatus.SUCCEEDED:
                    sums[tx.kind] += tx.amount
            assert sums[TransactionKind.AUTHORIZE] == p.authorized == self.expected[p.id][TransactionKind.AUTHORIZE]
            assert sums[TransactionKind.CAPTURE] == p.captured == self.expected[p.id][TransactionKind.CAPTURE]
            assert sums[TransactionKind.REFUND] == p.refunded == self.expected[p.id][TransactionKind.REFUND]
            assert sums[TransactionKind.VOID] == self.expected[p.id][TransactionKind.VOID]
            assert sums[TransactionKind.VOID] == (p.authorized - p.captured if p.voided else 0)
            p.check_invariants()

    @invariant()
    def the_orders_status_agrees_with_the_money(self) -> None:
        status = derive_payment_status(self.payments)
        live = [p for p in self.payments if p.status is not PaymentStatus.FAILED]
        captured, refunded = sum(p.captured for p in live), sum(p.refunded for p in live)
        if status in (PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED):
            assert refunded > 0 and (refunded == captured) == (status is PaymentStatus.REFUNDED)
        if status in (PaymentStatus.CAPTURED, PaymentStatus.PARTIALLY_CAPTURED):
            assert captured > 0 and refunded == 0
        if status in (PaymentStatus.AUTHORIZED, PaymentStatus.VOIDED, PaymentStatus.PENDING):
            assert captured == 0
        assert (status is PaymentStatus.FAILED) == (not live)


class OnePaymentMachine(PaymentMachine):
    payment_count = st.just(1)


TestOnePayment = OnePaymentMachine.TestCase
TestOnePayment.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
TestSeveralPayments = PaymentMachine.TestCase
TestSeveralPayments.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
