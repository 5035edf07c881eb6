"""`baton seed` / `baton demo`: load the demo shop into an empty database, through the real services.

The same `random_seed` gives the same shop: locations, catalog, stock, customers and the same orders with the
same lines, statuses and totals. Generated ids, tracking ids and the dates (relative to now) differ per run.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select

from baton.adapters.db import tables as t
from baton.bootstrap import Container
from baton.catalog.services import create_location, create_product
from baton.demo import catalog as demo_catalog
from baton.demo import money
from baton.demo.aftercare import policies
from baton.demo.clockwork import days
from baton.demo.people import customers
from baton.demo.simulation import Simulation
from baton.demo.stock import Keeper
from baton.inventory.kpis import low_stock
from baton.inventory.services import import_counts
from baton.orders.status import OrderStatus
from baton.returns.model import ReturnStatus
from baton.shared.clock import frozen_at
from baton.shared.errors import Conflict
from baton.shared.money import format_money

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SeedReport:
    locations: int
    countries: int
    products: int
    categories: int
    customers: int
    orders: int
    statuses: tuple[tuple[str, int], ...]  # (order status, orders), in lifecycle order
    stock_movements: int  # rows of the inventory ledger
    captured: tuple[tuple[str, int], ...] = ()  # (currency, minor units captured by payments), by currency
    invoices: int = 0  # invoices issued (one per capture)
    credit_memos: int = 0  # credit memos issued (one per refund)
    on_hold: int = 0  # orders waiting on hold (a refused payment, or held by an agent)
    returns: tuple[tuple[str, int], ...] = ()  # (return status, returns), in lifecycle order
    exchanges: int = 0
    claims: int = 0
    appeasements: int = 0  # refunds of goodwill, without a return
    low_stock: int = 0  # stock levels at or below their reorder point
    gift_cards: int = 0  # gift cards issued (and paid with)
    refused: tuple[str, ...] = ()  # service refusals met while simulating (expected: none)
    seconds: float = field(default=0.0, compare=False)

    def __str__(self) -> str:
        statuses = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in self.statuses if n)
        refused = f"; {len(self.refused)} step(s) refused" if self.refused else ""
        captured = " and ".join(format_money(minor, currency) for currency, minor in self.captured) or "nothing"
        memos = f", {self.credit_memos} credit memos" if self.credit_memos else ""
        returns = ", ".join(f"{n} {status}" for status, n in self.returns if n)
        care = (f"; returns: {sum(n for _, n in self.returns)}{f' ({returns})' if returns else ''}, "
                f"{self.exchanges} exchanges, {self.claims} claims, {self.appeasements} appeasements; "
                f"{self.gift_cards} gift cards; {self.low_stock} stock levels low")
        return (f"{self.locations} locations in {self.countries} countries, {self.products} products in "
                f"{self.categories} categories, {self.customers} customers, {self.orders} orders"
                f"{f' ({statuses})' if statuses else ''}, "
                f"{self.stock_movements} stock movements; payments: {captured} captured, {self.invoices} invoices"
                f"{memos}, {self.on_hold} orders on hold{care}{refused}; in {self.seconds:.1f} s")


def is_seeded(container: Container) -> bool:
    """True when the database already holds products or orders (the demo then leaves it alone)."""
    with container.engine.connect() as conn:
        return (conn.scalar(select(t.products.c.sku).limit(1)) is not None
                or conn.scalar(select(t.orders.c.id).limit(1)) is not None)


def seed_demo(container: Container, *, orders: int = 2000, random_seed: int = 7,
              progress: Progress | None = None) -> SeedReport:
    """Create locations, products, opening stock, customers and `orders` orders spread over the last 90 days."""
    if orders < 0:
        raise ValueError("orders must not be negative")
    if is_seeded(container):
        raise Conflict("The database already holds products or orders; the demo shop is loaded into an empty "
                       "database only (use a new BATON_DATABASE_URL or empty this one).", code="already_seeded")
    started = time.perf_counter()
    now = datetime.now(UTC).replace(microsecond=0)
    report = progress or (lambda _stage, _done, _total: None)

    def stream(name: str) -> random.Random:  # one generator per part: the catalog does not depend on `orders`
        return random.Random(f"baton-demo/{random_seed}/{name}")

    products = demo_catalog.products(stream("catalog"))
    with frozen_at(now - days(120)):
        money.configure_tax(container)
        policies(container)
        money.exchange_rates(container, stream("fx"), (now - days(120)).date(), now.date())
        sites = demo_catalog.locations()
        for done, site in enumerate(sites, start=1):
            create_location(container.uow(), site)
            report("Locations", done, len(sites))
        for done, product in enumerate(products, start=1):
            create_product(container.uow(), product.data)
            report("Products", done, len(products))
    with frozen_at(now - days(91)):
        rows, _assortment = demo_catalog.initial_stock(stream("stock"), products)
        opening = import_counts(container.uow(), rows, actor="demo-seed", reason="opening count",
                                progress=lambda done: report("Stock", done, len(rows)))
        if opening.errors:  # a bug in the demo data, not in the database
            raise AssertionError(f"demo stock rows refused: {opening.errors[:5]}")
        Keeper(container, stream("reorder"), products).reorder_points()
    people = customers(stream("people"), max(40, min(450, orders // 5)))
    simulation = Simulation(container, stream("orders"), products, people, now, progress,
                            money.Cashier(stream("payments")), stream("aftercare"))
    simulation.run(orders)
    return _report(container, tuple(simulation.refusals), time.perf_counter() - started)


def _report(container: Container, refused: tuple[str, ...], seconds: float) -> SeedReport:
    with container.engine.connect() as conn:
        countries = {(address or {}).get("country") for address in conn.scalars(select(t.locations.c.address))}
        o = t.orders.c
        by_status: dict[str, int] = dict(conn.execute(select(o.status, func.count()).group_by(o.status)).all())
        p = t.payments.c
        captured = conn.execute(select(p.currency, func.sum(p.captured)).group_by(p.currency).order_by(p.currency))
        r = t.returns.c
        returns: dict[str, int] = dict(conn.execute(select(r.status, func.count()).group_by(r.status)).all())
        documents: dict[str, int] = dict(
            conn.execute(select(t.invoices.c.kind, func.count()).group_by(t.invoices.c.kind)).all())
        return SeedReport(
            locations=conn.scalar(select(func.count()).select_from(t.locations)) or 0,
            countries=len(countries - {None}),
            products=conn.scalar(select(func.count()).select_from(t.products)) or 0,
            categories=conn.scalar(select(func.count(t.products.c.category.distinct()))) or 0,
            customers=conn.scalar(select(func.count()).select_from(t.customers)) or 0,
            orders=sum(by_status.values()),
            statuses=tuple((str(s), int(by_status.get(str(s), 0))) for s in OrderStatus),
            stock_movements=conn.scalar(select(func.count()).select_from(t.inventory_ledger)) or 0,
            captured=tuple((str(currency), int(minor or 0)) for currency, minor in captured),
            invoices=int(documents.get("invoice", 0)),
            credit_memos=int(documents.get("credit_memo", 0)),
            on_hold=int(by_status.get(str(OrderStatus.ON_HOLD), 0)),
            returns=tuple((str(s), int(returns.get(str(s), 0))) for s in ReturnStatus),
            exchanges=conn.scalar(select(func.count()).select_from(t.exchanges)) or 0,
            claims=conn.scalar(select(func.count()).select_from(t.claims)) or 0,
            appeasements=conn.scalar(select(func.count()).select_from(t.order_refunds)
                                     .where(t.order_refunds.c.purpose == "appeasement")) or 0,
            low_stock=low_stock(conn, limit=0)[1],
            gift_cards=conn.scalar(select(func.count()).select_from(t.gift_cards)) or 0,
            refused=refused,
            seconds=seconds,
        )
