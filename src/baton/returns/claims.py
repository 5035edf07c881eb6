"""The claim: shipped units lost or damaged in transit, or the wrong item sent. It is resolved at once, without
waiting for a return: a replacement order at no charge, or the units' value refunded. Each shipped unit can be
claimed once."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from baton.orders.model import Order
from baton.shared.clock import utcnow
from baton.shared.errors import InvalidInput, NotFound
from baton.shared.ids import new_id


class ClaimKind(enum.StrEnum):
    LOST = "lost"  # the parcel never arrived
    DAMAGED = "damaged"  # it arrived broken
    WRONG_ITEM = "wrong_item"  # another item than the one ordered arrived


class Resolution(enum.StrEnum):
    REPLACE = "replace"  # a replacement order, at no charge
    REFUND = "refund"  # the units' value back to the original payment


@dataclass(eq=False)
class Claim:
    order_id: str
    number: str
    currency: str
    kind: ClaimKind
    resolution: Resolution
    note: str
    lines: dict[str, int]  # order line id -> units
    value: int  # what the claimed units cost the customer
    created_by: str
    replacement_order_id: str | None = None
    id: str = field(default_factory=lambda: new_id("clm"))
    created_at: datetime = field(default_factory=utcnow)


def check_claimable(order: Order, lines: Mapping[str, int], claimed: Mapping[str, int],
                    refunded: Mapping[str, int]) -> None:
    """Each unit must have shipped and be neither claimed before, in a return, nor refunded by lines."""
    if not lines:
        raise InvalidInput("lines", "list at least one line with its units.")
    for index, (line_id, units) in enumerate(lines.items()):
        try:
            line = order.line(line_id)
        except NotFound:
            raise InvalidInput(f"lines[{index}].line_id", f"order {order.number} has no line {line_id}.",
                               code="line_not_found") from None
        if units <= 0:
            raise InvalidInput(f"lines[{index}].quantity", "must be at least 1.")
        before = claimed.get(line.id, 0)
        left = line.shipped - before - line.return_requested - line.returned - refunded.get(line.id, 0)
        if units > left:
            raise InvalidInput(f"lines[{index}].quantity", f"only {max(left, 0)} unit(s) of {line.sku} can be "
                               f"claimed ({line.shipped} shipped, {before} claimed already, "
                               f"{line.return_requested + line.returned} in returns); {units} asked.",
                               code="too_many_units")


def claimed_units(claims: list[Claim]) -> dict[str, int]:
    units: dict[str, int] = {}
    for claim in claims:
        for line_id, count in claim.lines.items():
            units[line_id] = units.get(line_id, 0) + count
    return units
