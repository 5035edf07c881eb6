"""Holding an order: while a hold is active, nothing of the order is accepted, packed or shipped.

A mixin of the order aggregate (orders.model.Order), kept apart so the aggregate stays one screenful per concern;
it uses the order's number, lines, holds and messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from baton.orders.holds import HoldKind, OrderHold
from baton.shared.errors import Conflict, InvalidInput

if TYPE_CHECKING:
    from baton.orders.model import OrderLine


class Holding:
    id: str
    number: str
    lines: list[OrderLine]
    holds: list[OrderHold]

    if TYPE_CHECKING:  # provided by Order
        def tell(self, actor: str, kind: str, message: str, **data: Any) -> None: ...
        def announce(self, event_type: str, **payload: Any) -> None: ...
        def touch(self) -> None: ...

    @property
    def active_holds(self) -> list[OrderHold]:
        return [hold for hold in self.holds if hold.active]

    def hold(self, kind: str, reasons: list[str], actor: str) -> OrderHold:
        """Stop fulfilment until the hold is released; the reasons are sentences an agent understands."""
        try:
            hold_kind = HoldKind(kind)
        except ValueError:
            raise InvalidInput("kind", f"must be one of {', '.join(HoldKind)}.") from None
        reasons = [reason.strip() for reason in reasons if reason.strip()]
        if not reasons:
            raise InvalidInput("reason", "say why the order is held.")
        if all(line.open == 0 for line in self.lines):
            raise Conflict(f"Order {self.number} has nothing left to hold: every unit has shipped or was cancelled.",
                           code="nothing_to_hold")
        hold = OrderHold(self.id, str(hold_kind), reasons, actor)
        self.holds.append(hold)
        self.tell(actor, "held", f"Order {self.number} is on hold for {_HOLD_LABELS[hold_kind]}: "
                  f"{hold.text} Nothing is accepted, packed or shipped until the hold is "
                  "released.", hold_id=hold.id, hold_kind=hold.kind)
        self.announce("order.held", hold_id=hold.id, kind=hold.kind, reasons=reasons)
        self.touch()
        return hold

    def release(self, hold_id: str | None, actor: str, note: str) -> list[OrderHold]:
        """Release one hold, or every active hold when `hold_id` is None; the order may be fulfilled again once
        no hold is active."""
        note = note.strip()
        if not note:
            raise InvalidInput("note", "say why the order may go ahead.")
        if hold_id is None:
            released = self.active_holds
            if not released:
                raise Conflict(f"Order {self.number} is not on hold.", code="not_on_hold")
        else:
            found = next((hold for hold in self.holds if hold.id == hold_id), None)
            if found is None:
                raise InvalidInput("hold_id", f"order {self.number} has no hold {hold_id}.", code="hold_not_found")
            if not found.active:
                raise Conflict(f"Hold {hold_id} of order {self.number} was released already by {found.released_by}.",
                               code="hold_released")
            released = [found]
        for hold in released:
            hold.release(actor, note)
        remaining = self.active_holds
        labels = " and ".join(sorted({_HOLD_LABELS[HoldKind(h.kind)] for h in released}))
        after = (f"Still on hold: {' '.join(h.describe() for h in remaining)}" if remaining
                 else "Nothing holds the order any more; it can be fulfilled.")
        self.tell(actor, "released", f"Released the hold for {labels} (note: {note}). {after}",
                  hold_ids=[h.id for h in released])
        for hold in released:
            self.announce("order.released", hold_id=hold.id, kind=hold.kind, still_on_hold=bool(remaining))
        self.touch()
        return released

    def check_not_held(self, doing: str) -> None:
        """Refuse a step of fulfilment (`doing`: "accepted", "packed", "shipped" …) while a hold is active."""
        held = self.active_holds
        if held:
            raise Conflict(f"Order {self.number} is on hold and cannot be {doing} until an agent releases it. "
                           f"{' '.join(h.describe() for h in held)}", code="order_on_hold")

    def hold_receivable(self, reasons: list[str], actor: str) -> OrderHold:
        """A payment hold on an order with nothing left to ship: money is owed for what has shipped (a refused
        capture). It stops nothing (everything has left) and shows the receivable until the payments cover it."""
        hold = OrderHold(self.id, str(HoldKind.PAYMENT), reasons, actor)
        self.holds.append(hold)
        self.tell(actor, "held", f"Order {self.number} is on hold for a payment problem: {hold.text} Everything "
                  "has shipped; the hold stays until the order's payments cover its total (add a payment to collect "
                  "what is owed).", hold_id=hold.id, hold_kind=hold.kind)
        self.announce("order.held", hold_id=hold.id, kind=hold.kind, reasons=reasons)
        self.touch()
        return hold


_HOLD_LABELS = {HoldKind.RISK: "risk review", HoldKind.PAYMENT: "a payment problem",
                HoldKind.MANUAL: "an agent's review"}
