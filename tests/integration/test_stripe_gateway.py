"""The stripe adapter, through the official `stripe` package, against a local fake of Stripe's HTTP API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from baton.adapters.payments.stripe import StripeGateway
from baton.payments.gateway import GatewayState, GatewayUnavailable, PaymentFailed, PaymentView
from tests.fakes.stripe_api import API_KEY, FakeStripe


@pytest.fixture
def stripe_api() -> Iterator[FakeStripe]:
    with FakeStripe() as fake:
        yield fake


@pytest.fixture
def gateway(stripe_api: FakeStripe) -> StripeGateway:
    return StripeGateway(API_KEY, api_base=stripe_api.url, timeout=10)


def authorize(
    gateway: StripeGateway,
    token: str = "pm_card_visa",
    amount: int = 10_000,
    currency: str = "USD",
    key: str = "auth-1",
) -> str:
    return gateway.authorize(token=token, amount=amount, currency=currency, idempotency_key=key).reference


# -- authorisation --------------------------------------------------------------------------------------------


def test_an_approved_card_is_authorised_for_manual_capture(gateway: StripeGateway, stripe_api: FakeStripe) -> None:
    authorization = gateway.authorize(token="pm_card_visa", amount=10_000, currency="USD", idempotency_key="a")

    assert authorization.reference.startswith("pi_")
    assert (authorization.amount, authorization.currency, authorization.state) == (10_000, "USD", "authorized")
    intent = stripe_api.intents[authorization.reference]
    assert (intent["capture_method"], intent["currency"], intent["amount_received"]) == ("manual", "usd", 0)
    assert stripe_api.api_versions == {stripe.api_version}  # the version the installed package pins
    assert gateway.lookup(reference=authorization.reference) == PaymentView(
        authorization.reference, GatewayState.AUTHORIZED, authorized=10_000, captured=0, refunded=0
    )


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("pm_card_visa_chargeDeclined", "declined"),
        ("pm_card_visa_chargeDeclinedInsufficientFunds", "insufficient_funds"),
        ("pm_card_chargeDeclinedExpiredCard", "expired"),
        ("pm_card_authenticationRequired", "authentication_required"),
        ("pm_does_not_exist", "invalid_token"),
    ],
)
def test_a_card_stripe_refuses_fails_with_a_stable_code(gateway: StripeGateway, token: str, code: str) -> None:
    with pytest.raises(PaymentFailed) as failed:
        authorize(gateway, token)

    assert failed.value.code == code


def test_a_storefront_authorisation_is_taken_over_without_a_new_charge(
    gateway: StripeGateway, stripe_api: FakeStripe
) -> None:
    intent_id = stripe_api.storefront_intent(12_000, "eur")

    authorization = gateway.authorize(token=intent_id, amount=11_500, currency="EUR", idempotency_key="take")

    assert (authorization.reference, authorization.amount) == (intent_id, 11_500)
    assert authorization.details == {"multicapture": "unavailable"}  # the storefront did not request it
    assert len(stripe_api.intents) == 1


@pytest.mark.parametrize(
    ("amount", "currency", "code"),
    [(12_001, "EUR", "amount_too_large"), (12_000, "USD", "currency_mismatch")],
)
def test_a_storefront_authorisation_that_does_not_cover_the_order_is_refused(
    gateway: StripeGateway, stripe_api: FakeStripe, amount: int, currency: str, code: str
) -> None:
    intent_id = stripe_api.storefront_intent(12_000, "eur")

    with pytest.raises(PaymentFailed) as failed:
        gateway.authorize(token=intent_id, amount=amount, currency=currency, idempotency_key="take")

    assert failed.value.code == code


def test_taking_over_an_unknown_or_captured_intent_fails(gateway: StripeGateway, stripe_api: FakeStripe) -> None:
    captured = authorize(gateway)
    gateway.capture(reference=captured, amount=10_000, currency="USD", idempotency_key="cap")

    with pytest.raises(PaymentFailed) as unknown:
        authorize(gateway, "pi_unknown", key="t1")
    with pytest.raises(PaymentFailed) as taken:
        authorize(gateway, captured, key="t2")

    assert (unknown.value.code, taken.value.code) == ("invalid_token", "not_authorized")


# -- capture, void, refund ------------------------------------------------------------------------------------


def test_each_shipment_captures_its_own_value_with_multicapture(gateway: StripeGateway, stripe_api: FakeStripe) -> None:
    reference = authorize(gateway)

    first = gateway.capture(reference=reference, amount=3_000, currency="USD", idempotency_key="ship-1")
    second = gateway.capture(reference=reference, amount=2_500, currency="USD", idempotency_key="ship-2")

    assert (first.amount, second.amount) == (3_000, 2_500)
    assert first.reference == stripe_api.intents[reference]["latest_charge"]
    assert gateway.lookup(reference=reference) == PaymentView(
        reference, GatewayState.AUTHORIZED, authorized=10_000, captured=5_500, refunded=0
    )


def test_the_last_shipment_captures_the_rest_and_nothing_more_is_capturable(gateway: StripeGateway) -> None:
    reference = authorize(gateway)
    gateway.capture(reference=reference, amount=4_000, currency="USD", idempotency_key="ship-1")
    gateway.capture(reference=reference, amount=6_000, currency="USD", idempotency_key="ship-2")

    with pytest.raises(PaymentFailed) as failed:
        gateway.capture(reference=reference, amount=1, currency="USD", idempotency_key="ship-3")

    assert failed.value.code == "invalid_state"
    assert gateway.lookup(reference=reference).state == GatewayState.CAPTURED


def test_without_multicapture_the_first_capture_releases_the_rest_of_the_hold() -> None:
    with FakeStripe(multicapture=False) as stripe_api:
        gateway = StripeGateway(API_KEY, api_base=stripe_api.url, timeout=10)
        authorization = gateway.authorize(token="pm_card_visa", amount=10_000, currency="USD", idempotency_key="a")
        gateway.capture(reference=authorization.reference, amount=3_000, currency="USD", idempotency_key="ship-1")

        with pytest.raises(PaymentFailed) as failed:
            gateway.capture(reference=authorization.reference, amount=2_000, currency="USD", idempotency_key="ship-2")

        assert authorization.details == {"multicapture": "unavailable"}
        assert failed.value.code == "invalid_state"
        assert gateway.lookup(reference=authorization.reference) == PaymentView(
            authorization.reference, GatewayState.CAPTURED, authorized=10_000, captured=3_000, refunded=0
        )


def test_capturing_more_than_is_authorised_is_refused(gateway: StripeGateway) -> None:
    reference = authorize(gateway)

    with pytest.raises(PaymentFailed) as failed:
        gateway.capture(reference=reference, amount=10_001, currency="USD", idempotency_key="too-much")

    assert failed.value.code == "amount_too_large"
    assert gateway.lookup(reference=reference).captured == 0


def test_a_void_releases_the_hold_and_a_second_void_is_harmless(gateway: StripeGateway) -> None:
    reference = authorize(gateway)

    gateway.void(reference=reference, idempotency_key="void-1")
    gateway.void(reference=reference, idempotency_key="void-2")

    assert gateway.lookup(reference=reference).state == GatewayState.VOIDED
    with pytest.raises(PaymentFailed) as failed:
        gateway.capture(reference=reference, amount=100, currency="USD", idempotency_key="late")
    assert failed.value.code == "invalid_state"


def test_a_void_after_a_partial_capture_releases_only_the_rest(gateway: StripeGateway) -> None:
    reference = authorize(gateway)
    gateway.capture(reference=reference, amount=3_000, currency="USD", idempotency_key="ship-1")

    gateway.void(reference=reference, idempotency_key="void")

    view = gateway.lookup(reference=reference)
    assert (view.state, view.captured) == (GatewayState.VOIDED, 3_000)


def test_a_fully_captured_payment_cannot_be_voided(gateway: StripeGateway) -> None:
    reference = authorize(gateway)
    gateway.capture(reference=reference, amount=10_000, currency="USD", idempotency_key="all")

    with pytest.raises(PaymentFailed) as failed:
        gateway.void(reference=reference, idempotency_key="void")

    assert failed.value.code == "invalid_state"


def test_partial_refunds_add_up_and_never_exceed_the_capture(gateway: StripeGateway) -> None:
    reference = authorize(gateway)
    gateway.capture(reference=reference, amount=6_000, currency="USD", idempotency_key="ship")

    first = gateway.refund(reference=reference, amount=2_000, currency="USD", idempotency_key="refund-1")
    second = gateway.refund(reference=reference, amount=1_500, currency="USD", idempotency_key="refund-2")
    with pytest.raises(PaymentFailed) as failed:
        gateway.refund(reference=reference, amount=2_501, currency="USD", idempotency_key="refund-3")

    assert first.reference.startswith("re_") and first.reference != second.reference
    assert (first.amount, second.amount, failed.value.code) == (2_000, 1_500, "amount_too_large")
    assert gateway.lookup(reference=reference).refunded == 3_500


# -- retries, outages and unknown outcomes --------------------------------------------------------------------


def test_a_retry_with_the_same_key_returns_the_first_result_and_moves_money_once(
    gateway: StripeGateway, stripe_api: FakeStripe
) -> None:
    first = gateway.authorize(token="pm_card_visa", amount=5_000, currency="USD", idempotency_key="order-1")
    again = gateway.authorize(token="pm_card_visa", amount=5_000, currency="USD", idempotency_key="order-1")
    capture = gateway.capture(reference=first.reference, amount=5_000, currency="USD", idempotency_key="cap")
    capture_again = gateway.capture(reference=first.reference, amount=5_000, currency="USD", idempotency_key="cap")
    refund = gateway.refund(reference=first.reference, amount=1_000, currency="USD", idempotency_key="ref")
    refund_again = gateway.refund(reference=first.reference, amount=1_000, currency="USD", idempotency_key="ref")

    assert (again, capture_again, refund_again) == (first, capture, refund)
    assert (len(stripe_api.intents), len(stripe_api.refunds), stripe_api.replayed) == (1, 1, 3)
    assert gateway.lookup(reference=first.reference).captured == 5_000


def test_a_declined_card_stays_declined_when_retried_with_the_same_key(
    gateway: StripeGateway, stripe_api: FakeStripe
) -> None:
    for _ in range(2):
        with pytest.raises(PaymentFailed) as failed:
            authorize(gateway, "pm_card_visa_chargeDeclinedInsufficientFunds", key="same")
        assert failed.value.code == "insufficient_funds"

    assert (len(stripe_api.intents), stripe_api.replayed) == (1, 1)


def test_reusing_a_key_for_a_different_request_is_refused(gateway: StripeGateway) -> None:
    authorize(gateway, amount=5_000, key="order-1")

    with pytest.raises(PaymentFailed) as failed:
        authorize(gateway, amount=6_000, key="order-1")

    assert failed.value.code == "idempotency_conflict"


def test_a_provider_error_is_reported_as_unavailable_and_changes_nothing(
    gateway: StripeGateway, stripe_api: FakeStripe
) -> None:
    reference = authorize(gateway)
    stripe_api.fail_next("error")

    with pytest.raises(GatewayUnavailable) as unavailable:
        gateway.refund(reference=reference, amount=100, currency="USD", idempotency_key="refund")

    assert unavailable.value.reference == reference
    assert stripe_api.refunds == {}


def test_an_authorisation_whose_answer_was_lost_is_recovered_by_retrying_the_same_key(
    stripe_api: FakeStripe,
) -> None:
    impatient = StripeGateway(API_KEY, api_base=stripe_api.url, timeout=0.5)
    stripe_api.fail_next("hang")

    with pytest.raises(GatewayUnavailable) as unavailable:
        authorize(impatient, key="order-7")
    stripe_api.release()

    assert unavailable.value.reference is None  # Stripe never told us the intent's id
    assert stripe_api.hung.wait(timeout=5)
    assert authorize(impatient, key="order-7") in stripe_api.intents
    assert len(stripe_api.intents) == 1


def test_a_capture_whose_answer_was_lost_is_found_by_lookup_and_not_repeated_by_the_retry(
    gateway: StripeGateway, stripe_api: FakeStripe
) -> None:
    reference = authorize(gateway)
    impatient = StripeGateway(API_KEY, api_base=stripe_api.url, timeout=0.5)
    stripe_api.fail_next("hang")

    with pytest.raises(GatewayUnavailable) as unavailable:
        impatient.capture(reference=reference, amount=4_000, currency="USD", idempotency_key="ship-1")
    stripe_api.release()
    assert stripe_api.hung.wait(timeout=5)

    assert unavailable.value.reference == reference
    assert gateway.lookup(reference=reference).captured == 4_000
    retry = gateway.capture(reference=reference, amount=4_000, currency="USD", idempotency_key="ship-1")
    assert retry.amount == 4_000
    assert gateway.lookup(reference=reference).captured == 4_000


def test_lookup_of_a_payment_stripe_does_not_know_says_unknown(gateway: StripeGateway) -> None:
    assert gateway.lookup(reference="pi_never_seen") == PaymentView("pi_never_seen", GatewayState.UNKNOWN, 0, 0, 0)


def test_a_wrong_api_key_is_an_outage_not_a_decline(stripe_api: FakeStripe) -> None:
    misconfigured = StripeGateway("sk_test_wrong", api_base=stripe_api.url, timeout=10)

    with pytest.raises(GatewayUnavailable):
        authorize(misconfigured)


# -- currencies -----------------------------------------------------------------------------------------------


def test_zero_decimal_jpy_passes_through_in_minor_units(gateway: StripeGateway, stripe_api: FakeStripe) -> None:
    reference = authorize(gateway, amount=1_500, currency="JPY")  # ¥1,500, not ¥15

    gateway.capture(reference=reference, amount=1_000, currency="JPY", idempotency_key="ship")
    gateway.refund(reference=reference, amount=300, currency="JPY", idempotency_key="refund")

    assert (stripe_api.intents[reference]["amount"], stripe_api.intents[reference]["currency"]) == (1_500, "jpy")
    assert gateway.lookup(reference=reference) == PaymentView(
        reference, GatewayState.AUTHORIZED, authorized=1_500, captured=1_000, refunded=300
    )


def test_three_decimal_kwd_passes_through_in_fils(gateway: StripeGateway, stripe_api: FakeStripe) -> None:
    reference = authorize(gateway, amount=12_340, currency="KWD")  # 12.340 KWD

    gateway.capture(reference=reference, amount=5_120, currency="KWD", idempotency_key="ship")

    assert stripe_api.intents[reference]["amount"] == 12_340
    assert gateway.lookup(reference=reference).captured == 5_120


def test_a_kwd_amount_stripe_cannot_charge_is_refused_not_rounded(gateway: StripeGateway) -> None:
    # Stripe wants the last of three decimals to be 0; rounding money is Baton's decision, not the adapter's.
    with pytest.raises(PaymentFailed) as failed:
        authorize(gateway, amount=12_345, currency="KWD")

    assert failed.value.code == "invalid_amount"


def test_isk_whole_kronur_are_sent_in_stripes_two_decimal_form(gateway: StripeGateway, stripe_api: FakeStripe) -> None:
    reference = authorize(gateway, amount=4_990, currency="ISK")  # ISO exponent 0: 4,990 kr.

    capture = gateway.capture(reference=reference, amount=990, currency="ISK", idempotency_key="ship")

    assert stripe_api.intents[reference]["amount"] == 499_000
    assert capture.amount == 990
    assert gateway.lookup(reference=reference).captured == 990
