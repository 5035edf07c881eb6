"""The `sandbox` payment gateway: deterministic test tokens, no network, no secrets.

Test tokens (pass one as the payment `token`):

| token                    | authorize                                             | afterwards                        |
|--------------------------|-------------------------------------------------------|-----------------------------------|
| `tok_approve`            | approves the full amount                              | capture, void and refund work     |
| `tok_decline`            | fails: `declined`                                     | —                                 |
| `tok_insufficient_funds` | fails: `insufficient_funds`                           | —                                 |
| `tok_expired`            | fails: `expired` (the card expired)                   | —                                 |
| `tok_timeout`            | GatewayUnavailable, *but the authorisation happened*  | `lookup` reports `authorized`     |
| `tok_error`              | GatewayUnavailable, nothing happened                  | `lookup` reports `unknown`        |
| `tok_capture_decline`    | approves                                              | every capture: `capture_declined` |
| `tok_refund_decline`     | approves                                              | every refund: `refund_declined`   |

Any other token fails with `invalid_token`. `tok_timeout` and `tok_error` answer the same on every retry (same
token, same result); `lookup` of the reference the exception carries is how to learn what happened.
Amounts are integer minor units and pass through unchanged (JPY 500 is 500, KWD 1.234 is 1234).

Stateless by design: the sandbox keeps nothing in memory, so any process (API server, worker, test) gets the
same answers. Everything is derived from its inputs:

- a payment reference encodes the token kind, the amount and the currency, plus a digest of the idempotency key:
  `sbx_approve_1999_USD_3f2a…`; the same idempotency key gives the same reference (and a timeout or error
  carries it, so the caller can `lookup`);
- a capture or refund reference is a digest of the payment reference and the idempotency key: the same key gives
  the same movement.

What the sandbox cannot know is what happened after the authorisation: how much was captured or refunded, or
whether it was voided. Baton's own Payment records track those totals (and enforce captured ≤ authorised,
refunded ≤ captured); the sandbox only refuses a single capture or refund larger than the authorised amount.
`lookup` therefore reports what the reference encodes — the state of the authorisation and its amount — with
captured and refunded as 0."""

from __future__ import annotations

import re
from dataclasses import dataclass

from baton.adapters.payments.common import check_amount, digest
from baton.payments.gateway import (
    Authorization,
    GatewayState,
    GatewayUnavailable,
    Movement,
    PaymentFailed,
    PaymentView,
)

# token kind → the decline code its authorisation fails with; None: approved
DECLINES: dict[str, str | None] = {
    "approve": None,
    "decline": "declined",
    "insufficient_funds": "insufficient_funds",
    "expired": "expired",
    "timeout": None,  # authorised, but the answer is lost
    "error": None,  # nothing happened, and no answer
    "capture_decline": None,
    "refund_decline": None,
}
_REFERENCE = re.compile(r"^sbx_(?P<kind>[a-z_]+)_(?P<amount>\d+)_(?P<currency>[A-Z]{3})_(?P<digest>[0-9a-f]{16})$")


@dataclass(frozen=True)
class _Payment:
    kind: str
    amount: int
    currency: str


class SandboxGateway:
    name = "sandbox"

    def check_token(self, token: str) -> None:
        _kind(token)

    def authorize(self, *, token: str, amount: int, currency: str, idempotency_key: str) -> Authorization:
        kind = _kind(token)
        check_amount(amount, currency)
        reference = f"sbx_{kind}_{amount}_{currency}_{digest(idempotency_key)}"
        code = DECLINES[kind]
        if code:
            raise PaymentFailed(code, f"The sandbox card was refused ({code}).")
        if kind in ("timeout", "error"):
            raise GatewayUnavailable(f"The sandbox did not answer ({kind}); look up {reference}.",
                                     reference=reference)
        return Authorization(reference, amount, currency)

    def capture(self, *, reference: str, amount: int, currency: str, idempotency_key: str) -> Movement:
        payment = _authorized(reference, amount, currency)
        if payment.kind == "capture_decline":
            raise PaymentFailed("capture_declined", f"The sandbox refused to capture {reference}.")
        return Movement(f"sbxcap_{digest(reference, idempotency_key)}", amount)

    def void(self, *, reference: str, idempotency_key: str) -> None:
        _authorized(reference)

    def refund(self, *, reference: str, amount: int, currency: str, idempotency_key: str) -> Movement:
        payment = _authorized(reference, amount, currency)
        if payment.kind == "refund_decline":
            raise PaymentFailed("refund_declined", f"The sandbox refused to refund {reference}.")
        return Movement(f"sbxref_{digest(reference, idempotency_key)}", amount)

    def lookup(self, *, reference: str) -> PaymentView:
        payment = _parse(reference)
        if payment is None or payment.kind == "error":
            return PaymentView(reference, GatewayState.UNKNOWN, 0, 0, 0)
        if DECLINES[payment.kind]:
            return PaymentView(reference, GatewayState.FAILED, 0, 0, 0)
        return PaymentView(reference, GatewayState.AUTHORIZED, payment.amount, 0, 0)

    def reauthorization_token(self, reference: str) -> str | None:
        """The test token of the card that authorised `reference`: the same card answers the same way again."""
        payment = _parse(reference)
        if payment is None or payment.kind == "error" or DECLINES[payment.kind]:
            return None
        return f"tok_{payment.kind}"


def _kind(token: str) -> str:
    kind = token.removeprefix("tok_") if token.startswith("tok_") else ""
    if kind not in DECLINES:
        tokens = ", ".join(f"tok_{kind}" for kind in DECLINES)
        raise PaymentFailed("invalid_token", f"'{token}' is not a sandbox test token; use one of {tokens}.")
    return kind


def _parse(reference: str) -> _Payment | None:
    match = _REFERENCE.match(reference)
    if not match or match["kind"] not in DECLINES:
        return None
    return _Payment(match["kind"], int(match["amount"]), match["currency"])


def _authorized(reference: str, amount: int | None = None, currency: str | None = None) -> _Payment:
    """The payment a capture, void or refund is about; refused unless it was authorised."""
    payment = _parse(reference)
    if payment is None or payment.kind == "error" or DECLINES[payment.kind]:
        raise PaymentFailed("invalid_reference", f"The sandbox has no authorised payment {reference}.")
    if currency is not None and currency != payment.currency:
        raise PaymentFailed("currency_mismatch", f"{reference} is in {payment.currency}, not {currency}.")
    if amount is not None:
        check_amount(amount, payment.currency)
        if amount > payment.amount:
            raise PaymentFailed("amount_too_large", f"{reference} authorised {payment.amount} minor units; "
                                f"{amount} is more.")
    return payment

