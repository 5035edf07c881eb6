"""What demo customers buy: channel, delivery method, lines, discounts and shipping, as PlaceOrder commands."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal

from baton.catalog.model import StockPolicy
from baton.demo.catalog import DemoProduct
from baton.demo.people import Person
from baton.orders.commands import DiscountRequest, LineRequest, PlaceOrder

CHANNELS = (("web", 47), ("app", 22), ("marketplace", 14), ("store", 6), ("phone", 7))
AGENTS = ("agent:maria.lopez", "agent:jonas.weber", "agent:sam.okafor", "agent:lea.hoffmann")
# code, share of the subtotal (percent) or a fixed amount, chance among orders with a discount
PROMOTIONS = (("WELCOME10", 10, None), ("SPRING15", 15, None), ("VIP20", 20, None), ("SAVE5", None, "5.00"),
              ("FREESHIP", None, None))
FREE_SHIPPING_FROM = {"USD": 7500, "EUR": 5000}
SHIPPING = {"USD": ("5.99", "14.99"), "EUR": ("4.95", "9.90")}  # standard, express


@dataclass(frozen=True)
class Wish:
    """An order a customer wants to place, before stock has had its say."""

    person: Person
    channel: str
    pickup_store: str | None
    lines: list[tuple[str, int]]
    promotion: str | None
    express: bool

    @property
    def units(self) -> int:
        return sum(q for _, q in self.lines)


class Composer:
    def __init__(self, rng: random.Random, catalog: list[DemoProduct], people: list[Person],
                 opens: dict[str, datetime]):
        """`opens`: when each preorder product starts to sell (some weeks before its release)."""
        self.rng = rng
        self.opens = opens
        self.moment = min(opens.values(), default=datetime.max.replace(tzinfo=UTC))
        self.by_sku = {p.sku: p for p in catalog}
        self.skus = [p.sku for p in catalog]
        self.weights = [p.popularity for p in catalog]
        self.people = people
        self.loyalty = [p.loyalty for p in people]
        self.unplain = frozenset(p.sku for p in catalog if p.policy is not StockPolicy.STOCKED or p.scarce)

    # -- who, where, what ----------------------------------------------------------------------------------
    def wish(self, moment: datetime, *, shelves: Callable[[str], dict[str, int]], pickup: bool | None = None,
             min_units: int = 1, plain: bool = False) -> Wish:
        """A customer and a basket. `shelves(store)` gives a store's available units (pickup baskets come from
        them); `pickup` forces the delivery method (None: the customer chooses); `plain` keeps backorder and
        preorder products out, so nothing waits for stock."""
        rng = self.rng
        self.moment = moment
        person = self._person(pickup)
        channel = "b2b" if person.business else rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
        store = person.city.store if not person.business else None
        if channel == "store" and store is None:
            channel = "web"  # no store nearby: the customer ordered online
        elif store is not None and channel != "store" and rng.random() < 0.12:
            channel = "store"  # bought at the till of the store nearby
        if pickup is None:
            pickup = store is not None and rng.random() < (0.8 if channel == "store" else 0.25)
        if pickup and store:
            lines = self._basket(shelves(store), person, min_units)
            if lines:
                return Wish(person, channel, store, lines, self._promotion(person), False)
        lines = self.ship_basket(person, min_units, self.unplain if plain else frozenset())
        return Wish(person, channel, None, lines, self._promotion(person), rng.random() < 0.08)

    def _person(self, pickup: bool | None) -> Person:
        if pickup:
            nearby = [p for p in self.people if p.city.store and not p.business]
            return self.rng.choice(nearby)
        return self.rng.choices(self.people, self.loyalty)[0]

    def _count(self, person: Person) -> int:
        return self.rng.choices((1, 2, 3, 4, 5), (20, 25, 25, 15, 15) if person.business else (46, 27, 14, 8, 5))[0]

    def _quantity(self, person: Person) -> int:
        if person.business:
            return self.rng.randint(2, 12)
        return self.rng.choices((1, 2, 3, 4), (82, 13, 4, 1))[0]

    def ship_basket(self, person: Person, min_units: int = 1,
                    avoid: frozenset[str] = frozenset()) -> list[tuple[str, int]]:
        lines: dict[str, int] = {}
        count = self._count(person)
        for _ in range(count * 3):
            if len(lines) == count:
                break
            sku = self.rng.choices(self.skus, self.weights)[0]
            if sku not in lines and sku not in avoid and self.opens.get(sku, self.moment) <= self.moment:
                lines[sku] = self._quantity(person)
        if not lines:  # only avoided SKUs drawn: fall back on the first product of the catalog
            lines[self.skus[0]] = 1
        return _at_least(list(lines.items()), min_units)

    def _basket(self, available: dict[str, int], person: Person, min_units: int) -> list[tuple[str, int]]:
        """A pickup basket from what the store has on its shelves (never more than is there)."""
        skus = sorted(available)
        if not skus:
            return []
        weights = [self.by_sku[s].popularity for s in skus]
        lines: dict[str, int] = {}
        count = min(self._count(person), len(skus))
        for _ in range(count * 3):
            if len(lines) == count:
                break
            sku = self.rng.choices(skus, weights)[0]
            if sku not in lines:
                lines[sku] = min(self._quantity(person), available[sku])
        if sum(lines.values()) < min_units:
            return []
        return list(lines.items())

    def _promotion(self, person: Person) -> str | None:
        if person.business:
            return "CONTRACT8"
        if self.rng.random() < 0.14:
            return self.rng.choices([p[0] for p in PROMOTIONS], (30, 20, 8, 30, 12))[0]
        return None

    # -- the command -------------------------------------------------------------------------------------------
    def command(self, wish: Wish, actor: str) -> PlaceOrder:
        person, currency = wish.person, wish.person.currency
        subtotal = sum(self.by_sku[sku].price_minor(currency) * q for sku, q in wish.lines)
        discount, free_shipping = self._discount(wish.promotion, subtotal)
        shipping = "0"
        if wish.pickup_store is None:
            standard, express = SHIPPING[currency]
            if person.business:
                shipping = "19.00" if currency == "USD" else "15.00"
            elif wish.express:
                shipping = express
            elif subtotal < FREE_SHIPPING_FROM[currency] and not free_shipping:
                shipping = standard
        return PlaceOrder(
            channel=wish.channel, currency=currency, email=person.email, name=person.name, phone=person.phone,
            lines=[LineRequest(sku, q) for sku, q in wish.lines],
            shipping_address=None if wish.pickup_store else dict(person.address),
            billing_address=dict(person.address),
            delivery_method="pickup" if wish.pickup_store else "ship", pickup_location=wish.pickup_store,
            shipping=shipping, discounts=discount, actor=actor,
        )

    def _discount(self, code: str | None, subtotal: int) -> tuple[list[DiscountRequest], bool]:
        if code is None:
            return [], False
        if code == "FREESHIP":
            return [], True
        percent: int | None = 8
        fixed: str | None = None
        if code != "CONTRACT8":
            percent, fixed = next((p, f) for c, p, f in PROMOTIONS if c == code)
        amount = Decimal(fixed) * 100 if fixed else Decimal(subtotal * (percent or 0) // 100)
        amount = min(amount, Decimal(subtotal))
        if amount <= 0:
            return [], False
        return [DiscountRequest(code, str((amount / 100).quantize(Decimal("0.01"))))], False

    def actor(self, wish: Wish) -> str:
        if wish.channel == "store":
            return f"pos:{wish.pickup_store or wish.person.city.store or 'ST-NYC'}"
        if wish.channel == "phone":
            return self.rng.choice(AGENTS)
        return {"web": "storefront", "app": "mobile-app", "marketplace": "marketplace-sync",
                "b2b": "b2b-portal"}[wish.channel]

    # -- after a refusal ---------------------------------------------------------------------------------------
    def without(self, wish: Wish, skus: set[str]) -> Wish:
        """The same wish without the SKUs that cannot be had; a new ship basket when nothing is left."""
        lines = [(sku, q) for sku, q in wish.lines if sku not in skus]
        if lines:
            return replace(wish, lines=lines)
        avoid = frozenset(skus | {p.sku for p in self.by_sku.values() if p.scarce})
        return replace(wish, pickup_store=None, lines=self.ship_basket(wish.person, avoid=avoid))


def _at_least(lines: list[tuple[str, int]], units: int) -> list[tuple[str, int]]:
    missing = units - sum(q for _, q in lines)
    if missing > 0:
        sku, quantity = lines[0]
        lines[0] = (sku, quantity + missing)
    return lines
