"""API shapes of the fraud and risk rules: one body per rule kind, told apart by `kind`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from baton.entrypoints.http.schemas import Amount, Currency, In
from baton.orders.risk import MAX_LIMIT

Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description="The most orders allowed in one hour.")]


class FirstOrderTotalAboveParams(In):
    amount: Annotated[Amount, Field(description="A first order above this total is held.")]
    currency: Annotated[Currency, Field(description="Orders in other currencies are not checked by this rule.")]


class NoParams(In):
    pass


class LimitParams(In):
    limit: Limit


class _RuleIn(BaseModel):
    """A rule body: unknown fields refused like everywhere (no NUL check: `kind` is the union's discriminator, which
    Pydantic lets no validator touch, and only names a kind; the parameters are checked as every body is)."""

    model_config = ConfigDict(extra="forbid")


class FirstOrderTotalAboveRule(_RuleIn):
    """Hold a customer's first order when its total is above an amount."""

    kind: Literal["first_order_total_above"]
    params: FirstOrderTotalAboveParams
    active: bool = True


class CountriesDifferRule(_RuleIn):
    """Hold an order whose billing and shipping countries differ (when both are given)."""

    kind: Literal["countries_differ"]
    params: NoParams = NoParams()
    active: bool = True


class OrdersPerEmailPerHourRule(_RuleIn):
    """Hold an order when more than `limit` orders came from its email address within an hour."""

    kind: Literal["orders_per_email_per_hour"]
    params: LimitParams
    active: bool = True


class OrdersPerAddressPerHourRule(_RuleIn):
    """Hold an order when more than `limit` orders went to its shipping address (line1, postal code, country)
    within an hour."""

    kind: Literal["orders_per_address_per_hour"]
    params: LimitParams
    active: bool = True


RiskRuleIn = Annotated[
    FirstOrderTotalAboveRule | CountriesDifferRule | OrdersPerEmailPerHourRule | OrdersPerAddressPerHourRule,
    Field(discriminator="kind"),
]


class RiskRuleOut(BaseModel):
    code: str
    kind: Literal["first_order_total_above", "countries_differ", "orders_per_email_per_hour",
                  "orders_per_address_per_hour"]
    params: dict[str, Any]
    active: bool
    updated_at: datetime


class RiskRuleList(BaseModel):
    items: list[RiskRuleOut]
    next_cursor: str | None = None
