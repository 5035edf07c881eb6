"""The return (RMA) aggregate: which units of which order lines come back, how, and what became of them.

A return moves the order line's buckets exactly: requesting moves units into `return_requested`, receiving moves
them on into `returned`, writing off adds them to `written_off`; rejecting or closing a return gives the units
never received back (out of `return_requested`). The order itself is changed by the services, which hold it
locked; this module keeps the return's own state machine and counts."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from baton.shared.clock import utcnow
from baton.shared.errors import Conflict, InvalidInput
from baton.shared.ids import new_id


class ReturnStatus(enum.StrEnum):
    REQUESTED = "requested"  # the customer (or an agent for them) asked to send units back
    APPROVED = "approved"  # the shop agreed: the units may be sent or dropped off
    RECEIVED = "received"  # some or all units arrived at a location, not all inspected yet
    INSPECTED = "inspected"  # every unit received so far was judged resellable or damaged
    REFUNDED = "refunded"  # the value of the inspected units went back (original payment or store credit)
    EXCHANGED = "exchanged"  # the units were swapped for a replacement order (baton.returns.exchanges)
    CLOSED = "closed"  # done; units never received went back to the order
    REJECTED = "rejected"  # the shop refused the return (with a reason); the units went back to the order


S = ReturnStatus
# What each state allows next (a state may allow itself: more units received, more inspected).
TRANSITIONS: dict[ReturnStatus, frozenset[ReturnStatus]] = {
    S.REQUESTED: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset({S.RECEIVED, S.REJECTED, S.CLOSED}),
    S.RECEIVED: frozenset({S.RECEIVED, S.INSPECTED}),
    S.INSPECTED: frozenset({S.RECEIVED, S.REFUNDED, S.EXCHANGED, S.CLOSED}),  # closed: refunded outside Baton
    S.REFUNDED: frozenset({S.CLOSED}),
    S.EXCHANGED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.REJECTED: frozenset(),
}
VERB = {S.APPROVED: "approved", S.REJECTED: "rejected", S.RECEIVED: "received", S.INSPECTED: "inspected",
        S.REFUNDED: "refunded", S.EXCHANGED: "exchanged", S.CLOSED: "closed"}


class ReturnMethod(enum.StrEnum):
    SHIP_BACK = "ship_back"  # the customer sends a parcel (optionally with a return tracking number)
    DROP_OFF = "drop_off"  # the customer brings the units to a store


class RefundTo(enum.StrEnum):
    ORIGINAL_PAYMENT = "original_payment"  # back to the payments of the order (card first)
    STORE_CREDIT = "store_credit"  # a balance of the customer, spent on a later order


@dataclass(eq=False)
class ReturnLine:
    order_line_id: str
    sku: str
    quantity: int  # units requested
    reason: str
    comment: str | None = None
    received: int = 0
    resellable: int = 0  # inspected, back to stock
    damaged: int = 0  # inspected, written off
    refunded: int = 0  # inspected units whose value went back
    id: str = field(default_factory=lambda: new_id("rtl"))

    @property
    def outstanding(self) -> int:
        """Units requested and not received (yet)."""
        return self.quantity - self.received

    @property
    def uninspected(self) -> int:
        return self.received - self.resellable - self.damaged

    @property
    def inspected(self) -> int:
        return self.resellable + self.damaged


@dataclass(eq=False)
class Return:
    order_id: str
    number: str  # RMA-…, what the customer writes on the parcel
    currency: str
    method: ReturnMethod
    refund_to: RefundTo
    lines: list[ReturnLine]
    requested_by: str
    tracking_number: str | None = None
    location: str | None = None  # the drop-off store, or where the first units were received
    status: ReturnStatus = ReturnStatus.REQUESTED
    reject_reason: str | None = None
    refund_amount: int = 0  # minor units, after deductions
    deductions: int = 0  # restocking and return shipping fees kept back
    id: str = field(default_factory=lambda: new_id("rma"))
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    version: int = 1

    # -- transitions ---------------------------------------------------------------------------------------
    def move(self, to: ReturnStatus) -> None:
        """Change state, refusing what the current state does not allow (409 naming both)."""
        self.check_may(to)
        self.status = to
        self.updated_at = utcnow()
        self.version += 1

    def check_may(self, to: ReturnStatus) -> None:
        allowed = TRANSITIONS[self.status]
        if to not in allowed:
            nexts = ", ".join(sorted(VERB[s] for s in allowed)) or "nothing (it is finished)"
            raise Conflict(f"Return {self.number} is {self.status}; it cannot be {VERB[to]} now. "
                           f"A {self.status} return can be: {nexts}.", code="return_wrong_state",
                           extra={"return_status": str(self.status), "allowed": sorted(str(s) for s in allowed)})

    def reject(self, reason: str) -> dict[str, int]:
        """Refused: returns {order_line_id: units} to give back to the order."""
        if not reason.strip():
            raise InvalidInput("reason", "say why the return is rejected; the customer is told.")
        self.move(S.REJECTED)
        self.reject_reason = reason.strip()
        return self._give_back()

    def close(self) -> dict[str, int]:
        """Done: units never received go back to the order; returns them {order_line_id: units}."""
        self.move(S.CLOSED)
        return self._give_back()

    def receive(self, counts: dict[str, int], location: str) -> None:
        """Units arrived at `location` ({line id: units}); a later receipt of the same return comes there too."""
        self.check_may(S.RECEIVED)
        self._check_counts(counts, lambda line: line.outstanding, "still expected")
        if self.location is not None and location != self.location:
            raise Conflict(f"Return {self.number} is received at {self.location}; units of it cannot be received "
                           f"at {location}.", code="return_other_location")
        self.move(S.RECEIVED)
        self.location = location
        for line_id, units in counts.items():
            self.line(line_id).received += units

    def inspect(self, verdicts: dict[str, tuple[int, int]]) -> None:
        """Judge received units {line id: (resellable, damaged)}; inspected once nothing received is left."""
        self.check_may(S.INSPECTED)
        for index, (good, bad) in enumerate(verdicts.values()):
            if good < 0 or bad < 0:
                raise InvalidInput(f"lines[{index}].{'resellable' if good < 0 else 'damaged'}", "cannot be negative.")
        counts = {line_id: good + bad for line_id, (good, bad) in verdicts.items()}
        self._check_counts(counts, lambda line: line.uninspected, "received and not inspected")
        for line_id, (good, bad) in verdicts.items():
            line = self.line(line_id)
            line.resellable += good
            line.damaged += bad
        if any(line.uninspected for line in self.lines):
            self.updated_at, self.version = utcnow(), self.version + 1
        else:
            self.move(S.INSPECTED)

    def refund(self, amount: int, deductions: int) -> dict[str, int]:
        """The inspected units not refunded yet are refunded; returns them {line id: units}."""
        self.move(S.REFUNDED)
        units = {line.id: line.inspected - line.refunded for line in self.lines if line.inspected > line.refunded}
        for line in self.lines:
            line.refunded = line.inspected
        self.refund_amount += amount
        self.deductions += deductions
        return units

    def refund_refused(self, units: dict[str, int], amount: int) -> None:
        """The gateway refused the refund: back to inspected (a compensation, outside the table), to retry."""
        if self.status != S.REFUNDED:
            raise AssertionError(f"return {self.number} is {self.status}, not refunded")
        for line_id, count in units.items():
            self.line(line_id).refunded -= count
        self.refund_amount -= amount
        self.status = S.INSPECTED
        self.updated_at, self.version = utcnow(), self.version + 1

    # -- lookups -------------------------------------------------------------------------------------------
    def line(self, line_id: str) -> ReturnLine:
        for line in self.lines:
            if line.id == line_id or line.order_line_id == line_id:
                return line
        raise InvalidInput("lines", f"return {self.number} has no line {line_id}.", code="return_line_not_found")

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)

    def _give_back(self) -> dict[str, int]:
        return {line.order_line_id: line.outstanding for line in self.lines if line.outstanding}

    def _check_counts(self, counts: dict[str, int], room: Callable[[ReturnLine], int], what: str) -> None:
        if not counts:
            raise InvalidInput("lines", "list at least one line with its units.")
        for index, (line_id, units) in enumerate(counts.items()):
            try:
                line = self.line(line_id)
            except InvalidInput:
                raise InvalidInput(f"lines[{index}].line_id", f"return {self.number} has no line {line_id}.",
                                   code="return_line_not_found") from None
            if units <= 0:
                raise InvalidInput(f"lines[{index}].quantity", "must be at least 1.")
            left = room(line)
            if units > left:
                raise Conflict(f"Return {self.number} has {left} unit(s) of {line.sku} {what}; {units} given.",
                               code="return_too_many_units")
