"""The `manual` payment gateway: money that arrives outside any provider — cash on delivery, bank transfer, and
invoices with payment terms for B2B buyers.

Tokens:

| token                      | meaning                                              | details.terms        |
|----------------------------|------------------------------------------------------|----------------------|
| `manual:cod`               | cash collected when the parcel is handed over        | `cash on delivery`   |
| `manual:bank_transfer`     | the buyer transfers the amount before it ships       | `payment in advance` |
| `manual:invoice:net30`     | invoice due 30 days after issue (`netN`, N 1 to 365) | `net 30`             |
| `manual:invoice`           | the same with the usual B2B terms, net 30            | `net 30`             |

Any other token fails with `invalid_token`.

`authorize` promises the money: it answers state PENDING with `details` ({"method", "terms", "instructions",
and "due_days" for invoices}) that Baton shows to the agent and the buyer. `capture` records money received — an
operator's action once the cash, transfer or invoice payment is in; `void` (nothing is owed any more) and
`refund` (money paid back by hand) are bookkeeping only. Like the sandbox it keeps no state: the reference encodes
the method, terms, amount and currency (`man_invoice_30_125000_EUR_…`), and movement references are digests of
the payment reference and the idempotency key, so the same key gives the same answer. Totals received and paid
back are tracked by Baton's own Payment records; `lookup` reports the promise (PENDING and its amount)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from baton.adapters.payments.common import check_amount, digest
from baton.payments.gateway import Authorization, GatewayState, Movement, PaymentFailed, PaymentView
from baton.shared.money import to_decimal_string

DEFAULT_NET_DAYS = 30
_TOKEN = re.compile(r"^manual:(?:(?P<simple>cod|bank_transfer)|invoice(?::net(?P<days>\d{1,3}))?)$")
_REFERENCE = re.compile(
    r"^man_(?P<kind>cod|bank_transfer|invoice)_(?P<days>\d+)_(?P<amount>\d+)_(?P<currency>[A-Z]{3})_[0-9a-f]{16}$"
)


@dataclass(frozen=True)
class _Promise:
    kind: str  # cod, bank_transfer, invoice
    days: int  # invoice terms; 0 for the others
    amount: int
    currency: str


class ManualGateway:
    name = "manual"

    def check_token(self, token: str) -> None:
        _parse_token(token)

    def authorize(self, *, token: str, amount: int, currency: str, idempotency_key: str) -> Authorization:
        kind, days = _parse_token(token)
        check_amount(amount, currency)
        reference = f"man_{kind}_{days}_{amount}_{currency}_{digest(idempotency_key)}"
        promise = _Promise(kind, days, amount, currency)
        return Authorization(reference, amount, currency, GatewayState.PENDING, _details(promise, reference))

    def capture(self, *, reference: str, amount: int, currency: str, idempotency_key: str) -> Movement:
        _promised(reference, amount, currency)
        return Movement(f"mancap_{digest(reference, idempotency_key)}", amount)

    def void(self, *, reference: str, idempotency_key: str) -> None:
        _promised(reference)

    def refund(self, *, reference: str, amount: int, currency: str, idempotency_key: str) -> Movement:
        _promised(reference, amount, currency)
        return Movement(f"manref_{digest(reference, idempotency_key)}", amount)

    def lookup(self, *, reference: str) -> PaymentView:
        promise = _parse_reference(reference)
        if promise is None:
            return PaymentView(reference, GatewayState.UNKNOWN, 0, 0, 0)
        return PaymentView(reference, GatewayState.PENDING, promise.amount, 0, 0)

    def reauthorization_token(self, reference: str) -> str | None:
        """The same method with the same terms (an invoice keeps its net days)."""
        promise = _parse_reference(reference)
        if promise is None:
            return None
        return f"manual:invoice:net{promise.days}" if promise.kind == "invoice" else f"manual:{promise.kind}"


def _parse_token(token: str) -> tuple[str, int]:
    match = _TOKEN.match(token)
    days = int(match["days"]) if match and match["days"] else DEFAULT_NET_DAYS
    if not match or not 1 <= days <= 365:
        raise PaymentFailed("invalid_token", f"'{token}' is not a manual payment token; use manual:cod, "
                            "manual:bank_transfer, manual:invoice or manual:invoice:net30 (net 1 to net 365).")
    if match["simple"]:
        return match["simple"], 0
    return "invoice", days


def _details(promise: _Promise, reference: str) -> dict[str, str]:
    amount = f"{promise.currency} {to_decimal_string(promise.amount, promise.currency)}"
    if promise.kind == "cod":
        return {"method": "cod", "terms": "cash on delivery",
                "instructions": f"Collect {amount} in cash when the parcel is handed over, then record it as "
                                "received."}
    if promise.kind == "bank_transfer":
        return {"method": "bank_transfer", "terms": "payment in advance",
                "instructions": f"Transfer {amount} to the shop's bank account quoting {reference}; the payment "
                                "is recorded when the money arrives."}
    return {"method": "invoice", "terms": f"net {promise.days}", "due_days": str(promise.days),
            "instructions": f"Pay {amount} within {promise.days} days of the invoice date quoting {reference}."}


def _parse_reference(reference: str) -> _Promise | None:
    match = _REFERENCE.match(reference)
    if not match:
        return None
    return _Promise(match["kind"], int(match["days"]), int(match["amount"]), match["currency"])


def _promised(reference: str, amount: int | None = None, currency: str | None = None) -> _Promise:
    promise = _parse_reference(reference)
    if promise is None:
        raise PaymentFailed("invalid_reference", f"There is no manual payment {reference}.")
    if currency is not None and currency != promise.currency:
        raise PaymentFailed("currency_mismatch", f"{reference} is in {promise.currency}, not {currency}.")
    if amount is not None:
        check_amount(amount, promise.currency)
        if amount > promise.amount:
            raise PaymentFailed("amount_too_large", f"{reference} promised {promise.amount} minor units; "
                                f"{amount} is more.")
    return promise

