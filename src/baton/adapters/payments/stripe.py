"""Stripe: PaymentIntents with manual capture, through the official `stripe` package.

Baton owns retries (`max_network_retries=0`) and passes its own idempotency keys, so a retry after a timeout
replays Stripe's saved answer instead of moving money twice. Only Stripe ids leave this module, never card data.

Partial captures per shipment need Stripe's multicapture (IC+ pricing): it is requested `if_available` at
authorisation and reported in `Authorization.details["multicapture"]`. Without it Stripe allows one capture per
PaymentIntent and releases the rest of the hold, so only the first shipment of a split order can be captured.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import stripe

from baton.payments.gateway import (
    Authorization,
    GatewayState,
    GatewayUnavailable,
    Movement,
    PaymentFailed,
    PaymentView,
)

# Stripe's decline_code (or code) → Baton's stable PaymentFailed codes; anything else is "declined".
_DECLINES = {
    "insufficient_funds": "insufficient_funds",
    "expired_card": "expired",
    "incorrect_cvc": "incorrect_cvc",
    "authentication_required": "authentication_required",
    "processing_error": "processing_error",
}

# Stripe's invalid_request_error codes → stable codes; an error on an amount parameter is "invalid_amount".
_REQUEST_ERRORS = {
    "payment_intent_unexpected_state": "invalid_state",
    "amount_too_large": "amount_too_large",
    "charge_already_refunded": "amount_too_large",
}

_STATES = {
    "requires_capture": GatewayState.AUTHORIZED,
    "succeeded": GatewayState.CAPTURED,
    "canceled": GatewayState.VOIDED,
    "processing": GatewayState.PENDING,
}

# ISK has ISO exponent 0, but Stripe's API keeps it two-decimal (whole krónur sent as multiples of 100).
_STRIPE_SCALE = {"isk": 100}

_EXPAND_CHARGE = ["latest_charge"]
# What Stripe accepts as `payment_method` (PaymentMethods, legacy card tokens and sources), or a PaymentIntent the
# storefront authorised (taken over).
_TOKEN_PREFIXES = ("pm_", "tok_", "card_", "src_", "pi_")


def _to_stripe(amount: int, currency: str) -> int:
    return amount * _STRIPE_SCALE.get(currency.lower(), 1)


def _from_stripe(amount: int, currency: str) -> int:
    return amount // _STRIPE_SCALE.get(currency.lower(), 1)


def _charge(intent: stripe.PaymentIntent) -> stripe.Charge | None:
    charge = intent.latest_charge
    return charge if isinstance(charge, stripe.Charge) else None


def _multicapture(intent: stripe.PaymentIntent) -> str:
    charge = _charge(intent)
    card = charge.payment_method_details.card if charge and charge.payment_method_details else None
    return card.multicapture.status if card and card.multicapture else "unavailable"


@contextmanager
def _translated(reference: str | None, *, missing: str = "unknown_payment") -> Iterator[None]:
    """Stripe's exceptions → the port's: a "no" is PaymentFailed, anything unanswered is GatewayUnavailable.
    `missing` is the code for an id Stripe does not know: the caller's token, or a payment Baton recorded."""
    try:
        yield
    except stripe.CardError as exc:
        error = exc.error
        reason = (error.decline_code if error else None) or exc.code or ""
        raise PaymentFailed(_DECLINES.get(reason, "declined"), exc.user_message or "card declined") from None
    except stripe.InvalidRequestError as exc:
        code = missing if exc.code == "resource_missing" else _REQUEST_ERRORS.get(exc.code or "")
        if code is None:
            code = "invalid_amount" if (exc.param or "").startswith("amount") else "invalid_request"
        raise PaymentFailed(code, exc.user_message or "Stripe rejected the request") from None
    except stripe.IdempotencyError as exc:
        # A Baton bug: one key reused for a different request. Nothing was done.
        raise PaymentFailed("idempotency_conflict", exc.user_message or "idempotency key reused") from None
    except stripe.StripeError as exc:  # timeouts, connection errors, 5xx, rate limits, a revoked API key
        raise GatewayUnavailable(f"Stripe gave no usable answer: {exc.user_message}", reference=reference) from exc


class StripeGateway:
    name = "stripe"

    def __init__(self, api_key: str, api_base: str | None = None, *, timeout: float = 30.0):
        # The API version is the one the installed package pins (StripeClient's default Stripe-Version).
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else {},  # never None: stripe 12.x spreads it
            max_network_retries=0,
            http_client=stripe.RequestsClient(timeout=timeout),
        )
        self._intents = self._client.v1.payment_intents

    def check_token(self, token: str) -> None:
        """Only the shape: whether Stripe knows the id is learnt when authorising."""
        if not token.startswith(_TOKEN_PREFIXES) or len(token) > 255 or not token.isascii():
            raise PaymentFailed("invalid_token", f"'{token}' is not a Stripe payment method (pm_…), card token "
                                "(tok_…) or PaymentIntent (pi_…).")

    def authorize(self, *, token: str, amount: int, currency: str, idempotency_key: str) -> Authorization:
        if token.startswith("pi_"):
            return self._take_over(token, amount, currency)
        with _translated(None, missing="invalid_token"):
            intent = self._intents.create(
                {
                    "amount": _to_stripe(amount, currency),
                    "currency": currency.lower(),
                    "payment_method": token,
                    # Stable across API versions (endive renamed payment_method_types); no redirects server-side.
                    "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
                    "capture_method": "manual",
                    "confirm": True,
                    "error_on_requires_action": True,  # no customer here to complete 3-D Secure: fail instead
                    "payment_method_options": {"card": {"request_multicapture": "if_available"}},
                    "expand": _EXPAND_CHARGE,
                },
                {"idempotency_key": idempotency_key},
            )
        if intent.status != "requires_capture":
            error = intent.last_payment_error
            reason = (error.decline_code or error.code or "") if error else ""
            raise PaymentFailed(_DECLINES.get(reason, "declined"), f"Stripe payment intent is {intent.status}")
        return self._authorization(intent, _from_stripe(intent.amount_capturable, currency), currency)

    def _take_over(self, intent_id: str, amount: int, currency: str) -> Authorization:
        """Adopt a PaymentIntent the storefront already authorised; amount 0 adopts all that is capturable."""
        with _translated(intent_id, missing="invalid_token"):
            intent = self._intents.retrieve(intent_id, {"expand": _EXPAND_CHARGE})
        if intent.currency != currency.lower():
            raise PaymentFailed("currency_mismatch", f"Stripe payment intent is in {intent.currency.upper()}")
        if intent.status != "requires_capture":
            raise PaymentFailed("not_authorized", f"Stripe payment intent is {intent.status}, not requires_capture")
        capturable = _from_stripe(intent.amount_capturable, currency)
        if amount > capturable:
            raise PaymentFailed("amount_too_large", f"only {capturable} of {amount} is authorised")
        return self._authorization(intent, amount or capturable, currency)

    @staticmethod
    def _authorization(intent: stripe.PaymentIntent, amount: int, currency: str) -> Authorization:
        return Authorization(intent.id, amount, currency, details={"multicapture": _multicapture(intent)})

    def capture(self, *, reference: str, amount: int, currency: str, idempotency_key: str) -> Movement:
        with _translated(reference):
            intent = self._intents.retrieve(reference, {"expand": _EXPAND_CHARGE})
            # Keep the rest of the hold for later shipments where Stripe can; a void releases it. The choice
            # depends only on the card, never on what was captured, so a retry sends the very same request.
            keep_rest = _multicapture(intent) == "available"
            intent = self._intents.capture(
                reference,
                {"amount_to_capture": _to_stripe(amount, currency), **({"final_capture": False} if keep_rest else {})},
                {"idempotency_key": idempotency_key},
            )
        charge = intent.latest_charge
        charge_id = charge if isinstance(charge, str) else charge.id if charge else intent.id
        return Movement(charge_id, amount)

    def void(self, *, reference: str, idempotency_key: str) -> None:
        with _translated(reference):
            try:
                self._intents.cancel(reference, options={"idempotency_key": idempotency_key})
            except stripe.InvalidRequestError as exc:
                # Voiding twice (under different keys) is fine; voiding a captured payment is not.
                already = exc.code == "payment_intent_unexpected_state"
                if not already or self._intents.retrieve(reference).status != "canceled":
                    raise

    def refund(self, *, reference: str, amount: int, currency: str, idempotency_key: str) -> Movement:
        with _translated(reference):
            refund = self._client.v1.refunds.create(
                {"payment_intent": reference, "amount": _to_stripe(amount, currency)},
                {"idempotency_key": idempotency_key},
            )
        if refund.status in ("failed", "canceled"):
            raise PaymentFailed("refund_failed", f"Stripe refund {refund.id} is {refund.status}")
        return Movement(refund.id, _from_stripe(refund.amount, currency))

    def reauthorization_token(self, reference: str) -> str | None:
        """None: a new PaymentIntent on a saved card may need the customer (3-D Secure, SCA); an agent or the
        shopper adds the payment instead (POST /orders/{id}/payments)."""
        return None

    def lookup(self, *, reference: str) -> PaymentView:
        try:
            with _translated(reference):
                intent = self._intents.retrieve(reference, {"expand": _EXPAND_CHARGE})
        except PaymentFailed as failed:
            if failed.code == "unknown_payment":
                return PaymentView(reference, GatewayState.UNKNOWN, 0, 0, 0)
            raise
        charge = _charge(intent)
        held = charge is not None and charge.status == "succeeded"  # an uncaptured card charge is "succeeded" too
        return PaymentView(
            reference=intent.id,
            state=_STATES.get(intent.status, GatewayState.FAILED),
            authorized=_from_stripe(charge.amount, intent.currency) if charge and held else 0,
            captured=_from_stripe(intent.amount_received, intent.currency),
            refunded=_from_stripe(charge.amount_refunded, intent.currency) if charge else 0,
        )
