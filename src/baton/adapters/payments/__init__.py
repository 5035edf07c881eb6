"""Payment gateway adapters behind baton.payments.gateway.PaymentGateway, and the registry that finds one by name.

Adapters are imported only when first asked for, so a deployment without the `stripe` package (or its settings)
still runs the sandbox and manual gateways."""

from __future__ import annotations

import importlib
from typing import Any

from baton.payments.gateway import PaymentGateway
from baton.shared.errors import InvalidInput

# gateway name → "module:class". Each class is built with the keyword options the composition root passes
# (none for sandbox and manual; the API key and base URL for stripe).
GATEWAYS: dict[str, str] = {
    "sandbox": "baton.adapters.payments.sandbox:SandboxGateway",
    "manual": "baton.adapters.payments.manual:ManualGateway",
    "stripe": "baton.adapters.payments.stripe:StripeGateway",  # PaymentIntents with manual capture
}


def get_gateway(name: str, **options: Any) -> PaymentGateway:
    """The gateway called `name`. gift_card, store_credit and external payments have no gateway to call."""
    target = GATEWAYS.get(name)
    if target is None:
        raise InvalidInput("payment.method", f"'{name}' is not a payment gateway; use one of {', '.join(GATEWAYS)}.",
                           code="unknown_payment_method")
    module_name, class_name = target.split(":")
    gateway: PaymentGateway = getattr(importlib.import_module(module_name), class_name)(**options)
    return gateway


def stateless_gateway(name: str) -> PaymentGateway:
    """The gateways that need no settings (sandbox, manual), for a caller without the composition root's; any
    other is "not configured here" (InvalidInput), as Container.gateway answers for a missing setting."""
    if name not in ("sandbox", "manual"):
        raise InvalidInput("payment.method", f"the {name} gateway is not configured here.",
                           code="gateway_not_configured")
    return get_gateway(name)
