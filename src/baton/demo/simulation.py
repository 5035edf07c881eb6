"""Ninety days of orders, replayed in time order: capture (with stock running low and being replenished),
then everything that happens to each order until now. Orders near the end are still open."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from baton.bootstrap import Container
from baton.catalog.model import StockPolicy
from baton.demo.aftercare import Aftercare
from baton.demo.catalog import DemoProduct
from baton.demo.clockwork import Clockwork, days, hours
from baton.demo.lifecycle import OrderPlan
from baton.demo.money import Cashier, gift_card_part, issue_gift_card, pay
from baton.demo.orders import Composer, Wish
from baton.demo.people import Person
from baton.demo.stock import COUNTRY, MAIN, Keeper
from baton.orders.errors import OutOfStock
from baton.orders.services import place_order
from baton.payments.services import PaymentRequest
from baton.shared.money import to_minor

HISTORY_DAYS = 90
PREORDER_WEEKS = 6  # a preorder product sells from six weeks before its release
# Orders per hour of the day: American evenings and the German day. The history is laid out relative to now,
# on a "day" that ends at PRESENT_HOUR, so that a seed gives the same shop whatever the time of day it runs.
PRESENT_HOUR = 20
HOURLY = (7, 6, 5, 4, 3, 2, 2, 3, 4, 5, 6, 7, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 8, 8)
HOLD_SHARE = 0.012  # orders an agent holds for a few hours before they are worked


@dataclass(frozen=True)
class Showcase:
    """A recent order forced into one scenario, so that every status exists even in a small demo."""

    hours_ago: float
    scenario: str
    halt: str | None
    pickup: bool = False
    min_units: int = 1
    payment: str = "card"  # how it is paid (see demo.money.KINDS)


SHOWCASE = (
    Showcase(120, "normal", None),  # delivered
    Showcase(52, "normal", "shipped"),  # shipped, on its way
    Showcase(44, "partial", "shipped_part", min_units=2),  # partially shipped
    Showcase(36, "normal", "packed", pickup=True),  # ready for pickup
    Showcase(30, "pickup_reject", "backordered", pickup=True),  # the store could not: waits for stock
    Showcase(24, "cancel", None),  # cancelled by the customer
    Showcase(18, "normal", "accepted"),  # processing
    Showcase(12, "reject", "placed"),  # re-routed after a rejection, not yet accepted again
    Showcase(6, "cancel_line", "accepted", min_units=2),  # one line cancelled, the rest in progress
    Showcase(2, "normal", "placed"),  # just placed
    Showcase(8, "normal", None, payment="declined"),  # the card was declined: on hold with the bank's reason
    Showcase(4, "hold", None),  # an agent holds it (a reason on the order), not released yet
)


class Simulation(Aftercare):
    def __init__(self, container: Container, rng: random.Random, catalog: list[DemoProduct], people: list[Person],
                 now: datetime, progress: Callable[[str, int, int], None] | None, cashier: Cashier,
                 care: random.Random):
        clock = Clockwork(now)
        super().__init__(container, rng, catalog, Keeper(container, rng, catalog), clock, care=care)
        self.catalog = catalog
        opens = {p.sku: now + days(p.release_day - PREORDER_WEEKS * 7) for p in catalog
                 if p.policy is StockPolicy.PREORDER}
        self.composer = Composer(rng, catalog, people, opens)
        self.progress = progress
        self.cashier = cashier
        self.placed = 0
        self.total = 0

    def run(self, orders: int) -> None:
        now = self.clock.now
        start = now - days(HISTORY_DAYS)
        self.total = orders
        for moment, showcase in self._moments(orders, start):
            self.clock.at(moment, partial(self._place, showcase))
        morning = start + hours((4 - PRESENT_HOUR) % 24)  # replenishment runs at 04:00 (of the shop's day)
        for index in range(HISTORY_DAYS + 1):
            self.clock.at(morning + days(index), partial(self.keeper.replenish, index % 7 == 0))
        for product in self.catalog:
            release = now + days(product.release_day)
            if product.policy is StockPolicy.PREORDER and start < release <= now:
                self.clock.at(release, partial(self.keeper.release, product.sku))
        self.clock.run()

    def _moments(self, orders: int, start: datetime) -> list[tuple[datetime, Showcase | None]]:
        """When each order is placed: more orders lately (the shop grows), more in the afternoon and evening."""
        showcase = SHOWCASE[:orders]
        moments: list[tuple[datetime, Showcase | None]] = [
            (self.clock.now - hours(s.hours_ago), s) for s in showcase]
        top = max(HOURLY)
        while len(moments) < orders:
            moment = start + days(HISTORY_DAYS) * (self.rng.random() ** (1 / 1.5))
            if moment > self.clock.now - hours(0.3) or self.rng.random() * top > HOURLY[self._hour(moment)]:
                continue
            moments.append((moment.replace(microsecond=0), None))
        return sorted(moments, key=lambda m: m[0])

    def _hour(self, moment: datetime) -> int:
        return int((moment - self.clock.now).total_seconds() // 3600 + PRESENT_HOUR) % 24

    # -- capture ----------------------------------------------------------------------------------------------
    def _place(self, showcase: Showcase | None) -> None:
        pickup = showcase.pickup if showcase else None
        wish = self.composer.wish(self.clock.moment, shelves=self.keeper.shelves, pickup=pickup,
                                  min_units=showcase.min_units if showcase else 1, plain=showcase is not None)
        if showcase and showcase.scenario == "cancel_line" and len(wish.lines) < 2:
            extra = next(s for s in self.composer.skus if s not in dict(wish.lines)
                         and not self.by_sku[s].scarce and self.by_sku[s].policy is StockPolicy.STOCKED)
            wish = Wish(wish.person, wish.channel, wish.pickup_store, [*wish.lines, (extra, 1)], wish.promotion,
                        wish.express)
        kind = showcase.payment if showcase else self.cashier.kind(wish.person.business)
        captured = self._capture(wish, kind, self.cashier.gift_card())
        if captured is None:
            self.counts["not_placed"] += 1
            return
        order_id, wish = captured
        self.placed += 1
        if self.progress:
            self.progress("Orders", self.placed, self.total)
        if self.payment_held(self.settle(order_id)):
            self.counts["payment_refused"] += 1  # waits on hold for another payment method: nothing ships
            return
        scenario, halt = self._scenario(wish, showcase)
        plan = OrderPlan(order_id, wish.person.country, scenario, halt, fast=showcase is not None,
                         pickup=wish.pickup_store is not None, placed_at=self.clock.moment)
        if scenario == "hold":
            self.hold(plan, partial(self._start, plan), release=False)
        elif showcase is None and self.care.random() < HOLD_SHARE:
            self.hold(plan, partial(self._start, plan))
        else:
            self._start(plan)

    def _in_region(self, wish: Wish) -> Wish:
        """What the shop shows as in stock: the customer's main warehouse. A regular product it lacks gets an
        urgent purchase order; a scarce one is shown as sold out and the customer leaves it out. A backorder
        product the other continent still has is ordered in too, so the order is not shipped across the ocean."""
        if wish.pickup_store:
            return wish  # pickup baskets come from the store's shelves already
        country = wish.person.country
        skus = [sku for sku, _ in wish.lines if self.by_sku[sku].policy is not StockPolicy.PREORDER]
        own: dict[str, int] = {}
        abroad: dict[str, int] = {}
        for lv in self.keeper.levels(skus=skus) if skus else []:
            if lv.location == MAIN[country]:
                own[lv.sku] = lv.available
            elif COUNTRY[lv.location] != country:
                abroad[lv.sku] = abroad.get(lv.sku, 0) + max(lv.available, 0)
        sold_out = set()
        for sku, quantity in wish.lines:
            product = self.by_sku[sku]
            if sku not in skus or own.get(sku, 0) >= quantity:
                continue
            if product.scarce:
                sold_out.add(sku)
            elif product.policy is StockPolicy.STOCKED or abroad.get(sku, 0) > 0:
                self.keeper.restock_for(country, sku, quantity, own.get(sku, 0))
        return self.composer.without(wish, sold_out) if sold_out else wish

    def _capture(self, wish: Wish, payment: str, gift_card: int) -> tuple[str, Wish] | None:
        """Place the order, paid as `payment` says; when stock is short, an urgent purchase order arrives or the
        customer drops the item."""
        wish = self._in_region(wish)
        person, currency = wish.person, wish.person.currency
        code = issue_gift_card(self.container, currency, gift_card, person.email) if payment == "gift_card" else None
        credit = self.credit.get(person.email, 0) if payment == "card" else 0
        for attempt in range(8):
            command = self.composer.command(wish, self.composer.actor(wish))
            goods = sum(self.by_sku[sku].price_minor(currency) * q for sku, q in wish.lines) - sum(
                to_minor(d.amount, currency) for d in command.discounts)
            spent = min(credit, goods // 2)  # the store credit of an earlier return pays up to half
            command = pay(command, payment, _prepaid(code, gift_card_part(gift_card, goods, currency), spent))
            try:
                placed = place_order(self.container.uow(), command, self.container.strategy).id, wish
                if spent > 0:
                    self.credit[person.email] = credit - spent
                    self.counts["store_credit_spent"] += 1
                return placed
            except OutOfStock as refused:
                self.counts["out_of_stock"] += 1
                dropped: set[str] = set()
                for shortage in refused.extra["shortages"]:
                    sku = shortage["sku"]
                    if wish.pickup_store or self.by_sku[sku].scarce or attempt >= 3:
                        dropped.add(sku)
                    else:
                        self.keeper.restock_for(wish.person.country, sku, shortage["requested"],
                                                shortage["available"])
                if dropped:
                    wish = self.composer.without(wish, dropped)
        return None

    def _scenario(self, wish: Wish, showcase: Showcase | None) -> tuple[str, str | None]:
        if showcase:
            scenario = showcase.scenario
            if scenario == "pickup_reject" and wish.pickup_store is None:
                scenario = "reject"  # the store had nothing on its shelves: reject a warehouse instead
            if scenario == "partial" and wish.units < 2:
                scenario = "normal"
            return scenario, showcase.halt
        roll = self.rng.random()
        if wish.pickup_store:
            return ("pickup_reject" if roll < 0.06 else "normal"), None
        if roll < 0.04:
            return "cancel", None
        if roll < 0.07 and len(wish.lines) >= 2:
            return "cancel_line", None
        if roll < 0.095:
            return "reject", None
        if roll < 0.17 and wish.units >= 2:
            return "partial", None
        return "normal", None

    def _start(self, plan: OrderPlan) -> None:
        lines, fos = self.state(plan.order_id)
        if plan.scenario == "cancel":
            self.clock.at(self._later(plan, 0.2, 10), partial(self.cancel, plan))
        elif plan.scenario == "cancel_line" and len(lines) >= 2:
            victim = lines[-1]
            quantity = victim.quantity if victim.quantity == 1 or self.rng.random() < 0.5 else 1
            moment = self._later(plan, 0.2, 3)
            plan.not_before = moment + hours(1)
            self.clock.at(moment, partial(self.cancel_line, plan, victim.id, quantity))
        self.follow(plan, fos)


def _prepaid(gift_card_code: str | None, gift_card: int, store_credit: int) -> list[PaymentRequest]:
    """What pays before the card: a real gift card (by its code) and the customer's store credit (minor units)."""
    prepaid = []
    if gift_card_code and gift_card > 0:
        prepaid.append(PaymentRequest("gift_card", amount=gift_card, token=gift_card_code))
    if store_credit > 0:
        prepaid.append(PaymentRequest("store_credit", amount=store_credit))
    return prepaid
