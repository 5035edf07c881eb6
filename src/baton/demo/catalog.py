"""The demo catalog and the initial stock of every location, drawn from one seeded random generator."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from baton.catalog.model import StockPolicy
from baton.catalog.services import LocationData, ProductData
from baton.demo.data import CATEGORIES, PRODUCTS_PER_CATEGORY, SITES, Category, Site
from baton.inventory.services import ImportRow

EUR_PER_USD = Decimal("0.93")


@dataclass(frozen=True)
class DemoProduct:
    data: ProductData
    popularity: float  # relative chance of being in an order line
    scarce: bool  # a stocked product that runs low and is never replenished: shows low / out-of-stock
    in_stores: bool
    bulky: bool
    release_day: int = 0  # preorders: days from now the product arrives (negative: already in the past)

    @property
    def sku(self) -> str:
        return self.data.sku

    @property
    def policy(self) -> StockPolicy:
        return self.data.stock_policy

    def price_minor(self, currency: str) -> int:
        amount = self.data.price if currency == self.data.currency else (self.data.prices or {})[currency]
        return int(Decimal(amount) * 100)


def locations() -> list[LocationData]:
    return [LocationData(s.code, s.name, s.type, _address(s), s.latitude, s.longitude, s.ships, s.pickup,
                         s.priority, s.daily_capacity) for s in SITES]


def _address(site: Site) -> dict[str, str]:
    return {"line1": site.line1, "city": site.city, "postal_code": site.postal_code, "region": site.region,
            "country": site.country}


def _charm(amount: Decimal) -> str:
    """A shelf price: 23.4 -> "22.99"; from 100 up, whole dollars/euros minus a cent in steps of 5."""
    if amount >= 100:
        amount = (amount / 5).quantize(Decimal(1), ROUND_HALF_UP) * 5
    else:
        amount = amount.quantize(Decimal(1), ROUND_HALF_UP)
    return str(max(amount, Decimal(2)) - Decimal("0.01"))


def products(rng: random.Random) -> list[DemoProduct]:
    result: list[DemoProduct] = []
    for category in CATEGORIES:
        result.extend(_category_products(rng, category))
    return result


def _names(rng: random.Random, category: Category) -> list[tuple[str, tuple[str, int, int, int]]]:
    """PRODUCTS_PER_CATEGORY distinct names, every base product in several variants."""
    used: set[tuple[str, str]] = set()
    names = []
    for i in range(PRODUCTS_PER_CATEGORY):
        base = category.bases[i % len(category.bases)]
        variant = rng.choice([v for v in category.variants if (v, base[0]) not in used])
        used.add((variant, base[0]))
        names.append((f"{variant} {base[0]}", base))
    return names


def _category_products(rng: random.Random, category: Category) -> list[DemoProduct]:
    result = []
    for number, (name, (_noun, low, high, grams)) in enumerate(_names(rng, category), start=1):
        sku = f"{category.prefix}-{number:04d}"
        usd = _charm(Decimal(rng.uniform(low, high)).quantize(Decimal("0.01")))
        eur = _charm(Decimal(usd) * EUR_PER_USD)
        policy, release_day = _policy(rng, category, number)
        scarce = policy is StockPolicy.STOCKED and number > 3 and rng.random() < 0.06
        data = ProductData(sku, name, category.name, usd, "USD", policy, {"EUR": eur},
                           int(grams * rng.uniform(0.9, 1.1)), "reduced" if category.prefix == "BOO" else "standard")
        popularity = rng.paretovariate(1.6) * (1.6 if number <= 4 else 1.0)
        result.append(DemoProduct(data, popularity, scarce, category.in_stores, category.bulky, release_day))
    return result


def _policy(rng: random.Random, category: Category, number: int) -> tuple[StockPolicy, int]:
    if number <= 3:  # the first products of each category (APP-0001 is on the demo banner) are plain stock
        return StockPolicy.STOCKED, 0
    roll = rng.random()
    if category.prefix in ("BOO", "ELE", "TOY") and roll < 0.12:
        return StockPolicy.PREORDER, rng.randint(-40, 25)
    if (category.bulky or category.prefix == "FTW") and roll < 0.22:
        return StockPolicy.BACKORDER, 0
    if roll < 0.04:
        return StockPolicy.BACKORDER, 0
    return StockPolicy.STOCKED, 0


# -- the initial stock ----------------------------------------------------------------------------------------
def carries(site: Site, product: DemoProduct, rng: random.Random) -> bool:
    """Whether a location stocks a product at all (drawn once per pair, in a fixed order)."""
    roll = rng.random()
    if site.role == "main":
        return True
    if site.role == "dropship":  # regular bulky goods only: backorders wait in their own region
        return product.bulky and product.policy is StockPolicy.STOCKED and roll < 0.7
    if site.role == "store":
        return product.in_stores and roll < 0.55
    return roll < (0.75 if site.code != "WH-DFW" else 0.6)


def initial_stock(rng: random.Random, catalog: list[DemoProduct]) -> tuple[list[ImportRow], dict[str, list[str]]]:
    """Counts for every (location, product) the location carries, and each store's assortment for pickup."""
    rows: list[ImportRow] = []
    assortment: dict[str, list[str]] = {s.code: [] for s in SITES}
    for site in SITES:
        for product in catalog:
            if not carries(site, product, rng):
                continue
            on_hand, safety = _count(rng, site, product)
            rows.append(ImportRow(len(rows) + 1, site.code, product.sku, on_hand, safety))
            assortment[site.code].append(product.sku)
    return rows, assortment


def _count(rng: random.Random, site: Site, product: DemoProduct) -> tuple[int, int | None]:
    if product.policy is StockPolicy.PREORDER:
        return 0, None  # not released yet: arrives with the first purchase order
    if product.scarce:
        return (rng.choice((0, 1, 2, 3)) if site.role == "main" else rng.choice((0, 0, 1))), None
    boost = min(3.0, 0.6 + product.popularity / 2)
    if product.policy is StockPolicy.BACKORDER and site.role != "dropship":
        return rng.randint(0, 12 if site.role == "main" else 4), None
    if site.role == "main":
        return int(rng.randint(40, 120) * boost), 2
    if site.role == "store":
        return rng.randint(2, 10), None
    if site.role == "dropship":
        return rng.randint(60, 200), None
    return int(rng.randint(15, 60) * boost), None
