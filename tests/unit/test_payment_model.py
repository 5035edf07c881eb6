"""The payment aggregate: authorisation, captures, voids and refunds, their invariants and errors; the order's
derived payment_status; the planners that split an order-level capture or refund over several payments."""

from __future__ import annotations

import itertools

import pytest

from baton.payments.gateway import Authorization, GatewayState
from baton.payments.model import (
    TRANSITIONS,
    Payment,
    PaymentMethod,
    PaymentStatus,
    TransactionKind,
    TransactionStatus,
    derive_payment_status,
)
from baton.payments.planning import split_capture, split_refund
from baton.shared.errors import Conflict, InvalidInput

S = PaymentStatus
_keys = iter(range(10**9))


def key() -> str:
    return f"key-{next(_keys)}"


def started(amount: int = 5000, *, method: PaymentMethod = PaymentMethod.SANDBOX, currency: str = "EUR") -> Payment:
    return Payment.start(order_id="ord_1", method=method, currency=currency, amount=amount, idempotency_key=key())


def authorized(amount: int = 5000, **kwargs) -> Payment:
    payment = started(amount, **kwargs)
    payment.record_authorization(Authorization(f"ref_{payment.id}", amount, payment.currency))
    return payment


def captured(payment: Payment, amount: int) -> Payment:
    payment.confirm(payment.capture(amount, idempotency_key=key()).id, "cap")
    return payment


def refunded(payment: Payment, amount: int) -> Payment:
    payment.confirm(payment.refund(amount, idempotency_key=key()).id, "ref")
    return payment


def voided(payment: Payment) -> Payment:
    payment.confirm(payment.void(idempotency_key=key()).id)
    return payment


def failed(payment: Payment) -> Payment:
    payment.fail(payment.authorization.id, "declined", "The card was declined.")
    return payment


def snapshot(payment: Payment) -> tuple:
    return (payment.authorized, payment.captured, payment.refunded, payment.voided, payment.status,
            [(tx.kind, tx.amount, tx.status) for tx in payment.transactions])


# -- authorisation -------------------------------------------------------------------------------
def test_a_started_payment_is_pending_with_a_pending_authorisation():
    payment = started(5000)
    assert payment.status is S.PENDING
    assert payment.authorization.kind is TransactionKind.AUTHORIZE
    assert payment.authorization.status is TransactionStatus.PENDING
    assert payment.authorized == 0 and payment.capturable == 0


@pytest.mark.parametrize("amount", [0, -1])
def test_a_payment_needs_a_positive_amount(amount):
    with pytest.raises(InvalidInput) as error:
        started(amount)
    assert error.value.code == "amount_not_positive"


def test_a_payment_needs_a_real_currency():
    with pytest.raises(InvalidInput) as error:
        started(100, currency="XXQ")
    assert error.value.field == "currency"


def test_an_unknown_method_is_refused():
    with pytest.raises(InvalidInput) as error:
        Payment.start(order_id="ord_1", method="paypal", currency="EUR", amount=100, idempotency_key="k")  # type: ignore[arg-type]
    assert error.value.field == "method" and error.value.code == "unknown_payment_method"


def test_statuses_loaded_as_plain_strings_work_like_the_enums():
    # given a payment as a database might hand it back: statuses and kinds as plain str
    payment = captured(authorized(5000), 1000)
    payment.status = str(payment.status)  # type: ignore[assignment]
    for tx in payment.transactions:
        tx.kind, tx.status = str(tx.kind), str(tx.status)  # type: ignore[assignment]
    # then the invariants and the transition table still apply
    captured(payment, 4000)
    assert payment.status == "captured" and payment.capturable == 0
    with pytest.raises(Conflict):
        payment.void(idempotency_key=key())
    assert derive_payment_status([payment]) == "captured"


def test_the_providers_authorisation_makes_the_payment_authorized():
    payment = started(5000)
    payment.record_authorization(Authorization("pi_1", 5000, "EUR", details={"brand": "visa"}))
    assert payment.status is S.AUTHORIZED
    assert (payment.reference, payment.authorized, payment.capturable) == ("pi_1", 5000, 5000)
    assert payment.details == {"brand": "visa"}
    assert payment.authorization.status is TransactionStatus.SUCCEEDED


def test_a_partial_authorisation_holds_only_what_the_provider_granted():
    # given a gift card with less on it than was asked for
    payment = started(5000, method=PaymentMethod.GIFT_CARD)
    payment.record_authorization(Authorization("gc_1", 3000, "EUR"))
    assert payment.authorized == 3000 and payment.authorization.amount == 3000
    payment.check_invariants()


def test_a_manual_promise_counts_as_authorised_and_keeps_its_terms():
    payment = started(125000, method=PaymentMethod.MANUAL)
    payment.record_authorization(Authorization("man_1", 125000, "EUR", GatewayState.PENDING, {"terms": "net 30"}))
    assert payment.status is S.AUTHORIZED and payment.details["terms"] == "net 30"


def test_a_payment_captured_by_the_storefront_is_recorded_as_captured():
    payment = started(5000, method=PaymentMethod.EXTERNAL)
    payment.record_authorization(Authorization("ext_1", 5000, "EUR", GatewayState.CAPTURED))
    assert payment.status is S.CAPTURED and payment.captured == 5000 and payment.refundable == 5000
    assert [tx.kind for tx in payment.transactions] == [TransactionKind.AUTHORIZE, TransactionKind.CAPTURE]


def test_the_same_authorisation_recorded_twice_is_harmless_and_a_different_one_is_refused():
    payment = authorized(5000)
    payment.record_authorization(Authorization(payment.reference or "", 5000, "EUR"))  # a retry
    assert payment.authorized == 5000
    with pytest.raises(Conflict) as error:
        payment.record_authorization(Authorization("other", 5000, "EUR"))
    assert error.value.code == "authorization_settled"


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (Authorization("r", 6000, "EUR"), "authorization_mismatch"),  # more than was asked for
        (Authorization("r", 5000, "USD"), "currency_mismatch"),
        (Authorization("r", 5000, "EUR", GatewayState.UNKNOWN), "authorization_not_usable"),
    ],
)
def test_an_authorisation_that_does_not_fit_the_payment_is_refused_and_changes_nothing(authorization, code):
    payment = started(5000)
    before = snapshot(payment)
    with pytest.raises(Conflict) as error:
        payment.record_authorization(authorization)
    assert error.value.code == code
    assert snapshot(payment) == before


def test_a_declined_authorisation_fails_the_payment():
    payment = failed(started(5000))
    assert payment.status is S.FAILED
    assert payment.authorization.failure_code == "declined"
    assert payment.capturable == 0


@pytest.mark.parametrize("action", ["capture", "void", "refund"])
def test_a_payment_that_was_never_authorised_cannot_move_money(action):
    for payment in (started(5000), failed(started(5000))):
        with pytest.raises(Conflict) as error:
            if action == "void":
                payment.void(idempotency_key=key())
            else:
                getattr(payment, action)(100, idempotency_key=key())
        assert error.value.code == "payment_not_authorized"


# -- captures --------------------------------------------------------------------------------------
def test_partial_captures_add_up_to_the_authorised_amount():
    payment = captured(authorized(5000), 2000)
    assert payment.status is S.PARTIALLY_CAPTURED and payment.capturable == 3000
    captured(payment, 3000)
    assert payment.status is S.CAPTURED and payment.capturable == 0


def test_a_pending_capture_holds_its_amount_until_the_provider_answers():
    # given a capture asked for and not yet confirmed
    payment = authorized(5000)
    tx = payment.capture(4000, idempotency_key=key())
    # then the counters have not moved, but no second request can promise the same money
    assert payment.captured == 0 and payment.capturable == 1000
    with pytest.raises(InvalidInput):
        payment.capture(2000, idempotency_key=key())
    # when the provider refuses, the amount is free again
    payment.fail(tx.id, "capture_declined", "refused")
    assert payment.capturable == 5000 and payment.status is S.AUTHORIZED


def test_capturing_more_than_is_left_is_refused_with_what_is_left():
    payment = captured(authorized(5000), 3750)
    before = snapshot(payment)
    with pytest.raises(InvalidInput) as error:
        payment.capture(1251, idempotency_key=key())
    assert error.value.field == "amount" and error.value.code == "capture_exceeds_authorized"
    assert "only EUR 12.50 can still be captured" in error.value.detail
    assert snapshot(payment) == before


@pytest.mark.parametrize("amount", [0, -100])
def test_a_capture_must_be_positive(amount):
    payment = authorized(5000)
    with pytest.raises(InvalidInput) as error:
        payment.capture(amount, idempotency_key=key())
    assert error.value.code == "amount_not_positive"
    assert len(payment.transactions) == 1


def test_capture_after_void_is_a_conflict():
    payment = voided(authorized(5000))
    with pytest.raises(Conflict) as error:
        payment.capture(100, idempotency_key=key())
    assert error.value.code == "payment_voided"


def test_capture_while_a_void_is_pending_is_a_conflict():
    payment = authorized(5000)
    payment.void(idempotency_key=key())
    with pytest.raises(Conflict) as error:
        payment.capture(100, idempotency_key=key())
    assert error.value.code == "payment_voided"


def test_money_formatting_follows_the_currency_exponent():
    jpy = captured(authorized(500, currency="JPY"), 400)
    with pytest.raises(InvalidInput, match="only JPY 100 can still be captured"):
        jpy.capture(101, idempotency_key=key())
    kwd = captured(authorized(5000, currency="KWD"), 1)
    with pytest.raises(InvalidInput, match=r"only KWD 4\.999 can still be captured"):
        kwd.capture(5000, idempotency_key=key())


# -- idempotency -----------------------------------------------------------------------------------
def test_the_same_idempotency_key_returns_the_first_transaction_and_moves_nothing_again():
    payment = authorized(5000)
    first = payment.capture(2000, idempotency_key="ship-1")
    payment.confirm(first.id, "cap_1")
    again = payment.capture(2000, idempotency_key="ship-1")
    assert again is first and payment.captured == 2000 and len(payment.transactions) == 2


def test_a_retry_of_a_fully_used_capture_still_gets_its_first_answer():
    payment = authorized(5000)
    first = payment.capture(5000, idempotency_key="ship-1")
    payment.confirm(first.id, "cap_1")
    assert payment.capture(5000, idempotency_key="ship-1") is first  # no "nothing left to capture"


def test_the_same_idempotency_key_for_another_request_is_refused():
    payment = authorized(5000)
    payment.capture(2000, idempotency_key="ship-1")
    for retry in (lambda: payment.capture(2500, idempotency_key="ship-1"),
                  lambda: payment.refund(2000, idempotency_key="ship-1")):
        with pytest.raises(InvalidInput) as error:
            retry()
        assert error.value.field == "idempotency_key" and error.value.code == "idempotency_key_reused"


def test_confirming_or_failing_twice_is_harmless_but_an_outcome_never_flips():
    payment = authorized(5000)
    tx = payment.capture(1000, idempotency_key=key())
    payment.confirm(tx.id, "cap")
    payment.confirm(tx.id, "cap")
    assert payment.captured == 1000
    with pytest.raises(Conflict) as error:
        payment.fail(tx.id, "declined", "too late")
    assert error.value.code == "transaction_settled"
    other = payment.capture(1000, idempotency_key=key())
    payment.fail(other.id, "declined", "no")
    payment.fail(other.id, "declined", "no")
    with pytest.raises(Conflict):
        payment.confirm(other.id, "cap")
    assert payment.captured == 1000


def test_an_unknown_transaction_is_refused():
    payment = authorized(5000)
    with pytest.raises(InvalidInput) as error:
        payment.confirm("ptx_nope")
    assert error.value.field == "transaction_id"


def test_an_authorisation_is_not_confirmed_with_confirm():
    payment = started(5000)
    with pytest.raises(InvalidInput):
        payment.confirm(payment.authorization.id, "pi_1")


# -- voids -----------------------------------------------------------------------------------------
def test_a_void_releases_everything_when_nothing_was_captured():
    payment = voided(authorized(5000))
    assert payment.status is S.VOIDED and payment.voided and payment.uncaptured == 0
    assert payment.transactions[-1].amount == 5000


def test_a_void_after_a_partial_capture_releases_only_the_rest():
    # given an order that shipped 30.00 of 50.00 and then cancelled the rest
    payment = voided(captured(authorized(5000), 3000))
    assert payment.status is S.CAPTURED and payment.captured == 3000
    assert payment.transactions[-1].kind is TransactionKind.VOID and payment.transactions[-1].amount == 2000
    refunded(payment, 3000)  # captured money can still go back
    assert payment.status is S.REFUNDED


def test_a_fully_captured_payment_cannot_be_voided():
    payment = captured(authorized(5000), 5000)
    with pytest.raises(Conflict) as error:
        payment.void(idempotency_key=key())
    assert error.value.code == "nothing_to_void"


def test_a_payment_cannot_be_voided_twice():
    payment = voided(authorized(5000))
    with pytest.raises(Conflict) as error:
        payment.void(idempotency_key=key())
    assert error.value.code == "payment_voided"


def test_a_void_waits_for_a_capture_in_progress():
    payment = authorized(5000)
    payment.capture(1000, idempotency_key=key())
    with pytest.raises(Conflict) as error:
        payment.void(idempotency_key=key())
    assert error.value.code == "transaction_in_progress"


def test_a_failed_void_leaves_the_hold_in_place():
    payment = authorized(5000)
    tx = payment.void(idempotency_key=key())
    payment.fail(tx.id, "provider_error", "try again")
    assert not payment.voided and payment.capturable == 5000 and payment.status is S.AUTHORIZED


# -- refunds ---------------------------------------------------------------------------------------
def test_partial_refunds_add_up_to_what_was_captured():
    payment = refunded(captured(authorized(5000), 5000), 1000)
    assert payment.status is S.PARTIALLY_REFUNDED and payment.refundable == 4000
    refunded(payment, 4000)
    assert payment.status is S.REFUNDED and payment.refundable == 0


def test_refunding_more_than_was_captured_is_refused_with_what_is_left():
    payment = refunded(captured(authorized(5000), 5000), 3750)
    before = snapshot(payment)
    with pytest.raises(InvalidInput) as error:
        payment.refund(1251, idempotency_key=key())
    assert error.value.code == "refund_exceeds_captured"
    assert error.value.detail == ("amount: EUR 12.51 is more than this payment can still refund; "
                                  "only EUR 12.50 can still be refunded.")
    assert snapshot(payment) == before


def test_a_refund_before_any_capture_says_nothing_was_captured():
    payment = authorized(5000)
    with pytest.raises(InvalidInput, match="nothing has been captured"):
        payment.refund(100, idempotency_key=key())


@pytest.mark.parametrize("amount", [0, -1])
def test_a_refund_must_be_positive(amount):
    payment = captured(authorized(5000), 5000)
    with pytest.raises(InvalidInput) as error:
        payment.refund(amount, idempotency_key=key())
    assert error.value.code == "amount_not_positive"


def test_pending_refunds_hold_their_amount_so_two_refunds_cannot_exceed_the_capture():
    payment = captured(authorized(5000), 5000)
    payment.refund(3000, idempotency_key=key())
    with pytest.raises(InvalidInput, match=r"only EUR 20\.00"):
        payment.refund(3000, idempotency_key=key())


def test_what_is_still_authorised_can_be_captured_after_a_refund():
    # given ship 20.00, return it, then ship the other 30.00
    payment = refunded(captured(authorized(5000), 2000), 2000)
    assert payment.status is S.REFUNDED
    captured(payment, 3000)
    assert payment.status is S.PARTIALLY_REFUNDED and payment.refundable == 3000


# -- the transition table ---------------------------------------------------------------------------
def test_every_status_a_payment_can_have_is_in_the_transition_table_and_end_states_lead_nowhere():
    assert set(TRANSITIONS) == set(PaymentStatus) - {S.NONE}
    assert TRANSITIONS[S.VOIDED] == TRANSITIONS[S.FAILED] == frozenset()
    assert all(target in TRANSITIONS for targets in TRANSITIONS.values() for target in targets)


def test_a_walk_through_the_lifecycle_follows_the_table():
    payment = started(5000)
    seen = [payment.status]
    payment.record_authorization(Authorization("pi", 5000, "EUR"))
    seen.append(payment.status)
    for step in (lambda: captured(payment, 2000), lambda: captured(payment, 3000),
                 lambda: refunded(payment, 1000), lambda: refunded(payment, 4000)):
        step()
        seen.append(payment.status)
    assert seen == [S.PENDING, S.AUTHORIZED, S.PARTIALLY_CAPTURED, S.CAPTURED, S.PARTIALLY_REFUNDED, S.REFUNDED]
    assert all(b is a or b in TRANSITIONS[a] for a, b in itertools.pairwise(seen))


def test_transactions_carry_reason_reference_key_and_time():
    payment = authorized(5000)
    tx = payment.capture(1000, idempotency_key="shp_1:capture", reason="shipment shp_1")
    payment.confirm(tx.id, "ch_1")
    assert (tx.reason, tx.gateway_reference, tx.idempotency_key) == ("shipment shp_1", "ch_1", "shp_1:capture")
    assert tx.created_at.tzinfo is not None and tx.settled_at is not None


# -- the order's payment_status ----------------------------------------------------------------------
def card(amount: int = 7000) -> Payment:
    return authorized(amount, method=PaymentMethod.STRIPE)


def gift(amount: int = 3000) -> Payment:
    return authorized(amount, method=PaymentMethod.GIFT_CARD)


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: [], S.NONE),
        (lambda: [failed(started())], S.FAILED),
        (lambda: [failed(started()), failed(started())], S.FAILED),
        (lambda: [started()], S.PENDING),
        (lambda: [gift(), started()], S.PENDING),  # the card's authorisation timed out
        (lambda: [failed(started()), card()], S.AUTHORIZED),  # a declined card replaced by another
        (lambda: [gift(), card()], S.AUTHORIZED),
        (lambda: [voided(gift()), voided(card())], S.VOIDED),
        (lambda: [voided(gift()), card()], S.AUTHORIZED),
        (lambda: [captured(gift(), 3000), card()], S.PARTIALLY_CAPTURED),
        (lambda: [captured(gift(), 3000), captured(card(), 7000)], S.CAPTURED),
        (lambda: [captured(gift(), 3000), voided(captured(card(), 1000))], S.CAPTURED),  # the rest cancelled
        (lambda: [captured(gift(), 3000), voided(card())], S.CAPTURED),
        (lambda: [refunded(captured(gift(), 3000), 1), captured(card(), 7000)], S.PARTIALLY_REFUNDED),
        (lambda: [refunded(captured(gift(), 3000), 3000), card()], S.REFUNDED),  # all captured money went back
        (lambda: [refunded(captured(gift(), 3000), 3000), refunded(captured(card(), 7000), 7000)], S.REFUNDED),
        (lambda: [failed(started()), refunded(captured(card(), 10), 10)], S.REFUNDED),
    ],
)
def test_the_orders_payment_status_is_derived_from_all_its_payments(build, expected):
    assert derive_payment_status(build()) is expected


@pytest.mark.parametrize(
    "build",
    [lambda: started(), lambda: failed(started()), lambda: card(), lambda: captured(card(), 10),
     lambda: captured(card(), 7000), lambda: voided(card()), lambda: refunded(captured(card(), 7000), 5),
     lambda: refunded(captured(card(), 7000), 7000)],
)
def test_one_payments_own_status_is_the_order_status_it_alone_would_give(build):
    payment = build()
    assert derive_payment_status([payment]) is payment.status


# -- split planners -----------------------------------------------------------------------------------
def amounts(shares) -> list[tuple[PaymentMethod, int]]:
    return [(share.payment.method, share.amount) for share in shares]


def test_captures_take_stored_value_first_then_the_card():
    payments = [card(7000), gift(3000)]  # the order in which they were added does not matter
    assert amounts(split_capture(payments, 4000)) == [(PaymentMethod.GIFT_CARD, 3000), (PaymentMethod.STRIPE, 1000)]
    assert amounts(split_capture(payments, 2000)) == [(PaymentMethod.GIFT_CARD, 2000)]


def test_stored_value_keeps_the_order_it_was_added_in():
    credit = authorized(1000, method=PaymentMethod.STORE_CREDIT)
    shares = split_capture([card(7000), credit, gift(3000)], 5000)
    assert amounts(shares) == [(PaymentMethod.STORE_CREDIT, 1000), (PaymentMethod.GIFT_CARD, 3000),
                               (PaymentMethod.STRIPE, 1000)]


def test_captures_skip_what_cannot_be_captured_any_more():
    payments = [captured(gift(3000), 2500), card(7000), failed(started()), voided(card(500))]
    assert amounts(split_capture(payments, 1000)) == [(PaymentMethod.GIFT_CARD, 500), (PaymentMethod.STRIPE, 500)]


def test_a_capture_above_what_the_payments_hold_is_refused():
    with pytest.raises(InvalidInput) as error:
        split_capture([gift(3000), card(7000)], 10001)
    assert error.value.code == "capture_exceeds_authorized"
    assert "only EUR 100.00 can still be captured" in error.value.detail


def test_refunds_go_back_card_first_then_stored_value():
    g, c = captured(gift(3000), 3000), captured(card(7000), 2000)
    assert amounts(split_refund([g, c], 2500)) == [(PaymentMethod.STRIPE, 2000), (PaymentMethod.GIFT_CARD, 500)]
    assert amounts(split_refund([g, c], 1500)) == [(PaymentMethod.STRIPE, 1500)]


def test_refunds_unwind_captures_so_the_payments_stand_as_if_only_the_net_was_captured():
    # given ship 40.00 (gift card 30.00 + card 10.00), ship 60.00 (card), return the 60.00
    g, c = gift(3000), card(7000)
    for amount in (4000, 6000):
        for share in split_capture([g, c], amount):
            captured(share.payment, share.amount)
    for share in split_refund([g, c], 6000):
        refunded(share.payment, share.amount)
    # then each payment's net is what capturing 40.00 alone would have taken
    assert [(p.captured - p.refunded) for p in (g, c)] == [3000, 1000]


def test_a_refund_above_what_was_captured_is_refused():
    with pytest.raises(InvalidInput) as error:
        split_refund([captured(gift(3000), 3000), card(7000)], 3001)
    assert error.value.code == "refund_exceeds_captured"
    assert "only EUR 30.00 can still be refunded" in error.value.detail


def test_a_refund_on_an_order_without_payments_is_a_conflict():
    with pytest.raises(Conflict) as error:
        split_refund([], 100)
    assert error.value.code == "no_payments"


@pytest.mark.parametrize("amount", [0, -5])
def test_planned_amounts_must_be_positive(amount):
    for plan in (split_capture, split_refund):
        with pytest.raises(InvalidInput):
            plan([captured(card(), 100)], amount)
