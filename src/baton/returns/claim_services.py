"""Use cases of claims: shipped units lost or damaged in transit, or the wrong item, resolved at once.
`replace` places a replacement order of the units at no price (no sale: it books no revenue and takes no money;
the goods leave stock through the inventory ledger like any shipment); `refund` gives the units' value back
through the payment flows (a refund by lines). Either way the claim is recorded in the same transaction as its
resolution, with the order locked, so the same units cannot be claimed twice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baton.adapters.db.uow import UnitOfWork
from baton.orders.model import Order
from baton.payments import flows
from baton.payments.refunds import MoneyBack, Purpose
from baton.payments.services import Gateways
from baton.returns import replacement
from baton.returns.claims import Claim, ClaimKind, Resolution, check_claimable, claimed_units
from baton.shared.errors import InvalidInput, NotFound

KIND = {ClaimKind.LOST: "lost in transit", ClaimKind.DAMAGED: "damaged in transit",
        ClaimKind.WRONG_ITEM: "the wrong item was sent"}


@dataclass(frozen=True)
class OpenClaim:
    order_id: str
    kind: ClaimKind
    lines: dict[str, int]  # order line id -> units
    resolution: Resolution
    note: str


def open_claim(first: UnitOfWork, uows: flows.UnitsOfWork, gateways: Gateways, cmd: OpenClaim, key: str) -> Claim:
    if not cmd.note.strip():
        raise InvalidInput("note", "say what happened; the claim keeps it.")
    if cmd.resolution == Resolution.REPLACE:
        with first as uow:
            order = uow.orders.get(cmd.order_id, lock=True)
            if order is None:
                raise NotFound(f"No order with id {cmd.order_id}.", code="order_not_found")
            claim = _record(uow, order, cmd)
            uow.commit()
            return claim
    made: list[Claim] = []

    def record(_amount: int) -> None:  # runs with the order locked in the refund's transaction: one commit
        order = first.orders.get(cmd.order_id, lock=True)
        assert order is not None
        made.append(_record(first, order, cmd))

    ask = MoneyBack(Purpose.REFUND, f"claim: {KIND[cmd.kind]}", lines=dict(cmd.lines))
    flows.give_back(first, uows, gateways, cmd.order_id, ask, key, limit=record)
    return made[0]


def _record(uow: UnitOfWork, order: Order, cmd: OpenClaim) -> Claim:
    before = order.audit_view()
    claims = uow.claims.of_order(order.id)
    by_refund = claimed_units([c for c in claims if c.resolution == Resolution.REFUND])
    refunded = {line: units - by_refund.get(line, 0) for line, units in flows.refunded_by_lines(uow, order.id).items()}
    check_claimable(order, cmd.lines, claimed_units(claims), refunded)  # a claim's own refund counts once
    number = f"CLM-{order.number.removeprefix('BT-')}-{uow.claims.count_of_order(order.id) + 1}"
    value = sum(order.value_of(order.line(line_id), units) for line_id, units in cmd.lines.items())
    claim = Claim(order.id, number, order.currency, cmd.kind, cmd.resolution, cmd.note.strip(), dict(cmd.lines),
                  value, uow.actor.label)
    what = ", ".join(f"{units} × {order.line(line_id).sku}" for line_id, units in cmd.lines.items())
    actor = uow.actor.label
    if cmd.resolution == Resolution.REPLACE:
        placed = replacement.place(uow, order, [(order.line(i).sku, units) for i, units in cmd.lines.items()],
                                   lambda _total: [], free=True)
        claim.replacement_order_id = placed.id
        outcome = f"replacement order {placed.number} placed at no charge"
        placed.tell(actor, "claim_replacement", f"Replacement for claim {number} of order {order.number} "
                    f"({KIND[cmd.kind]}): {what}, at no charge to the customer.", claim_id=claim.id,
                    original_order_id=order.id)
        replacement.write_messages(uow, placed)
    else:
        outcome = f"{order.money(value)} refunded to the original payment"
    order.tell(actor, "claim_opened", f"Claim {number}: {what} {KIND[cmd.kind]} ({claim.note}); {outcome}.",
               claim_id=claim.id, **({"replacement_order_id": claim.replacement_order_id}
                                     if claim.replacement_order_id else {}))
    order.touch()
    uow.claims.add(claim)
    uow.created_id = claim.id
    uow.audit.record("claim.open", "claim", claim.id, None, view(claim))
    uow.audit.record("order.claim", "order", order.id, before, order.audit_view())
    return claim


def view(claim: Claim) -> dict[str, Any]:
    return {"number": claim.number, "kind": str(claim.kind), "resolution": str(claim.resolution),
            "lines": dict(claim.lines), "value": claim.value, "replacement_order_id": claim.replacement_order_id,
            "note": claim.note}
