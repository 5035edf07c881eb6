"""Fraud and risk rules: configurable checks that put a new order on hold, each match explained in a sentence.

Pure: a rule looks at the order and at a few facts the capture service counted for it. A rule says which facts
it needs for this order, and only those are counted, so a shop without active rules pays nothing at capture."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from baton.shared.clock import utcnow
from baton.shared.errors import InvalidInput
from baton.shared.money import check_currency, to_decimal_string, to_minor

if TYPE_CHECKING:
    from baton.orders.model import Order

RISK_ACTOR = "risk rules"  # who the timeline names for a hold the rules placed
MAX_LIMIT = 100_000
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class RuleKind(enum.StrEnum):
    FIRST_ORDER_TOTAL_ABOVE = "first_order_total_above"  # a customer's first order costs more than {amount, currency}
    COUNTRIES_DIFFER = "countries_differ"  # the billing and shipping countries differ (when both are given)
    ORDERS_PER_EMAIL_PER_HOUR = "orders_per_email_per_hour"  # more than {limit} orders from one email in an hour
    ORDERS_PER_ADDRESS_PER_HOUR = "orders_per_address_per_hour"  # more than {limit} orders to one address in an hour


class Fact(enum.StrEnum):
    EARLIER_ORDERS = "earlier_orders"
    EMAIL_LAST_HOUR = "orders_by_email_last_hour"
    ADDRESS_LAST_HOUR = "orders_by_address_last_hour"


@dataclass(frozen=True)
class RiskFacts:
    """What the capture service counted for a new order (only what a rule asked for; the rest stays 0)."""

    earlier_orders: int = 0  # orders the customer placed before this one
    orders_by_email_last_hour: int = 0  # other orders from the same email address in the last hour
    orders_by_address_last_hour: int = 0  # other orders to the same shipping line1 + postal code + country


# The parameters of each kind: name -> what it must be (for the messages).
PARAMETERS: dict[RuleKind, dict[str, str]] = {
    RuleKind.FIRST_ORDER_TOTAL_ABOVE: {"amount": "a decimal amount such as \"500.00\"",
                                       "currency": "an ISO 4217 code such as EUR"},
    RuleKind.COUNTRIES_DIFFER: {},
    RuleKind.ORDERS_PER_EMAIL_PER_HOUR: {"limit": f"a whole number from 1 to {MAX_LIMIT}"},
    RuleKind.ORDERS_PER_ADDRESS_PER_HOUR: {"limit": f"a whole number from 1 to {MAX_LIMIT}"},
}


@dataclass(frozen=True)
class RiskRule:
    code: str
    kind: RuleKind
    params: dict[str, Any]
    active: bool = True
    updated_at: datetime = field(default_factory=utcnow)

    @classmethod
    def configure(cls, code: str, kind: str, params: dict[str, Any] | None, active: bool = True) -> RiskRule:
        """A rule from what an admin sent, its parameters checked and normalised (amounts as decimal strings)."""
        if not _CODE.match(code):
            raise InvalidInput("code", "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.")
        try:
            rule_kind = RuleKind(kind)
        except ValueError:
            raise InvalidInput("kind", f"'{kind}' is not a rule kind; use one of {', '.join(RuleKind)}.") from None
        return cls(code, rule_kind, _normalise(rule_kind, params or {}), active)

    def needs(self, order: Order) -> frozenset[Fact]:
        """The facts this rule must see to judge this order (none when it can tell without counting)."""
        if self.kind is RuleKind.FIRST_ORDER_TOTAL_ABOVE:
            above = order.currency == self.params["currency"] and order.total > self._threshold()
            return frozenset({Fact.EARLIER_ORDERS}) if above else frozenset()
        if self.kind is RuleKind.ORDERS_PER_EMAIL_PER_HOUR:
            return frozenset({Fact.EMAIL_LAST_HOUR})
        if self.kind is RuleKind.ORDERS_PER_ADDRESS_PER_HOUR and order.shipping_address:
            return frozenset({Fact.ADDRESS_LAST_HOUR})
        return frozenset()

    def evaluate(self, order: Order, facts: RiskFacts) -> str | None:
        """The reason to hold this order, as a sentence an agent understands; None when the rule does not match."""
        reason = self._match(order, facts)
        return f"{reason} (rule {self.code})." if reason else None

    def _match(self, order: Order, facts: RiskFacts) -> str | None:
        if self.kind is RuleKind.FIRST_ORDER_TOTAL_ABOVE:
            if Fact.EARLIER_ORDERS in self.needs(order) and facts.earlier_orders == 0:
                return (f"This is the customer's first order and its total, {order.money(order.total)}, is above "
                        f"the {order.money(self._threshold())} a first order may reach without review")
            return None
        if self.kind is RuleKind.COUNTRIES_DIFFER:
            billing = (order.billing_address or {}).get("country")
            shipping = (order.shipping_address or {}).get("country")
            if billing and shipping and billing != shipping:
                return f"The billing country {billing} differs from the shipping country {shipping}"
            return None
        limit = int(self.params["limit"])
        if self.kind is RuleKind.ORDERS_PER_EMAIL_PER_HOUR and facts.orders_by_email_last_hour + 1 > limit:
            return (f"This is order {facts.orders_by_email_last_hour + 1} from the same email address within an "
                    f"hour; more than {limit} are held for review")
        if (self.kind is RuleKind.ORDERS_PER_ADDRESS_PER_HOUR and order.shipping_address
                and facts.orders_by_address_last_hour + 1 > limit):
            return (f"This is order {facts.orders_by_address_last_hour + 1} to the same shipping address within an "
                    f"hour; more than {limit} are held for review")
        return None

    def _threshold(self) -> int:
        return to_minor(self.params["amount"], self.params["currency"])


def needed_facts(rules: tuple[RiskRule, ...], order: Order) -> frozenset[Fact]:
    return frozenset().union(*(rule.needs(order) for rule in rules))


def assess(rules: tuple[RiskRule, ...], order: Order, facts: RiskFacts) -> list[str]:
    """Every reason to hold the order, in the order of the rules' codes."""
    reasons = (rule.evaluate(order, facts) for rule in sorted(rules, key=lambda r: r.code))
    return [reason for reason in reasons if reason]


def _normalise(kind: RuleKind, params: dict[str, Any]) -> dict[str, Any]:
    wanted = PARAMETERS[kind]
    for name in params:
        if name not in wanted:
            takes = ", ".join(wanted) or "no parameters"
            raise InvalidInput(f"params.{name}", f"{kind} takes {takes}.")
    for name, what in wanted.items():
        if name not in params:
            raise InvalidInput(f"params.{name}", f"required: {what}.")
    if kind is RuleKind.FIRST_ORDER_TOTAL_ABOVE:
        currency = check_currency(str(params["currency"]), "params.currency")
        raw = params["amount"]
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            raise InvalidInput("params.amount", f"must be {wanted['amount']}.")
        amount = to_minor(raw, currency, "params.amount")
        if amount < 0:
            raise InvalidInput("params.amount", "must not be negative.")
        return {"amount": to_decimal_string(amount, currency), "currency": currency}
    if "limit" in wanted:
        limit = params["limit"]
        if isinstance(limit, str) and limit.strip().isdigit():
            limit = int(limit)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput("params.limit", f"must be {wanted['limit']}.")
        return {"limit": limit}
    return {}
