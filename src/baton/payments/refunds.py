"""Money back without a change of the order: what a refund or an appeasement asks for, and how much it is.

- A **refund** gives back an `amount`, or the value of `lines` (units shipped, not refunded by lines before): what
  those units cost the customer (`Order.value_of`: price less their share of discounts, plus their tax when it
  comes on top). Both given: they must agree. Shipping is refunded only by amount.
- An **appeasement** is goodwill without a return: an `amount`, or a `percent` of the value of `lines` (of every
  unit shipped when no lines are named). The ledger books it on its own contra account, not as a credit memo.

Each request is kept as a `RefundRecord` (which transactions carry it, which units it gave back), so that no unit
is refunded by lines twice and the ledger knows an appeasement from a refund. The payments' own invariants
(refunded ≤ captured) are checked by the payment aggregate, as for every refund."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from baton.orders.model import Order
from baton.shared.clock import utcnow
from baton.shared.errors import InvalidInput
from baton.shared.ids import new_id


class Purpose(enum.StrEnum):
    REFUND = "refund"  # money back for goods (or shipping): booked with a credit memo
    APPEASEMENT = "appeasement"  # goodwill without a return: booked on the appeasements contra account


@dataclass(frozen=True)
class MoneyBack:
    """What the agent asked for (minor units; `lines` maps line ids to units)."""

    purpose: Purpose
    reason: str
    amount: int | None = None
    lines: dict[str, int] | None = None
    percent: Decimal | None = None  # appeasements only: a share of the lines' value


@dataclass(eq=False)
class RefundRecord:
    order_id: str
    purpose: Purpose
    amount: int
    lines: dict[str, int]  # units given back by lines; empty for an amount
    transactions: list[str]  # the refund transactions that carry it, one per payment touched
    reason: str
    id: str = field(default_factory=lambda: new_id("orf"))
    created_at: datetime = field(default_factory=utcnow)


def refunded_units(records: Iterable[RefundRecord], failed: set[str]) -> Counter[str]:
    """Units refunded by lines per line: of every refund not refused outright by every payment it asked."""
    units: Counter[str] = Counter()
    for record in records:
        if record.purpose == Purpose.REFUND and not set(record.transactions) <= failed:
            units.update(record.lines)
    return units


def amount_of(order: Order, ask: MoneyBack, refunded: Counter[str]) -> int:
    """The amount to give back (minor units), checked against the order; InvalidInput names the field."""
    if ask.purpose == Purpose.APPEASEMENT:
        return _appeasement(order, ask, refunded)
    if ask.amount is None and not ask.lines:
        raise InvalidInput("amount", "give the amount to refund, or the lines whose units are refunded.",
                           code="refund_amount_missing")
    if not ask.lines:
        assert ask.amount is not None
        return ask.amount
    value = value_of_lines(order, ask.lines, refunded)
    if ask.amount is not None and ask.amount != value:
        raise InvalidInput("amount", f"{order.money(ask.amount)} does not match the lines, which cost the customer "
                           f"{order.money(value)}; send that amount, or leave amount out. Shipping is refunded "
                           "only by amount, in a refund of its own.", code="refund_amount_mismatch")
    return value


def value_of_lines(order: Order, lines: dict[str, int], refunded: Counter[str]) -> int:
    """What these units cost the customer; each must have shipped, not be in a return (the return refunds it)
    and not have been refunded by lines before."""
    value = 0
    for index, (line_id, units) in enumerate(lines.items()):
        line = next((line for line in order.lines if line.id == line_id), None)
        if line is None:
            raise InvalidInput(f"lines[{index}].line_id", f"order {order.number} has no line {line_id}.",
                               code="line_not_found")
        in_returns = line.returned + line.return_requested  # their return refunds them
        left = line.shipped - in_returns - refunded[line_id]
        if units > left:
            raise InvalidInput(f"lines[{index}].quantity", f"{units} unit(s) of {line.sku} asked, but only {left} "
                               f"can be refunded by lines ({line.shipped} shipped, {in_returns} in returns, "
                               f"{refunded[line_id]} refunded by lines before); units that have not shipped are "
                               "cancelled, not refunded.", code="refund_exceeds_shipped")
        value += order.value_of(line, units)
    return value


def _appeasement(order: Order, ask: MoneyBack, refunded: Counter[str]) -> int:
    if (ask.amount is None) == (ask.percent is None):
        raise InvalidInput("amount", "give either an amount or a percent (of the lines, or of every unit "
                           "shipped), not both and not neither.", code="appeasement_amount_missing")
    if ask.amount is not None:
        if ask.lines:
            raise InvalidInput("lines", "lines go with a percent; an amount is given as it is.")
        return ask.amount
    assert ask.percent is not None
    base = (value_of_lines(order, ask.lines, Counter()) if ask.lines
            else sum(order.value_of(line, line.shipped) for line in order.lines))
    amount = int((base * ask.percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if amount <= 0:
        raise InvalidInput("percent", f"{ask.percent}% of {order.money(base)} is nothing to give back; nothing "
                           "has shipped yet, or the share rounds to zero.", code="appeasement_nothing")
    return amount


def describe(order: Order, ask: MoneyBack, amount: int) -> str:
    """The timeline's words for the request: 'Refund of EUR 60.00 for 2 × A requested: damaged.'"""
    what = "Appeasement" if ask.purpose == Purpose.APPEASEMENT else "Refund"
    units = ", ".join(f"{n} × {order.line(line_id).sku}" for line_id, n in (ask.lines or {}).items())
    share = f"{ask.percent}% of " if ask.percent is not None else ""
    detail = f" for {share}{units}" if units else (f" ({share}every unit shipped)" if share else "")
    return f"{what} of {order.money(amount)}{detail} requested: {ask.reason}."
