"""The sandbox and manual gateways: every documented token, timeouts resolved by lookup, idempotent references,
minor units passed through unchanged, and the registry that finds a gateway by name."""

from __future__ import annotations

import pytest

from baton.adapters.payments import get_gateway, stateless_gateway
from baton.adapters.payments.manual import ManualGateway
from baton.adapters.payments.sandbox import SandboxGateway
from baton.payments.gateway import (
    Authorization,
    GatewayState,
    GatewayUnavailable,
    PaymentFailed,
    PaymentGateway,
)
from baton.payments.model import Payment, PaymentMethod
from baton.payments.reauthorization import reusable_token
from baton.shared.errors import InvalidInput

sandbox = SandboxGateway()
manual = ManualGateway()


def authorize(gateway: PaymentGateway, token: str, amount: int = 1999, currency: str = "USD", key: str = "k1"):
    return gateway.authorize(token=token, amount=amount, currency=currency, idempotency_key=key)


# -- sandbox ---------------------------------------------------------------------------------------
def test_tok_approve_authorises_the_full_amount():
    authorization = authorize(sandbox, "tok_approve")
    assert authorization.state is GatewayState.AUTHORIZED
    assert (authorization.amount, authorization.currency) == (1999, "USD")
    assert authorization.reference.startswith("sbx_approve_1999_USD_")


@pytest.mark.parametrize(
    ("token", "code"),
    [("tok_decline", "declined"), ("tok_insufficient_funds", "insufficient_funds"), ("tok_expired", "expired"),
     ("tok_nope", "invalid_token"), ("approve", "invalid_token"), ("", "invalid_token")],
)
def test_refusing_tokens_fail_with_a_stable_code(token, code):
    with pytest.raises(PaymentFailed) as error:
        authorize(sandbox, token)
    assert error.value.code == code and error.value.message


def test_tok_timeout_raises_but_the_authorisation_happened_and_lookup_says_so():
    # when the answer is lost
    with pytest.raises(GatewayUnavailable) as error:
        authorize(sandbox, "tok_timeout", amount=4200, currency="EUR")
    reference = error.value.reference
    assert reference
    # then lookup finds the authorisation, and it can be captured
    view = sandbox.lookup(reference=reference)
    assert (view.state, view.authorized, view.captured, view.refunded) == (GatewayState.AUTHORIZED, 4200, 0, 0)
    assert sandbox.capture(reference=reference, amount=4200, currency="EUR", idempotency_key="c").amount == 4200


def test_tok_timeout_resolved_by_lookup_authorises_baton_payment():
    # given a payment whose authorisation timed out
    payment = Payment.start(order_id="ord_1", method=PaymentMethod.SANDBOX, currency="EUR", amount=4200,
                            idempotency_key="auth-1")
    with pytest.raises(GatewayUnavailable) as error:
        authorize(sandbox, "tok_timeout", amount=4200, currency="EUR", key="auth-1")
    assert payment.status == "pending"
    # when a worker looks it up
    view = sandbox.lookup(reference=error.value.reference or "")
    payment.record_authorization(Authorization(view.reference, view.authorized, "EUR", view.state))
    # then the payment is authorised
    assert payment.status == "authorized" and payment.capturable == 4200


def test_tok_error_raises_and_nothing_happened():
    with pytest.raises(GatewayUnavailable) as error:
        authorize(sandbox, "tok_error")
    reference = error.value.reference or ""
    assert sandbox.lookup(reference=reference).state is GatewayState.UNKNOWN
    with pytest.raises(PaymentFailed) as refused:
        sandbox.capture(reference=reference, amount=1, currency="USD", idempotency_key="c")
    assert refused.value.code == "invalid_reference"


def test_declined_and_unknown_references_look_up_as_failed_and_unknown():
    assert sandbox.lookup(reference="sbx_decline_100_USD_0123456789abcdef").state is GatewayState.FAILED
    assert sandbox.lookup(reference="pi_123").state is GatewayState.UNKNOWN
    assert sandbox.lookup(reference="sbx_bogus_100_USD_0123456789abcdef").state is GatewayState.UNKNOWN


def test_captures_voids_and_refunds_work_on_an_approved_payment():
    reference = authorize(sandbox, "tok_approve").reference
    capture = sandbox.capture(reference=reference, amount=1000, currency="USD", idempotency_key="c1")
    refund = sandbox.refund(reference=reference, amount=500, currency="USD", idempotency_key="r1")
    sandbox.void(reference=reference, idempotency_key="v1")
    assert capture.amount == 1000 and capture.reference.startswith("sbxcap_")
    assert refund.amount == 500 and refund.reference.startswith("sbxref_")


@pytest.mark.parametrize(("token", "action", "code"),
                         [("tok_capture_decline", "capture", "capture_declined"),
                          ("tok_refund_decline", "refund", "refund_declined")])
def test_tokens_that_approve_and_then_refuse_to_move_money(token, action, code):
    reference = authorize(sandbox, token).reference
    with pytest.raises(PaymentFailed) as error:
        getattr(sandbox, action)(reference=reference, amount=100, currency="USD", idempotency_key="m1")
    assert error.value.code == code


def test_the_same_idempotency_key_gives_the_same_reference_and_another_key_another():
    first, again = authorize(sandbox, "tok_approve", key="same"), authorize(sandbox, "tok_approve", key="same")
    assert first.reference == again.reference
    assert authorize(sandbox, "tok_approve", key="other").reference != first.reference
    moves = [sandbox.capture(reference=first.reference, amount=100, currency="USD", idempotency_key=k)
             for k in ("c1", "c1", "c2")]
    assert moves[0] == moves[1] and moves[0].reference != moves[2].reference


def test_a_timeout_retried_with_the_same_key_names_the_same_payment():
    references = set()
    for _ in range(2):
        with pytest.raises(GatewayUnavailable) as error:
            authorize(sandbox, "tok_timeout", key="retry")
        references.add(error.value.reference)
    assert len(references) == 1


def test_a_second_gateway_instance_knows_everything_the_first_did():
    # the sandbox keeps no state: another process (a new instance here) gives the same answers
    reference = authorize(sandbox, "tok_approve", amount=700, currency="EUR").reference
    other = SandboxGateway()
    assert other.lookup(reference=reference).authorized == 700
    assert other.capture(reference=reference, amount=700, currency="EUR", idempotency_key="c").amount == 700


@pytest.mark.parametrize(("currency", "amount"), [("JPY", 500), ("KWD", 1234), ("USD", 1999)])
def test_amounts_in_any_exponent_pass_through_unchanged_as_minor_units(currency, amount):
    for gateway, token in ((sandbox, "tok_approve"), (manual, "manual:invoice:net30")):
        authorization = authorize(gateway, token, amount=amount, currency=currency)
        assert (authorization.amount, authorization.currency) == (amount, currency)
        assert gateway.lookup(reference=authorization.reference).authorized == amount
        for move in (gateway.capture, gateway.refund):
            assert move(reference=authorization.reference, amount=amount, currency=currency,
                        idempotency_key="m").amount == amount


@pytest.mark.parametrize("gateway", [sandbox, manual], ids=["sandbox", "manual"])
def test_movements_beyond_the_authorisation_or_in_another_currency_are_refused(gateway):
    token = "tok_approve" if gateway is sandbox else "manual:cod"
    reference = authorize(gateway, token, amount=1000, currency="EUR").reference
    cases = [(1001, "EUR", "amount_too_large"), (0, "EUR", "invalid_amount"), (100, "USD", "currency_mismatch")]
    for amount, currency, code in cases:
        with pytest.raises(PaymentFailed) as error:
            gateway.capture(reference=reference, amount=amount, currency=currency, idempotency_key="c")
        assert error.value.code == code
    with pytest.raises(PaymentFailed) as error:
        gateway.void(reference="nope", idempotency_key="v")
    assert error.value.code == "invalid_reference"


@pytest.mark.parametrize("gateway", [sandbox, manual], ids=["sandbox", "manual"])
@pytest.mark.parametrize(("amount", "currency", "code"),
                         [(0, "EUR", "invalid_amount"), (-5, "EUR", "invalid_amount"),
                          (100, "eur", "invalid_currency")])
def test_bad_amounts_and_currencies_are_refused_at_authorisation(gateway, amount, currency, code):
    token = "tok_approve" if gateway is sandbox else "manual:cod"
    with pytest.raises(PaymentFailed) as error:
        authorize(gateway, token, amount=amount, currency=currency)
    assert error.value.code == code


# -- manual ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("token", "method", "terms"),
    [("manual:cod", "cod", "cash on delivery"), ("manual:bank_transfer", "bank_transfer", "payment in advance"),
     ("manual:invoice:net30", "invoice", "net 30"), ("manual:invoice:net14", "invoice", "net 14"),
     ("manual:invoice", "invoice", "net 30")],
)
def test_manual_tokens_promise_the_money_with_their_terms_and_instructions(token, method, terms):
    authorization = authorize(manual, token, amount=125000, currency="EUR")
    assert authorization.state is GatewayState.PENDING
    assert authorization.details["method"] == method and authorization.details["terms"] == terms
    assert "EUR 1250.00" in authorization.details["instructions"]


def test_an_invoice_says_when_it_is_due_and_what_to_quote():
    authorization = authorize(manual, "manual:invoice:net60", amount=990, currency="KWD")
    assert authorization.details["due_days"] == "60"
    assert authorization.details["instructions"] == (
        f"Pay KWD 0.990 within 60 days of the invoice date quoting {authorization.reference}.")


@pytest.mark.parametrize("token", ["manual:cheque", "manual:invoice:net0", "manual:invoice:net400",
                                   "manual:invoice:30", "manual", "tok_approve", "manual:cod:extra"])
def test_unknown_manual_tokens_fail_as_invalid(token):
    with pytest.raises(PaymentFailed) as error:
        authorize(manual, token)
    assert error.value.code == "invalid_token"


def test_manual_capture_records_money_received_and_void_and_refund_are_bookkeeping():
    reference = authorize(manual, "manual:bank_transfer", amount=5000, currency="EUR").reference
    received = manual.capture(reference=reference, amount=5000, currency="EUR", idempotency_key="in-1")
    assert received.amount == 5000 and received.reference.startswith("mancap_")
    assert manual.capture(reference=reference, amount=5000, currency="EUR", idempotency_key="in-1") == received
    assert manual.refund(reference=reference, amount=2000, currency="EUR", idempotency_key="out-1").amount == 2000
    manual.void(reference=reference, idempotency_key="v-1")
    view = manual.lookup(reference=reference)
    assert (view.state, view.authorized) == (GatewayState.PENDING, 5000)
    assert manual.lookup(reference="sbx_approve_1_USD_0123456789abcdef").state is GatewayState.UNKNOWN


def test_a_manual_promise_authorises_baton_payment_and_capture_records_its_arrival():
    payment = Payment.start(order_id="ord_1", method=PaymentMethod.MANUAL, currency="EUR", amount=5000,
                            idempotency_key="auth-1")
    payment.record_authorization(authorize(manual, "manual:invoice:net30", amount=5000, currency="EUR",
                                           key="auth-1"))
    assert payment.status == "authorized" and payment.details["terms"] == "net 30"
    tx = payment.capture(5000, idempotency_key="paid-1", reason="invoice paid")
    received = manual.capture(reference=payment.reference or "", amount=5000, currency="EUR",
                              idempotency_key="paid-1")
    payment.confirm(tx.id, received.reference)
    assert payment.status == "captured"


# -- registry ---------------------------------------------------------------------------------------------
def test_the_registry_finds_gateways_by_name():
    assert isinstance(get_gateway("sandbox"), SandboxGateway) and get_gateway("sandbox").name == "sandbox"
    assert isinstance(get_gateway("manual"), ManualGateway) and get_gateway("manual").name == "manual"


@pytest.mark.parametrize("name", ["paypal", "gift_card", "external", ""])
def test_the_registry_refuses_names_that_are_not_gateways(name):
    with pytest.raises(InvalidInput) as error:
        get_gateway(name)
    assert error.value.field == "payment.method" and error.value.code == "unknown_payment_method"


# -- authorising again (order edits, dearer exchanges) ----------------------------------------------------------
@pytest.mark.parametrize("token", ["tok_approve", "tok_capture_decline", "tok_refund_decline"])
def test_the_sandbox_gives_back_the_token_of_the_card_that_authorised_a_reference(token):
    reference = authorize(sandbox, token).reference
    assert sandbox.reauthorization_token(reference) == token
    assert authorize(sandbox, sandbox.reauthorization_token(reference) or "", key="k2").state is GatewayState.AUTHORIZED


@pytest.mark.parametrize("token", ["manual:cod", "manual:bank_transfer", "manual:invoice:net14"])
def test_the_manual_gateway_authorises_again_with_the_same_method_and_terms(token):
    first = authorize(manual, token)
    again = authorize(manual, manual.reauthorization_token(first.reference) or "", key="k2")
    assert again.details["terms"] == first.details["terms"]


@pytest.mark.parametrize(("gateway", "reference"), [
    (sandbox, "sbx_decline_1999_USD_0123456789abcdef"), (sandbox, "sbx_error_1999_USD_0123456789abcdef"),
    (sandbox, "pi_123"), (manual, "sbx_approve_1999_USD_0123456789abcdef"), (manual, "")])
def test_a_reference_that_never_authorised_gives_no_token(gateway, reference):
    assert gateway.reauthorization_token(reference) is None


def test_a_payment_authorises_again_only_through_its_own_gateway_when_it_still_holds_money():
    payment = Payment.start(order_id="ord_1", method=PaymentMethod.SANDBOX, currency="USD", amount=1999,
                            idempotency_key="k1")
    assert reusable_token(payment, stateless_gateway) is None  # not authorised yet
    payment.record_authorization(authorize(sandbox, "tok_approve"))
    assert reusable_token(payment, stateless_gateway) == "tok_approve"
    stripe_paid = Payment.start(order_id="ord_1", method=PaymentMethod.STRIPE, currency="USD", amount=1999,
                                idempotency_key="k1")
    stripe_paid.record_authorization(Authorization("pi_123", 1999, "USD"))
    assert reusable_token(stripe_paid, stateless_gateway) is None  # not configured here: the customer pays again
