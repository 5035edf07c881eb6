"""Helpers the stateless gateways (sandbox, manual) share."""

from __future__ import annotations

import hashlib
import re

from baton.payments.gateway import PaymentFailed


def digest(*parts: str) -> str:
    """16 hex characters that stand for `parts`: the same idempotency key always gives the same reference."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def check_amount(amount: int, currency: str) -> None:
    if amount <= 0:
        raise PaymentFailed("invalid_amount", f"The amount must be positive minor units, not {amount}.")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise PaymentFailed("invalid_currency", f"'{currency}' is not a three-letter currency code.")
