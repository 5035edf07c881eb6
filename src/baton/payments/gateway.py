"""The payment gateway port: what Baton asks of any payment provider.

Adapters live in baton.adapters.payments (sandbox, manual, stripe). Amounts are integer minor units of
`currency`. Every call carries an idempotency key, so a retry after a timeout never moves money twice, and
`lookup` tells what really happened to a payment whose last call timed out."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol


class GatewayState(enum.StrEnum):
    """A payment's state as the provider sees it."""

    AUTHORIZED = "authorized"  # funds held, nothing captured yet (or partly captured, still capturable)
    CAPTURED = "captured"  # nothing more can be captured
    VOIDED = "voided"  # the hold was released
    PENDING = "pending"  # promised but not yet received (manual methods: bank transfer, invoice, cash on delivery)
    FAILED = "failed"  # never authorised
    UNKNOWN = "unknown"  # the provider has no such payment


@dataclass(frozen=True)
class Authorization:
    reference: str  # the provider's id of the payment, e.g. "pi_…"
    amount: int  # authorised, minor units
    currency: str
    state: GatewayState = GatewayState.AUTHORIZED
    details: dict[str, str] = field(default_factory=dict)  # e.g. payment terms "net 30", never card data


@dataclass(frozen=True)
class Movement:
    """The result of a capture or a refund."""

    reference: str  # the provider's id of this capture or refund
    amount: int


@dataclass(frozen=True)
class PaymentView:
    """What `lookup` learns from the provider."""

    reference: str
    state: GatewayState
    authorized: int
    captured: int
    refunded: int


class PaymentFailed(Exception):
    """The provider said no. `code` is stable: declined, insufficient_funds, expired, invalid_token ..."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class GatewayUnavailable(Exception):
    """No answer (timeout) or a provider error: the outcome is unknown; `lookup` before retrying."""

    def __init__(self, message: str, *, reference: str | None = None):
        super().__init__(message)
        self.reference = reference  # when known, what to `lookup`


class PaymentGateway(Protocol):
    name: str

    def check_token(self, token: str) -> None:
        """Refuse (PaymentFailed `invalid_token`) a token that could never authorise, without calling the
        provider, so that a request with a mistyped token is refused before anything is recorded."""
        ...

    def authorize(self, *, token: str, amount: int, currency: str, idempotency_key: str) -> Authorization: ...

    def capture(self, *, reference: str, amount: int, currency: str, idempotency_key: str) -> Movement: ...

    def void(self, *, reference: str, idempotency_key: str) -> None: ...

    def refund(self, *, reference: str, amount: int, currency: str, idempotency_key: str) -> Movement: ...

    def lookup(self, *, reference: str) -> PaymentView: ...

    def reauthorization_token(self, reference: str) -> str | None:
        """A token that authorises again on the method of the earlier payment `reference`, without the customer
        (an order edit that raised the total, a dearer exchange), or None when the provider needs the customer
        to confirm. Each adapter reads its own reference format; nothing is called."""
        ...
