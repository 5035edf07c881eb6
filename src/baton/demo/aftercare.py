"""After delivery: returns (RMA) in every state, exchanges for another variant, claims for parcels lost in transit,
goodwill appeasements, agents' notes and tags. Every step is a call of the real service, scheduled on the
clockwork at a plausible later moment; a step that would fall after now never happens, so recent returns are
still open. Its choices come from a random stream of its own, so the orders themselves do not depend on it."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import select

from baton.adapters.db import tables as t
from baton.bootstrap import Container
from baton.catalog.model import StockPolicy
from baton.demo.catalog import DemoProduct
from baton.demo.clockwork import days, hours
from baton.demo.lifecycle import FoPlan, Lifecycle, OrderPlan
from baton.demo.stock import MAIN
from baton.orders import notes
from baton.orders import services as ordering
from baton.orders.holds import HoldKind
from baton.payments import flows
from baton.payments.refunds import MoneyBack, Purpose
from baton.returns import claim_services, exchange_services, refunds
from baton.returns import services as returns
from baton.returns.claims import ClaimKind, Resolution
from baton.returns.commands import LineRequest, RequestReturn
from baton.returns.exchanges import Reserve
from baton.returns.model import RefundTo, ReturnMethod
from baton.returns.settings import set_policy
from baton.shared.actor import Actor
from baton.shared.errors import BatonError

T = TypeVar("T")
RETURN_SHARE = 0.14  # of delivered consumer orders (apparel makes it high)
CLAIM_SHARE = 0.015  # of parcels: lost in transit
APPEASE_SHARE = 0.02  # of delivered consumer orders: goodwill for a late or scuffed parcel
# The last step a return reaches (when there is time for it): the first returns take each in turn, so even a
# small demo shows every state; then (state, weight).
HALTS = ("closed", "exchange", "refunded", "rejected", "inspected", "received", "approved", "requested")
WEIGHTS = (("closed", 44), ("refunded", 22), ("rejected", 6), ("inspected", 5), ("received", 5), ("approved", 6),
           ("requested", 4), ("exchange", 8))
REASONS = ("Too small.", "Too large.", "Changed my mind.", "Not as pictured.", "Arrived damaged.",
           "Ordered two, kept one.", "Colour looks different in person.")
REJECT_REASONS = ("Worn and washed: not resellable.", "Outside the return window when it arrived.",
                  "The item returned is not the one sold.")
LATE = ("Parcel arrived four days late.", "Box arrived crushed; item fine.", "Missing gift note.")
HOLD_REASONS = ("Customer asked to change the delivery address.", "Large first order: call the customer to confirm.",
                "Gift message to be confirmed with the customer.")
TAGS = (("gift",), ("vip",), ("fragile", "gift"), ("repeat-customer",), ("address-checked",))
# Agents and the returns desk act as themselves: their names are on the timeline and in the audit log.
AGENT = Actor("user", "usr_demo_agent", "maria.lopez", role="agent")
DESK = Actor("user", "usr_demo_returns", "returns.desk", role="fulfillment")


@dataclass
class ReturnPlan:
    order_id: str
    country: str
    halt: str
    return_id: str = ""
    exchange_id: str = ""
    damaged: bool = False
    counts: dict[str, int] = field(default_factory=dict)  # return line id -> units


def policies(container: Container) -> None:
    """Marketplace returns pay a 10 % restocking fee; the other channels keep the default (30 days, no fee)."""
    set_policy(container.uow(), "marketplace", 30, 10, {})


class Aftercare(Lifecycle):
    def __init__(self, *args: Any, care: random.Random, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.care = care
        self.cared: set[str] = set()  # orders that had a return, claim or appeasement already
        self.returns_opened = 0
        self.credit: dict[str, int] = {}  # store credit refunded and not spent yet, by customer e-mail

    # -- holds: an agent stops an order before it is worked -----------------------------------------------------
    def hold(self, plan: OrderPlan, then: Callable[[], None], release: bool = True) -> None:
        """Hold the order with a reason; released (and `then` run) a few hours later, unless that is after now."""
        reason = self.care.choice(HOLD_REASONS)
        if self._as(AGENT, "hold", ordering.hold_order, plan.order_id, HoldKind.MANUAL, [reason], AGENT.label) is None:
            then()
            return
        self.counts["holds"] += 1
        if release:
            self.clock.at((self.clock.moment + hours(self.care.uniform(2, 30))).replace(microsecond=0),
                          partial(self._release, plan, then))

    def _release(self, plan: OrderPlan, then: Callable[[], None]) -> None:
        if self._as(AGENT, "release hold", ordering.release_order, plan.order_id, None,
                    "Checked with the customer: go ahead.", AGENT.label):
            then()

    def _as(self, actor: Actor, what: str, service: Callable[..., T], /, *args: Any, **kwargs: Any) -> T | None:
        """A service call as `actor` (services taking a unit of work first); refusals are reported."""
        return self._try(what, lambda: service(self.container.uow(actor=actor), *args, **kwargs))

    def _try(self, what: str, step: Callable[[], T]) -> T | None:
        """Run a step; an expected refusal (a BatonError) is counted and reported, never hidden."""
        try:
            return step()
        except BatonError as exc:
            self.counts["refused"] += 1
            self.refusals.append(f"{self.clock.moment:%Y-%m-%d %H:%M} {what}: {exc.code}: {exc}")
            return None

    def _uows(self, actor: Actor) -> Callable[[], Any]:
        return lambda: self.container.uow(actor=actor)

    def _soon(self, low: float, high: float) -> datetime:
        """A moment `low` to `high` days from the present step."""
        return (self.clock.moment + days(self.care.uniform(low, high))).replace(microsecond=0)

    # -- hooks of the lifecycle ---------------------------------------------------------------------------------
    def arrived(self, fp: FoPlan) -> None:
        """A parcel was delivered or handed over: some customers come back with a return, some get goodwill."""
        plan = fp.order
        if plan.order_id in self.cared or self._channel(plan.order_id) == "b2b":
            return
        roll = self.care.random()
        if roll < RETURN_SHARE:
            self.cared.add(plan.order_id)
            halt = HALTS[self.returns_opened] if self.returns_opened < len(HALTS) else \
                self.care.choices([h for h, _ in WEIGHTS], [w for _, w in WEIGHTS])[0]
            self.returns_opened += 1
            rp = ReturnPlan(plan.order_id, plan.country, halt)
            self.clock.at(self._soon(1, 12), partial(self._request, rp, fp.location if plan.pickup else None))
        elif roll < RETURN_SHARE + APPEASE_SHARE:
            self.cared.add(plan.order_id)
            self.clock.at(self._soon(0.2, 3), partial(self._appease, plan))
        elif roll < RETURN_SHARE + APPEASE_SHARE + 0.05:
            self.clock.at(self._soon(0, 0.5), partial(self._tag, plan.order_id, self.care.choice(TAGS)))

    def lost(self, fp: FoPlan) -> bool:
        """Whether this parcel gets lost in transit (the carrier never delivers it; a claim follows)."""
        if fp.order.pickup or fp.order.order_id in self.cared or self.care.random() >= CLAIM_SHARE:
            return False
        if self._channel(fp.order.order_id) == "b2b":
            return False
        self.cared.add(fp.order.order_id)
        self.clock.at(self._soon(8, 14), partial(self._claim, fp))
        return True

    # -- returns ---------------------------------------------------------------------------------------------
    def _request(self, rp: ReturnPlan, store: str | None) -> None:
        line = self._returnable(rp.order_id)
        if line is None:
            return
        line_id, sku, delivered = line
        units = 1 if delivered == 1 or self.care.random() < 0.8 else 2
        reason = self.care.choice(REASONS)
        rp.damaged = reason == "Arrived damaged."
        swap = self._swap(sku) if rp.halt == "exchange" else None
        if swap:
            cmd = exchange_services.OpenExchange(
                rp.order_id, [exchange_services.SwapRequest(line_id, units, swap, "Wrong size: swapped for another.")],
                ReturnMethod.SHIP_BACK, Reserve.ON_RECEIPT, tracking_number=self._tracking())
            exchange = self._as(AGENT, "open exchange", exchange_services.open_exchange, cmd, self.container.gateway)
            if exchange is None:
                return
            rp.exchange_id, rp.return_id = exchange.id, exchange.return_id
        else:
            rp.halt = "closed" if rp.halt == "exchange" else rp.halt
            method = ReturnMethod.DROP_OFF if store else ReturnMethod.SHIP_BACK
            refund_to = RefundTo.STORE_CREDIT if self.care.random() < 0.3 else RefundTo.ORIGINAL_PAYMENT
            cmd_return = RequestReturn(rp.order_id, [LineRequest(line_id, units, reason)], method, refund_to,
                                       None if store else self._tracking(), store)
            rma = self._as(Actor("shopper", "demo-shopper", "customer"), "request return", returns.request_return,
                           cmd_return)
            if rma is None:
                return
            rp.return_id = rma.id
        self.counts["returns"] += 1
        if rp.halt != "requested":
            self.clock.at(self._soon(0.1, 1.5), partial(self._decide, rp))

    def _decide(self, rp: ReturnPlan) -> None:
        if rp.halt == "rejected":
            self._as(AGENT, "reject return", returns.reject, rp.return_id, self.care.choice(REJECT_REASONS))
            self._note(rp.order_id, "Return refused; customer told by e-mail with photos of the item.")
            return
        if self._as(AGENT, "approve return", returns.approve, rp.return_id) and rp.halt != "approved":
            self.clock.at(self._soon(2, 7), partial(self._receive, rp))

    def _receive(self, rp: ReturnPlan) -> None:
        rma = self._rma(rp.return_id)
        if rma is None:
            return
        rp.counts = {line.id: line.outstanding for line in rma.lines if line.outstanding}
        where = None if rma.location else MAIN[rp.country]
        done = self._as(DESK, "receive return", returns.receive, rp.return_id, rp.counts, where, DESK,
                        self.container.gateway)
        if done is None:
            return
        if rp.exchange_id:  # the replacement was placed on receipt: settle its payments and ship it
            exchange_services.settle_replacement(self._uows(DESK), self.container.gateway, rp.return_id)
            self._ship_replacement(rp)
        if rp.halt != "received":
            self.clock.at(self._soon(0.3, 3), partial(self._inspect, rp))

    def _inspect(self, rp: ReturnPlan) -> None:
        verdicts = {line_id: (0, n) if rp.damaged else (n, 0) for line_id, n in rp.counts.items()}
        if self._as(DESK, "inspect return", returns.inspect, rp.return_id, verdicts, DESK) is None:
            return
        if rp.exchange_id:
            self.clock.at(self._soon(0.1, 1), partial(self._complete, rp))
        elif rp.halt != "inspected":
            self.clock.at(self._soon(0.1, 2), partial(self._refund, rp))

    def _refund(self, rp: ReturnPlan) -> None:
        rma = self._try("refund return", lambda: refunds.refund(
            self.container.uow(actor=AGENT), self._uows(AGENT), self.container.gateway, rp.return_id,
            f"demo-refund-{rp.return_id}"))
        if rma is None:
            return
        if rma.refund_to == RefundTo.STORE_CREDIT and rma.refund_amount:  # spent on the customer's next order
            email = self._email(rp.order_id)
            self.credit[email] = self.credit.get(email, 0) + rma.refund_amount
        if rp.halt == "closed":
            self.clock.at(self._soon(0.5, 5), partial(self._close, rp))

    def _close(self, rp: ReturnPlan) -> None:
        self._as(AGENT, "close return", returns.close, rp.return_id)

    def _complete(self, rp: ReturnPlan) -> None:
        self._try("complete exchange", lambda: exchange_services.complete(
            self.container.uow(actor=AGENT), self._uows(AGENT), self.container.gateway, rp.exchange_id,
            f"demo-exchange-{rp.exchange_id}"))

    def _ship_replacement(self, rp: ReturnPlan) -> None:
        with self.container.reader() as uow:
            exchange = uow.exchanges.get(rp.exchange_id)
        placed = exchange.replacement_order_id if exchange else None
        if placed:
            self.cared.add(placed)  # no return or claim of its own
            _lines, fos = self.state(placed)
            self.follow(OrderPlan(placed, rp.country, "normal", None, fast=False, pickup=False,
                                  placed_at=self.clock.moment), fos)

    # -- claims, goodwill, notes and tags ----------------------------------------------------------------------
    def _claim(self, fp: FoPlan) -> None:
        shipped = self._shipped_by(fp.fo_id)
        if not shipped:
            return
        resolution = Resolution.REPLACE if self.care.random() < 0.5 else Resolution.REFUND
        note = f"{fp.carrier} confirms the parcel was lost in transit."
        cmd = claim_services.OpenClaim(fp.order.order_id, ClaimKind.LOST, shipped, resolution, note)
        claim = self._try("open claim", lambda: claim_services.open_claim(
            self.container.uow(actor=AGENT), self._uows(AGENT), self.container.gateway, cmd, f"demo-claim-{fp.fo_id}"))
        if claim is None:
            return
        self.counts["claims"] += 1
        self.settle(fp.order.order_id)
        self._tag(fp.order.order_id, ("carrier-issue", "claim"))
        if claim.replacement_order_id:
            self.cared.add(claim.replacement_order_id)
            _lines, fos = self.state(claim.replacement_order_id)
            self.follow(OrderPlan(claim.replacement_order_id, fp.order.country, "normal", None, fast=False,
                                  pickup=False, placed_at=self.clock.moment), fos)

    def _appease(self, plan: OrderPlan) -> None:
        reason = self.care.choice(LATE)
        ask = MoneyBack(Purpose.APPEASEMENT, reason, percent=Decimal(self.care.choice((5, 10, 15))))
        if self._try("appease", lambda: flows.give_back(
                self.container.uow(actor=AGENT), self._uows(AGENT), self.container.gateway, plan.order_id, ask,
                f"demo-appease-{plan.order_id}")) is None:
            return
        self.counts["appeasements"] += 1
        self._note(plan.order_id, f"Goodwill credit given: {reason}")

    def _note(self, order_id: str, text: str) -> None:
        self._as(AGENT, "add note", notes.add_note, order_id, text, AGENT.label)

    def _tag(self, order_id: str, tags: tuple[str, ...]) -> None:
        self._as(AGENT, "tag order", notes.set_tags, order_id, list(tags), AGENT.label)

    # -- reading ---------------------------------------------------------------------------------------------
    def _email(self, order_id: str) -> str:
        with self.container.engine.connect() as conn:
            return str(conn.scalar(select(t.orders.c.customer_email).where(t.orders.c.id == order_id)))

    def _channel(self, order_id: str) -> str:
        with self.container.engine.connect() as conn:
            return str(conn.scalar(select(t.orders.c.channel).where(t.orders.c.id == order_id)))

    def _returnable(self, order_id: str) -> tuple[str, str, int] | None:
        """A delivered line of the order (its id, SKU and units) that nothing was returned of yet."""
        ol = t.order_lines.c
        with self.container.engine.connect() as conn:
            rows = conn.execute(select(ol.id, ol.sku, ol.delivered - ol.return_requested - ol.returned)
                                .where(ol.order_id == order_id, ol.delivered > 0).order_by(ol.position)).all()
        free = [(row[0], row[1], int(row[2])) for row in rows if row[2] > 0]
        return self.care.choice(free) if free else None

    def _shipped_by(self, fo_id: str) -> dict[str, int]:
        fl = t.fulfillment_lines.c
        with self.container.engine.connect() as conn:
            rows = conn.execute(select(fl.order_line_id, fl.shipped)
                                .where(fl.fulfillment_order_id == fo_id, fl.shipped > 0)).all()
        return {row[0]: int(row[1]) for row in rows}

    def _rma(self, return_id: str) -> Any:
        with self.container.reader() as uow:
            return uow.returns.get(return_id)

    def _swap(self, sku: str) -> str | None:
        """Another variant of the same product at the same price or less (a size or colour swap)."""
        product = self.by_sku[sku]
        noun = product.data.name.split(" ", 1)[-1]
        price = product.price_minor("USD")
        alike: list[DemoProduct] = [p for p in self.by_sku.values() if p.sku != sku and not p.scarce
                                    and p.policy is StockPolicy.STOCKED and p.data.name.endswith(noun)
                                    and p.price_minor("USD") <= price]
        return max(alike, key=lambda p: (p.price_minor("USD"), p.sku)).sku if alike else None

    def _tracking(self) -> str:
        return "RT" + "".join(self.care.choices("0123456789", k=12))

